package org.patientplatform.kit.web;

/** Thrown when a request conflicts with the current state (a full slot, a duplicate); answered as 409. */
public class ConflictException extends RuntimeException {

	public ConflictException(String message) {
		super(message);
	}

}
