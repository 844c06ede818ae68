package org.patientplatform.dlq.capture;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.Test;
import org.patientplatform.dlq.DlqIntegrationTest;
import org.patientplatform.dlq.TestApi;
import org.patientplatform.local.infra.LocalSigningKey;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.core.ParameterizedTypeReference;
import org.springframework.test.context.TestPropertySource;
import org.springframework.web.client.RestClient;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A new failure of an original record the DLQ holds (the same topic, partition, offset and consumer group) reported
 * again: the entry's key, headers, payload and timestamp are the latest report's, together.
 */
@DlqIntegrationTest
@TestPropertySource(properties = "platform.roles=app,consumer-retry-message")
class SameRecordReportedAgainIntegrationTests {

	static final ParameterizedTypeReference<Map<String, Object>> MAP = new ParameterizedTypeReference<>() {
	};

	@Autowired
	DeadLetters deadLetters;

	@Autowired
	LocalSigningKey signingKey;

	@LocalServerPort
	int port;

	@Test
	void keepsTheKeyHeadersAndPayloadOfTheLatestReportTogether() {
		RestClient service = TestApi.as(this.signingKey, this.port, "billing-service", "service");
		RestClient ops = TestApi.as(this.signingKey, this.port, "ops-kh", "ops");
		Map<String, Object> first = report(Map.of("key", "httpk", "timestamp", "2026-11-30T10:00:00Z", "headers",
				List.of(Map.of("key", "h", "value", "1"), Map.of("key", "h", "value", "2")), "payload", "first"));
		assertThat(service.post().uri("/api/v1/dlq/messages").body(first).retrieve().toBodilessEntity()
			.getStatusCode()
			.value()).isEqualTo(202);
		UUID id = awaitAttempts(1);
		assertThat(ops.get().uri("/api/v1/dlq/messages?key=httpk").retrieve().body(MAP).get("items").toString())
			.contains(id.toString());

		// the same original record, reported again without a key, headers or timestamp
		Map<String, Object> second = report(Map.of("payload", "second!"));
		assertThat(service.post().uri("/api/v1/dlq/messages").body(second).retrieve().toBodilessEntity()
			.getStatusCode()
			.value()).isEqualTo(202);
		awaitAttempts(2);

		// before: keyText "httpk" (the first report's) beside the second's headers [] and payload
		Map<String, Object> entry = ops.get().uri("/api/v1/dlq/messages/{id}", id).retrieve().body(MAP);
		assertThat(entry).containsEntry("keyText", null)
			.containsEntry("keyBase64", null)
			.containsEntry("headers", List.of())
			.containsEntry("originalTimestamp", null)
			.containsEntry("payloadSize", 7);
		assertThat(revealed(ops, id)).isEqualTo("second!");
		// nor is it found by the key it no longer has
		assertThat(ops.get().uri("/api/v1/dlq/messages?key=httpk").retrieve().body(MAP).get("items"))
			.isEqualTo(List.of());

		// and a third report's key and headers come with its payload
		Map<String, Object> third = report(Map.of("key", "k3", "headers", List.of(Map.of("key", "h", "value", "3")),
				"payload", "third"));
		service.post().uri("/api/v1/dlq/messages").body(third).retrieve().toBodilessEntity();
		awaitAttempts(3);
		DeadLetterEntry latest = this.deadLetters.findById(id).orElseThrow();
		assertThat(latest.keyText()).isEqualTo("k3");
		assertThat(latest.headers()).extracting((h) -> h.key() + "=" + h.valueText()).containsExactly("h=3");
		assertThat(revealed(ops, id)).isEqualTo("third");
	}

	/** A report of billing.events.v1 partition 2 offset 777 (group billing-service.consumer-billing). */
	private static Map<String, Object> report(Map<String, Object> record) {
		Map<String, Object> body = new HashMap<>(Map.of("topic", "billing.events.v1", "partition", 2, "offset", 777,
				"errorClass", "com.example.BillingException", "consumerGroup", "billing-service.consumer-billing",
				"sourceService", "billing-service", "nonRetryable", true));
		body.putAll(record);
		return body;
	}

	private UUID awaitAttempts(int attempts) {
		return await().atMost(Duration.ofSeconds(30))
			.until(() -> this.deadLetters.findIdsByOriginal("billing.events.v1", 2, 777)
				.stream()
				.filter((id) -> this.deadLetters.findById(id).orElseThrow().attempts() == attempts)
				.toList(), (ids) -> ids.size() == 1)
			.getFirst();
	}

	@SuppressWarnings("unchecked")
	private static String revealed(RestClient ops, UUID id) {
		Map<String, Object> payload = ops.post()
			.uri("/api/v1/dlq/messages/{id}/reveal", id)
			.body(Map.of("reason", "check which report the entry holds"))
			.retrieve()
			.body(MAP);
		return (String) ((Map<String, Object>) payload.get("original")).get("text");
	}

}
