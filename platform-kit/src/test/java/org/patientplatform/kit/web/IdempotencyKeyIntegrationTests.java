package org.patientplatform.kit.web;

import java.time.Duration;
import java.util.List;
import java.util.UUID;

import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.patientplatform.kit.KitIntegrationTest;
import org.patientplatform.local.infra.LocalSigningKey;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.web.client.RestClient;

import static org.assertj.core.api.Assertions.assertThat;

@KitIntegrationTest
class IdempotencyKeyIntegrationTests {

	@Autowired
	LocalSigningKey signingKey;

	@Autowired
	JdbcTemplate jdbc;

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
	void replaysTheFirstResponseForTheSameKeyAndBody() {
		String key = UUID.randomUUID().toString();
		int before = created();
		ResponseEntity<String> first = post(token("staff-1"), key, "{\"value\":\"a\"}");
		ResponseEntity<String> second = post(token("staff-1"), key, "{\"value\":\"a\"}");

		assertThat(first.getStatusCode().value()).isEqualTo(201);
		assertThat(second.getStatusCode().value()).isEqualTo(201);
		assertThat(second.getBody()).isEqualTo(first.getBody());
		assertThat(second.getHeaders().getLocation()).isEqualTo(first.getHeaders().getLocation());
		assertThat(second.getHeaders().getFirst("Idempotent-Replayed")).isEqualTo("true");
		assertThat(created()).isEqualTo(before + 1);
	}

	@Test
	void answersUnprocessableForTheSameKeyWithAnotherBody() {
		String key = UUID.randomUUID().toString();
		post(token("staff-1"), key, "{\"value\":\"a\"}");
		ResponseEntity<String> other = post(token("staff-1"), key, "{\"value\":\"b\"}");
		assertThat(other.getStatusCode().value()).isEqualTo(422);
		assertThat(other.getHeaders().getContentType()).isEqualTo(MediaType.APPLICATION_PROBLEM_JSON);
	}

	@Test
	void keepsKeysOfDifferentCallersApart() {
		String key = UUID.randomUUID().toString();
		ResponseEntity<String> mine = post(token("staff-1"), key, "{\"value\":\"a\"}");
		ResponseEntity<String> theirs = post(token("staff-2"), key, "{\"value\":\"a\"}");
		assertThat(theirs.getStatusCode().value()).isEqualTo(201);
		assertThat(theirs.getBody()).isNotEqualTo(mine.getBody());
	}

	@Test
	void keepsKeysOfTwoPatientsApartEvenWhenTheirTokensShareASubject() {
		// an identity provider may give every patient token one subject; the patient id claim tells them apart
		String key = UUID.randomUUID().toString();
		ResponseEntity<String> first = post(token("shared", "p-1"), key, "{\"value\":\"a\"}");
		ResponseEntity<String> other = post(token("shared", "p-2"), key, "{\"value\":\"a\"}");
		ResponseEntity<String> again = post(token("shared", "p-1"), key, "{\"value\":\"a\"}");
		assertThat(first.getStatusCode().value()).isEqualTo(201);
		assertThat(other.getStatusCode().value()).isEqualTo(201);
		assertThat(other.getHeaders().getFirst("Idempotent-Replayed")).isNull();
		assertThat(other.getBody()).isNotEqualTo(first.getBody());
		assertThat(again.getHeaders().getFirst("Idempotent-Replayed")).isEqualTo("true");
		assertThat(again.getBody()).isEqualTo(first.getBody());
	}

	@Test
	void keepsAKeyForTwentyFourHoursThenRunsTheRequestAgain() {
		String key = UUID.randomUUID().toString();
		ResponseEntity<String> first = post(token("staff-1"), key, "{\"value\":\"a\"}");
		assertThat(this.jdbc.queryForObject("SELECT round(extract(epoch FROM expires_at - created_at) / 3600) "
				+ "FROM idempotency_key WHERE idem_key = ?", Integer.class, key)).isEqualTo(24);

		this.jdbc.update("UPDATE idempotency_key SET expires_at = now() - interval '1 second' WHERE idem_key = ?", key);
		ResponseEntity<String> again = post(token("staff-1"), key, "{\"value\":\"a\"}");
		assertThat(again.getStatusCode().value()).isEqualTo(201);
		assertThat(again.getBody()).isNotEqualTo(first.getBody());
	}

	private int created() {
		return Integer.parseInt(this.client.get()
			.uri("/api/v1/things/created")
			.header("Authorization", "Bearer " + token("staff-1"))
			.retrieve()
			.body(String.class));
	}

	private String token(String subject) {
		return token(subject, null);
	}

	private String token(String subject, @Nullable String patientId) {
		return this.signingKey.mint(subject, List.of("staff"), patientId, Duration.ofMinutes(5));
	}

	private ResponseEntity<String> post(String token, String key, String body) {
		return this.client.post()
			.uri("/api/v1/things")
			.contentType(MediaType.APPLICATION_JSON)
			.header("Authorization", "Bearer " + token)
			.header("Idempotency-Key", key)
			.body(body)
			.retrieve()
			.toEntity(String.class);
	}

}
