package org.patientplatform.booking;

import org.junit.jupiter.api.Test;
import org.patientplatform.kit.cron.CronScheduler;
import org.patientplatform.kit.jobs.JobWorkers;
import org.patientplatform.local.infra.LocalSigningKey;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.context.ApplicationContext;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.http.MediaType;
import org.springframework.kafka.config.KafkaListenerEndpointRegistry;
import org.springframework.test.context.TestPropertySource;

import static org.assertj.core.api.Assertions.assertThat;

@BookingQueueIntegrationTest
@TestPropertySource(properties = "platform.roles=app")
class AppRoleOnlyIntegrationTests {

	@Autowired
	KafkaListenerEndpointRegistry listeners;

	@Autowired
	ApplicationContext context;

	@Autowired
	LocalSigningKey signingKey;

	@LocalServerPort
	int port;

	@Test
	void startsNoKafkaListener() {
		assertThat(this.listeners.getListenerContainers()).isEmpty();
		// no cron schedule and no job worker either: those belong to the cron and wrk--* roles
		assertThat(this.context.getBeanNamesForType(CronScheduler.class)).isEmpty();
		assertThat(this.context.getBeanNamesForType(JobWorkers.class)).isEmpty();
	}

	@Test
	void servesTheApiBehindAToken() {
		var anonymous = TestClients.anonymous(this.port)
			.get()
			.uri("/api/v1/sites/site-a/slots")
			.retrieve()
			.toEntity(String.class);
		assertThat(anonymous.getStatusCode().value()).isEqualTo(401);
		assertThat(anonymous.getHeaders().getContentType()).isEqualTo(MediaType.APPLICATION_PROBLEM_JSON);

		var authorized = TestClients.api(this.port, TestClients.staff(this.signingKey))
			.get()
			.uri("/api/v1/sites/site-a/slots")
			.retrieve()
			.toEntity(String.class);
		assertThat(authorized.getStatusCode().value()).isEqualTo(200);
		assertThat(authorized.getBody()).isEqualTo("[]");
	}

	@Test
	void servesHealthWithoutToken() {
		var client = TestClients.anonymous(this.port);
		assertThat(client.get().uri("/actuator/health/liveness").retrieve().toEntity(String.class).getBody())
			.contains("\"UP\"");
		assertThat(client.get().uri("/actuator/health/readiness").retrieve().toEntity(String.class).getBody())
			.contains("\"UP\"")
			.contains("db")
			.contains("kafka");
	}

	@Test
	void listsEveryEndpointInTheOpenApiDocument() {
		String document = TestClients.anonymous(this.port)
			.get()
			.uri("/v3/api-docs")
			.retrieve()
			.toEntity(String.class)
			.getBody();
		assertThat(document).contains("\"/api/v1/sites/{siteId}/slots\"")
			.contains("\"/api/v1/bookings\"")
			.contains("\"/api/v1/bookings/{id}\"")
			.contains("\"/api/v1/sites/{siteId}/queue\"")
			.contains("\"/api/v1/bookings/{id}/queue-position\"")
			.contains("\"bearer\"")
			.doesNotContain("\"authentication\"");
	}

}
