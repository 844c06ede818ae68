package org.patientplatform.kit.web;

import java.util.List;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class BodyFieldErrorsTests {

	static final List<String> REDRIVE = List.of("filter", "ids", "dryRun", "ratePerSecond", "reason", "targetTopic");

	static final List<String> POLICY = List.of("maxAttempts", "initialDelay", "multiplier", "maxDelay", "jitter");

	@Test
	void namesTheFieldATypoMeant() {
		assertThat(BodyFieldErrors.closest("dryrun", REDRIVE)).isEqualTo("dryRun");
		assertThat(BodyFieldErrors.closest("DRY_RUN", REDRIVE)).isEqualTo("dryRun");
		assertThat(BodyFieldErrors.closest("targetTopc", REDRIVE)).isEqualTo("targetTopic");
		assertThat(BodyFieldErrors.closest("raeson", REDRIVE)).isEqualTo("reason");
		assertThat(BodyFieldErrors.closest("ratePerSec", REDRIVE)).isEqualTo("ratePerSecond");
		assertThat(BodyFieldErrors.closest("maxAttemps", POLICY)).isEqualTo("maxAttempts");
		assertThat(BodyFieldErrors.closest("maxDelays", POLICY)).isEqualTo("maxDelay");
	}

	@Test
	void namesNoneWhenNoFieldIsThatClose() {
		assertThat(BodyFieldErrors.closest("enabled", POLICY)).isNull();
		assertThat(BodyFieldErrors.closest("zzz", REDRIVE)).isNull();
		// two letters of three changed is another word, not a slip
		assertThat(BodyFieldErrors.closest("ups", REDRIVE)).isNull();
		assertThat(BodyFieldErrors.closest("x", List.of())).isNull();
	}

}
