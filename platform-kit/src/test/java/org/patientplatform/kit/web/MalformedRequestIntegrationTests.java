package org.patientplatform.kit.web;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.patientplatform.kit.KitIntegrationTest;

import org.springframework.boot.test.web.server.LocalServerPort;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Requests the servlet container refuses before any filter or controller sees them (a bad percent
 * escape, a backslash, an encoded slash or NUL in the path) are answered as every other error: RFC 9457
 * problem+json, without the container's HTML page or its version. Sent over a plain socket, because an
 * HTTP client would refuse to send them.
 */
@KitIntegrationTest
class MalformedRequestIntegrationTests {

	@LocalServerPort
	int port;

	@ParameterizedTest
	@ValueSource(strings = { "/api/v1/things/%zz", "/api/v1/things/a\\b", "/api/v1/things/%2e%2e%2f%2e%2e/x",
			"/api/v1/things/%00" })
	void answersProblemJsonForAPathTheContainerRefuses(String path) throws IOException {
		String response = send("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");
		String head = response.substring(0, response.indexOf("\r\n\r\n")).toLowerCase();
		String body = response.substring(response.indexOf("\r\n\r\n") + 4);

		assertThat(head).startsWith("http/1.1 400");
		assertThat(head).contains("content-type: application/problem+json");
		assertThat(body).contains("\"status\":400").contains("\"title\":\"Bad Request\"").contains("\"detail\":\"").doesNotContain("<html");
		assertThat(body.toLowerCase()).doesNotContain("tomcat");
	}

	private String send(String request) throws IOException {
		try (Socket socket = new Socket("127.0.0.1", this.port)) {
			socket.setSoTimeout(10_000);
			OutputStream out = socket.getOutputStream();
			out.write(request.getBytes(StandardCharsets.ISO_8859_1));
			out.flush();
			InputStream in = socket.getInputStream();
			return new String(in.readAllBytes(), StandardCharsets.UTF_8);
		}
	}

}
