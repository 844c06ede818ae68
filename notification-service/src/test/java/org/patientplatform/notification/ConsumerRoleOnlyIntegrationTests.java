package org.patientplatform.notification;

import org.junit.jupiter.api.Test;
import org.patientplatform.local.infra.LocalSigningKey;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.kafka.config.KafkaListenerEndpointRegistry;
import org.springframework.kafka.listener.MessageListenerContainer;
import org.springframework.test.context.TestPropertySource;

import static org.assertj.core.api.Assertions.assertThat;

@NotificationIntegrationTest
@TestPropertySource(properties = "platform.roles=consumer-test-result-notification")
class ConsumerRoleOnlyIntegrationTests {

	@Autowired
	KafkaListenerEndpointRegistry listeners;

	@Autowired
	LocalSigningKey signingKey;

	@LocalServerPort
	int port;

	@Test
	void runsTheTestResultListenerOnlyNotTheContactProjection() {
		assertThat(this.listeners.getListenerContainers()).extracting(MessageListenerContainer::getListenerId)
			.containsExactly("test-result-notices");
		MessageListenerContainer container = this.listeners.getListenerContainer("test-result-notices");
		assertThat(container.isRunning()).isTrue();
		assertThat(container.getGroupId()).isEqualTo("notification-service.consumer-test-result-notification");
	}

	@Test
	void answersNotFoundForTheApiEvenWithAValidToken() {
		TestApi api = new TestApi(this.port, this.signingKey);
		assertThat(api.get("/api/v1/patients/P-1/notifications", api.staffToken()).getStatusCode().value())
			.isEqualTo(404);
		assertThat(api.get("/api/v1/patients/P-1/preferences", null).getStatusCode().value()).isEqualTo(404);
		assertThat(api.get("/actuator/health", null).getStatusCode().value()).isEqualTo(200);
	}

}
