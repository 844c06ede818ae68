package org.patientplatform.kit.tracing;

import java.time.Duration;
import java.util.List;
import java.util.UUID;

import org.junit.jupiter.api.Test;
import org.patientplatform.kit.KitIntegrationTest;
import org.patientplatform.kit.testapp.ThingListener;
import org.patientplatform.local.infra.LocalSigningKey;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.http.MediaType;
import org.springframework.web.client.RestClient;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** One trace spans the HTTP request, the outbox, Kafka and the consumer. */
@KitIntegrationTest
class TracePropagationIntegrationTests {

	@Autowired
	LocalSigningKey signingKey;

	@Autowired
	ThingListener listener;

	@LocalServerPort
	int port;

	@Test
	void theConsumerProcessesAnEventInTheTraceOfTheRequestThatWroteIt() {
		String value = "traced-" + UUID.randomUUID();
		String callerTrace = "4bf92f3577b34da6a3ce929d0e0e4736";
		String requestTrace = RestClient.create("http://127.0.0.1:" + this.port)
			.post()
			.uri("/api/v1/things/events")
			.header("Authorization",
					"Bearer " + this.signingKey.mint("staff-1", List.of("staff"), null, Duration.ofMinutes(5)))
			.header("traceparent", "00-" + callerTrace + "-00f067aa0ba902b7-01")
			.contentType(MediaType.APPLICATION_JSON)
			.body("{\"value\":\"" + value + "\"}")
			.retrieve()
			.body(String.class);

		assertThat(requestTrace).isEqualTo(callerTrace);
		await().atMost(Duration.ofSeconds(30))
			.untilAsserted(() -> assertThat(this.listener.traceIds()).containsEntry(value, callerTrace));
	}

}
