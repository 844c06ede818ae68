package org.patientplatform.standins;

import java.io.IOException;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;

import com.sun.net.httpserver.HttpExchange;
import tools.jackson.core.JacksonException;

/** The stand-ins' own endpoints: the listing (JSON and HTML), faults and reset. */
final class Console {

	private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSS 'UTC'")
		.withZone(ZoneOffset.UTC);

	private final ProviderStandins standins;

	Console(ProviderStandins standins) {
		this.standins = standins;
	}

	void routes(Http.Router router) {
		router.on("GET", "/standin/?", this::page)
			.on("GET", "/standin/messages", this::messages)
			.on("DELETE", "/standin/messages", this::reset)
			.on("GET", "/standin/faults", this::faults)
			.on("POST", "/standin/faults", this::addFault)
			.on("DELETE", "/standin/faults", this::clearFaults);
	}

	private void messages(HttpExchange exchange, Matcher path) throws IOException {
		String channel = Http.query(exchange).get("channel");
		List<ListedMessage> messages = this.standins.messages()
			.stream()
			.filter((m) -> channel == null || m.channel().equals(channel))
			.toList();
		Http.json(exchange, 200, messages);
	}

	private void reset(HttpExchange exchange, Matcher path) throws IOException {
		this.standins.reset();
		Http.respond(exchange, 204, "text/plain", "");
	}

	private void faults(HttpExchange exchange, Matcher path) throws IOException {
		Http.json(exchange, 200, this.standins.faults().describe());
	}

	@SuppressWarnings("unchecked")
	private void addFault(HttpExchange exchange, Matcher path) throws IOException {
		try {
			this.standins.faults().apply(Http.JSON.readValue(Http.body(exchange), Map.class));
		}
		catch (JacksonException | IllegalArgumentException | NullPointerException ex) {
			Http.json(exchange, 400, Http.map("message", "a fault is {\"target\":\"sms|push|email\",\"kind\":"
					+ "\"error|throttle|reject|delay\",\"count\":1,\"retryAfterSeconds\":1,\"delayMillis\":5000}, "
					+ "{\"phone\":\"+1...\",\"outcome\":\"delivered|undelivered|failed|canceled|sent\"} or "
					+ "{\"pushToken\":\"...\",\"unregistered\":true}"));
			return;
		}
		Http.json(exchange, 200, this.standins.faults().describe());
	}

	private void clearFaults(HttpExchange exchange, Matcher path) throws IOException {
		this.standins.faults().clear();
		Http.respond(exchange, 204, "text/plain", "");
	}

	private void page(HttpExchange exchange, Matcher path) throws IOException {
		StringBuilder html = new StringBuilder();
		html.append("<!doctype html><html><head><meta charset=\"utf-8\"><meta http-equiv=\"refresh\" content=\"5\">")
			.append("<title>Provider stand-ins: messages</title><style>body{font-family:sans-serif;margin:1.5em}")
			.append("table{border-collapse:collapse;width:100%}td,th{border:1px solid #ccc;padding:4px 8px;")
			.append("text-align:left;vertical-align:top}td.body{white-space:pre-wrap;max-width:40em}")
			.append("</style></head><body><h1>Messages sent to the provider stand-ins</h1>")
			.append("<p>Newest first; refreshes every 5 seconds. JSON: <a href=\"/standin/messages\">/standin/messages</a>")
			.append(", faults: <a href=\"/standin/faults\">/standin/faults</a>.</p>")
			.append("<table><tr><th>time</th><th>channel</th><th>direction</th><th>to</th><th>from</th>")
			.append("<th>subject / title</th><th>text</th><th>status</th><th>id</th></tr>");
		for (ListedMessage message : this.standins.messages()) {
			html.append("<tr><td>")
				.append(TIME.format(message.at()))
				.append("</td><td>")
				.append(message.channel())
				.append("</td><td>")
				.append(message.direction())
				.append("</td><td>")
				.append(Http.html(message.to()))
				.append("</td><td>")
				.append(Http.html(message.from()))
				.append("</td><td>")
				.append(Http.html(message.subject()))
				.append("</td><td class=\"body\">")
				.append(Http.html(message.body()))
				.append("</td><td>")
				.append(Http.html(message.status()))
				.append("</td><td><code>")
				.append(Http.html(message.id()))
				.append("</code></td></tr>");
		}
		html.append("</table></body></html>");
		Http.respond(exchange, 200, "text/html", html.toString());
	}

}
