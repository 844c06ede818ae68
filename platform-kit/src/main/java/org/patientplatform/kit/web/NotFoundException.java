package org.patientplatform.kit.web;

/** Thrown by an endpoint when the resource asked for does not exist; answered as a 404 problem. */
public class NotFoundException extends RuntimeException {

	public NotFoundException(String message) {
		super(message);
	}

}
