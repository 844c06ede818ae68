package org.patientplatform.local;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import org.patientplatform.local.infra.LocalSigningKey;

/**
 * The local stand-in for an identity provider, on loopback only: serves the JWKS the services verify
 * tokens with, and mints a token for a role on request. Never part of a deployment.
 */
final class LocalTokenIssuer implements AutoCloseable {

	private static final Set<String> ROLES = Set.of("patient", "staff", "ops", "service");

	private final HttpServer server;

	private final int port;

	private LocalTokenIssuer(HttpServer server, int port) {
		this.server = server;
		this.port = port;
	}

	static LocalTokenIssuer start(LocalSigningKey key, int port) throws IOException {
		HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 0);
		server.createContext("/.well-known/jwks.json", (exchange) -> respond(exchange, 200, "application/json",
				key.jwksJson()));
		server.createContext("/token", (exchange) -> {
			Map<String, String> query = query(exchange.getRequestURI().getRawQuery());
			List<String> roles = Arrays.stream(query.getOrDefault("role", "").split(","))
				.map(String::trim)
				.filter((r) -> !r.isEmpty())
				.toList();
			if (roles.isEmpty() || !ROLES.containsAll(roles)) {
				respond(exchange, 400, "text/plain", "role must be one or more of " + ROLES + "\n");
				return;
			}
			String patientId = query.get("patient_id");
			// an empty one names no patient: a token for it read nobody's data and said nothing of why
			if (roles.contains("patient") && (patientId == null || patientId.isBlank())) {
				respond(exchange, 400, "text/plain", "a patient token needs patient_id\n");
				return;
			}
			long ttl;
			try {
				// negative: an expired token, to see the services' 401
				ttl = Long.parseLong(query.getOrDefault("ttl_seconds", "3600"));
			}
			catch (NumberFormatException ex) {
				// before, the exception closed the connection with no answer at all
				respond(exchange, 400, "text/plain", "ttl_seconds must be a whole number of seconds\n");
				return;
			}
			// a patient's own subject, as an identity provider gives each of its users
			String subject = query.getOrDefault("sub",
					"local-" + String.join("-", roles) + ((patientId != null) ? "-" + patientId : ""));
			respond(exchange, 200, "text/plain", key.mint(subject, roles, patientId, Duration.ofSeconds(ttl)) + "\n");
		});
		server.start();
		return new LocalTokenIssuer(server, port);
	}

	private static Map<String, String> query(String raw) {
		Map<String, String> params = new HashMap<>();
		if (raw != null) {
			for (String pair : raw.split("&")) {
				int eq = pair.indexOf('=');
				if (eq > 0) {
					params.put(URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
							URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
				}
			}
		}
		return params;
	}

	private static void respond(HttpExchange exchange, int status, String type, String body) throws IOException {
		byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
		exchange.getResponseHeaders().set("Content-Type", type);
		exchange.sendResponseHeaders(status, bytes.length);
		try (OutputStream out = exchange.getResponseBody()) {
			out.write(bytes);
		}
	}

	String baseUrl() {
		return "http://127.0.0.1:" + this.port;
	}

	String jwksUrl() {
		return baseUrl() + "/.well-known/jwks.json";
	}

	@Override
	public void close() {
		this.server.stop(0);
	}

}
