package org.patientplatform.standins;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.json.JsonMapper;

/** The HTTP plumbing the stand-ins share: a loopback server with a small router. */
final class Http {

	static final JsonMapper JSON = JsonMapper.builder().build();

	private static final Logger logger = LoggerFactory.getLogger(Http.class);

	private Http() {
	}

	/** A request handler given the path's groups. */
	@FunctionalInterface
	interface Handler {

		void handle(HttpExchange exchange, Matcher path) throws IOException;

	}

	/** Routes by method and path pattern; the first match wins, 404 otherwise. */
	static final class Router {

		private record Route(String method, Pattern path, Handler handler) {
		}

		private final List<Route> routes = new ArrayList<>();

		Router on(String method, String pathRegex, Handler handler) {
			this.routes.add(new Route(method, Pattern.compile(pathRegex), handler));
			return this;
		}

		void dispatch(HttpExchange exchange) throws IOException {
			try (exchange) {
				String path = exchange.getRequestURI().getPath();
				boolean pathKnown = false;
				for (Route route : this.routes) {
					Matcher matcher = route.path().matcher(path);
					if (matcher.matches()) {
						pathKnown = true;
						if (route.method().equals(exchange.getRequestMethod())) {
							route.handler().handle(exchange, matcher);
							return;
						}
					}
				}
				respond(exchange, pathKnown ? 405 : 404, "text/plain", pathKnown ? "method not allowed\n" : "not found\n");
			}
			catch (IOException | RuntimeException ex) {
				// an IOException here is mostly a client that gave up waiting (the delay fault)
				if (ex instanceof IOException) {
					logger.debug("stand-in answer not delivered: {}", ex.toString());
				}
				else {
					logger.warn("stand-in request failed", ex);
				}
				try {
					respond(exchange, 500, "text/plain", "stand-in error\n");
				}
				catch (IOException | RuntimeException ignored) {
					// the answer was already under way
				}
			}
		}

	}

	static HttpServer server(int port, Router router, ExecutorService executor) throws IOException {
		HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 0);
		server.createContext("/", router::dispatch);
		server.setExecutor(executor);
		server.start();
		return server;
	}

	static ExecutorService executor() {
		return Executors.newVirtualThreadPerTaskExecutor();
	}

	static String body(HttpExchange exchange) throws IOException {
		try (InputStream in = exchange.getRequestBody()) {
			return new String(in.readAllBytes(), StandardCharsets.UTF_8);
		}
	}

	/** Form or query parameters, in their order; the first of a repeated name wins. */
	static Map<String, String> form(@Nullable String encoded) {
		Map<String, String> params = new LinkedHashMap<>();
		if (encoded == null || encoded.isEmpty()) {
			return params;
		}
		for (String pair : encoded.split("&")) {
			if (pair.isEmpty()) {
				continue;
			}
			int eq = pair.indexOf('=');
			String name = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
			String value = (eq < 0) ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
			params.putIfAbsent(name, value);
		}
		return params;
	}

	static Map<String, String> query(HttpExchange exchange) {
		return form(exchange.getRequestURI().getRawQuery());
	}

	static String formEncode(Map<String, String> params) {
		StringBuilder out = new StringBuilder();
		params.forEach((name, value) -> {
			if (!out.isEmpty()) {
				out.append('&');
			}
			out.append(URLEncoder.encode(name, StandardCharsets.UTF_8))
				.append('=')
				.append(URLEncoder.encode(value, StandardCharsets.UTF_8));
		});
		return out.toString();
	}

	/** The user and password of HTTP Basic authentication, or null. */
	static String @Nullable [] basicAuth(HttpExchange exchange) {
		String header = exchange.getRequestHeaders().getFirst("Authorization");
		if (header == null || !header.regionMatches(true, 0, "Basic ", 0, 6)) {
			return null;
		}
		try {
			String decoded = new String(Base64.getDecoder().decode(header.substring(6).trim()), StandardCharsets.UTF_8);
			int colon = decoded.indexOf(':');
			return (colon < 0) ? null : new String[] { decoded.substring(0, colon), decoded.substring(colon + 1) };
		}
		catch (IllegalArgumentException ex) {
			return null;
		}
	}

	static @Nullable String bearer(HttpExchange exchange) {
		String header = exchange.getRequestHeaders().getFirst("Authorization");
		if (header == null || !header.regionMatches(true, 0, "Bearer ", 0, 7)) {
			return null;
		}
		return header.substring(7).trim();
	}

	static void json(HttpExchange exchange, int status, Object body) throws IOException {
		respond(exchange, status, "application/json", JSON.writeValueAsString(body));
	}

	static void respond(HttpExchange exchange, int status, String contentType, String body) throws IOException {
		byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
		exchange.getResponseHeaders().set("Content-Type", contentType + "; charset=utf-8");
		exchange.sendResponseHeaders(status, (bytes.length == 0) ? -1 : bytes.length);
		if (bytes.length > 0) {
			try (OutputStream out = exchange.getResponseBody()) {
				out.write(bytes);
			}
		}
	}

	static String html(@Nullable String text) {
		if (text == null) {
			return "";
		}
		StringBuilder out = new StringBuilder(text.length());
		for (char c : text.toCharArray()) {
			switch (c) {
				case '<' -> out.append("&lt;");
				case '>' -> out.append("&gt;");
				case '&' -> out.append("&amp;");
				case '"' -> out.append("&quot;");
				case '\'' -> out.append("&#39;");
				default -> out.append(c);
			}
		}
		return out.toString();
	}

	static void pause(long millis) {
		if (millis <= 0) {
			return;
		}
		try {
			Thread.sleep(millis);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

	static Map<String, @Nullable Object> map(@Nullable Object... keyValues) {
		Map<String, @Nullable Object> map = new LinkedHashMap<>();
		for (int i = 0; i < keyValues.length; i += 2) {
			map.put(String.valueOf(keyValues[i]), keyValues[i + 1]);
		}
		return map;
	}

}
