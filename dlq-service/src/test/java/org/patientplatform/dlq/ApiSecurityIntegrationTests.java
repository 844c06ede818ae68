package org.patientplatform.dlq;

import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.patientplatform.local.infra.LocalSigningKey;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.client.RestClient;

import static org.assertj.core.api.Assertions.assertThat;

/** The operator API is for ops: no token, a bad token or another role is refused with problem+json. */
@DlqIntegrationTest
class ApiSecurityIntegrationTests {

	static final String SEARCH = "/api/v1/dlq/messages";

	@Autowired
	LocalSigningKey signingKey;

	@LocalServerPort
	int port;

	RestClient client;

	@BeforeEach
	void setUp() {
		this.client = RestClient.builder()
			.baseUrl("http://127.0.0.1:" + this.port)
			.defaultStatusHandler(HttpStatusCode::isError, (request, response) -> {
			})
			.build();
	}

	@Test
	void rejectsAMissingToken() {
		assertProblem(get(null), 401);
	}

	@Test
	void rejectsAnExpiredToken() {
		assertProblem(get(this.signingKey.mint("ops-1", List.of("ops"), null, Duration.ofMinutes(-10))), 401);
	}

	@Test
	void rejectsATokenSignedByAnotherKey() {
		String forged = LocalSigningKey.generate(this.signingKey.issuer())
			.mint("ops-1", List.of("ops"), null, Duration.ofMinutes(5));
		assertProblem(get(forged), 401);
	}

	@ParameterizedTest
	@ValueSource(strings = { "patient", "staff", "service" })
	void forbidsEveryRoleButOps(String role) {
		assertProblem(get(this.signingKey.mint("someone", List.of(role), "p-1", Duration.ofMinutes(5))), 403);
	}

	@ParameterizedTest
	@ValueSource(strings = { "patient", "staff", "ops" })
	void forbidsReportingAFailureToEveryRoleButServiceBeforeReadingTheBody(String role) {
		// an invalid body from a caller without the role was a 400 naming the body's fields
		String token = this.signingKey.mint("someone", List.of(role), "p-1", Duration.ofMinutes(5));
		ResponseEntity<String> response = this.client.post()
			.uri(SEARCH)
			.header("Authorization", "Bearer " + token)
			.contentType(MediaType.APPLICATION_JSON)
			.body("{\"originalTopic\": \"\"}")
			.retrieve()
			.toEntity(String.class);
		assertProblem(response, 403);
		assertThat(response.getBody()).doesNotContain("originalTopic");
		// the service role gets the field errors
		String service = this.signingKey.mint("svc", List.of("service"), null, Duration.ofMinutes(5));
		assertProblem(this.client.post()
			.uri(SEARCH)
			.header("Authorization", "Bearer " + service)
			.contentType(MediaType.APPLICATION_JSON)
			.body("{\"originalTopic\": \"\"}")
			.retrieve()
			.toEntity(String.class), 400);
	}

	@Test
	void servesOps() {
		assertThat(get(this.signingKey.mint("ops-1", List.of("ops"), null, Duration.ofMinutes(5))).getStatusCode()
			.value()).isEqualTo(200);
	}

	private ResponseEntity<String> get(String token) {
		var request = this.client.get().uri(SEARCH);
		if (token != null) {
			request.header("Authorization", "Bearer " + token);
		}
		return request.retrieve().toEntity(String.class);
	}

	private static void assertProblem(ResponseEntity<String> response, int status) {
		assertThat(response.getStatusCode().value()).isEqualTo(status);
		assertThat(response.getHeaders().getContentType()).isEqualTo(MediaType.APPLICATION_PROBLEM_JSON);
	}

}
