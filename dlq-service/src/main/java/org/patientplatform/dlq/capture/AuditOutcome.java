package org.patientplatform.dlq.capture;

/**
 * The outcomes the DLQ writes to the audit log for an operator's action, four words so that one filter selects each
 * kind (a job's count or an exception's name in the outcome had made outcomes no filter matched). A request refused as
 * invalid before its operation runs (a 400 naming a field: no reason, a topic name Kafka does not allow) writes no row
 * (ADR 0015); every valid one writes one, done or not.
 */
public final class AuditOutcome {

	/** The action was done. */
	public static final String SUCCEEDED = "SUCCEEDED";

	/**
	 * The DLQ refused the action from what it holds: no such entry or job, or one whose state does not allow it (a
	 * discarded entry, a redrive in flight, a job not running); its answer a 4xx, the trace id finds its log.
	 */
	public static final String REJECTED = "REJECTED";

	/**
	 * The action was attempted and the broker did not take it, or could not say it would: a topic it does not have
	 * (a redrive's target, or the entry's original topic), a record it refuses, no answer (a 400, 409 or 503). Nothing
	 * was sent or changed; the operator acted, so it is kept, and apart from what the DLQ refused.
	 */
	public static final String FAILED = "FAILED";

	/**
	 * A reveal, a redrive or an edit-and-redrive whose stored payload could not be decrypted (its key id no longer
	 * configured, or bytes that do not match it): nothing was shown or sent (a 409).
	 */
	public static final String UNREADABLE = "UNREADABLE";

	private AuditOutcome() {
	}

}
