package org.patientplatform.standins;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.Signature;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import static org.assertj.core.api.Assertions.assertThat;

class PushStandinIntegrationTests {

	static final String TOKEN = "fcm-token-0123456789abcdef";

	static ProviderStandins standins;

	final HttpClient client = HttpClient.newHttpClient();

	@BeforeAll
	static void start() throws IOException {
		standins = ProviderStandins.start();
	}

	@AfterAll
	static void stop() {
		standins.close();
	}

	@AfterEach
	void reset() {
		standins.reset();
	}

	@Test
	void issuesAccessTokenForServiceAccountJwt() throws Exception {
		HttpResponse<String> response = token(jwt(standins.serviceAccountKeys().getPrivate(), standins.tokenUri()));
		assertThat(response.statusCode()).isEqualTo(200);
		JsonNode body = json(response);
		assertThat(body.path("access_token").asString()).isNotBlank();
		assertThat(body.path("token_type").asString()).isEqualTo("Bearer");
		assertThat(body.path("expires_in").asInt()).isPositive();
	}

	@Test
	void refusesJwtSignedWithAnotherKey() throws Exception {
		KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
		generator.initialize(2048);
		HttpResponse<String> response = token(jwt(generator.generateKeyPair().getPrivate(), standins.tokenUri()));
		assertThat(response.statusCode()).isEqualTo(400);
		assertThat(json(response).path("error").asString()).isEqualTo("invalid_grant");
	}

	@Test
	void acceptsMessageWithItsName() throws Exception {
		HttpResponse<String> response = send(accessToken(), TOKEN);
		assertThat(response.statusCode()).isEqualTo(200);
		assertThat(json(response).path("name").asString())
			.startsWith("projects/" + standins.push().projectId() + "/messages/");
		assertThat(standins.push().sent()).singleElement().satisfies((push) -> {
			assertThat(push.token()).isEqualTo(TOKEN);
			assertThat(push.title()).isEqualTo("Results ready");
			assertThat(push.data()).containsEntry("deliveryId", "d-1");
		});
	}

	@Test
	void refusesBadBearer() throws Exception {
		HttpResponse<String> response = send("ya29.not-issued", TOKEN);
		assertThat(response.statusCode()).isEqualTo(401);
		assertThat(json(response).path("error").path("status").asString()).isEqualTo("UNAUTHENTICATED");
	}

	@Test
	void answersUnregisteredTokenInGoogleFormat() throws Exception {
		standins.faults().unregister(TOKEN);
		HttpResponse<String> response = send(accessToken(), TOKEN);
		assertThat(response.statusCode()).isEqualTo(404);
		JsonNode error = json(response).path("error");
		assertThat(error.path("code").asInt()).isEqualTo(404);
		assertThat(error.path("message").asString()).isEqualTo("Requested entity was not found.");
		assertThat(error.path("status").asString()).isEqualTo("NOT_FOUND");
		assertThat(error.path("details").get(0).path("@type").asString())
			.isEqualTo("type.googleapis.com/google.firebase.fcm.v1.FcmError");
		assertThat(error.path("details").get(0).path("errorCode").asString()).isEqualTo("UNREGISTERED");
	}

	@Test
	void answersMalformedTokenWithInvalidArgument() throws Exception {
		HttpResponse<String> response = send(accessToken(), "bad token");
		assertThat(response.statusCode()).isEqualTo(400);
		assertThat(json(response).path("error").path("details").get(0).path("errorCode").asString())
			.isEqualTo("INVALID_ARGUMENT");
	}

	@Test
	void throttlesWithQuotaExceededAndRetryAfter() throws Exception {
		String accessToken = accessToken();
		standins.faults().throttleNext(Faults.Target.PUSH, 1, 11);
		HttpResponse<String> response = send(accessToken, TOKEN);
		assertThat(response.statusCode()).isEqualTo(429);
		assertThat(response.headers().firstValue("Retry-After")).hasValue("11");
		assertThat(json(response).path("error").path("details").get(0).path("errorCode").asString())
			.isEqualTo("QUOTA_EXCEEDED");
		assertThat(send(accessToken, TOKEN).statusCode()).isEqualTo(200);
	}

	private String accessToken() throws Exception {
		return json(token(jwt(standins.serviceAccountKeys().getPrivate(), standins.tokenUri()))).path("access_token")
			.asString();
	}

	private HttpResponse<String> token(String assertion) throws Exception {
		String form = Http.formEncode(
				Map.of("grant_type", "urn:ietf:params:oauth:grant-type:jwt-bearer", "assertion", assertion));
		return this.client.send(HttpRequest.newBuilder(URI.create(standins.tokenUri()))
			.header("Content-Type", "application/x-www-form-urlencoded")
			.POST(HttpRequest.BodyPublishers.ofString(form))
			.build(), HttpResponse.BodyHandlers.ofString());
	}

	private HttpResponse<String> send(String accessToken, String token) throws Exception {
		String body = Http.JSON.writeValueAsString(Map.of("message", Map.of("token", token, "notification",
				Map.of("title", "Results ready", "body", "Open the portal"), "data", Map.of("deliveryId", "d-1"))));
		return this.client.send(HttpRequest
			.newBuilder(URI.create(standins.pushBaseUrl() + "/v1/projects/" + standins.push().projectId()
					+ "/messages:send"))
			.header("Authorization", "Bearer " + accessToken)
			.header("Content-Type", "application/json")
			.POST(HttpRequest.BodyPublishers.ofString(body))
			.build(), HttpResponse.BodyHandlers.ofString());
	}

	static String jwt(PrivateKey key, String audience) throws Exception {
		Base64.Encoder base64 = Base64.getUrlEncoder().withoutPadding();
		long now = Instant.now().getEpochSecond();
		String header = base64.encodeToString("{\"alg\":\"RS256\",\"typ\":\"JWT\"}".getBytes(StandardCharsets.UTF_8));
		String claims = base64.encodeToString(Http.JSON
			.writeValueAsBytes(Map.of("iss", "notification@patient-platform-local.iam.gserviceaccount.com", "scope",
					"https://www.googleapis.com/auth/firebase.messaging", "aud", audience, "iat", now, "exp",
					now + 3600)));
		Signature signer = Signature.getInstance("SHA256withRSA");
		signer.initSign(key);
		signer.update((header + "." + claims).getBytes(StandardCharsets.US_ASCII));
		return header + "." + claims + "." + base64.encodeToString(signer.sign());
	}

	private static JsonNode json(HttpResponse<String> response) {
		return Http.JSON.readTree(response.body());
	}

}
