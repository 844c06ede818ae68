package org.patientplatform.dlq.capture;

/**
 * The outcomes the DLQ writes to the audit log for an operator's action, three words so that one filter selects each
 * kind (a job's count or an exception's name in the outcome had made outcomes no filter matched).
 */
public final class AuditOutcome {

	/** The action was done. */
	public static final String SUCCEEDED = "SUCCEEDED";

	/** The action was refused, whatever the cause (its answer a 4xx or 5xx; the trace id finds its log). */
	public static final String REJECTED = "REJECTED";

	/** A reveal whose payload could not be decrypted. */
	public static final String UNREADABLE = "UNREADABLE";

	private AuditOutcome() {
	}

}
