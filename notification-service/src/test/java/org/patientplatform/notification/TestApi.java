package org.patientplatform.notification;

import java.time.Duration;
import java.util.List;

import org.jspecify.annotations.Nullable;
import org.patientplatform.local.infra.LocalSigningKey;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.http.HttpStatusCode;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.client.RestClient;

/**
 * Calls the service's HTTP API as staff, a patient or anyone, and reads answers as JSON
 * trees. Error statuses are returned, never thrown.
 */
public final class TestApi {

	private final RestClient client;

	private final LocalSigningKey signingKey;

	private final JsonMapper json = JsonMapper.builder().build();

	public TestApi(int port, LocalSigningKey signingKey) {
		this.client = RestClient.builder()
			.baseUrl("http://127.0.0.1:" + port)
			.defaultStatusHandler(HttpStatusCode::isError, (request, response) -> {
			})
			.build();
		this.signingKey = signingKey;
	}

	public String staffToken() {
		return this.signingKey.mint("staff-1", List.of("staff"), null, Duration.ofMinutes(5));
	}

	public String patientToken(String patientId) {
		return this.signingKey.mint("patient-" + patientId, List.of("patient"), patientId, Duration.ofMinutes(5));
	}

	public String token(String role) {
		return this.signingKey.mint(role + "-1", List.of(role), null, Duration.ofMinutes(5));
	}

	public ResponseEntity<String> get(String path, @Nullable String token) {
		RestClient.RequestHeadersSpec<?> request = this.client.get().uri(path);
		if (token != null) {
			request = request.header("Authorization", "Bearer " + token);
		}
		return request.retrieve().toEntity(String.class);
	}

	public ResponseEntity<String> put(String path, String token, String jsonBody) {
		return this.client.put()
			.uri(path)
			.header("Authorization", "Bearer " + token)
			.contentType(MediaType.APPLICATION_JSON)
			.body(jsonBody)
			.retrieve()
			.toEntity(String.class);
	}

	public ResponseEntity<String> get(String path, String token, String accept) {
		return this.client.get()
			.uri(path)
			.header("Authorization", "Bearer " + token)
			.header("Accept", accept)
			.retrieve()
			.toEntity(String.class);
	}

	public ResponseEntity<String> post(String path, String token, @Nullable String jsonBody) {
		RestClient.RequestBodySpec request = this.client.post()
			.uri(path)
			.header("Authorization", "Bearer " + token)
			.contentType(MediaType.APPLICATION_JSON);
		if (jsonBody != null) {
			request.body(jsonBody);
		}
		return request.retrieve().toEntity(String.class);
	}

	public ResponseEntity<String> delete(String path, String token) {
		return this.client.delete()
			.uri(path)
			.header("Authorization", "Bearer " + token)
			.retrieve()
			.toEntity(String.class);
	}

	public JsonNode json(ResponseEntity<String> response) {
		return this.json.readTree((response.getBody() != null) ? response.getBody() : "null");
	}

}
