package org.patientplatform.booking;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.Test;
import org.patientplatform.local.infra.LocalSigningKey;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.client.RestClient;

import static org.assertj.core.api.Assertions.assertThat;

@BookingQueueIntegrationTest
class ApiSecurityIntegrationTests {

	@Autowired
	LocalSigningKey signingKey;

	@LocalServerPort
	int port;

	@Test
	void rejectsRequestWithoutToken() {
		assertProblem(TestClients.anonymous(this.port).get().uri("/api/v1/sites/site-a/slots").retrieve()
			.toEntity(String.class), 401);
	}

	@Test
	void rejectsExpiredToken() {
		String expired = this.signingKey.mint("staff-1", List.of("staff"), null, Duration.ofMinutes(-10));
		assertProblem(get(expired, "/api/v1/sites/site-a/slots"), 401);
	}

	@Test
	void rejectsTokenSignedByAnotherKey() {
		String foreign = LocalSigningKey.generate("https://tests.patient-platform.local")
			.mint("staff-1", List.of("staff"), null, Duration.ofMinutes(5));
		assertProblem(get(foreign, "/api/v1/sites/site-a/slots"), 401);
	}

	@Test
	void forbidsSlotCreationToPatients() {
		var response = TestClients.api(this.port, TestClients.patient(this.signingKey, "P-1"))
			.post()
			.uri("/api/v1/sites/site-a/slots")
			.contentType(MediaType.APPLICATION_JSON)
			.body(Map.of("slots", List.of(Map.of("startsAt", "2030-01-01T09:00:00Z", "capacity", 3))))
			.retrieve()
			.toEntity(String.class);
		assertProblem(response, 403);
	}

	@Test
	void forbidsTheSiteQueueToPatients() {
		assertProblem(get(TestClients.patient(this.signingKey, "P-1"), "/api/v1/sites/site-a/queue"), 403);
	}

	@Test
	void forbidsBookingsToRolesOtherThanPatientAndStaff() {
		String ops = this.signingKey.mint("ops-1", List.of("ops"), null, Duration.ofMinutes(5));
		assertProblem(get(ops, "/api/v1/bookings/" + UUID.randomUUID()), 403);
		var booking = TestClients.api(this.port, ops)
			.post()
			.uri("/api/v1/bookings")
			.contentType(MediaType.APPLICATION_JSON)
			.body(Map.of("slotId", UUID.randomUUID().toString(), "patientId", "P-1"))
			.retrieve()
			.toEntity(String.class);
		assertProblem(booking, 403);
	}

	@Test
	void letsAnyAuthenticatedRoleReadAvailability() {
		String service = this.signingKey.mint("svc", List.of("service"), null, Duration.ofMinutes(5));
		assertThat(get(service, "/api/v1/sites/site-a/slots").getStatusCode().value()).isEqualTo(200);
	}

	private ResponseEntity<String> get(String token, String path) {
		RestClient client = TestClients.api(this.port, token);
		return client.get().uri(path).retrieve().toEntity(String.class);
	}

	private static void assertProblem(ResponseEntity<String> response, int status) {
		assertThat(response.getStatusCode().value()).isEqualTo(status);
		assertThat(response.getHeaders().getContentType()).isEqualTo(MediaType.APPLICATION_PROBLEM_JSON);
		assertThat(response.getBody()).contains("\"status\":" + status);
	}

}
