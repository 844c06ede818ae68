package org.patientplatform.notification.batches;

/** Where a batch stands. */
public enum BatchState {

	/** Created; its job has not started. */
	QUEUED,
	/** Its job is creating the notifications. */
	RUNNING,
	/** Every recipient was handled. */
	COMPLETED,
	/**
	 * Cancelled, while open or after it completed: no more notifications are created and
	 * the deliveries not yet sent are cancelled.
	 */
	CANCELLED;

	boolean isOpen() {
		return this == QUEUED || this == RUNNING;
	}

}
