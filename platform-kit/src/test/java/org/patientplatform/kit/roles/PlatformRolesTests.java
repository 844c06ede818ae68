package org.patientplatform.kit.roles;

import org.junit.jupiter.api.Test;

import org.springframework.mock.env.MockEnvironment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

class PlatformRolesTests {

	MockEnvironment environment = new MockEnvironment()
		.withProperty(PlatformRoles.SERVICE_NAME_PROPERTY, "dlq-service")
		.withProperty(PlatformRoles.KNOWN_ROLES_PROPERTY, "app,consumer-retry-message,wrk--default,cron");

	@Test
	void enablesEveryRoleWhenNoneIsSelected() {
		assertThat(PlatformRoles.from(this.environment).enabled()).containsExactlyInAnyOrder("app",
				"consumer-retry-message", "wrk--default", "cron");
	}

	@Test
	void enablesOnlyTheSelectedRoles() {
		this.environment.setProperty(PlatformRoles.ENABLED_ROLES_PROPERTY, " app , cron ");
		PlatformRoles roles = PlatformRoles.from(this.environment);
		assertThat(roles.enabled()).containsExactlyInAnyOrder("app", "cron");
		assertThat(roles.isEnabled("consumer-retry-message")).isFalse();
	}

	@Test
	void rejectsARoleTheServiceDoesNotHave() {
		this.environment.setProperty(PlatformRoles.ENABLED_ROLES_PROPERTY, "app,consumer-test-result-notification");
		assertThatIllegalStateException().isThrownBy(() -> PlatformRoles.from(this.environment))
			.withMessageContaining("consumer-test-result-notification")
			.withMessageContaining("dlq-service");
	}

}
