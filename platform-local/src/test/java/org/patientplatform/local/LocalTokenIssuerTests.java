package org.patientplatform.local;

import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.patientplatform.local.infra.LocalSigningKey;

import org.springframework.security.oauth2.jwt.JwtValidationException;
import org.springframework.security.oauth2.jwt.NimbusJwtDecoder;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The local token issuer answers every request, a malformed one with 400. */
class LocalTokenIssuerTests {

	private static final HttpClient http = HttpClient.newHttpClient();

	private static LocalTokenIssuer issuer;

	@BeforeAll
	static void start() throws Exception {
		int port;
		try (ServerSocket socket = new ServerSocket(0)) {
			port = socket.getLocalPort();
		}
		issuer = LocalTokenIssuer.start(LocalSigningKey.generate("http://127.0.0.1:" + port), port);
	}

	@AfterAll
	static void stop() {
		issuer.close();
	}

	@Test
	void mintsATokenForARole() throws Exception {
		HttpResponse<String> response = get("/token?role=ops&ttl_seconds=60");
		assertThat(response.statusCode()).isEqualTo(200);
		assertThat(response.body().trim().split("\\.")).hasSize(3);
	}

	@Test
	void mintsANegativeLifetimeAsAWellFormedTokenThatExpiredThatLongAgo() throws Exception {
		// the services' decoder, as the kit builds it (default validators: expiry with a minute of clock skew)
		NimbusJwtDecoder decoder = NimbusJwtDecoder.withJwkSetUri(issuer.jwksUrl()).build();
		String token = get("/token?role=ops&ttl_seconds=-3600").body().trim();
		// before, it was issued after it expired, and refused as malformed ("expiresAt must be after issuedAt")
		assertThatThrownBy(() -> decoder.decode(token)).isInstanceOf(JwtValidationException.class)
			.hasMessageContaining("expired");
	}

	@Test
	void answersAMalformedLifetimeWith400() throws Exception {
		HttpResponse<String> response = get("/token?role=ops&ttl_seconds=abc");
		assertThat(response.statusCode()).isEqualTo(400);
		assertThat(response.body()).contains("ttl_seconds");
	}

	@Test
	void answersAnUnknownRoleWith400() throws Exception {
		assertThat(get("/token?role=admin").statusCode()).isEqualTo(400);
		assertThat(get("/token?role=patient").statusCode()).isEqualTo(400);
		// an empty patient_id names no patient (before: a token minted for "")
		assertThat(get("/token?role=patient&patient_id=").statusCode()).isEqualTo(400);
		assertThat(get("/token?role=patient&patient_id=%20").statusCode()).isEqualTo(400);
	}

	private static HttpResponse<String> get(String path) throws Exception {
		return http.send(HttpRequest.newBuilder(URI.create(issuer.baseUrl() + path)).build(),
				HttpResponse.BodyHandlers.ofString());
	}

}
