package org.patientplatform.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.Executors;

import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A platform service's HTTP API as a client sees it: JSON over HTTP/1.1 with a bearer token, through the
 * JDK's {@link HttpClient} (the same client the open-loop load uses).
 */
final class Api {

	static final JsonMapper JSON = JsonMapper.builder().build();

	private static final Duration TIMEOUT = Duration.ofSeconds(60);

	private final HttpClient client;

	private final String base;

	private final @Nullable String token;

	Api(HttpClient client, int port, @Nullable String token) {
		this.client = client;
		this.base = "http://127.0.0.1:" + port;
		this.token = token;
	}

	/**
	 * An HTTP/1.1 client (no h2c upgrade attempt) whose callbacks run on virtual threads, so a slow
	 * response never holds up the sending of the next request.
	 */
	static HttpClient client() {
		return HttpClient.newBuilder()
			.version(HttpClient.Version.HTTP_1_1)
			.connectTimeout(Duration.ofSeconds(10))
			.executor(Executors.newVirtualThreadPerTaskExecutor())
			.build();
	}

	HttpClient http() {
		return this.client;
	}

	/** A request to the path (e.g. {@code /api/v1/dlq/messages}), with the token when there is one. */
	HttpRequest.Builder request(String path) {
		HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(this.base + path))
			.timeout(TIMEOUT)
			.header("Accept", "application/json");
		if (this.token != null) {
			request.header("Authorization", "Bearer " + this.token);
		}
		return request;
	}

	HttpRequest get(String path) {
		return request(path).GET().build();
	}

	HttpRequest post(String path, Object body) {
		return request(path).header("Content-Type", "application/json")
			.POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body)))
			.build();
	}

	/** Sends and answers the JSON body of a 2xx response. */
	JsonNode json(HttpRequest request) {
		HttpResponse<String> response = send(request);
		if (response.statusCode() / 100 != 2) {
			throw new IllegalStateException(request.method() + " " + request.uri().getPath() + " answered "
					+ response.statusCode() + ": " + response.body());
		}
		return JSON.readTree(response.body());
	}

	HttpResponse<String> send(HttpRequest request) {
		try {
			return this.client.send(request, HttpResponse.BodyHandlers.ofString());
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException(ex);
		}
	}

	/** An instant the API wrote as ISO-8601 text (or as epoch seconds), or null. */
	static @Nullable Instant instant(JsonNode node) {
		if (node.isMissingNode() || node.isNull()) {
			return null;
		}
		if (node.isNumber()) {
			double seconds = node.asDouble();
			return Instant.ofEpochSecond((long) seconds, (long) ((seconds - Math.floor(seconds)) * 1e9));
		}
		return Instant.parse(node.asString());
	}

}
