package org.patientplatform.dlq.retry;

import java.time.Duration;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class RetryPolicyTests {

	final RetryPolicy defaults = new RetryPolicy(5, 30_000, 2.0, 3_600_000, 0.2);

	@Test
	void growsTheDelayByTheMultiplierFromTheInitialDelay() {
		assertThat(this.defaults.delay(0, 0.5)).isEqualTo(Duration.ofSeconds(30));
		assertThat(this.defaults.delay(1, 0.5)).isEqualTo(Duration.ofSeconds(60));
		assertThat(this.defaults.delay(4, 0.5)).isEqualTo(Duration.ofSeconds(480));
	}

	@Test
	void variesTheDelayByTheJitterEitherWay() {
		assertThat(this.defaults.delay(0, 0.0)).isEqualTo(Duration.ofSeconds(24));
		assertThat(this.defaults.delay(0, 0.999_999)).isBetween(Duration.ofMillis(35_999), Duration.ofSeconds(36));
	}

	@Test
	void capsTheDelayAtTheMaximumAndStillVariesItThere() {
		assertThat(this.defaults.delay(20, 0.999_999)).isBetween(Duration.ofMillis(3_599_990), Duration.ofHours(1));
		// before: every delay whose jittered value passed the cap was the cap itself, so the entries of an
		// incident that reached it together all came due in the same second
		assertThat(this.defaults.delay(20, 0.0)).isEqualTo(Duration.ofMinutes(48));
		assertThat(this.defaults.delay(7, 0.5)).isEqualTo(Duration.ofMinutes(54));
		// below the cap, where only the upper end of the jitter passes it
		assertThat(this.defaults.delay(6, 0.999_999)).isBetween(Duration.ofMillis(2_303_990), Duration.ofMillis(2_304_000));
		for (double random = 0; random < 1; random += 0.01) {
			assertThat(this.defaults.delay(8, random)).isLessThanOrEqualTo(Duration.ofHours(1))
				.isGreaterThanOrEqualTo(Duration.ofMinutes(48));
		}
	}

	@Test
	void matchesTheConfiguredDefaults() {
		RetryProperties properties = new RetryProperties(5, Duration.ofSeconds(30), 2.0, Duration.ofHours(1), 0.2,
				Duration.ofMinutes(10), Duration.ofMinutes(1), Duration.ofHours(24), "*/5 * * * * *",
				200, 20, Duration.ofSeconds(30), "g");
		assertThat(properties.defaults()).isEqualTo(this.defaults);
	}

}
