package org.patientplatform.booking;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import io.cloudevents.CloudEvent;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.patientplatform.kit.events.PlatformEvents;
import org.patientplatform.local.infra.LocalSigningKey;

import org.springframework.http.HttpStatusCode;
import org.springframework.http.MediaType;
import org.springframework.web.client.RestClient;

import static org.assertj.core.api.Assertions.assertThat;

/** What the integration tests use to talk to the service: HTTP with tokens, and Kafka clients of bytes. */
public final class TestClients {

	public static final String EVENTS_TOPIC = "booking.events.v1";

	private TestClients() {
	}

	/** A client that sends the token and returns every response, errors too. */
	public static RestClient api(int port, String token) {
		return RestClient.builder()
			.baseUrl("http://127.0.0.1:" + port)
			.defaultHeader("Authorization", "Bearer " + token)
			.defaultStatusHandler(HttpStatusCode::isError, (request, response) -> {
			})
			.build();
	}

	public static RestClient anonymous(int port) {
		return RestClient.builder()
			.baseUrl("http://127.0.0.1:" + port)
			.defaultStatusHandler(HttpStatusCode::isError, (request, response) -> {
			})
			.build();
	}

	public static String staff(LocalSigningKey key) {
		return key.mint("staff-1", List.of("staff"), null, Duration.ofMinutes(5));
	}

	public static String patient(LocalSigningKey key, String patientId) {
		return key.mint("patient-" + patientId, List.of("patient"), patientId, Duration.ofMinutes(5));
	}

	/** Creates one slot through the API (as staff) and returns its id. */
	@SuppressWarnings("unchecked")
	public static UUID createSlot(RestClient staffApi, String siteId, Instant startsAt, int capacity) {
		var response = staffApi.post()
			.uri("/api/v1/sites/{siteId}/slots", siteId)
			.contentType(MediaType.APPLICATION_JSON)
			.body(Map.of("slots", List.of(Map.of("startsAt", startsAt.toString(), "capacity", capacity))))
			.retrieve()
			.toEntity(List.class);
		assertThat(response.getStatusCode().value()).isEqualTo(201);
		return UUID.fromString(((Map<String, Object>) response.getBody().getFirst()).get("id").toString());
	}

	public static KafkaProducer<byte[], byte[]> producer(String bootstrapServers) {
		return new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
				ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class,
				ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class));
	}

	public static KafkaConsumer<byte[], byte[]> consumer(String bootstrapServers) {
		return new KafkaConsumer<>(Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
				ConsumerConfig.GROUP_ID_CONFIG, "test-" + UUID.randomUUID(), ConsumerConfig.AUTO_OFFSET_RESET_CONFIG,
				"earliest", ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class,
				ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class));
	}

	/** A CloudEvent in binary mode, as the booking app will publish it: key = site id. */
	public static ProducerRecord<byte[], byte[]> event(PlatformEvents events, String type, String siteId, Object data) {
		CloudEvent event = events.create(type, siteId, data);
		RecordHeaders headers = new RecordHeaders();
		byte[] value = events.serialize(EVENTS_TOPIC, event, headers);
		return new ProducerRecord<>(EVENTS_TOPIC, null, siteId.getBytes(), value, headers);
	}

}
