package org.patientplatform.kit.web;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
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
	void replaysARetryThatSendsTheSameJsonSerialisedAnotherWay() {
		// an HTTP client retrying may serialise the body again: other whitespace, other key order, other escapes
		String key = UUID.randomUUID().toString();
		int before = created();
		ResponseEntity<String> first = post(token("staff-1"), key,
				"{\"value\":\"a\",\"count\":2,\"detail\":{\"note\":\"n\",\"seen\":null},\"refs\":[]}");
		ResponseEntity<String> retry = post(token("staff-1"), key, """
				{
				  "refs" : [ ],
				  "detail" : { "seen" : null, "note" : "\\u006e" },
				  "count" : 2,
				  "value" : "a"
				}
				""");

		assertThat(first.getStatusCode().value()).isEqualTo(201);
		assertThat(retry.getStatusCode().value()).as(retry.getBody()).isEqualTo(201);
		assertThat(retry.getHeaders().getFirst("Idempotent-Replayed")).isEqualTo("true");
		assertThat(retry.getBody()).isEqualTo(first.getBody());
		assertThat(created()).isEqualTo(before + 1);
	}

	@Test
	void stillRefusesAJsonBodyThatSaysSomethingElse() {
		String key = UUID.randomUUID().toString();
		post(token("staff-1"), key, "{\"value\":\"a\",\"count\":2,\"refs\":[\"" + A + "\",\"" + B + "\"]}");
		// a number as written is the number sent: 2.0 is not 2 to an integer field
		assertThat(post(token("staff-1"), key, "{\"value\":\"a\",\"count\":2.0,\"refs\":[\"" + A + "\",\"" + B + "\"]}")
			.getStatusCode()
			.value()).isEqualTo(422);
		// an array's order is part of it
		assertThat(post(token("staff-1"), key, "{\"value\":\"a\",\"count\":2,\"refs\":[\"" + B + "\",\"" + A + "\"]}")
			.getStatusCode()
			.value()).isEqualTo(422);
		// a field more, even a null one
		assertThat(post(token("staff-1"), key,
				"{\"value\":\"a\",\"count\":2,\"refs\":[\"" + A + "\",\"" + B + "\"],\"weight\":null}")
			.getStatusCode()
			.value()).isEqualTo(422);
		// (the same field twice, in the other order, is refused 400 before it runs, which keeps no answer to compare
		// with: RequestFingerprintTests holds that the two differ)
	}

	@Test
	void comparesABodyThatIsNotJsonByItsBytes() {
		// before, a text body's 415 to the JSON operation was the kept answer, which a refusal before the operation
		// ran no longer is
		String key = UUID.randomUUID().toString();
		ResponseEntity<String> first = post(token("staff-1"), key, "/api/v1/things/notes", "{\"value\":\"a\"}",
				MediaType.TEXT_PLAIN);
		assertThat(first.getStatusCode().value()).as(first.getBody()).isEqualTo(200);
		assertThat(post(token("staff-1"), key, "/api/v1/things/notes", "{\"value\":\"a\"}",
				MediaType.TEXT_PLAIN)
			.getHeaders()
			.getFirst("Idempotent-Replayed")).isEqualTo("true");
		assertThat(post(token("staff-1"), key, "/api/v1/things/notes", "{ \"value\": \"a\" }",
				MediaType.TEXT_PLAIN)
			.getStatusCode()
			.value()).isEqualTo(422);
		// nor is it the same request as the JSON body it reads like
		assertThat(post(token("staff-1"), key, "/api/v1/things/notes", "{\"value\":\"a\"}", MediaType.APPLICATION_JSON)
			.getStatusCode()
			.value()).isEqualTo(422);
	}

	@Test
	void passesAFormsFieldsOnToTheOperation() {
		// the filter reads the body to fingerprint it; a form's fields, which the servlet would have read from that
		// body, are then read from the copy (they were lost, and the operation saw none)
		String key = UUID.randomUUID().toString();
		MediaType form = MediaType.parseMediaType("application/x-www-form-urlencoded;charset=UTF-8");
		ResponseEntity<String> first = post(token("staff-1"), key, "/api/v1/things/forms?from=query",
				"from=%2B14155550100&body=Caf%C3%A9+%26+co", form);
		assertThat(first.getStatusCode().value()).as(first.getBody()).isEqualTo(200);
		assertThat(first.getBody()).isEqualTo("query,+14155550100|Café & co");
		ResponseEntity<String> again = post(token("staff-1"), key, "/api/v1/things/forms?from=query",
				"from=%2B14155550100&body=Caf%C3%A9+%26+co", form);
		assertThat(again.getHeaders().getFirst("Idempotent-Replayed")).isEqualTo("true");
		assertThat(again.getBody()).isEqualTo(first.getBody());
		// and without the header the same form reads the same
		assertThat(this.client.post()
			.uri("/api/v1/things/forms?from=query")
			.header("Authorization", "Bearer " + token("staff-1"))
			.contentType(form)
			.body("from=%2B14155550100&body=Caf%C3%A9+%26+co")
			.retrieve()
			.toEntity(String.class)
			.getBody()).isEqualTo("query,+14155550100|Café & co");
	}

	@Test
	void releasesTheKeyOfARequestRefusedBeforeItRanSoItsCorrectedRetryRuns() {
		// before: the 400 was kept, and the corrected body with the same key was answered 422, "used for a different
		// request"; no answer is kept when validation fails (Stripe's rule), nor for a role or media type refused
		String key = UUID.randomUUID().toString();
		int before = created();
		ResponseEntity<String> invalid = post(token("staff-1"), key, "{\"code\":\"c\"}");
		assertThat(invalid.getStatusCode().value()).isEqualTo(400);
		assertThat(post(token("staff-1"), key, "{\"value\":\"a\"}", MediaType.TEXT_PLAIN).getStatusCode().value())
			.isEqualTo(415);
		String notStaff = this.signingKey.mint("staff-1", List.of("ops"), null, Duration.ofMinutes(5));
		assertThat(post(notStaff, key, "{\"value\":\"a\"}").getStatusCode().value()).isEqualTo(403);
		assertThat(created()).isEqualTo(before);

		ResponseEntity<String> corrected = post(token("staff-1"), key, "{\"value\":\"a\"}");
		assertThat(corrected.getStatusCode().value()).as(corrected.getBody()).isEqualTo(201);
		assertThat(corrected.getHeaders().getFirst("Idempotent-Replayed")).isNull();
		assertThat(created()).isEqualTo(before + 1);
		// and the answer that ran is kept as before
		ResponseEntity<String> retry = post(token("staff-1"), key, "{\"value\":\"a\"}");
		assertThat(retry.getHeaders().getFirst("Idempotent-Replayed")).isEqualTo("true");
		assertThat(retry.getBody()).isEqualTo(corrected.getBody());
		assertThat(created()).isEqualTo(before + 1);
	}

	@Test
	void replaysAKeyStoredBeforeTheCanonicalFingerprintForTheSameBytes() {
		// a row written by the kit before the upgrade: the hash of the raw body only
		String key = UUID.randomUUID().toString();
		String body = "{ \"value\": \"a\" }";
		this.jdbc.update("""
				INSERT INTO idempotency_key (principal, idem_key, method, path, request_hash, status, response_body,
				    content_type, location, expires_at)
				VALUES ('staff-1', ?, 'POST', '/api/v1/things', ?, 201, ?, 'application/json', '/api/v1/things/old',
				    now() + interval '1 hour')
				""", key, rawHash("POST", "/api/v1/things", body), "{\"id\":\"old\"}".getBytes(StandardCharsets.UTF_8));

		ResponseEntity<String> retry = post(token("staff-1"), key, body);
		assertThat(retry.getStatusCode().value()).isEqualTo(201);
		assertThat(retry.getHeaders().getFirst("Idempotent-Replayed")).isEqualTo("true");
		assertThat(retry.getBody()).isEqualTo("{\"id\":\"old\"}");
		assertThat(post(token("staff-1"), key, "{\"value\":\"b\"}").getStatusCode().value()).isEqualTo(422);

		// and one still running when the upgraded instance took over: its retry waits (409), it is not refused (422)
		String running = UUID.randomUUID().toString();
		this.jdbc.update("""
				INSERT INTO idempotency_key (principal, idem_key, method, path, request_hash, expires_at)
				VALUES ('staff-1', ?, 'POST', '/api/v1/things', ?, now() + interval '1 hour')
				""", running, rawHash("POST", "/api/v1/things", body));
		assertThat(post(token("staff-1"), running, body).getStatusCode().value()).isEqualTo(409);
	}

	@Test
	void keepsTheRawBodysHashForAnInstanceNotYetUpgraded() {
		// during a rolling upgrade an instance of the kit before the change may take the retry: it compares
		// request_hash, which stays the raw body's
		String key = UUID.randomUUID().toString();
		String body = "{\"value\": \"a\"}";
		post(token("staff-1"), key, body);
		assertThat(this.jdbc.queryForObject("SELECT request_hash FROM idempotency_key WHERE idem_key = ?", String.class,
				key)).isEqualTo(rawHash("POST", "/api/v1/things", body));
	}

	/** The fingerprint the kit kept before the change (and still keeps in request_hash). */
	private static String rawHash(String method, String path, String body) {
		try {
			MessageDigest digest = MessageDigest.getInstance("SHA-256");
			digest.update((method + " " + path + "\n").getBytes(StandardCharsets.UTF_8));
			digest.update(body.getBytes(StandardCharsets.UTF_8));
			return HexFormat.of().formatHex(digest.digest());
		}
		catch (NoSuchAlgorithmException ex) {
			throw new IllegalStateException(ex);
		}
	}

	private static final String A = "0b9d3f0e-6b1a-4c35-9a43-0f1c2d3e4f50";

	private static final String B = "1c8e4a1f-7c2b-4d46-8b54-1a2b3c4d5e6f";

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
		return post(token, key, body, MediaType.APPLICATION_JSON);
	}

	private ResponseEntity<String> post(String token, String key, String body, MediaType type) {
		return post(token, key, "/api/v1/things", body, type);
	}

	private ResponseEntity<String> post(String token, String key, String path, String body, MediaType type) {
		return this.client.post()
			.uri(path)
			.contentType(type)
			.header("Authorization", "Bearer " + token)
			.header("Idempotency-Key", key)
			.body(body)
			.retrieve()
			.toEntity(String.class);
	}

}
