package org.patientplatform.dlq.redrive;

import java.time.Duration;

/**
 * How long a redrive stays in flight without an outcome: until then its outcome may come at any moment, and the
 * entry is not sent again; past it the retry task settles the redrive, or waits for the entry's consumer group to
 * read it, up to {@code outcome-max-wait} after its send (ADR 0019). The retry settings give them
 * ({@code dlq.retry.outcome-timeout}, {@code dlq.retry.outcome-max-wait}): the retry feature uses this one, so this one names the setting without
 * depending on it.
 */
public interface OutcomeTimeout {

	/**
	 * @return the time from a redrive's send after which a redrive without an outcome is settled
	 */
	Duration outcomeTimeout();

	/**
	 * @return the time from a redrive's send after which one its consumer group has not read yet, waited for past the
	 * outcome timeout, counts as failed ({@code dlq.retry.outcome-max-wait})
	 */
	Duration outcomeMaxWait();

}
