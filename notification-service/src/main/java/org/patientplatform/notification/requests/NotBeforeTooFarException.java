package org.patientplatform.notification.requests;

/** A request asks to be held past the scheduling horizon ({@code SchedulingHorizon}). */
class NotBeforeTooFarException extends RuntimeException {

	NotBeforeTooFarException(String reason) {
		super(reason);
	}

}
