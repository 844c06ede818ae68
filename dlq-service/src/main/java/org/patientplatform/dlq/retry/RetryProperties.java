package org.patientplatform.dlq.retry;

import java.time.Duration;

import org.patientplatform.dlq.redrive.OutcomeTimeout;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Automatic retry settings. The policy defaults apply to every topic without its own policy row.
 *
 * @param maxAttempts automatic redrives of an entry before it is {@code PERMANENTLY_FAILED}
 * @param initialDelay the delay before the first automatic redrive
 * @param multiplier each next delay is the previous one times this
 * @param maxDelay the longest delay
 * @param jitter the delay varies by up to this fraction either way, so retries of a burst spread out
 * @param outcomeTimeout a redrive nobody reported on within this time counts as failed, unless its consumer group has
 * read past it (resolved) or has not read it yet (waited for)
 * @param outcomeRecheck how often a redrive its consumer group has not read yet is looked at again
 * @param outcomeMaxWait how long after its redrive such a record is waited for; then it counts as failed
 * @param cron when the retry task runs (six fields, UTC)
 * @param batchSize entries claimed and sent per transaction
 * @param maxBatchesPerRun batches per run, so one run stays short
 * @param sendFailureDelay the wait before trying again to send an entry the broker did not take, or whose payload
 * could not be decrypted
 * @param outcomesConsumerGroup the consumer group of the outcome consumer
 */
@ConfigurationProperties("dlq.retry")
record RetryProperties(@DefaultValue("5") int maxAttempts, @DefaultValue("30s") Duration initialDelay,
		@DefaultValue("2.0") double multiplier, @DefaultValue("1h") Duration maxDelay,
		@DefaultValue("0.2") double jitter, @DefaultValue("10m") Duration outcomeTimeout,
		@DefaultValue("1m") Duration outcomeRecheck, @DefaultValue("24h") Duration outcomeMaxWait,
		@DefaultValue("*/5 * * * * *") String cron, @DefaultValue("200") int batchSize,
		@DefaultValue("20") int maxBatchesPerRun, @DefaultValue("30s") Duration sendFailureDelay,
		@DefaultValue("dlq-service.consumer-retry-message.outcomes") String outcomesConsumerGroup)
		implements OutcomeTimeout {

	RetryPolicy defaults() {
		return new RetryPolicy(this.maxAttempts, this.initialDelay.toMillis(), this.multiplier,
				this.maxDelay.toMillis(), this.jitter);
	}

}
