package org.patientplatform.standins;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import com.sun.net.httpserver.HttpServer;

/** A test receiver of the webhooks a stand-in makes: records them and answers. */
final class Webhooks implements AutoCloseable {

	record Received(String path, Map<String, String> params, String signature) {
	}

	private final HttpServer server;

	final List<Received> received = new CopyOnWriteArrayList<>();

	volatile String answer = "";

	Webhooks() throws IOException {
		this.server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
		this.server.createContext("/", (exchange) -> {
			this.received.add(new Received(exchange.getRequestURI().toString(), Http.form(Http.body(exchange)),
					String.valueOf(exchange.getRequestHeaders().getFirst("X-Twilio-Signature"))));
			Http.respond(exchange, 200, "application/xml", this.answer);
			exchange.close();
		});
		this.server.start();
	}

	String url(String path) {
		return "http://127.0.0.1:" + this.server.getAddress().getPort() + path;
	}

	@Override
	public void close() {
		this.server.stop(0);
	}

}
