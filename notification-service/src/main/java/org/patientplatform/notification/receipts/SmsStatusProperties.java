package org.patientplatform.notification.receipts;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * The reconciliation of SMS whose final status never came ({@link SmsStatusReconciliation}).
 *
 * @param staleAfter how long a delivery stays {@code SENT} before Twilio is first asked for its status (its
 * callbacks normally come within seconds)
 * @param giveUpAfter how long after it was sent a message Twilio still reports on its way (or cannot tell about)
 * is asked about: the check at or after this age is the last
 * @param batchSize deliveries claimed and looked up at once
 * @param maxPerRun deliveries looked up by one run at most; the rest wait for the next run
 * @param schedule when the {@code cron} role runs it (a Spring cron expression, six fields, UTC)
 */
@ConfigurationProperties("notification.sms-status")
record SmsStatusProperties(@DefaultValue("15m") Duration staleAfter, @DefaultValue("72h") Duration giveUpAfter,
		@DefaultValue("100") int batchSize, @DefaultValue("2000") int maxPerRun,
		@DefaultValue("0 */5 * * * *") String schedule) {

	SmsStatusProperties {
		if (staleAfter.isNegative() || giveUpAfter.compareTo(staleAfter) <= 0) {
			throw new IllegalArgumentException(
					"notification.sms-status.give-up-after must be longer than stale-after, which must not be negative");
		}
		if (batchSize < 1 || maxPerRun < 1) {
			throw new IllegalArgumentException("notification.sms-status.batch-size and max-per-run must be positive");
		}
	}

}
