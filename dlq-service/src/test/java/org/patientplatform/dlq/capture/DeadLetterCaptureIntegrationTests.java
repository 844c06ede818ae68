package org.patientplatform.dlq.capture;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import io.micrometer.core.instrument.MeterRegistry;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.assertj.core.api.InstanceOfAssertFactories;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.patientplatform.dlq.DlqIntegrationTest;
import org.patientplatform.dlq.TestApi;
import org.patientplatform.dlq.TestKafka;
import org.patientplatform.kit.kafka.DeadLetterHeaders;
import org.patientplatform.local.infra.LocalSigningKey;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.core.ParameterizedTypeReference;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.MediaType;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.kafka.config.KafkaListenerEndpointRegistry;
import org.springframework.kafka.listener.MessageListenerContainer;
import org.springframework.web.client.RestClient;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

@DlqIntegrationTest
class DeadLetterCaptureIntegrationTests {

	static final ParameterizedTypeReference<Map<String, Object>> MAP = new ParameterizedTypeReference<>() {
	};

	@Autowired
	DeadLetters deadLetters;

	@Autowired
	LocalSigningKey signingKey;

	@Autowired
	JdbcTemplate jdbc;

	@Autowired
	MeterRegistry meters;

	@Autowired
	KafkaListenerEndpointRegistry listeners;

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

		// retryable (no dlq-non-retryable header) and under the default policy's 5 attempts
		assertThat(entry).containsEntry("kind", "FAILED_RECORD")
			.containsEntry("status", "RETRY_SCHEDULED")
			.containsEntry("originalTopic", "patient.events.v1")
			.containsEntry("originalPartition", 7)
			.containsEntry("originalOffset", 4242)
			.containsEntry("consumerGroup", "notification-service.contacts")
			.containsEntry("errorClass", "java.lang.IllegalStateException")
			.containsEntry("sourceService", "notification-service")
			.containsEntry("keyText", "p-1")
			.containsEntry("payloadSize", value.length)
			.containsEntry("tombstone", false)
			.doesNotContainKey("payload");
		// the headers as a JSON array, each value as base64 and as text
		assertThat(entry.get("headers")).asInstanceOf(InstanceOfAssertFactories.LIST)
			.contains(Map.of("key", "ce_type", "valueBase64",
					Base64.getEncoder().encodeToString("patient-service.PatientRegistered.v1".getBytes()), "valueText",
					"patient-service.PatientRegistered.v1"));
		assertThat(entry.get("headers").toString()).doesNotContain("kafka_dlt-");
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
			// no group header: none shown, where "" was (stored so, as the unique coordinates hold no null)
			assertThat(entry.consumerGroup()).isNull();
		});
		assertThat(this.jdbc.queryForObject("SELECT consumer_group FROM dead_letter_record WHERE id = ?", String.class,
				id)).isEmpty();
	}

	@Test
	void keepsRecordThatIsNotAFailedRecordMessageAsRawEntryWithReason() throws Exception {
		double counted = capturedWithoutService();
		var sent = this.producer.send(new ProducerRecord<>("dlq.messages.v1", null, "just text".getBytes())).get();

		await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(this.jdbc.queryForList(
				"SELECT raw_reason FROM dead_letter_entry WHERE kind = 'RAW' AND dlq_partition = ? AND dlq_offset = ?",
				String.class, sent.partition(), sent.offset()))
			.singleElement()
			.asString()
			.contains("missing header kafka_dlt-original-topic"));

		// the facets count it under "(none)" for the service, topic and error class it lacks: a group of no
		// value, told apart from a grouping's total
		Instant failedAt = this.jdbc.queryForObject(
				"SELECT last_failed_at FROM dead_letter_entry WHERE kind = 'RAW' AND dlq_partition = ? AND dlq_offset = ?",
				Instant.class, sent.partition(), sent.offset());
		Map<String, Object> facets = this.api.get()
			.uri("/api/v1/dlq/messages/facets?from={from}&to={to}", failedAt, failedAt.plusNanos(1_000))
			.retrieve()
			.body(new ParameterizedTypeReference<Map<String, Object>>() {
			});
		assertThat(facets).containsEntry("total", 1)
			.containsEntry("status", Map.of("NEW", 1))
			.containsEntry("sourceService", Map.of("(none)", 1))
			.containsEntry("topic", Map.of("(none)", 1))
			.containsEntry("errorClass", Map.of("(none)", 1));
		// the volume metric names the missing service as the facets do (before: "null")
		assertThat(capturedWithoutService()).isEqualTo(counted + 1);
		// its one attempt is in its history, with the reason (before: attempts 1, no failure listed, and the
		// daily report and the volume alert, which count the history, left raw entries out)
		UUID id = this.jdbc.queryForObject("SELECT id FROM dead_letter_entry WHERE kind = 'RAW' AND dlq_partition = ? "
				+ "AND dlq_offset = ?", UUID.class, sent.partition(), sent.offset());
		Map<String, Object> history = this.api.get()
			.uri("/api/v1/dlq/messages/{id}/history", id)
			.retrieve()
			.body(new ParameterizedTypeReference<Map<String, Object>>() {
			});
		assertThat(history.get("failures")).asInstanceOf(InstanceOfAssertFactories.LIST)
			.singleElement()
			.asString()
			.contains("missing header kafka_dlt-original-topic");
	}

	@Test
	void reportsTheRecordsTheCaptureHasNotCommittedAsItsGroupsLag() throws Exception {
		await().atMost(Duration.ofSeconds(30)).until(this::captureLag, (lag) -> lag == 0);
		MessageListenerContainer capture = this.listeners.getListenerContainer("dlq-capture");
		capture.stop();
		try {
			for (int i = 0; i < 3; i++) {
				this.producer.send(TestKafka.failedRecord("lagging.v1", 0, i, "k", "v", true)).get();
			}
			// the capture is down: the lag rises all the same (the broker's count, not the consumer's own)
			await().atMost(Duration.ofSeconds(30)).until(this::captureLag, (lag) -> lag == 3);
		}
		finally {
			capture.start();
		}
		await().atMost(Duration.ofSeconds(60)).until(this::captureLag, (lag) -> lag == 0);
		assertThat(this.deadLetters.findIdsByOriginal("lagging.v1", 0, 2L)).hasSize(1);
	}

	private double captureLag() {
		return this.meters.get("dlq.capture.lag").tag("group", "dlq-service.consumer-retry-message").gauge().value();
	}

	private double capturedWithoutService() {
		var counter = this.meters.find("dlq.captured").tags("source_service", "(none)", "topic", "(raw)").counter();
		return (counter != null) ? counter.count() : 0;
	}

	@Test
	void aRawEntrysStateHoldsTheServiceItsRecordNames() throws Exception {
		// no original topic: a raw entry, which still says which service sent it
		ProducerRecord<byte[], byte[]> record = new ProducerRecord<>("dlq.messages.v1", null, "no topic".getBytes());
		record.headers().add(header(DeadLetterHeaders.SOURCE_SERVICE, "booking-queue-service".getBytes()));
		var sent = this.producer.send(record).get();

		Map<String, Object> entry = await().atMost(Duration.ofSeconds(30))
			.until(() -> this.jdbc.queryForList("SELECT r.source_service AS record, s.source_service AS state "
					+ "FROM dead_letter_record r JOIN dead_letter_state s ON s.id = r.id "
					+ "WHERE r.kind = 'RAW' AND r.dlq_partition = ? AND r.dlq_offset = ?", sent.partition(),
					sent.offset()), (rows) -> rows.size() == 1)
			.getFirst();
		// the facets of one service count its statuses by the state's copy
		assertThat(entry).containsEntry("record", "booking-queue-service").containsEntry("state", "booking-queue-service");
	}

	@Test
	void storesARecordTheDatabaseRefusesRawWithEveryHeaderAndANulInItsTextAsAReplacementCharacter() throws Exception {
		// PostgreSQL stores no NUL character in text; and a record it refuses all the same (here a check of this
		// test's own: no value a Kafka record carries is refused any more, a date it cannot store being left out)
		this.jdbc.execute("ALTER TABLE dead_letter_record ADD CONSTRAINT test_refuses_one_record CHECK "
				+ "(original_topic IS DISTINCT FROM 'refused.v1' OR original_offset <> 2) NOT VALID");
		try {
			ProducerRecord<byte[], byte[]> nul = TestKafka.failedRecord("refused.v1", 0, 1L, "k", "v1", true);
			nul.headers()
				.remove(DeadLetterHeaders.EXCEPTION_MESSAGE)
				.add(DeadLetterHeaders.EXCEPTION_MESSAGE, "bad \u0000 byte".getBytes(StandardCharsets.UTF_8))
				.add("x-field\u0000name", "v".getBytes(StandardCharsets.UTF_8));
			ProducerRecord<byte[], byte[]> refused = TestKafka.failedRecord("refused.v1", 0, 2L, "k", "v2", true);
			this.producer.send(nul);
			var second = this.producer.send(refused);
			this.producer.send(TestKafka.failedRecord("refused.v1", 0, 3L, "k", "v3", true));
			this.producer.flush();

			// the valid record of the batch is stored as ever, after the refused one
			assertThat(this.deadLetters.findById(awaitEntry("refused.v1", 0, 3L)))
				.hasValueSatisfying((entry) -> assertThat(entry.kind()).isEqualTo("FAILED_RECORD"));
			// a NUL in its error message or a header's name no longer makes a failed record raw (unsearchable by
			// its topic, service or error, never retried): it is kept as U+FFFD
			assertThat(this.deadLetters.findById(awaitEntry("refused.v1", 0, 1L))).hasValueSatisfying((entry) -> {
				assertThat(entry.kind()).isEqualTo("FAILED_RECORD");
				assertThat(entry.errorMessage()).isEqualTo("bad \uFFFD byte");
			});
			assertThat(this.jdbc.queryForObject("SELECT headers::text FROM dead_letter_entry WHERE original_topic = "
					+ "'refused.v1' AND original_offset = 1", String.class)).contains("x-field\uFFFDname");
			Map<String, Object> raw = await().atMost(Duration.ofSeconds(30))
				.until(() -> this.jdbc.queryForList("SELECT raw_reason, headers::text AS headers, payload_size, "
						+ "source_service, consumer_group, error_class, error_message "
						+ "FROM dead_letter_entry WHERE kind = 'RAW' AND dlq_partition = ? AND dlq_offset = ?",
						second.get().partition(), second.get().offset()), (rows) -> rows.size() == 1)
				.getFirst();
			assertThat(raw.get("raw_reason").toString()).contains("the database refused").contains("SQL state 23514");
			assertThat(raw.get("payload_size")).isEqualTo(2);
			// what the failure says is kept: before, no service, group or error (not found by its service, counted
			// under "(none)" by the metrics and the report)
			assertThat(raw).containsEntry("source_service", "orders-service")
				.containsEntry("consumer_group", "orders-service.consumer-orders")
				.containsEntry("error_class", "java.lang.IllegalStateException")
				.containsEntry("error_message", "downstream unavailable");
			assertThat(raw.get("headers").toString()).contains(DeadLetterHeaders.ORIGINAL_TOPIC)
				.contains(DeadLetterHeaders.ORIGINAL_OFFSET);
		}
		finally {
			this.jdbc.execute("ALTER TABLE dead_letter_record DROP CONSTRAINT test_refuses_one_record");
		}
	}

	@Test
	void storesAFailedRecordWhoseDateTheDatabaseCannotStoreWithItsCoordinatesLeavingTheDateOut() throws Exception {
		// 146 million years ahead: it was made raw (SQL state 22008), without its coordinates, never retried
		ProducerRecord<byte[], byte[]> farAhead = TestKafka.failedRecord("far-ahead.v1", 0, 2L, "k", "v2", true);
		farAhead.headers()
			.add(DeadLetterHeaders.ORIGINAL_TIMESTAMP, ByteBuffer.allocate(8).putLong(Long.MAX_VALUE / 2).array());
		this.producer.send(farAhead).get();

		assertThat(this.deadLetters.findById(awaitEntry("far-ahead.v1", 0, 2L))).hasValueSatisfying((entry) -> {
			assertThat(entry.kind()).isEqualTo("FAILED_RECORD");
			assertThat(entry.originalTimestamp()).isNull();
		});
	}

	@Test
	void storesAFailedRecordWhoseDateIsPastTheYear9999WithItsCoordinates() throws Exception {
		// a producer that wrote its timestamp in microseconds: read as milliseconds, the year 58904, which
		// PostgreSQL stores (to the year 294276); it was refused as text ("+58904-…", SQL state 22009) and the
		// record made raw, without its coordinates, never retried
		long micros = Instant.parse("2026-12-07T18:25:45.694Z").toEpochMilli() * 1000;
		ProducerRecord<byte[], byte[]> record = TestKafka.failedRecord("micros.v1", 0, 1L, "k", "v", true);
		record.headers().add(DeadLetterHeaders.ORIGINAL_TIMESTAMP, ByteBuffer.allocate(8).putLong(micros).array());
		this.producer.send(record).get();

		UUID id = awaitEntry("micros.v1", 0, 1L);
		@SuppressWarnings("unchecked")
		Map<String, Object> entry = this.api.get().uri("/api/v1/dlq/messages/{id}", id).retrieve().body(Map.class);
		assertThat(entry).containsEntry("kind", "FAILED_RECORD")
			.containsEntry("originalTopic", "micros.v1")
			.containsEntry("originalTimestamp", Instant.ofEpochMilli(micros).toString());
	}

	@Test
	void updatesTheSameEntryWhenTheSameOriginalRecordFailsAgain() throws Exception {
		for (int i = 0; i < 2; i++) {
			this.producer.send(failureOfLabResult5("attempt " + i)).get();
		}
		await().atMost(Duration.ofSeconds(30))
			.untilAsserted(() -> assertThat(this.jdbc.queryForList(
					"SELECT attempts FROM dead_letter_entry WHERE original_topic = 'lab.test-results.v1'", Integer.class))
				.containsExactly(2));
		assertThat(this.jdbc.queryForObject("SELECT count(*) FROM dead_letter_attempt", Integer.class)).isEqualTo(2);

		// resolved after two automatic redrives, then its consumer reads the record again and fails: a new
		// episode, with the retry budget afresh and no resolution time
		this.jdbc.update("UPDATE dead_letter_entry SET status = 'RESOLVED', resolved_at = now(), retry_count = 2 "
				+ "WHERE original_topic = 'lab.test-results.v1'");
		this.producer.send(failureOfLabResult5("attempt 3")).get();
		await().atMost(Duration.ofSeconds(30))
			.untilAsserted(() -> assertThat(this.jdbc.queryForMap("SELECT attempts, status, retry_count, resolved_at "
					+ "FROM dead_letter_entry WHERE original_topic = 'lab.test-results.v1'"))
				.containsEntry("attempts", 3)
				.containsEntry("retry_count", 0)
				.containsEntry("resolved_at", null)
				.hasEntrySatisfying("status", (status) -> assertThat(status).isIn("NEW", "RETRY_SCHEDULED")));
	}

	@Test
	void aResolvedEntryThatFailsAgainIsUnresolvedSinceThatFailureNotSinceItsFirst() {
		UUID resolved = failedTenDaysAgo(11, "RESOLVED");
		UUID permanent = failedTenDaysAgo(12, "PERMANENTLY_FAILED");
		// the consumer reads both records again (its group rewound) and fails them again
		this.deadLetters.capture(List.of(CapturedRecord.from(reopening(11, 920_011L), Instant.now()),
				CapturedRecord.from(reopening(12, 920_012L), Instant.now())));

		// before: the reopened entry counted ten days unresolved at once (the oldest-unresolved gauge, alert and
		// report), though it was resolved until now
		assertThat(this.jdbc.queryForObject("SELECT now() - first_failed_at < interval '1 minute' FROM "
				+ "dead_letter_state WHERE id = ?", Boolean.class, resolved)).isTrue();
		// its detail still says when the record first failed
		assertThat(this.deadLetters.findById(resolved).orElseThrow().firstFailedAt())
			.isBefore(Instant.now().minus(Duration.ofDays(9)));
		// a permanently failed one was unresolved all along
		assertThat(this.jdbc.queryForObject("SELECT now() - first_failed_at > interval '9 days' FROM "
				+ "dead_letter_state WHERE id = ?", Boolean.class, permanent)).isTrue();
	}

	private UUID failedTenDaysAgo(long offset, String status) {
		this.deadLetters.capture(List.of(CapturedRecord.from(reopening(offset, 910_000L + offset), Instant.now())));
		UUID id = this.deadLetters.findIdsByOriginal("reopened.topic.v1", 0, offset).getFirst();
		this.jdbc.update("UPDATE dead_letter_entry SET status = ?, first_failed_at = now() - interval '10 days', "
				+ "last_failed_at = now() - interval '10 days' WHERE id = ?", status, id);
		return id;
	}

	private static ConsumerRecord<byte[], byte[]> reopening(long offset, long dlqOffset) {
		ConsumerRecord<byte[], byte[]> record = new ConsumerRecord<>("dlq.messages.v1", 0, dlqOffset, "k".getBytes(),
				"{}".getBytes());
		record.headers()
			.add(header(DeadLetterHeaders.ORIGINAL_TOPIC, "reopened.topic.v1".getBytes()))
			.add(header(DeadLetterHeaders.ORIGINAL_PARTITION, "0".getBytes()))
			.add(header(DeadLetterHeaders.ORIGINAL_OFFSET, Long.toString(offset).getBytes()))
			.add(header(DeadLetterHeaders.ORIGINAL_CONSUMER_GROUP, "g".getBytes()))
			.add(header(DeadLetterHeaders.EXCEPTION_MESSAGE, "failed".getBytes()));
		return record;
	}

	@Test
	void changesNothingWhenAnEarlierFailureOfAnEntryIsReadAgain() {
		// two failures of one original record, then the first one's DLQ record again (a rewound or replayed
		// DLQ consumer): the entry stays as the second failure left it
		ConsumerRecord<byte[], byte[]> first = dlqRecord(900_001L, "first failure");
		ConsumerRecord<byte[], byte[]> second = dlqRecord(900_002L, "second failure");
		this.deadLetters.capture(List.of(CapturedRecord.from(first, Instant.now())));
		UUID id = this.deadLetters.findIdsByOriginal("replayed.topic.v1", 0, 7).get(0);
		this.deadLetters.capture(List.of(CapturedRecord.from(second, Instant.now())));
		this.jdbc.update("UPDATE dead_letter_state SET status = 'RESOLVED', status_reason = 'fixed' WHERE id = ?", id);

		this.deadLetters.capture(List.of(CapturedRecord.from(first, Instant.now())));
		this.deadLetters.capture(List.of(CapturedRecord.from(first, Instant.now()), CapturedRecord.from(second,
				Instant.now())));

		assertThat(this.deadLetters.findById(id)).hasValueSatisfying((entry) -> {
			assertThat(entry.attempts()).isEqualTo(2);
			assertThat(entry.errorMessage()).isEqualTo("second failure");
			assertThat(entry.status()).isEqualTo("RESOLVED");
		});
		assertThat(this.jdbc.queryForList("SELECT attempt || ':' || dlq_offset || ':' || error_message "
				+ "FROM dead_letter_attempt WHERE entry_id = ? ORDER BY attempt", String.class, id))
			.containsExactly("1:900001:first failure", "2:900002:second failure");
	}

	private static ConsumerRecord<byte[], byte[]> dlqRecord(long dlqOffset, String message) {
		ConsumerRecord<byte[], byte[]> record = new ConsumerRecord<>("dlq.messages.v1", 0, dlqOffset, "k".getBytes(),
				"{}".getBytes());
		record.headers()
			.add(header(DeadLetterHeaders.ORIGINAL_TOPIC, "replayed.topic.v1".getBytes()))
			.add(header(DeadLetterHeaders.ORIGINAL_PARTITION, "0".getBytes()))
			.add(header(DeadLetterHeaders.ORIGINAL_OFFSET, "7".getBytes()))
			.add(header(DeadLetterHeaders.ORIGINAL_CONSUMER_GROUP, "g".getBytes()))
			.add(header(DeadLetterHeaders.EXCEPTION_MESSAGE, message.getBytes()));
		return record;
	}

	@Test
	void updatesTheEntryNamedByTheEntryIdHeaderWhenARedrivenRecordFails() throws Exception {
		this.producer.send(failed("lab.test-results.v1", 1, 10, null, null, "first failure")).get();
		UUID id = awaitEntry("lab.test-results.v1", 1, 10L);

		// the redriven copy failed at its new offset; the origin carries the entry id and the next attempt
		this.producer.send(failed("lab.test-results.v1", 2, 77, id, "2", "second failure")).get();

		await().atMost(Duration.ofSeconds(30))
			.untilAsserted(() -> assertThat(this.deadLetters.findById(id)).hasValueSatisfying((entry) -> {
				assertThat(entry.attempts()).isEqualTo(2);
				assertThat(entry.errorMessage()).isEqualTo("second failure");
				assertThat(entry.originalPartition()).isEqualTo(1);
				assertThat(entry.originalOffset()).isEqualTo(10L);
			}));
		assertThat(this.deadLetters.findIdsByOriginal("lab.test-results.v1", 2, 77)).isEmpty();
		assertThat(this.jdbc.queryForList("SELECT attempt || ':' || record_partition || '@' || record_offset || ':' "
				+ "|| error_message FROM dead_letter_attempt WHERE entry_id = ? ORDER BY attempt", String.class, id))
			.containsExactly("1:1@10:first failure", "2:2@77:second failure");
	}

	@Test
	void servesAnEntrysHistoryInKeysetPagesOfEachList() throws Exception {
		for (int i = 1; i <= 5; i++) {
			this.producer.send(failed("lab.paged-history.v1", 0, 3, null, null, "failure " + i)).get();
		}
		UUID id = awaitEntry("lab.paged-history.v1", 0, 3L);
		await().atMost(Duration.ofSeconds(30))
			.until(() -> this.deadLetters.findById(id).map(DeadLetterEntry::attempts).orElse(0) == 5);
		for (int i = 0; i < 3; i++) {
			this.jdbc.update("""
					INSERT INTO dead_letter_redrive (entry_id, kind, attempt, actor, target_topic, target_partition,
					    target_offset, outcome, outcome_at)
					VALUES (?, 'MANUAL', ?, 'ops-person', 'lab.paged-history.v1', 0, ?, 'FAILED', now())
					""", id, i + 1, 100 + i);
		}

		// before: the parameters were refused (the operation took none), and every row came at once
		List<Map<String, Object>> pages = new ArrayList<>();
		String cursor = null;
		do {
			Map<String, Object> page = this.api.get()
				.uri((cursor != null) ? "/api/v1/dlq/messages/{id}/history?limit=2&cursor=" + cursor
						: "/api/v1/dlq/messages/{id}/history?limit=2", id)
				.retrieve()
				.body(MAP);
			pages.add(page);
			cursor = (String) page.get("nextCursor");
		}
		while (cursor != null && pages.size() < 10);

		assertThat(pages).hasSize(3);
		assertThat(pages).allSatisfy((page) -> {
			assertThat((List<?>) page.get("failures")).hasSizeLessThanOrEqualTo(2);
			assertThat((List<?>) page.get("redrives")).hasSizeLessThanOrEqualTo(2);
		});
		assertThat(pages.stream().flatMap((page) -> ((List<?>) page.get("failures")).stream())
			.map((failure) -> (Object) ((Map<?, ?>) failure).get("errorMessage"))).containsExactly("failure 1", "failure 2",
					"failure 3", "failure 4", "failure 5");
		assertThat(pages.stream().flatMap((page) -> ((List<?>) page.get("redrives")).stream())
			.map((redrive) -> (Object) ((Map<?, ?>) redrive).get("targetOffset"))).containsExactly(100, 101, 102);
		assertThat(pages.getLast().get("nextCursor")).isNull();

		// the default page holds it all here, and says so
		Map<String, Object> whole = this.api.get().uri("/api/v1/dlq/messages/{id}/history", id).retrieve().body(MAP);
		assertThat((List<?>) whole.get("failures")).hasSize(5);
		assertThat((List<?>) whole.get("redrives")).hasSize(3);
		assertThat(whole.get("nextCursor")).isNull();

		var tooLarge = this.api.get()
			.uri("/api/v1/dlq/messages/{id}/history?limit=201", id)
			.retrieve()
			.toEntity(MAP);
		var notACursor = this.api.get()
			.uri("/api/v1/dlq/messages/{id}/history?cursor=bm90LWEtY3Vyc29y", id)
			.retrieve()
			.toEntity(MAP);
		for (var refused : List.of(tooLarge, notACursor)) {
			assertThat(refused.getStatusCode().value()).isEqualTo(400);
			assertThat(refused.getHeaders().getContentType()).isEqualTo(MediaType.APPLICATION_PROBLEM_JSON);
		}
		assertThat(String.valueOf(notACursor.getBody().get("detail"))).contains("cursor");
	}

	@Test
	void countsTheFailureOfARedrivenRecordReadTwiceByItsConsumerOnce() throws Exception {
		this.producer.send(failed("lab.read-twice.v1", 1, 10, null, null, "first failure")).get();
		UUID id = awaitEntry("lab.read-twice.v1", 1, 10L);
		this.producer.send(failed("lab.read-twice.v1", 2, 77, id, "2", "the copy failed")).get();
		await().atMost(Duration.ofSeconds(30))
			.until(() -> this.deadLetters.findById(id).map(DeadLetterEntry::attempts).orElse(0) == 2);

		// its consumer restarted before committing the copy's offset, read it again and dead-lettered it again:
		// the same record, the same attempt (before: attempts 3, and a third failure in the history)
		this.producer.send(failed("lab.read-twice.v1", 2, 77, id, "2", "the copy failed, read again")).get();
		// a later DLQ record (the same key, so the same DLQ partition) is stored after it: the capture got past it
		this.producer.send(failed("lab.read-twice.v1", 1, 11, null, null, "a later failure")).get();
		awaitEntry("lab.read-twice.v1", 1, 11L);

		assertThat(this.deadLetters.findById(id)).hasValueSatisfying((entry) -> {
			assertThat(entry.attempts()).isEqualTo(2);
			assertThat(entry.errorMessage()).isEqualTo("the copy failed");
		});
		assertThat(this.jdbc.queryForList("SELECT attempt || ':' || record_partition || '@' || record_offset || ':' "
				+ "|| error_message FROM dead_letter_attempt WHERE entry_id = ? ORDER BY attempt", String.class, id))
			.containsExactly("1:1@10:first failure", "2:2@77:the copy failed");

		// a failure of the next copy, at another offset, is the next attempt
		this.producer.send(failed("lab.read-twice.v1", 0, 5, id, "3", "the next copy failed")).get();
		await().atMost(Duration.ofSeconds(30))
			.until(() -> this.deadLetters.findById(id).map(DeadLetterEntry::attempts).orElse(0) == 3);
	}

	@Test
	void storesAnotherGroupsFailureOfARedrivenRecordAsItsOwnEntry() throws Exception {
		this.producer.send(failed("lab.two-groups.v1", 1, 10, null, null, "the entry's failure")).get();
		UUID id = awaitEntry("lab.two-groups.v1", 1, 10L);

		// the copy redriven to the topic reached another consumer group too, which failed it
		ProducerRecord<byte[], byte[]> other = failed("lab.two-groups.v1", 2, 77, id, "2", "another group's failure");
		other.headers().remove(DeadLetterHeaders.ORIGINAL_CONSUMER_GROUP);
		other.headers().add(header(DeadLetterHeaders.ORIGINAL_CONSUMER_GROUP, "reporting-service.reader".getBytes()));
		this.producer.send(other).get();

		// before: the entry took the other group's failure as its own (attempt 2, its error, its redrive FAILED)
		UUID others = awaitEntry("lab.two-groups.v1", 2, 77L);
		assertThat(others).isNotEqualTo(id);
		assertThat(this.deadLetters.findById(others)).hasValueSatisfying((entry) -> {
			assertThat(entry.consumerGroup()).isEqualTo("reporting-service.reader");
			assertThat(entry.errorMessage()).isEqualTo("another group's failure");
			// its group's first failure of that record: the copy's dlq-attempt counted the other entry's redrives
			assertThat(entry.attempts()).isEqualTo(1);
		});
		assertThat(this.jdbc.queryForList("SELECT attempt FROM dead_letter_attempt WHERE entry_id = ?", Integer.class,
				others)).containsExactly(1);
		assertThat(this.deadLetters.findById(id)).hasValueSatisfying((entry) -> {
			assertThat(entry.attempts()).isEqualTo(1);
			assertThat(entry.errorMessage()).isEqualTo("the entry's failure");
		});

		// the entry's own group failing the copy is the entry's failure, as before
		this.producer.send(failed("lab.two-groups.v1", 2, 78, id, "2", "the entry's second failure")).get();
		await().atMost(Duration.ofSeconds(30))
			.untilAsserted(() -> assertThat(this.deadLetters.findById(id)).hasValueSatisfying((entry) -> {
				assertThat(entry.attempts()).isEqualTo(2);
				assertThat(entry.errorMessage()).isEqualTo("the entry's second failure");
			}));
		assertThat(this.deadLetters.findIdsByOriginal("lab.two-groups.v1", 2, 78)).isEmpty();
	}

	@Test
	void storesEachStackTraceOnceAndShowsItWithEveryEntryThatHoldsIt() throws Exception {
		String topic = "lab.stack-traces.v1";
		String shared = "java.lang.IllegalStateException: no patient\n\tat org.example.Listener.on(Listener.java:42)\n";
		String other = "java.lang.IllegalArgumentException: bad date\n\tat org.example.Listener.on(Listener.java:57)\n";
		String later = "java.lang.IllegalStateException: still no patient\n\tat org.example.Listener.on(Listener.java:43)\n";
		this.producer.send(withTrace(failed(topic, 0, 1, null, null, "first"), shared)).get();
		this.producer.send(withTrace(failed(topic, 0, 2, null, null, "second"), shared)).get();
		this.producer.send(withTrace(failed(topic, 0, 3, null, null, "third"), other)).get();
		UUID first = awaitEntry(topic, 0, 1L);
		UUID second = awaitEntry(topic, 0, 2L);
		UUID third = awaitEntry(topic, 0, 3L);

		assertThat(this.deadLetters.findById(first).orElseThrow().errorStacktrace()).isEqualTo(shared);
		assertThat(this.deadLetters.findById(second).orElseThrow().errorStacktrace()).isEqualTo(shared);
		assertThat(this.deadLetters.findById(third).orElseThrow().errorStacktrace()).isEqualTo(other);
		assertThat(this.jdbc.queryForObject("SELECT count(*) FROM dead_letter_stacktrace WHERE stacktrace IN (?, ?)",
				Integer.class, shared, other)).isEqualTo(2);
		assertThat(this.jdbc.queryForObject("SELECT count(DISTINCT error_stacktrace_digest) FROM dead_letter_record "
				+ "WHERE id IN (?, ?)", Integer.class, first, second)).isEqualTo(1);

		// a redriven copy fails with another trace: the entry shows the new one, the other entry keeps its own
		this.producer.send(withTrace(failed(topic, 1, 80, first, "2", "fourth"), later)).get();
		await().atMost(Duration.ofSeconds(30))
			.untilAsserted(() -> assertThat(this.deadLetters.findById(first).orElseThrow().errorStacktrace())
				.isEqualTo(later));
		assertThat(this.deadLetters.findById(second).orElseThrow().errorStacktrace()).isEqualTo(shared);
		assertThat(this.jdbc.queryForObject("SELECT count(*) FROM dead_letter_stacktrace WHERE stacktrace = ?",
				Integer.class, later)).isEqualTo(1);
	}

	@Test
	void storesARecordWithAnUnknownEntryIdByItsCoordinates() throws Exception {
		UUID unknown = UUID.randomUUID();
		this.producer.send(failed("lab.test-results.v1", 0, 500, unknown, "3", "after retention")).get();
		UUID id = awaitEntry("lab.test-results.v1", 0, 500L);
		assertThat(id).isNotEqualTo(unknown);
		assertThat(this.deadLetters.findById(id)).hasValueSatisfying((entry) -> assertThat(entry.attempts()).isEqualTo(3));
	}

	@Test
	void publishesAFailedMessageAsLargeAsTheRequestLimitTakes() {
		// the body is just under the request limit (1 MiB); the record, with its headers, is over the producer's
		// default max.request.size, which refused it (a 500)
		RestClient service = TestApi.as(this.signingKey, this.port, "billing-service", "service");
		String payload = "B".repeat(1_048_300);
		var response = service.post()
			.uri("/api/v1/dlq/messages")
			.body(Map.of("topic", "billing.events.v1", "partition", 5, "offset", 4_848_300, "payload", payload,
					"errorClass", "com.example.BillingException", "consumerGroup", "billing-service.consumer-billing",
					"sourceService", "billing-service"))
			.retrieve()
			.toEntity(MAP);
		assertThat(response.getStatusCode().value()).as(String.valueOf(response.getBody())).isEqualTo(202);
		UUID id = awaitEntry("billing.events.v1", 5, 4_848_300L);
		assertThat(this.deadLetters.findById(id))
			.hasValueSatisfying((entry) -> assertThat(entry.payloadSize()).isEqualTo(1_048_300));
	}

	@Test
	void publishesAFailedMessageReportedByAServiceInThePlatformsFormat() {
		RestClient service = TestApi.as(this.signingKey, this.port, "billing-service", "service");
		var response = service.post()
			.uri("/api/v1/dlq/messages")
			.body(Map.of("topic", "billing.events.v1", "partition", 4, "offset", 31337, "key", "invoice-9",
					"headers", List.of(Map.of("key", "traceparent", "value", "00-abc-def-01"), Map.of("key", "x-bin",
							"valueBase64", Base64.getEncoder().encodeToString(new byte[] { (byte) 0xff, 0, (byte) 0xfe }))),
					"payloadBase64",
					Base64.getEncoder().encodeToString(new byte[] { 1, 2, 3, (byte) 0xff }), "errorClass",
					"com.example.BillingException", "errorMessage", "ledger closed", "consumerGroup",
					"billing-service.consumer-billing", "sourceService", "billing-service"))
			.retrieve()
			.toEntity(MAP);
		assertThat(response.getStatusCode().value()).isEqualTo(202);
		assertThat(response.getBody()).containsEntry("topic", "dlq.messages.v1");

		UUID id = awaitEntry("billing.events.v1", 4, 31337L);
		assertThat(this.deadLetters.findById(id)).hasValueSatisfying((entry) -> {
			assertThat(entry.kind()).isEqualTo("FAILED_RECORD");
			assertThat(entry.keyText()).isEqualTo("invoice-9");
			assertThat(entry.payloadSize()).isEqualTo(4);
			assertThat(entry.errorClass()).isEqualTo("com.example.BillingException");
			assertThat(entry.sourceService()).isEqualTo("billing-service");
			assertThat(entry.sourceRole()).isEqualTo("consumer-billing");
			assertThat(entry.consumerGroup()).isEqualTo("billing-service.consumer-billing");
			assertThat(entry.fingerprint()).hasSize(16);
			assertThat(entry.headers()).extracting(DeadLetterEntry.HeaderView::key)
				.contains("traceparent")
				.noneMatch((key) -> key.startsWith("kafka_dlt-"));
			assertThat(entry.headers()).filteredOn((h) -> h.key().equals("traceparent"))
				.extracting(DeadLetterEntry.HeaderView::valueText)
				.containsExactly("00-abc-def-01");
			// bytes that are not UTF-8 have no text (before: replacement characters), as a revealed payload
			assertThat(entry.headers()).filteredOn((h) -> h.key().equals("x-bin")).singleElement().satisfies((h) -> {
				assertThat(h.valueText()).isNull();
				assertThat(h.valueBase64()).isEqualTo("/wD+");
			});
		});

		var binaryKey = service.post()
			.uri("/api/v1/dlq/messages")
			.body(Map.of("topic", "billing.events.v1", "partition", 4, "offset", 31338, "keyBase64", "/wD+",
					"payload", "{}", "errorClass", "E", "consumerGroup", "billing-service.consumer-billing",
					"sourceService", "billing-service"))
			.retrieve()
			.toEntity(MAP);
		assertThat(binaryKey.getStatusCode().value()).isEqualTo(202);
		assertThat(this.deadLetters.findById(awaitEntry("billing.events.v1", 4, 31338L)))
			.hasValueSatisfying((entry) -> {
				assertThat(entry.keyText()).isNull();
				assertThat(entry.keyBase64()).isEqualTo("/wD+");
			});
	}

	@Test
	void keepsAReportedHeaderWhoseNameHoldsANulUnderItsExactName() {
		// POST /api/v1/dlq/messages takes such a name (a Kafka header name may hold any character); the entry
		// keeps it exactly: before, with U+FFFD in the NUL's place (jsonb holds no NUL), so a redrive sent another
		RestClient service = TestApi.as(this.signingKey, this.port, "billing-service", "service");
		var response = service.post()
			.uri("/api/v1/dlq/messages")
			.body(Map.of("topic", "billing.events.v1", "partition", 6, "offset", 60606, "payload", "{}",
					"headers", List.of(Map.of("key", "x-field\u0000name", "value", "v"),
							Map.of("key", "x-field\uFFFDname", "value", "w")),
					"errorClass", "com.example.BillingException", "consumerGroup", "billing-service.consumer-billing",
					"sourceService", "billing-service"))
			.retrieve()
			.toEntity(MAP);
		assertThat(response.getStatusCode().value()).as(String.valueOf(response.getBody())).isEqualTo(202);

		UUID id = awaitEntry("billing.events.v1", 6, 60606L);
		assertThat(this.deadLetters.findById(id)).hasValueSatisfying((entry) -> assertThat(entry.headers())
			.extracting(DeadLetterEntry.HeaderView::key, DeadLetterEntry.HeaderView::valueText)
			.containsExactly(org.assertj.core.groups.Tuple.tuple("x-field\u0000name", "v"),
					org.assertj.core.groups.Tuple.tuple("x-field\uFFFDname", "w")));
		Map<String, Object> shown = this.api.get().uri("/api/v1/dlq/messages/{id}", id).retrieve().body(MAP);
		List<Object> keys = ((List<?>) shown.get("headers")).stream().map((h) -> (Object) ((Map<?, ?>) h).get("key")).toList();
		assertThat(keys).containsExactly("x-field\u0000name", "x-field\uFFFDname");
	}

	@Test
	void rejectsAFailedMessageThatIsIncompleteOrUsesTheDlqsHeadersOrIsNotFromAService() {
		RestClient service = TestApi.as(this.signingKey, this.port, "billing-service", "service");
		var invalid = service.post()
			.uri("/api/v1/dlq/messages")
			.body(Map.of("topic", "billing.events.v1", "partition", -1, "payload", "x", "payloadBase64", "eA==",
					"headers", List.of(Map.of("key", "dlq-entry-id", "value", "x")), "errorClass", "E",
					"consumerGroup", "g", "sourceService", "s"))
			.retrieve()
			.toEntity(MAP);
		assertThat(invalid.getStatusCode().value()).isEqualTo(400);
		assertThat(invalid.getHeaders().getContentType()).isEqualTo(MediaType.APPLICATION_PROBLEM_JSON);
		// a cross-field check names the field it is about (before: payloadReadable, headers[0].ownName)
		assertThat(invalid.getBody().get("errors").toString()).contains("partition", "offset", "field=payload",
				"field=headers[0].key", "must not use the kafka_dlt- or dlq- prefix")
			.doesNotContain("payloadReadable", "ownName");

		// base64 that does not decode is its own field's error (before: payload's), and a partition past an int's
		// range says the partition's own range, from 0 (before: "has the wrong type or format", then an int's range
		// from -2147483648)
		var notBase64 = service.post()
			.uri("/api/v1/dlq/messages")
			.body(Map.of("topic", "billing.events.v1", "partition", 0, "offset", 0, "payloadBase64", "%%%",
					"keyBase64", "not base64!", "errorClass", "E", "consumerGroup", "g", "sourceService", "s"))
			.retrieve()
			.toEntity(MAP);
		assertThat(notBase64.getStatusCode().value()).isEqualTo(400);
		String base64 = "must be base64 (the standard alphabet: A-Z, a-z, 0-9, + and /)";
		assertThat(fieldErrors(notBase64.getBody())).containsExactlyInAnyOrder("payloadBase64 " + base64,
				"keyBase64 " + base64);
		var tooLarge = service.post()
			.uri("/api/v1/dlq/messages")
			.contentType(MediaType.APPLICATION_JSON)
			.body("""
					{"topic": "billing.events.v1", "partition": 2147483648, "offset": -99999999999999999999,
					 "payload": "x", "errorClass": "E", "consumerGroup": "g", "sourceService": "s"}""")
			.retrieve()
			.toEntity(MAP);
		assertThat(tooLarge.getStatusCode().value()).isEqualTo(400);
		assertThat(fieldErrors(tooLarge.getBody())).containsExactlyInAnyOrder(
				"partition must be a whole number from 0 to 2147483647",
				"offset must be a whole number from 0 to 9223372036854775807");

		// a topic Kafka cannot have, and a header that is null: before, 202 (retried for ever) and a 500
		List<Object> nullHeader = new ArrayList<>();
		nullHeader.add(null);
		Map<String, Object> odd = new HashMap<>(Map.of("topic", "bad topic/with spaces",
				"partition", 0, "offset", 0, "payload", "x", "errorClass", "E", "consumerGroup", "g", "sourceService",
				"s"));
		odd.put("headers", nullHeader);
		var refused = service.post().uri("/api/v1/dlq/messages").body(odd).retrieve().toEntity(MAP);
		assertThat(refused.getStatusCode().value()).isEqualTo(400);
		List<Object> fields = ((List<?>) refused.getBody().get("errors")).stream()
			.map((e) -> (Object) ((Map<?, ?>) e).get("field"))
			.toList();
		assertThat(fields).containsExactlyInAnyOrder("topic", "headers[0]");

		// a name holding a control character, which the capture would make a raw entry: before, 202
		var control = service.post()
			.uri("/api/v1/dlq/messages")
			.body(Map.of("topic", "billing.events.v1", "partition", 0, "offset", 0, "payload", "x", "errorClass",
					"java.lang.\tE", "consumerGroup", "g\nh", "sourceService", "s\u0007", "sourceRole", "r\u0000",
					"fingerprint", "f"))
			.retrieve()
			.toEntity(MAP);
		assertThat(control.getStatusCode().value()).isEqualTo(400);
		assertThat(fieldErrors(control.getBody())).containsExactlyInAnyOrder(
				"errorClass must not hold a control character (such as NUL, a tab or a line break)",
				"consumerGroup must not hold a control character (such as NUL, a tab or a line break)",
				"sourceService must not hold a control character (such as NUL, a tab or a line break)",
				"sourceRole must not hold a control character (such as NUL, a tab or a line break)");

		// a failed record of the DLQ's own topic: a redrive of it would be captured again as a new entry
		var own = service.post()
			.uri("/api/v1/dlq/messages")
			.body(Map.of("topic", "dlq.messages.v1", "partition", 0, "offset", 0, "payload", "x", "errorClass", "E",
					"consumerGroup", "g", "sourceService", "s"))
			.retrieve()
			.toEntity(MAP);
		assertThat(own.getStatusCode().value()).isEqualTo(400);
		assertThat(own.getBody().get("errors").toString()).contains("field=topic", "the DLQ's own topics");

		var ops = this.api.post()
			.uri("/api/v1/dlq/messages")
			.body(Map.of("topic", "t", "partition", 0, "offset", 0, "payload", "x", "errorClass", "E",
					"consumerGroup", "g", "sourceService", "s"))
			.retrieve()
			.toEntity(String.class);
		assertThat(ops.getStatusCode().value()).isEqualTo(403);
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

	/** A failure of record 5 of lab.test-results.v1 (partition 0, group g), as a DLQ record. */
	private static ProducerRecord<byte[], byte[]> failureOfLabResult5(String value) {
		ProducerRecord<byte[], byte[]> record = new ProducerRecord<>("dlq.messages.v1", "k".getBytes(), value.getBytes());
		record.headers()
			.add(header(DeadLetterHeaders.ORIGINAL_TOPIC, "lab.test-results.v1".getBytes()))
			.add(header(DeadLetterHeaders.ORIGINAL_PARTITION, "0".getBytes()))
			.add(header(DeadLetterHeaders.ORIGINAL_OFFSET, "5".getBytes()))
			.add(header(DeadLetterHeaders.ORIGINAL_CONSUMER_GROUP, "g".getBytes()));
		return record;
	}

	@Test
	void keepsARecordNamingTheDlqsOwnTopicAsItsOriginRawSoItIsNeverRedrivenIntoTheDlq() throws Exception {
		// as a console producer can send it; before, it was retried into dlq.messages.v1, captured again as a
		// new entry each time, and its own entry waited in RETRYING for an outcome that never came
		var sent = this.producer.send(failed("dlq.messages.v1", 0, 1, null, null, "x")).get();

		await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(this.jdbc.queryForList(
				"SELECT e.raw_reason || ' | ' || s.status FROM dead_letter_entry e JOIN dead_letter_state s USING (id) "
						+ "WHERE e.kind = 'RAW' AND e.dlq_partition = ? AND e.dlq_offset = ?",
				String.class, sent.partition(), sent.offset()))
			.singleElement()
			.asString()
			.startsWith("not a failed record of another service: its original topic dlq.messages.v1 is one of the "
					+ "DLQ's own topics")
			.endsWith("| NEW"));
		assertThat(this.deadLetters.findIdsByOriginal("dlq.messages.v1", 0, 1)).isEmpty();
	}

	@Test
	void keepsWhatTheDlqsOwnOutcomeConsumerSaidOfARecordItCouldNotRead() throws Exception {
		// a malformed record on dlq.retry-outcomes.v1 fails in this service's own outcome listener, whose failure
		// path dead-letters it like any other service's; before, its raw entry kept none of it (no service,
		// group or error) and said that no service's failed record comes from that topic
		ProducerRecord<byte[], byte[]> record = failed("dlq.retry-outcomes.v1", 3, 109, null, null,
				"Event 1 data is not a valid RedriveOutcome");
		record.headers().remove(DeadLetterHeaders.ORIGINAL_CONSUMER_GROUP);
		record.headers()
			.add(header(DeadLetterHeaders.ORIGINAL_CONSUMER_GROUP,
					"dlq-service.consumer-retry-message.outcomes".getBytes()))
			.add(header(DeadLetterHeaders.SOURCE_SERVICE, "dlq-service".getBytes()));
		var sent = this.producer.send(record).get();

		Map<String, Object> entry = await().atMost(Duration.ofSeconds(30))
			.until(() -> this.jdbc.queryForList("SELECT raw_reason, source_service, consumer_group, error_class, "
					+ "error_message FROM dead_letter_entry WHERE kind = 'RAW' AND dlq_partition = ? AND dlq_offset = ?",
					sent.partition(), sent.offset()), (rows) -> !rows.isEmpty())
			.getFirst();
		assertThat(entry).containsEntry("source_service", "dlq-service")
			.containsEntry("consumer_group", "dlq-service.consumer-retry-message.outcomes")
			.containsEntry("error_class", "java.lang.IllegalStateException")
			.containsEntry("error_message", "Event 1 data is not a valid RedriveOutcome");
		assertThat((String) entry.get("raw_reason")).contains("dlq.retry-outcomes.v1 is one of the DLQ's own topics")
			.doesNotContain("no service's failed record comes from it");
		assertThat(this.deadLetters.findIdsByOriginal("dlq.retry-outcomes.v1", 3, 109)).isEmpty();
	}

	/** A problem's errors, each as its field and message (a map's entries come in no set order). */
	private static List<String> fieldErrors(Map<String, Object> problem) {
		return ((List<?>) problem.get("errors")).stream()
			.map((error) -> ((Map<?, ?>) error).get("field") + " " + ((Map<?, ?>) error).get("message"))
			.toList();
	}

	private UUID awaitEntry(String topic, int partition, long offset) {
		return await().atMost(Duration.ofSeconds(30))
			.until(() -> this.deadLetters.findIdsByOriginal(topic, partition, offset), (ids) -> !ids.isEmpty())
			.getFirst();
	}

	private static ProducerRecord<byte[], byte[]> failed(String topic, int partition, long offset,
			@Nullable UUID entryId, @Nullable String attempt, String message) {
		ProducerRecord<byte[], byte[]> record = new ProducerRecord<>("dlq.messages.v1", "k".getBytes(),
				"{}".getBytes());
		record.headers()
			.add(header(DeadLetterHeaders.ORIGINAL_TOPIC, topic.getBytes()))
			.add(header(DeadLetterHeaders.ORIGINAL_PARTITION, ByteBuffer.allocate(4).putInt(partition).array()))
			.add(header(DeadLetterHeaders.ORIGINAL_OFFSET, ByteBuffer.allocate(8).putLong(offset).array()))
			.add(header(DeadLetterHeaders.ORIGINAL_CONSUMER_GROUP, "notification-service.consumer-results".getBytes()))
			.add(header(DeadLetterHeaders.EXCEPTION_FQCN, "java.lang.IllegalStateException".getBytes()))
			.add(header(DeadLetterHeaders.EXCEPTION_MESSAGE, message.getBytes()));
		if (entryId != null) {
			record.headers().add(header(DeadLetterHeaders.ENTRY_ID, entryId.toString().getBytes()));
		}
		if (attempt != null) {
			record.headers().add(header(DeadLetterHeaders.ATTEMPT, attempt.getBytes()));
		}
		return record;
	}

	private static ProducerRecord<byte[], byte[]> withTrace(ProducerRecord<byte[], byte[]> record, String trace) {
		record.headers().add(header(DeadLetterHeaders.EXCEPTION_STACKTRACE, trace.getBytes(StandardCharsets.UTF_8)));
		return record;
	}

	private static RecordHeader header(String key, byte[] value) {
		return new RecordHeader(key, value);
	}

}
