package org.patientplatform.standins;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.time.Instant;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.sun.net.httpserver.HttpExchange;
import org.jspecify.annotations.Nullable;
import org.patientplatform.standins.Faults.Fault;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;

/**
 * The FCM HTTP v1 stand-in: {@code POST /v1/projects/{project}/messages:send} with an
 * OAuth2 bearer token that its Google-style token endpoint ({@code POST /token}) issues for
 * a service-account JWT ({@code urn:ietf:params:oauth:grant-type:jwt-bearer}, RS256,
 * verified against the service account's public key when one is given), answering and
 * failing in Google's formats ({@code UNREGISTERED}, {@code INVALID_ARGUMENT},
 * {@code QUOTA_EXCEEDED} with {@code Retry-After}, {@code UNAUTHENTICATED}).
 */
public final class PushStandin {

	static final String FCM_SCOPE = "https://www.googleapis.com/auth/firebase.messaging";

	static final String CLOUD_SCOPE = "https://www.googleapis.com/auth/cloud-platform";

	static final String GOOGLE_TOKEN_URI = "https://oauth2.googleapis.com/token";

	private static final Pattern TOKEN_SHAPE = Pattern.compile("[A-Za-z0-9_:\\-]{16,4096}");

	private static final SecureRandom random = new SecureRandom();

	private final String projectId;

	private final String serviceAccountEmail;

	private final @Nullable PublicKey serviceAccountKey;

	private final Faults faults;

	private volatile String tokenUri = GOOGLE_TOKEN_URI;

	private final Map<String, Instant> accessTokens = new ConcurrentHashMap<>();

	// a queue, not a copy-on-write list: each message would copy all the earlier ones
	private final Queue<SentPush> sent = new ConcurrentLinkedQueue<>();

	private final AtomicLong sentCount = new AtomicLong();

	private final AtomicLong tokensIssued = new AtomicLong();

	PushStandin(String projectId, String serviceAccountEmail, @Nullable PublicKey serviceAccountKey, Faults faults) {
		this.projectId = projectId;
		this.serviceAccountEmail = serviceAccountEmail;
		this.serviceAccountKey = serviceAccountKey;
		this.faults = faults;
	}

	void routes(Http.Router router) {
		router.on("POST", "/token", this::token).on("POST", "/v1/projects/([^/]+)/messages:send", this::send);
	}

	void tokenUri(String uri) {
		this.tokenUri = uri;
	}

	/** The Firebase project the stand-in answers for. */
	public String projectId() {
		return this.projectId;
	}

	/** Messages accepted, in order. */
	public List<SentPush> sent() {
		return List.copyOf(this.sent);
	}

	/** How many messages were accepted (without copying them, unlike {@link #sent()}). */
	public long sentCount() {
		return this.sentCount.get();
	}

	/** How many access tokens the token endpoint issued. */
	public long tokensIssued() {
		return this.tokensIssued.get();
	}

	/** Makes every access token issued so far invalid, as when Google revokes them. */
	public void revokeAccessTokens() {
		this.accessTokens.clear();
	}

	void reset() {
		this.sent.clear();
		this.sentCount.set(0);
	}

	private void token(HttpExchange exchange, Matcher path) throws IOException {
		Map<String, String> form = Http.form(Http.body(exchange));
		String grantType = form.getOrDefault("grant_type", "");
		if (!grantType.equals("urn:ietf:params:oauth:grant-type:jwt-bearer")) {
			Http.json(exchange, 400, Http.map("error", "unsupported_grant_type", "error_description",
					"Invalid grant_type: " + grantType));
			return;
		}
		String problem = checkAssertion(form.get("assertion"));
		if (problem != null) {
			Http.json(exchange, 400, Http.map("error", "invalid_grant", "error_description", problem));
			return;
		}
		byte[] bytes = new byte[24];
		random.nextBytes(bytes);
		String accessToken = "ya29.standin-" + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
		this.accessTokens.put(accessToken, Instant.now().plusSeconds(3600));
		this.tokensIssued.incrementAndGet();
		Http.json(exchange, 200, Http.map("access_token", accessToken, "expires_in", 3599, "token_type", "Bearer"));
	}

	private @Nullable String checkAssertion(@Nullable String assertion) {
		if (assertion == null) {
			return "Missing required parameter: assertion";
		}
		String[] parts = assertion.split("\\.");
		if (parts.length != 3) {
			return "Invalid JWT: Token must be a short-lived token (60 minutes) and in a reasonable timeframe.";
		}
		try {
			JsonNode header = Http.JSON.readTree(Base64.getUrlDecoder().decode(parts[0]));
			JsonNode claims = Http.JSON.readTree(Base64.getUrlDecoder().decode(parts[1]));
			if (!"RS256".equals(header.path("alg").asString(""))) {
				return "Invalid JWT: unsupported algorithm";
			}
			if (this.serviceAccountKey != null) {
				Signature verifier = Signature.getInstance("SHA256withRSA");
				verifier.initVerify(this.serviceAccountKey);
				verifier.update((parts[0] + "." + parts[1]).getBytes(StandardCharsets.US_ASCII));
				if (!verifier.verify(Base64.getUrlDecoder().decode(parts[2]))) {
					return "Invalid JWT Signature.";
				}
			}
			if (!this.serviceAccountEmail.equals(claims.path("iss").asString(""))) {
				return "Invalid JWT: unknown service account " + claims.path("iss").asString("");
			}
			String audience = claims.path("aud").asString("");
			if (!audience.equals(this.tokenUri) && !audience.equals(GOOGLE_TOKEN_URI)) {
				return "Invalid JWT: audience must be the token URI";
			}
			List<String> scopes = List.of(claims.path("scope").asString("").split(" "));
			if (!scopes.contains(FCM_SCOPE) && !scopes.contains(CLOUD_SCOPE)) {
				return "Invalid JWT: the scope does not allow Firebase Cloud Messaging";
			}
			long now = Instant.now().getEpochSecond();
			long issuedAt = claims.path("iat").asLong(0);
			long expiresAt = claims.path("exp").asLong(0);
			if (issuedAt > now + 300 || expiresAt < now || expiresAt - issuedAt > 3600) {
				return "Invalid JWT: Token must be a short-lived token (60 minutes) and in a reasonable timeframe. "
						+ "Check your iat and exp values in the JWT claim.";
			}
			return null;
		}
		catch (IllegalArgumentException | JacksonException | GeneralSecurityException ex) {
			return "Invalid JWT: " + ex.getClass().getSimpleName();
		}
	}

	private void send(HttpExchange exchange, Matcher path) throws IOException {
		String bearer = Http.bearer(exchange);
		Instant expiry = (bearer != null) ? this.accessTokens.get(bearer) : null;
		if (expiry == null || expiry.isBefore(Instant.now())) {
			exchange.getResponseHeaders().set("WWW-Authenticate", "Bearer realm=\"https://accounts.google.com/\"");
			error(exchange, 401, "Request had invalid authentication credentials. Expected OAuth 2 access token, login "
					+ "cookie or other valid authentication credential.", "UNAUTHENTICATED", null);
			return;
		}
		String project = path.group(1);
		if (!project.equals(this.projectId)) {
			error(exchange, 403, "Permission 'cloudmessaging.messages.create' denied on resource "
					+ "'//cloudresourcemanager.googleapis.com/projects/" + project + "' (or it may not exist).",
					"PERMISSION_DENIED", null);
			return;
		}
		JsonNode request;
		try {
			request = Http.JSON.readTree(Http.body(exchange));
		}
		catch (JacksonException ex) {
			error(exchange, 400, "Invalid JSON payload received.", "INVALID_ARGUMENT", "INVALID_ARGUMENT");
			return;
		}
		Fault fault = this.faults.take(Faults.Target.PUSH);
		if (fault != null && fault.kind() == Faults.Kind.ERROR) {
			error(exchange, 500, "Internal error encountered.", "INTERNAL", "INTERNAL");
			return;
		}
		if (fault != null && fault.kind() == Faults.Kind.THROTTLE) {
			exchange.getResponseHeaders().set("Retry-After", Integer.toString(fault.retryAfterSeconds()));
			error(exchange, 429, "Quota exceeded for quota metric 'Send requests' and limit 'Send requests per minute' "
					+ "of service 'fcm.googleapis.com' for consumer 'project_number:" + this.projectId + "'.",
					"RESOURCE_EXHAUSTED", "QUOTA_EXCEEDED");
			return;
		}
		JsonNode message = request.path("message");
		if (!message.isObject()) {
			error(exchange, 400, "Invalid JSON payload received. Unknown name \"message\".", "INVALID_ARGUMENT",
					"INVALID_ARGUMENT");
			return;
		}
		String token = message.path("token").asString("");
		if (token.isEmpty() || !TOKEN_SHAPE.matcher(token).matches()) {
			error(exchange, 400, "The registration token is not a valid FCM registration token", "INVALID_ARGUMENT",
					"INVALID_ARGUMENT");
			return;
		}
		Map<String, String> data = new LinkedHashMap<>();
		for (Map.Entry<String, JsonNode> entry : message.path("data").properties()) {
			if (!entry.getValue().isString()) {
				error(exchange, 400, "Invalid value at 'message.data[0].value' (TYPE_STRING), " + entry.getValue(),
						"INVALID_ARGUMENT", "INVALID_ARGUMENT");
				return;
			}
			data.put(entry.getKey(), entry.getValue().asString());
		}
		if (this.faults.isUnregistered(token)) {
			error(exchange, 404, "Requested entity was not found.", "NOT_FOUND", "UNREGISTERED");
			return;
		}
		if (fault != null && fault.kind() == Faults.Kind.REJECT) {
			error(exchange, 400, "Invalid JSON payload received. Unknown name \"badge\" at 'message.notification'.",
					"INVALID_ARGUMENT", "INVALID_ARGUMENT");
			return;
		}
		byte[] id = new byte[8];
		random.nextBytes(id);
		String name = "projects/" + this.projectId + "/messages/0:" + System.currentTimeMillis() + "%"
				+ HexFormat.of().formatHex(id);
		if (request.path("validate_only").asBoolean(false)) {
			Http.json(exchange, 200, Map.of("name", "projects/" + this.projectId + "/messages/fake_message_id"));
			return;
		}
		JsonNode notification = message.path("notification");
		this.sent.add(new SentPush(name, token, text(notification, "title"), text(notification, "body"), data,
				Instant.now()));
		this.sentCount.incrementAndGet();
		if (fault != null && fault.kind() == Faults.Kind.DELAY) {
			Http.pause(fault.delay().toMillis());
		}
		Http.json(exchange, 200, Map.of("name", name));
	}

	private static @Nullable String text(JsonNode node, String field) {
		JsonNode value = node.get(field);
		return (value != null && value.isString()) ? value.asString() : null;
	}

	private static void error(HttpExchange exchange, int code, String message, String status,
			@Nullable String fcmErrorCode) throws IOException {
		Map<String, @Nullable Object> error = Http.map("code", code, "message", message, "status", status);
		if (fcmErrorCode != null) {
			error.put("details", List.of(Map.of("@type", "type.googleapis.com/google.firebase.fcm.v1.FcmError",
					"errorCode", fcmErrorCode)));
		}
		Http.json(exchange, code, Map.of("error", error));
	}

}
