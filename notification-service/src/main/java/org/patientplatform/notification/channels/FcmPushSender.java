package org.patientplatform.notification.channels;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;

import io.micrometer.core.instrument.MeterRegistry;
import org.jspecify.annotations.Nullable;
import org.patientplatform.notification.delivery.Channel;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Push through FCM HTTP v1 ({@code projects/<p>/messages:send}), authorised with an OAuth2
 * access token that the service account gets for a signed JWT (RFC 7523 JWT bearer grant)
 * and that is kept until shortly before it expires. The delivery id travels in the data
 * payload. FCM has no message lookup, so an unknown outcome stays unknown.
 */
final class FcmPushSender implements ChannelSender {

	static final String PROVIDER = "fcm";

	static final String SCOPE = "https://www.googleapis.com/auth/firebase.messaging";

	/** A token this close to its expiry is renewed before use. */
	private static final Duration RENEW_BEFORE = Duration.ofMinutes(1);

	private static final JsonMapper json = JsonMapper.builder().build();

	private final ChannelsProperties.Push properties;

	private final @Nullable PrivateKey privateKey;

	private final HttpClient client;

	private final ProviderMetrics metrics;

	private final Clock clock;

	private final String sendUrl;

	private @Nullable AccessToken token;

	private record AccessToken(String value, Instant expiresAt) {
	}

	/** The token endpoint did not give a token; the reason says why. */
	private static final class NoToken extends Exception {

		private final SendResult result;

		NoToken(SendResult result) {
			super(null, null, false, false);
			this.result = result;
		}

	}

	FcmPushSender(ChannelsProperties.Push properties, MeterRegistry registry, Clock clock) {
		this.properties = properties;
		this.privateKey = parsePrivateKey(properties.privateKey());
		this.client = HttpProviders.client(properties.baseUrl(), properties.connectTimeout());
		this.metrics = new ProviderMetrics(registry, PROVIDER, Channel.PUSH);
		this.clock = clock;
		this.sendUrl = ChannelsProperties.stripSlash(properties.baseUrl().toString()) + "/v1/projects/"
				+ properties.projectId() + "/messages:send";
	}

	@Override
	public Channel channel() {
		return Channel.PUSH;
	}

	@Override
	public String provider() {
		return PROVIDER;
	}

	@Override
	public SendResult send(OutboundMessage message) {
		return this.metrics.send(message, () -> doSend(message));
	}

	@Override
	public LookupResult lookup(OutboundMessage message, Instant attemptStartedAt) {
		return this.metrics.lookup(() -> new LookupResult.Unavailable("FCM v1 has no message lookup"));
	}

	private SendResult doSend(OutboundMessage message) {
		if (this.privateKey == null) {
			return new SendResult.Rejected(PROVIDER + ": push is not configured (no service account key)", false);
		}
		String body = json.writeValueAsString(Map.of("message", payload(message)));
		for (int attempt = 1;; attempt++) {
			String accessToken;
			try {
				accessToken = accessToken();
			}
			catch (NoToken ex) {
				return ex.result;
			}
			HttpRequest request = HttpRequest.newBuilder(URI.create(this.sendUrl))
				.timeout(this.properties.readTimeout())
				.header("Authorization", "Bearer " + accessToken)
				.header("Content-Type", "application/json; charset=utf-8")
				.POST(HttpRequest.BodyPublishers.ofString(body))
				.build();
			HttpResponse<String> response;
			try {
				response = this.client.send(request, HttpResponse.BodyHandlers.ofString());
			}
			catch (IOException ex) {
				return HttpProviders.failure(PROVIDER, ex);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				return new SendResult.Unknown(PROVIDER + ": interrupted during the call");
			}
			if (response.statusCode() == 401 && attempt == 1) {
				// revoked or expired early: a 401 took nothing, so a new token and one more try are safe
				forgetToken(accessToken);
				continue;
			}
			return answer(response);
		}
	}

	private Map<String, Object> payload(OutboundMessage message) {
		Map<String, String> notification = new LinkedHashMap<>();
		if (message.subject() != null) {
			notification.put("title", message.subject());
		}
		notification.put("body", message.text());
		Map<String, String> data = new LinkedHashMap<>(message.data());
		data.put("deliveryId", message.deliveryId());
		data.put("notificationId", message.notificationId());
		Map<String, Object> payload = new LinkedHashMap<>();
		payload.put("token", message.recipient());
		payload.put("notification", notification);
		payload.put("data", data);
		return payload;
	}

	private SendResult answer(HttpResponse<String> response) {
		int status = response.statusCode();
		JsonNode error = readError(response.body());
		if (status == 200) {
			String name = readName(response.body());
			return (name != null) ? new SendResult.Accepted(name)
					: new SendResult.Unknown(PROVIDER + ": accepted without a message name");
		}
		String errorCode = fcmErrorCode(error);
		String googleStatus = error.path("status").asString("");
		String label = PROVIDER + " " + (errorCode.isEmpty() ? (googleStatus.isEmpty() ? "HTTP " + status : googleStatus)
				: errorCode);
		if (status == 429 || status == 500 || status == 503 || status == 502 || status == 504) {
			return new SendResult.RetryLater(label + ": try again later (HTTP " + status + ")",
					HttpProviders.retryAfter(response));
		}
		if (errorCode.equals("UNREGISTERED") || errorCode.equals("SENDER_ID_MISMATCH")) {
			return new SendResult.Rejected(label + ": the push token is no longer valid", true);
		}
		if (status == 400 && error.path("message").asString("").toLowerCase(java.util.Locale.ROOT).contains("registration token")) {
			return new SendResult.Rejected(label + ": the push token is not a valid FCM token", true);
		}
		if (status == 401 || status == 403) {
			return new SendResult.Rejected(label + ": FCM refused the credentials", false);
		}
		return new SendResult.Rejected(label + ": refused (HTTP " + status + ")", false);
	}

	private synchronized String accessToken() throws NoToken {
		AccessToken current = this.token;
		Instant now = this.clock.instant();
		if (current != null && current.expiresAt().minus(RENEW_BEFORE).isAfter(now)) {
			return current.value();
		}
		String form = "grant_type=" + URLEncoder.encode("urn:ietf:params:oauth:grant-type:jwt-bearer", StandardCharsets.UTF_8)
				+ "&assertion=" + URLEncoder.encode(assertion(now), StandardCharsets.UTF_8);
		HttpRequest request = HttpRequest.newBuilder(this.properties.tokenUri())
			.timeout(this.properties.readTimeout())
			.header("Content-Type", "application/x-www-form-urlencoded")
			.POST(HttpRequest.BodyPublishers.ofString(form))
			.build();
		HttpResponse<String> response;
		try {
			response = this.client.send(request, HttpResponse.BodyHandlers.ofString());
		}
		catch (IOException ex) {
			throw new NoToken(new SendResult.RetryLater(
					PROVIDER + ": the token endpoint failed (" + ex.getClass().getSimpleName() + ")", null));
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new NoToken(new SendResult.RetryLater(PROVIDER + ": interrupted getting a token", null));
		}
		if (response.statusCode() >= 500 || response.statusCode() == 429) {
			throw new NoToken(new SendResult.RetryLater(
					PROVIDER + ": the token endpoint answered HTTP " + response.statusCode(),
					HttpProviders.retryAfter(response)));
		}
		try {
			JsonNode body = json.readTree(response.body());
			String value = body.path("access_token").asString("");
			if (response.statusCode() != 200 || value.isEmpty()) {
				throw new NoToken(new SendResult.Rejected(PROVIDER + ": the service account was refused a token ("
						+ body.path("error").asString("HTTP " + response.statusCode()) + ")", false));
			}
			this.token = new AccessToken(value, now.plusSeconds(body.path("expires_in").asLong(3600)));
			return value;
		}
		catch (JacksonException ex) {
			throw new NoToken(new SendResult.RetryLater(PROVIDER + ": the token endpoint answered no JSON", null));
		}
	}

	private synchronized void forgetToken(String value) {
		if (this.token != null && this.token.value().equals(value)) {
			this.token = null;
		}
	}

	private String assertion(Instant now) {
		Base64.Encoder base64 = Base64.getUrlEncoder().withoutPadding();
		String header = base64.encodeToString(json.writeValueAsBytes(Map.of("alg", "RS256", "typ", "JWT")));
		Map<String, Object> claims = new LinkedHashMap<>();
		claims.put("iss", this.properties.clientEmail());
		claims.put("scope", SCOPE);
		claims.put("aud", this.properties.tokenUri().toString());
		claims.put("iat", now.getEpochSecond());
		claims.put("exp", now.getEpochSecond() + 3600);
		String payload = base64.encodeToString(json.writeValueAsBytes(claims));
		try {
			Signature signer = Signature.getInstance("SHA256withRSA");
			signer.initSign(this.privateKey);
			signer.update((header + "." + payload).getBytes(StandardCharsets.US_ASCII));
			return header + "." + payload + "." + base64.encodeToString(signer.sign());
		}
		catch (GeneralSecurityException ex) {
			throw new IllegalStateException("The service account key cannot sign", ex);
		}
	}

	private static JsonNode readError(String body) {
		try {
			return json.readTree(body).path("error");
		}
		catch (JacksonException ex) {
			return json.missingNode();
		}
	}

	private static @Nullable String readName(String body) {
		try {
			return json.readTree(body).path("name").asString(null);
		}
		catch (JacksonException ex) {
			return null;
		}
	}

	private static String fcmErrorCode(JsonNode error) {
		for (JsonNode detail : error.path("details")) {
			if (detail.path("@type").asString("").endsWith("google.firebase.fcm.v1.FcmError")) {
				return detail.path("errorCode").asString("");
			}
		}
		return "";
	}

	/** A PKCS#8 PEM key (as in a service-account JSON file, {@code \n} escapes allowed), or null when blank. */
	static @Nullable PrivateKey parsePrivateKey(@Nullable String pem) {
		if (pem == null || pem.isBlank()) {
			return null;
		}
		String base64 = pem.replace("\\n", "\n")
			.replace("-----BEGIN PRIVATE KEY-----", "")
			.replace("-----END PRIVATE KEY-----", "")
			.replaceAll("\\s", "");
		try {
			return KeyFactory.getInstance("RSA").generatePrivate(new PKCS8EncodedKeySpec(Base64.getDecoder().decode(base64)));
		}
		catch (GeneralSecurityException | IllegalArgumentException ex) {
			throw new IllegalArgumentException("notification.channels.push.private-key is not a PKCS#8 PEM RSA key", ex);
		}
	}

}
