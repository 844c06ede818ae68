package org.patientplatform.dlq;

import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.patientplatform.local.infra.LocalSigningKey;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.http.HttpStatusCode;
import org.springframework.kafka.config.KafkaListenerEndpointRegistry;
import org.springframework.kafka.listener.MessageListenerContainer;
import org.springframework.test.context.TestPropertySource;
import org.springframework.web.client.RestClient;

import static org.assertj.core.api.Assertions.assertThat;

@DlqIntegrationTest
@TestPropertySource(properties = "platform.roles=consumer-retry-message")
class ConsumerRoleOnlyIntegrationTests {

	@Autowired
	KafkaListenerEndpointRegistry listeners;

	@Autowired
	LocalSigningKey signingKey;

	@LocalServerPort
	int port;

	@Test
	void runsTheCaptureAndOutcomeListenersOnly() {
		assertThat(this.listeners.getListenerContainers()).extracting(MessageListenerContainer::getListenerId)
			.containsExactlyInAnyOrder("dlq-capture", "dlq-retry-outcomes");
		assertThat(this.listeners.getListenerContainer("dlq-capture").isRunning()).isTrue();
		assertThat(this.listeners.getListenerContainer("dlq-retry-outcomes").isRunning()).isTrue();
	}

	@Test
	void answersNotFoundForTheApiEvenWithAValidToken() {
		RestClient client = RestClient.builder()
			.baseUrl("http://127.0.0.1:" + this.port)
			.defaultStatusHandler(HttpStatusCode::isError, (request, response) -> {
			})
			.build();
		String ops = this.signingKey.mint("ops-1", List.of("ops"), null, Duration.ofMinutes(5));
		assertThat(client.get()
			.uri("/api/v1/dlq/messages/00000000-0000-0000-0000-000000000000")
			.header("Authorization", "Bearer " + ops)
			.retrieve()
			.toEntity(String.class)
			.getStatusCode()
			.value()).isEqualTo(404);
		assertThat(client.get().uri("/api/v1/dlq/messages").retrieve().toEntity(String.class).getStatusCode().value())
			.isEqualTo(404);
		assertThat(client.get().uri("/actuator/health").retrieve().toEntity(String.class).getStatusCode().value())
			.isEqualTo(200);
		// nor the ops console, which is the app role's
		assertThat(client.get().uri("/console/console.js").retrieve().toEntity(String.class).getStatusCode().value())
			.isEqualTo(404);
	}

}
