package org.patientplatform.dlq.retry;

import java.time.Duration;

/**
 * How an entry of a topic is retried: up to {@code maxAttempts} automatic redrives, the n-th (from 0)
 * after {@code min(maxDelay, initialDelay * multiplier^n)}, varied by up to {@code jitter} either way
 * and capped at {@code maxDelay}. The database applies the same formula when it schedules.
 */
record RetryPolicy(int maxAttempts, long initialDelayMs, double multiplier, long maxDelayMs, double jitter) {

	/**
	 * The delay before automatic redrive number {@code retryCount} (from 0).
	 * @param random a number in [0, 1) that picks the jitter
	 */
	Duration delay(int retryCount, double random) {
		double base = this.initialDelayMs * Math.pow(this.multiplier, retryCount);
		double jittered = base * (1 + this.jitter * (2 * random - 1));
		return Duration.ofMillis((long) Math.min(this.maxDelayMs, jittered));
	}

}
