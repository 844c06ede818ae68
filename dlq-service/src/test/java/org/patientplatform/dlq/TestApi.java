package org.patientplatform.dlq;

import java.time.Duration;
import java.util.List;

import org.patientplatform.local.infra.LocalSigningKey;

import org.springframework.http.HttpStatusCode;
import org.springframework.web.client.RestClient;

/** HTTP clients of the running test application, with a token of the given role. */
public final class TestApi {

	private TestApi() {
	}

	public static RestClient as(LocalSigningKey key, int port, String subject, String role) {
		String token = key.mint(subject, List.of(role), null, Duration.ofMinutes(10));
		return RestClient.builder()
			.baseUrl("http://127.0.0.1:" + port)
			.defaultHeader("Authorization", "Bearer " + token)
			.defaultStatusHandler(HttpStatusCode::isError, (request, response) -> {
			})
			.build();
	}

}
