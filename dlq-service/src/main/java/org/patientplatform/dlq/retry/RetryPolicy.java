package org.patientplatform.dlq.retry;

import java.time.Duration;

/**
 * How an entry of a topic is retried: up to {@code maxAttempts} automatic redrives, the n-th (from 0)
 * after {@code d = min(maxDelay, initialDelay * multiplier^n)}, varied by up to {@code jitter} either way
 * and never beyond {@code maxDelay}: uniform in {@code [d * (1 - jitter), min(maxDelay, d * (1 + jitter))]}.
 * So delays at the cap still vary (below it), and the entries of one incident that reach the cap together
 * do not all come due in the same second. The database applies the same formula when it schedules.
 */
record RetryPolicy(int maxAttempts, long initialDelayMs, double multiplier, long maxDelayMs, double jitter) {

	/**
	 * The delay before automatic redrive number {@code retryCount} (from 0).
	 * @param random a number in [0, 1) that picks the jitter
	 */
	Duration delay(int retryCount, double random) {
		double delay = Math.min(this.maxDelayMs, this.initialDelayMs * Math.pow(this.multiplier, retryCount));
		double low = delay * (1 - this.jitter);
		double high = Math.min(this.maxDelayMs, delay * (1 + this.jitter));
		return Duration.ofMillis((long) (low + random * (high - low)));
	}

}
