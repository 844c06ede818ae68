package org.patientplatform.patient;

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

@PatientIntegrationTest
@TestPropertySource(properties = "platform.roles=consumer-lis-patient")
class ConsumerRoleOnlyIntegrationTests {

	@Autowired
	KafkaListenerEndpointRegistry listeners;

	@Autowired
	LocalSigningKey signingKey;

	@LocalServerPort
	int port;

	@Test
	void runsTheLisListenerOnly() {
		assertThat(this.listeners.getListenerContainers()).extracting(MessageListenerContainer::getListenerId)
			.containsExactly("lis-patient");
		assertThat(this.listeners.getListenerContainer("lis-patient").isRunning()).isTrue();
		assertThat(this.listeners.getListenerContainer("lis-patient").getGroupId())
			.isEqualTo("patient-service.consumer-lis-patient");
	}

	@Test
	void answersNotFoundForTheApiEvenWithAValidTokenAndServesHealth() {
		RestClient client = RestClient.builder()
			.baseUrl("http://127.0.0.1:" + this.port)
			.defaultStatusHandler(HttpStatusCode::isError, (request, response) -> {
			})
			.build();
		String staff = this.signingKey.mint("staff-1", List.of("staff"), null, Duration.ofMinutes(5));
		assertThat(client.get()
			.uri("/api/v1/patients/00000000-0000-0000-0000-000000000000")
			.header("Authorization", "Bearer " + staff)
			.retrieve()
			.toEntity(String.class)
			.getStatusCode()
			.value()).isEqualTo(404);
		assertThat(client.get().uri("/api/v1/patients?mrn=x").retrieve().toEntity(String.class).getStatusCode().value())
			.isEqualTo(404);
		assertThat(client.get().uri("/actuator/health").retrieve().toEntity(String.class).getStatusCode().value())
			.isEqualTo(200);
	}

}
