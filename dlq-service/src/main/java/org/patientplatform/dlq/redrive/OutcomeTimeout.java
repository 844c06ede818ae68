package org.patientplatform.dlq.redrive;

import java.time.Duration;

/**
 * How long a redrive stays in flight without an outcome: until then its outcome may come at any moment, and the
 * entry is not sent again; past it the retry task settles the redrive (ADR 0019). The retry settings give it
 * ({@code dlq.retry.outcome-timeout}): the retry feature uses this one, so this one names the setting without
 * depending on it.
 */
public interface OutcomeTimeout {

	/**
	 * @return the time from a redrive's send after which a redrive without an outcome is settled
	 */
	Duration outcomeTimeout();

}
