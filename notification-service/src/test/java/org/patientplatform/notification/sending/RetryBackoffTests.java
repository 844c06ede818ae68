package org.patientplatform.notification.sending;

import java.time.Duration;
import java.time.Instant;
import java.util.random.RandomGenerator;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class RetryBackoffTests {

	static final Instant NOW = Instant.parse("2026-03-07T15:00:00Z");

	static final SendingProperties.Backoff BACKOFF = new SendingProperties.Backoff(Duration.ofSeconds(30),
			Duration.ofHours(1), 0.2);

	@Test
	void doublesTheWaitWithEachAttemptUpToTheMaximum() {
		RetryBackoff backoff = new RetryBackoff(BACKOFF, fixed(0.5));
		assertThat(backoff.delay(1)).isEqualTo(Duration.ofSeconds(30));
		assertThat(backoff.delay(2)).isEqualTo(Duration.ofSeconds(60));
		assertThat(backoff.delay(3)).isEqualTo(Duration.ofSeconds(120));
		assertThat(backoff.delay(10)).isEqualTo(Duration.ofHours(1));
		assertThat(backoff.delay(1000)).isEqualTo(Duration.ofHours(1));
	}

	@Test
	void spreadsTheWaitByTheJitter() {
		assertThat(new RetryBackoff(BACKOFF, fixed(0.0)).delay(1)).isEqualTo(Duration.ofSeconds(24));
		assertThat(new RetryBackoff(BACKOFF, fixed(0.999999)).delay(1)).isBetween(Duration.ofMillis(35_999),
				Duration.ofSeconds(36));
	}

	@Test
	void neverRetriesBeforeTheProvidersRetryAfter() {
		RetryBackoff backoff = new RetryBackoff(BACKOFF, fixed(0.5));
		assertThat(backoff.retryAt(1, Duration.ofMinutes(10), NOW)).isEqualTo(NOW.plus(Duration.ofMinutes(10)));
		// a shorter Retry-After than the backoff: the backoff wins
		assertThat(backoff.retryAt(3, Duration.ofSeconds(5), NOW)).isEqualTo(NOW.plusSeconds(120));
		assertThat(backoff.retryAt(1, null, NOW)).isEqualTo(NOW.plusSeconds(30));
	}

	static RandomGenerator fixed(double value) {
		return new RandomGenerator() {
			@Override
			public long nextLong() {
				return 0;
			}

			@Override
			public double nextDouble() {
				return value;
			}
		};
	}

}
