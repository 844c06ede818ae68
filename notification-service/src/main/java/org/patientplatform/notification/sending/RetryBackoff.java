package org.patientplatform.notification.sending;

import java.time.Duration;
import java.time.Instant;
import java.util.random.RandomGenerator;

import org.jspecify.annotations.Nullable;

/**
 * When a delivery is tried again: exponential backoff with jitter, and never before the
 * provider's {@code Retry-After}.
 */
final class RetryBackoff {

	private final SendingProperties.Backoff backoff;

	private final RandomGenerator random;

	RetryBackoff(SendingProperties.Backoff backoff, RandomGenerator random) {
		this.backoff = backoff;
		this.random = random;
	}

	/**
	 * @param attempt the attempt that just failed, from 1
	 * @param retryAfter the provider's Retry-After, or null
	 */
	Instant retryAt(int attempt, @Nullable Duration retryAfter, Instant now) {
		Duration delay = delay(attempt);
		if (retryAfter != null && retryAfter.compareTo(delay) > 0) {
			delay = retryAfter;
		}
		return now.plus(delay);
	}

	Duration delay(int attempt) {
		long initial = this.backoff.initial().toMillis();
		long max = this.backoff.max().toMillis();
		int shift = Math.clamp(attempt - 1, 0, 30);
		long base = (initial > (max >> shift)) ? max : Math.min(max, initial << shift);
		double spread = this.backoff.jitter() * (2 * this.random.nextDouble() - 1);
		return Duration.ofMillis(Math.max(0, Math.round(base * (1 + spread))));
	}

}
