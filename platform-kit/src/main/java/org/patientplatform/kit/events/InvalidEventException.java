package org.patientplatform.kit.events;

/**
 * A record that can never be processed as it is: no data, data that is not the documented JSON, an
 * unknown event type, or values that fail validation. The failure path sends it to the DLQ at once,
 * without in-process retries, marked non-retryable.
 */
public class InvalidEventException extends RuntimeException {

	public InvalidEventException(String message) {
		super(message);
	}

	public InvalidEventException(String message, Throwable cause) {
		super(message, cause);
	}

}
