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
	void capsTheDelayAtTheMaximumEvenWithJitter() {
		assertThat(this.defaults.delay(20, 0.999)).isEqualTo(Duration.ofHours(1));
		assertThat(this.defaults.delay(7, 0.5)).isEqualTo(Duration.ofHours(1));
	}

	@Test
	void matchesTheConfiguredDefaults() {
		RetryProperties properties = new RetryProperties(5, Duration.ofSeconds(30), 2.0, Duration.ofHours(1), 0.2,
				Duration.ofMinutes(10), "*/5 * * * * *", 200, 20, Duration.ofSeconds(30), "g");
		assertThat(properties.defaults()).isEqualTo(this.defaults);
	}

}
