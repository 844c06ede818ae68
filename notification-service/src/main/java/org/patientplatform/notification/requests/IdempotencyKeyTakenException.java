package org.patientplatform.notification.requests;

/**
 * A request names an idempotency key that a notification of another patient or type already holds: it is not
 * the same request again, and the notification made then is not this caller's to see.
 */
class IdempotencyKeyTakenException extends RuntimeException {

	IdempotencyKeyTakenException() {
		super("The idempotencyKey is taken by a notification of another patient or type: a key names one request; "
				+ "nothing was created");
	}

}
