package org.patientplatform.dlq.capture;

/**
 * What an operator's reason may hold, beside being required and at most 500 characters (ADR 0015): no NUL,
 * which PostgreSQL cannot store in text. A NUL was refused by the database only once the action was done
 * (a redrive had gone out, a retry policy or a bulk job had changed) and its audit row failed; the answer was
 * a 400 as if nothing had happened. With {@code @Pattern(regexp = TEXT, message = RULE)} the request is
 * refused before anything is done.
 */
public final class OperatorReason {

	/** Any text without a NUL. */
	public static final String TEXT = "[^\\u0000]*";

	/** What a validation error says of a reason holding a NUL. */
	public static final String RULE = "must not hold a NUL character (U+0000), which the audit log cannot store";

	private OperatorReason() {
	}

}
