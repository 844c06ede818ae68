package org.patientplatform.kit.security;

import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.patientplatform.kit.KitIntegrationTest;
import org.patientplatform.local.infra.LocalSigningKey;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.client.RestClient;

import static org.assertj.core.api.Assertions.assertThat;

@KitIntegrationTest
class SecurityAndProblemsIntegrationTests {

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
		assertProblem(post(null, "{\"value\":\"x\"}", MediaType.APPLICATION_JSON), 401);
	}

	@Test
	void rejectsAnExpiredToken() {
		String expired = this.signingKey.mint("staff-1", List.of("staff"), null, Duration.ofMinutes(-10));
		assertProblem(post(expired, "{\"value\":\"x\"}", MediaType.APPLICATION_JSON), 401);
	}

	@Test
	void rejectsATokenSignedByAnotherKey() {
		String forged = LocalSigningKey.generate(this.signingKey.issuer())
			.mint("staff-1", List.of("staff"), null, Duration.ofMinutes(5));
		assertProblem(post(forged, "{\"value\":\"x\"}", MediaType.APPLICATION_JSON), 401);
	}

	@Test
	void rejectsATokenFromAnotherIssuer() {
		String foreign = LocalSigningKey.generate("https://elsewhere.example")
			.mint("staff-1", List.of("staff"), null, Duration.ofMinutes(5));
		assertProblem(post(foreign, "{\"value\":\"x\"}", MediaType.APPLICATION_JSON), 401);
	}

	@Test
	void forbidsTheWrongRole() {
		String patient = this.signingKey.mint("p-1", List.of("patient"), "p-1", Duration.ofMinutes(5));
		assertProblem(post(patient, "{\"value\":\"x\"}", MediaType.APPLICATION_JSON), 403);
	}

	@Test
	void listsEveryFieldErrorOfAnInvalidBody() {
		ResponseEntity<String> response = post(staff(), "{\"value\":\"\",\"contact\":\"not-an-email\",\"code\":\"toolong\"}",
				MediaType.APPLICATION_JSON);
		assertProblem(response, 400);
		assertThat(response.getBody()).contains("\"field\":\"value\"")
			.contains("\"field\":\"contact\"")
			.contains("\"field\":\"code\"");
	}

	@Test
	void answersUnsupportedMediaTypeAsProblem() {
		assertProblem(post(staff(), "value=x", MediaType.TEXT_PLAIN), 415);
	}

	@Test
	void answersMalformedJsonAsProblem() {
		assertProblem(post(staff(), "{\"value\":", MediaType.APPLICATION_JSON), 400);
	}

	@Test
	void answersPayloadTooLargeAsProblem() {
		String huge = "{\"value\":\"" + "x".repeat(2 * 1024 * 1024) + "\"}";
		assertProblem(post(staff(), huge, MediaType.APPLICATION_JSON), 413);
	}

	@Test
	void hidesTheCauseOfAnUnexpectedError() {
		ResponseEntity<String> response = this.client.get()
			.uri("/api/v1/things/boom")
			.header("Authorization", "Bearer " + staff())
			.retrieve()
			.toEntity(String.class);
		assertProblem(response, 500);
		assertThat(response.getBody()).doesNotContain("secret internal detail").doesNotContain("IllegalStateException");
	}

	@Test
	void servesHealthAndTheApiDocumentWithoutToken() {
		assertThat(this.client.get().uri("/actuator/health").retrieve().toEntity(String.class).getStatusCode().value())
			.isEqualTo(200);
		assertThat(this.client.get().uri("/v3/api-docs").retrieve().toEntity(String.class).getBody())
			.contains("/api/v1/things");
	}

	private String staff() {
		return this.signingKey.mint("staff-1", List.of("staff"), null, Duration.ofMinutes(5));
	}

	private ResponseEntity<String> post(String token, String body, MediaType type) {
		var request = this.client.post().uri("/api/v1/things").contentType(type).body(body);
		if (token != null) {
			request.header("Authorization", "Bearer " + token);
		}
		return request.retrieve().toEntity(String.class);
	}

	private static void assertProblem(ResponseEntity<String> response, int status) {
		assertThat(response.getStatusCode().value()).isEqualTo(status);
		assertThat(response.getHeaders().getContentType()).isEqualTo(MediaType.APPLICATION_PROBLEM_JSON);
		assertThat(response.getBody()).contains("\"status\":" + status);
	}

}
