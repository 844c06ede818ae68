package org.patientplatform.standins;

import java.io.IOException;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.regex.Matcher;

import com.sun.net.httpserver.HttpExchange;
import tools.jackson.core.JacksonException;

/**
 * A Slack incoming webhook ({@code POST https://hooks.slack.com/services/...}), as its wire format is
 * documented: a JSON body with {@code text}; {@code 200 ok} in plain text, {@code 400 invalid_payload}
 * when the body is not a JSON object, {@code 400 no_text} when it has no text. What it took is listed with
 * the other stand-ins' messages (channel {@code webhook}).
 */
final class WebhookStandin {

	static final String PATH = "/standin/webhook/slack";

	private final Queue<Received> received = new ConcurrentLinkedQueue<>();

	void routes(Http.Router router) {
		router.on("POST", PATH, this::post);
	}

	private void post(HttpExchange exchange, Matcher path) throws IOException {
		Map<?, ?> payload;
		try {
			payload = Http.JSON.readValue(Http.body(exchange), Map.class);
		}
		catch (JacksonException ex) {
			Http.respond(exchange, 400, "text/plain", "invalid_payload");
			return;
		}
		Object text = (payload != null) ? payload.get("text") : null;
		if (!(text instanceof String value) || value.isBlank()) {
			Http.respond(exchange, 400, "text/plain", "no_text");
			return;
		}
		this.received.add(new Received(UUID.randomUUID().toString(), value, Instant.now()));
		Http.respond(exchange, 200, "text/plain", "ok");
	}

	List<Received> received() {
		return List.copyOf(this.received);
	}

	void reset() {
		this.received.clear();
	}

	/**
	 * A message the webhook took.
	 *
	 * @param id the stand-in's id for it
	 * @param text its text
	 * @param receivedAt when
	 */
	record Received(String id, String text, Instant receivedAt) {
	}

}
