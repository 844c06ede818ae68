package org.patientplatform.dlq.capture;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.patientplatform.dlq.DlqIntegrationTest;
import org.patientplatform.kit.kafka.DeadLetterHeaders;
import org.patientplatform.local.infra.LocalSigningKey;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.MediaType;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.web.client.RestClient;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

@DlqIntegrationTest
class DeadLetterCaptureIntegrationTests {

	@Autowired
	DeadLetters deadLetters;

	@Autowired
	LocalSigningKey signingKey;

	@Autowired
	JdbcTemplate jdbc;

	@Value("${spring.kafka.bootstrap-servers}")
	String bootstrapServers;

	@LocalServerPort
	int port;

	KafkaProducer<byte[], byte[]> producer;

	RestClient api;

	@BeforeEach
	void setUp() {
		this.producer = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, this.bootstrapServers,
				ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class,
				ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class));
		String token = this.signingKey.mint("ops-person", List.of("ops"), null, Duration.ofMinutes(5));
		this.api = RestClient.builder()
			.baseUrl("http://127.0.0.1:" + this.port)
			.defaultHeader("Authorization", "Bearer " + token)
			.defaultStatusHandler(HttpStatusCode::isError, (request, response) -> {
			})
			.build();
	}

	@AfterEach
	void tearDown() {
		this.producer.close();
	}

	@Test
	void storesFailedRecordWrittenBySpringKafkaRecovererAndServesItThroughTheApi() throws Exception {
		byte[] value = "{\"patientId\":\"p-1\",\"name\":\"Ada Lovelace\"}".getBytes(StandardCharsets.UTF_8);
		ProducerRecord<byte[], byte[]> record = new ProducerRecord<>("dlq.messages.v1", "p-1".getBytes(), value);
		record.headers()
			.add(header(DeadLetterHeaders.ORIGINAL_TOPIC, "patient.events.v1".getBytes()))
			.add(header(DeadLetterHeaders.ORIGINAL_PARTITION, ByteBuffer.allocate(4).putInt(7).array()))
			.add(header(DeadLetterHeaders.ORIGINAL_OFFSET, ByteBuffer.allocate(8).putLong(4242L).array()))
			.add(header(DeadLetterHeaders.ORIGINAL_TIMESTAMP, ByteBuffer.allocate(8).putLong(1_700_000_000_000L).array()))
			.add(header(DeadLetterHeaders.ORIGINAL_CONSUMER_GROUP, "notification-service.contacts".getBytes()))
			.add(header(DeadLetterHeaders.EXCEPTION_FQCN, "java.lang.IllegalStateException".getBytes()))
			.add(header(DeadLetterHeaders.EXCEPTION_MESSAGE, "contact projection failed".getBytes()))
			.add(header(DeadLetterHeaders.SOURCE_SERVICE, "notification-service".getBytes()))
			.add(header("ce_type", "patient-service.PatientRegistered.v1".getBytes()));
		this.producer.send(record).get();

		UUID id = awaitEntry("patient.events.v1", 7, 4242L);
		@SuppressWarnings("unchecked")
		Map<String, Object> entry = this.api.get().uri("/api/v1/dlq/messages/{id}", id).retrieve().body(Map.class);

		assertThat(entry).containsEntry("kind", "FAILED_RECORD")
			.containsEntry("status", "NEW")
			.containsEntry("originalTopic", "patient.events.v1")
			.containsEntry("originalPartition", 7)
			.containsEntry("originalOffset", 4242)
			.containsEntry("consumerGroup", "notification-service.contacts")
			.containsEntry("errorClass", "java.lang.IllegalStateException")
			.containsEntry("sourceService", "notification-service")
			.containsEntry("keyText", "p-1")
			.containsEntry("payloadSize", value.length)
			.doesNotContainKey("payload");
		assertThat(entry.get("headers").toString()).contains("ce_type").doesNotContain("kafka_dlt-");
		byte[] stored = this.jdbc.queryForObject("SELECT payload_ciphertext FROM dead_letter_entry WHERE id = ?",
				byte[].class, id);
		assertThat(new String(stored, StandardCharsets.ISO_8859_1)).doesNotContain("Ada Lovelace");
	}

	@Test
	void storesRecordWithTextHeadersAsAConsoleProducerSendsThem() throws Exception {
		ProducerRecord<byte[], byte[]> record = new ProducerRecord<>("dlq.messages.v1", "k".getBytes(),
				"hello".getBytes());
		record.headers()
			.add(header(DeadLetterHeaders.ORIGINAL_TOPIC, "booking.events.v1".getBytes()))
			.add(header(DeadLetterHeaders.ORIGINAL_PARTITION, "2".getBytes()))
			.add(header(DeadLetterHeaders.ORIGINAL_OFFSET, "99".getBytes()));
		this.producer.send(record).get();

		UUID id = awaitEntry("booking.events.v1", 2, 99L);
		assertThat(this.deadLetters.findById(id)).hasValueSatisfying((entry) -> {
			assertThat(entry.kind()).isEqualTo("FAILED_RECORD");
			assertThat(entry.payloadSize()).isEqualTo(5);
		});
	}

	@Test
	void keepsRecordThatIsNotAFailedRecordMessageAsRawEntryWithReason() throws Exception {
		var sent = this.producer.send(new ProducerRecord<>("dlq.messages.v1", null, "just text".getBytes())).get();

		await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(this.jdbc.queryForList(
				"SELECT raw_reason FROM dead_letter_entry WHERE kind = 'RAW' AND dlq_partition = ? AND dlq_offset = ?",
				String.class, sent.partition(), sent.offset()))
			.singleElement()
			.asString()
			.contains("missing header kafka_dlt-original-topic"));
	}

	@Test
	void updatesTheSameEntryWhenTheSameOriginalRecordFailsAgain() throws Exception {
		for (int i = 0; i < 2; i++) {
			ProducerRecord<byte[], byte[]> record = new ProducerRecord<>("dlq.messages.v1", "k".getBytes(),
					("attempt " + i).getBytes());
			record.headers()
				.add(header(DeadLetterHeaders.ORIGINAL_TOPIC, "lab.test-results.v1".getBytes()))
				.add(header(DeadLetterHeaders.ORIGINAL_PARTITION, "0".getBytes()))
				.add(header(DeadLetterHeaders.ORIGINAL_OFFSET, "5".getBytes()))
				.add(header(DeadLetterHeaders.ORIGINAL_CONSUMER_GROUP, "g".getBytes()));
			this.producer.send(record).get();
		}
		await().atMost(Duration.ofSeconds(30))
			.untilAsserted(() -> assertThat(this.jdbc.queryForList(
					"SELECT attempts FROM dead_letter_entry WHERE original_topic = 'lab.test-results.v1'", Integer.class))
				.containsExactly(2));
		assertThat(this.jdbc.queryForObject("SELECT count(*) FROM dead_letter_attempt", Integer.class)).isEqualTo(2);
	}

	@Test
	void answersNotFoundAsProblemJson() {
		var response = this.api.get()
			.uri("/api/v1/dlq/messages/{id}", UUID.randomUUID())
			.retrieve()
			.toEntity(String.class);
		assertThat(response.getStatusCode().value()).isEqualTo(404);
		assertThat(response.getHeaders().getContentType()).isEqualTo(MediaType.APPLICATION_PROBLEM_JSON);
	}

	private UUID awaitEntry(String topic, int partition, long offset) {
		return await().atMost(Duration.ofSeconds(30))
			.until(() -> this.deadLetters.findIdsByOriginal(topic, partition, offset), (ids) -> !ids.isEmpty())
			.getFirst();
	}

	private static RecordHeader header(String key, byte[] value) {
		return new RecordHeader(key, value);
	}

}
