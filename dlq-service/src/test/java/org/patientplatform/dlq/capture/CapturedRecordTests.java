package org.patientplatform.dlq.capture;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.LongDeserializer;
import org.junit.jupiter.api.Test;
import org.patientplatform.kit.kafka.DeadLetterHeaders;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.kafka.listener.DeadLetterPublishingRecoverer;
import org.springframework.kafka.listener.ListenerExecutionFailedException;
import org.springframework.kafka.mock.MockProducerFactory;
import org.springframework.kafka.support.serializer.DeserializationException;
import org.springframework.kafka.support.serializer.ErrorHandlingDeserializer;

import static org.assertj.core.api.Assertions.assertThat;

class CapturedRecordTests {

	@Test
	void readsTheEntryIdOfARedrivenRecord() {
		UUID id = UUID.randomUUID();
		ConsumerRecord<byte[], byte[]> record = failed();
		record.headers().add(DeadLetterHeaders.ENTRY_ID, id.toString().getBytes());
		record.headers().add(DeadLetterHeaders.ATTEMPT, "3".getBytes());
		CapturedRecord captured = CapturedRecord.from(record, Instant.now());
		assertThat(captured.entryId()).isEqualTo(id);
		assertThat(captured.attempt()).isEqualTo(3);
		assertThat(captured.headers()).noneMatch((h) -> h.get("key").startsWith("dlq-"));
	}

	@Test
	void ignoresAnEntryIdThatIsNotOurs() {
		ConsumerRecord<byte[], byte[]> record = failed();
		record.headers().add(DeadLetterHeaders.ENTRY_ID, "not-a-uuid".getBytes());
		assertThat(CapturedRecord.from(record, Instant.now()).entryId()).isNull();
	}

	@Test
	void derivesAStableFingerprintWhenTheSenderGivesNone() {
		CapturedRecord first = CapturedRecord.from(failed(), Instant.now());
		CapturedRecord second = CapturedRecord.from(failed(), Instant.now());
		assertThat(first.fingerprint()).hasSize(16).isEqualTo(second.fingerprint());
	}

	@Test
	void derivesTheFingerprintWhenTheSenderGivesABlankOne() {
		ConsumerRecord<byte[], byte[]> blank = failed();
		blank.headers().add(DeadLetterHeaders.FINGERPRINT, " ".getBytes());
		assertThat(CapturedRecord.from(blank, Instant.now()).fingerprint()).hasSize(16)
			.isEqualTo(CapturedRecord.from(failed(), Instant.now()).fingerprint());
	}

	@Test
	void keepsARecordNamingAServiceLongerThanTheApiTakesRawAndNamesTheHeader() {
		ConsumerRecord<byte[], byte[]> record = failed();
		record.headers().add(DeadLetterHeaders.SOURCE_SERVICE, "s".repeat(2_000).getBytes());
		record.headers().add(DeadLetterHeaders.ORIGINAL_CONSUMER_GROUP, "billing".getBytes());

		CapturedRecord captured = CapturedRecord.from(record, Instant.now());

		// before: stored as a failed record under the service's first 255 characters, a metric label among them
		assertThat(captured.isRaw()).isTrue();
		assertThat(captured.rawReason())
			.isEqualTo("not a failed-record message: header dlq-source-service is longer than 255 characters");
		assertThat(captured.sourceService()).isNull();
		assertThat(captured.consumerGroup()).isEqualTo("billing");
		assertThat(captured.errorClass()).isEqualTo("java.lang.IllegalStateException");
		// nothing dropped: every header is kept (base64), the long one with it
		assertThat(captured.headers()).extracting((h) -> h.get("key")).contains(DeadLetterHeaders.SOURCE_SERVICE,
				DeadLetterHeaders.ORIGINAL_TOPIC);
	}

	@Test
	void takesEveryNameUpToTheApisLimitAndNamesEachLongerOne() {
		ConsumerRecord<byte[], byte[]> atTheLimit = failed();
		atTheLimit.headers().add(DeadLetterHeaders.SOURCE_SERVICE, "s".repeat(FieldLimits.NAME).getBytes());
		atTheLimit.headers().add(DeadLetterHeaders.FINGERPRINT, "f".repeat(FieldLimits.NAME).getBytes());
		CapturedRecord kept = CapturedRecord.from(atTheLimit, Instant.now());
		assertThat(kept.isRaw()).isFalse();
		assertThat(kept.sourceService()).hasSize(255);
		assertThat(kept.fingerprint()).hasSize(255);

		ConsumerRecord<byte[], byte[]> record = failed();
		String longName = "x".repeat(FieldLimits.NAME + 1);
		for (String header : List.of(DeadLetterHeaders.ORIGINAL_CONSUMER_GROUP, DeadLetterHeaders.SOURCE_ROLE,
				DeadLetterHeaders.EXCEPTION_CAUSE_FQCN, DeadLetterHeaders.FINGERPRINT)) {
			record.headers().add(header, longName.getBytes());
		}
		record.headers().remove(DeadLetterHeaders.EXCEPTION_FQCN);
		record.headers().add(DeadLetterHeaders.EXCEPTION_FQCN, longName.getBytes());
		CapturedRecord raw = CapturedRecord.from(record, Instant.now());
		assertThat(raw.rawReason()).isEqualTo("not a failed-record message: "
				+ "header kafka_dlt-original-consumer-group is longer than 255 characters; "
				+ "header dlq-source-role is longer than 255 characters; "
				+ "header kafka_dlt-exception-fqcn is longer than 255 characters; "
				+ "header kafka_dlt-exception-cause-fqcn is longer than 255 characters; "
				+ "header dlq-fingerprint is longer than 255 characters");
		assertThat(List.of(raw.consumerGroup(), String.valueOf(raw.sourceRole()), String.valueOf(raw.errorClass()),
				String.valueOf(raw.errorCauseClass()), String.valueOf(raw.fingerprint())))
			.containsExactly("", "null", "null", "null", "null");
	}

	@Test
	void keepsAHeaderNameHoldingANulExactlyInTheFailedRecordAndTheRawEntry() {
		ConsumerRecord<byte[], byte[]> record = failed();
		record.headers().add("a\u0000b", new byte[] { 1 }).add("\u0000", null).add("a\uFFFDb", new byte[] { 2 });

		// jsonb holds no NUL: the name is stored with U+FFFD (what the column shows) and exactly as its bytes; before,
		// only with U+FFFD, so "a\u0000b" was read back (and redriven) as "a\uFFFDb", the name of another header
		String failed = CapturedRecord.from(record, Instant.now()).headersJson();
		String raw = CapturedRecord.refused(record, Instant.now(), "refused").headersJson();
		for (String json : List.of(failed, raw)) {
			assertThat(json).doesNotContain("\\u0000").contains("{\"key\":\"a\uFFFDb\",\"keyBase64\":\"YQBi\",");
			assertThat(StoredHeader.read(json)).extracting(StoredHeader::key)
				.containsSubsequence("a\u0000b", "\u0000", "a\uFFFDb");
		}
		assertThat(StoredHeader.read(failed)).extracting(StoredHeader::key)
			.containsExactly("a\u0000b", "\u0000", "a\uFFFDb");
	}

	@Test
	void keepsARecordWhoseNamesHoldControlCharactersRawAndNamesEachHeader() {
		ConsumerRecord<byte[], byte[]> record = failed();
		record.headers()
			.add(DeadLetterHeaders.SOURCE_SERVICE, "orders\u0007service".getBytes(StandardCharsets.UTF_8))
			.add(DeadLetterHeaders.ORIGINAL_CONSUMER_GROUP, "orders\nbilling".getBytes(StandardCharsets.UTF_8))
			.add(DeadLetterHeaders.SOURCE_ROLE, "consumer\u0000orders".getBytes(StandardCharsets.UTF_8))
			.add(DeadLetterHeaders.EXCEPTION_CAUSE_FQCN, "java.io.IOException\r".getBytes(StandardCharsets.UTF_8))
			.add(DeadLetterHeaders.FINGERPRINT, "\u009Fab12".getBytes(StandardCharsets.UTF_8));
		record.headers().remove(DeadLetterHeaders.EXCEPTION_FQCN);
		record.headers().add(DeadLetterHeaders.EXCEPTION_FQCN, "java.lang.\tX".getBytes(StandardCharsets.UTF_8));

		CapturedRecord captured = CapturedRecord.from(record, Instant.now());

		// before: stored as a failed record, "orders\u0007service" its service (a search criterion, a metric label, a
		// line of the report's CSV), and a NUL made U+FFFD, one name with any other differing only there
		assertThat(captured.rawReason()).isEqualTo("not a failed-record message: "
				+ "header kafka_dlt-original-consumer-group holds a control character (U+000A); "
				+ "header dlq-source-service holds a control character (U+0007); "
				+ "header dlq-source-role holds a control character (U+0000); "
				+ "header kafka_dlt-exception-fqcn holds a control character (U+0009); "
				+ "header kafka_dlt-exception-cause-fqcn holds a control character (U+000D); "
				+ "header dlq-fingerprint holds a control character (U+009F)");
		assertThat(List.of(captured.consumerGroup(), String.valueOf(captured.sourceService()),
				String.valueOf(captured.sourceRole()), String.valueOf(captured.errorClass()),
				String.valueOf(captured.errorCauseClass()), String.valueOf(captured.fingerprint())))
			.containsExactly("", "null", "null", "null", "null", "null");
		// nothing dropped: every header is kept (base64)
		assertThat(captured.headers()).extracting((h) -> h.get("key"))
			.contains(DeadLetterHeaders.SOURCE_SERVICE, DeadLetterHeaders.ORIGINAL_TOPIC);

		// a name of letters beyond ASCII, a space and punctuation is a name
		ConsumerRecord<byte[], byte[]> kept = failed();
		kept.headers().add(DeadLetterHeaders.SOURCE_SERVICE, "tjänst för bokning (v2)".getBytes(StandardCharsets.UTF_8));
		CapturedRecord named = CapturedRecord.from(kept, Instant.now());
		assertThat(named.isRaw()).isFalse();
		assertThat(named.sourceService()).isEqualTo("tjänst för bokning (v2)");
	}

	@Test
	void keepsTheOriginalHeadersInOrderAsJsonWithTheirNamesEscapedAndTheFailurePathsOwnLeftOut() {
		ConsumerRecord<byte[], byte[]> record = failed();
		record.headers().add("traceparent", "00-abc-def-01".getBytes(StandardCharsets.UTF_8));
		record.headers().add("odd \"name\"\\\n", new byte[] { 0, (byte) 0xFF });
		record.headers().add("none", null);
		record.headers().add("empty", new byte[0]);
		JsonNode headers = JsonMapper.shared().readTree(CapturedRecord.from(record, Instant.now()).headersJson());
		assertThat(headers.size()).isEqualTo(4);
		assertThat(headers.get(0).get("key").asString()).isEqualTo("traceparent");
		assertThat(Base64.getDecoder().decode(headers.get(0).get("value").asString()))
			.isEqualTo("00-abc-def-01".getBytes(StandardCharsets.UTF_8));
		assertThat(headers.get(1).get("key").asString()).isEqualTo("odd \"name\"\\\n");
		assertThat(Base64.getDecoder().decode(headers.get(1).get("value").asString()))
			.containsExactly((byte) 0, (byte) 0xFF);
		// a header without a value keeps none; an empty one stays empty
		assertThat(headers.get(2).get("value").isNull()).isTrue();
		assertThat(headers.get(3).get("value").asString()).isEmpty();
		assertThat(new CapturedRecord(null, null, null, "", null, null, null, null, null, List.of(), new byte[0], null,
				null, null, null, null, false, 1, 0, 0, Instant.now(), null, null)
			.headersJson()).isEqualTo("[]");
	}

	@Test
	void takesTheErrorOfAKeyThatCouldNotBeDeserializedFromSpringKafkasKeyExceptionHeaders() {
		ConsumerRecord<byte[], byte[]> record = failed();
		record.headers().remove(DeadLetterHeaders.EXCEPTION_FQCN);
		record.headers()
			.add("kafka_dlt-key-exception-fqcn",
					"org.springframework.kafka.support.serializer.DeserializationException".getBytes())
			.add("kafka_dlt-exception-cause-fqcn", "java.lang.NumberFormatException".getBytes())
			.add("kafka_dlt-key-exception-message", "failed to deserialize; For input string: \"x\"".getBytes())
			.add("kafka_dlt-key-exception-stacktrace", "org.springframework.kafka...".getBytes());
		CapturedRecord captured = CapturedRecord.from(record, Instant.now());
		// before: no error class, message nor stack trace, and retried automatically as if a retry could mend it
		assertThat(captured.errorClass())
			.isEqualTo("org.springframework.kafka.support.serializer.DeserializationException");
		assertThat(captured.errorMessage()).isEqualTo("failed to deserialize; For input string: \"x\"");
		assertThat(captured.errorStacktrace()).isEqualTo("org.springframework.kafka...".getBytes());
		assertThat(captured.nonRetryable()).isTrue();
	}

	@Test
	void readsWhatSpringKafkasOwnRecovererWritesForAKeyItCouldNotDeserialize() {
		MockProducer<byte[], byte[]> producer = new MockProducer<>(true, null, new ByteArraySerializer(),
				new ByteArraySerializer());
		DeadLetterPublishingRecoverer recoverer = new DeadLetterPublishingRecoverer(
				new KafkaTemplate<>(new MockProducerFactory<>(() -> producer)),
				(record, ex) -> new TopicPartition("dlq.messages.v1", 0));
		// a plain Spring Kafka consumer whose key is not the long it expects
		RecordHeaders headers = new RecordHeaders();
		ErrorHandlingDeserializer<Long> keys = new ErrorHandlingDeserializer<>(new LongDeserializer());
		keys.setForKey(true);
		assertThat(keys.deserialize("orders.v1", headers, "not-a-long".getBytes())).isNull();
		ConsumerRecord<Object, Object> failed = new ConsumerRecord<>("orders.v1", 2, 41L, 0L, TimestampType.CREATE_TIME,
				10, 11, null, "{\"order\":1}".getBytes(), headers, Optional.empty());
		recoverer.accept(failed, null, new ListenerExecutionFailedException("listener failed", "orders.consumer",
				new IllegalStateException()));

		ProducerRecord<byte[], byte[]> sent = producer.history().getFirst();
		CapturedRecord captured = CapturedRecord.from(new ConsumerRecord<>("dlq.messages.v1", 0, 7L, 0L,
				TimestampType.CREATE_TIME, 0, 0, sent.key(), sent.value(), sent.headers(), Optional.empty()),
				Instant.now());
		assertThat(captured.rawReason()).isNull();
		assertThat(captured.originalTopic()).isEqualTo("orders.v1");
		assertThat(captured.originalPartition()).isEqualTo(2);
		assertThat(captured.originalOffset()).isEqualTo(41L);
		assertThat(captured.consumerGroup()).isEqualTo("orders.consumer");
		// before: no error class, message nor trace, and retried five times to no avail
		assertThat(captured.errorClass()).isEqualTo(DeserializationException.class.getName());
		assertThat(captured.errorMessage()).isNotBlank();
		assertThat(captured.errorStacktrace()).isNotEmpty();
		assertThat(captured.nonRetryable()).isTrue();
	}

	@Test
	void takesAFailureThatNoRetryCanMendAsNonRetryableWhenTheRecordDoesNotSay() {
		for (String type : List.of("org.springframework.kafka.support.serializer.DeserializationException",
				"org.springframework.messaging.converter.MessageConversionException", "java.lang.ClassCastException",
				"org.springframework.messaging.handler.annotation.support.MethodArgumentNotValidException")) {
			ConsumerRecord<byte[], byte[]> record = failed();
			record.headers().remove(DeadLetterHeaders.EXCEPTION_FQCN);
			record.headers().add(DeadLetterHeaders.EXCEPTION_FQCN, type.getBytes());
			assertThat(CapturedRecord.from(record, Instant.now()).nonRetryable()).as(type).isTrue();
			// a listener's failure wrapping one, as a Spring Kafka recoverer names it: its root cause
			ConsumerRecord<byte[], byte[]> wrapped = failed();
			wrapped.headers().remove(DeadLetterHeaders.EXCEPTION_FQCN);
			wrapped.headers()
				.add(DeadLetterHeaders.EXCEPTION_FQCN,
						"org.springframework.kafka.listener.ListenerExecutionFailedException".getBytes())
				.add(DeadLetterHeaders.EXCEPTION_CAUSE_FQCN, type.getBytes());
			assertThat(CapturedRecord.from(wrapped, Instant.now()).nonRetryable()).as(type).isTrue();
		}
		assertThat(CapturedRecord.from(failed(), Instant.now()).nonRetryable()).isFalse();
		// the platform's failure path says so itself, and is taken at its word either way
		ConsumerRecord<byte[], byte[]> said = failed();
		said.headers().remove(DeadLetterHeaders.EXCEPTION_FQCN);
		said.headers()
			.add(DeadLetterHeaders.EXCEPTION_FQCN, "java.lang.ClassCastException".getBytes())
			.add(DeadLetterHeaders.NON_RETRYABLE, "false".getBytes());
		assertThat(CapturedRecord.from(said, Instant.now()).nonRetryable()).isFalse();
		ConsumerRecord<byte[], byte[]> flagged = failed();
		flagged.headers().add(DeadLetterHeaders.NON_RETRYABLE, "true".getBytes());
		assertThat(CapturedRecord.from(flagged, Instant.now()).nonRetryable()).isTrue();
	}

	private static ConsumerRecord<byte[], byte[]> failed() {
		ConsumerRecord<byte[], byte[]> record = new ConsumerRecord<>("dlq.messages.v1", 0, 1L, "k".getBytes(),
				"v".getBytes());
		record.headers()
			.add(DeadLetterHeaders.ORIGINAL_TOPIC, "orders.v1".getBytes())
			.add(DeadLetterHeaders.ORIGINAL_PARTITION, ByteBuffer.allocate(4).putInt(0).array())
			.add(DeadLetterHeaders.ORIGINAL_OFFSET, ByteBuffer.allocate(8).putLong(9).array())
			.add(DeadLetterHeaders.EXCEPTION_FQCN, "java.lang.IllegalStateException".getBytes());
		return record;
	}

	@Test
	void keepsARecordWithImpossibleCoordinatesRawAndSaysWhatIsWrongWithEach() {
		assertThat(CapturedRecord.from(failed(), Instant.now()).rawReason()).isNull();
		ConsumerRecord<byte[], byte[]> negative = failed();
		negative.headers().remove(DeadLetterHeaders.ORIGINAL_PARTITION);
		negative.headers().add(DeadLetterHeaders.ORIGINAL_PARTITION, "-5".getBytes());
		assertThat(CapturedRecord.from(negative, Instant.now()).rawReason())
			.isEqualTo("not a failed-record message: header kafka_dlt-original-partition is negative");

		ConsumerRecord<byte[], byte[]> text = failed();
		text.headers().remove(DeadLetterHeaders.ORIGINAL_OFFSET);
		text.headers().add(DeadLetterHeaders.ORIGINAL_OFFSET, "abc".getBytes());
		text.headers().remove(DeadLetterHeaders.ORIGINAL_PARTITION);
		text.headers().add(DeadLetterHeaders.ORIGINAL_PARTITION, "99999999999".getBytes());
		assertThat(CapturedRecord.from(text, Instant.now()).rawReason()).isEqualTo("not a failed-record message: "
				+ "header kafka_dlt-original-partition is out of range; header kafka_dlt-original-offset is not a number");

		ConsumerRecord<byte[], byte[]> missing = failed();
		missing.headers().remove(DeadLetterHeaders.ORIGINAL_OFFSET);
		assertThat(CapturedRecord.from(missing, Instant.now()).rawReason())
			.isEqualTo("not a failed-record message: missing header kafka_dlt-original-offset");
	}

	@Test
	void readsDecimalTextOfFourOrEightCharactersWithASignOrSpacesAsText() {
		// kcat sends what is typed: before, a 4-character partition or an 8-character offset that was not digits
		// alone was read as a big-endian number, so "-100" became partition 758198320 (not a raw entry: negative),
		// " 12 " partition 540095008 and "+1234567" offset 3112324012990346807
		ConsumerRecord<byte[], byte[]> signed = failed();
		signed.headers().remove(DeadLetterHeaders.ORIGINAL_PARTITION);
		signed.headers().add(DeadLetterHeaders.ORIGINAL_PARTITION, " 12 ".getBytes());
		signed.headers().remove(DeadLetterHeaders.ORIGINAL_OFFSET);
		signed.headers().add(DeadLetterHeaders.ORIGINAL_OFFSET, "+1234567".getBytes());
		CapturedRecord captured = CapturedRecord.from(signed, Instant.now());
		assertThat(captured.rawReason()).isNull();
		assertThat(captured.originalPartition()).isEqualTo(12);
		assertThat(captured.originalOffset()).isEqualTo(1_234_567L);

		ConsumerRecord<byte[], byte[]> negative = failed();
		negative.headers().remove(DeadLetterHeaders.ORIGINAL_PARTITION);
		negative.headers().add(DeadLetterHeaders.ORIGINAL_PARTITION, "-100".getBytes());
		negative.headers().remove(DeadLetterHeaders.ORIGINAL_OFFSET);
		negative.headers().add(DeadLetterHeaders.ORIGINAL_OFFSET, "-1234567".getBytes());
		assertThat(CapturedRecord.from(negative, Instant.now()).rawReason()).isEqualTo("not a failed-record message: "
				+ "header kafka_dlt-original-partition is negative; header kafka_dlt-original-offset is negative");

		// typed text that is no number of four or eight characters is no number: before, "0x10" was partition
		// 813183280 and "12345abc" offset 3544952156018484067, a failed record redriven by its key
		ConsumerRecord<byte[], byte[]> hex = failed();
		hex.headers().remove(DeadLetterHeaders.ORIGINAL_PARTITION);
		hex.headers().add(DeadLetterHeaders.ORIGINAL_PARTITION, "0x10".getBytes());
		hex.headers().remove(DeadLetterHeaders.ORIGINAL_OFFSET);
		hex.headers().add(DeadLetterHeaders.ORIGINAL_OFFSET, "12345abc".getBytes());
		assertThat(CapturedRecord.from(hex, Instant.now()).rawReason()).isEqualTo("not a failed-record message: "
				+ "header kafka_dlt-original-partition is not a number; header kafka_dlt-original-offset is not a number");

		// Spring Kafka's binary numbers are still read as such
		assertThat(CapturedRecord.from(failed(), Instant.now()).originalOffset()).isEqualTo(9L);
		ConsumerRecord<byte[], byte[]> binary = failed();
		binary.headers().remove(DeadLetterHeaders.ORIGINAL_PARTITION);
		binary.headers().add(DeadLetterHeaders.ORIGINAL_PARTITION, ByteBuffer.allocate(4).putInt(12_345).array());
		assertThat(CapturedRecord.from(binary, Instant.now()).originalPartition()).isEqualTo(12_345);
	}

	@Test
	void keepsARecordWhoseCoordinateHeadersHaveNoValueRaw() {
		// kcat -H kafka_dlt-original-partition (no '=') sends the header without a value: before, such a record
		// was a failed record without a partition (or offset), stored as a new entry on each failure of it (the
		// unique coordinates hold no null) and redriven to whatever partition the key picked
		ConsumerRecord<byte[], byte[]> partition = failed();
		partition.headers().remove(DeadLetterHeaders.ORIGINAL_PARTITION);
		partition.headers().add(DeadLetterHeaders.ORIGINAL_PARTITION, null);
		CapturedRecord noPartition = CapturedRecord.from(partition, Instant.now());
		assertThat(noPartition.rawReason())
			.isEqualTo("not a failed-record message: header kafka_dlt-original-partition has no value");
		assertThat(JsonMapper.shared().readTree(noPartition.headersJson()).size()).isEqualTo(4);

		ConsumerRecord<byte[], byte[]> both = failed();
		both.headers().remove(DeadLetterHeaders.ORIGINAL_PARTITION);
		both.headers().add(DeadLetterHeaders.ORIGINAL_PARTITION, null);
		both.headers().remove(DeadLetterHeaders.ORIGINAL_OFFSET);
		both.headers().add(DeadLetterHeaders.ORIGINAL_OFFSET, null);
		assertThat(CapturedRecord.from(both, Instant.now()).rawReason()).isEqualTo("not a failed-record message: "
				+ "header kafka_dlt-original-partition has no value; header kafka_dlt-original-offset has no value");
	}

	@Test
	void keepsARecordFromATopicKafkaCannotHaveRawWithEveryHeader() {
		for (String name : List.of("bad topic/with spaces", "t.\u00fc\u00f1", "", ".", "t".repeat(250))) {
			ConsumerRecord<byte[], byte[]> record = failed();
			record.headers().remove(DeadLetterHeaders.ORIGINAL_TOPIC);
			record.headers().add(DeadLetterHeaders.ORIGINAL_TOPIC, name.getBytes(StandardCharsets.UTF_8));
			record.headers().add("traceparent", "00-abc-def-01".getBytes(StandardCharsets.UTF_8));
			CapturedRecord captured = CapturedRecord.from(record, Instant.now());
			assertThat(captured.rawReason()).as(name)
				.isEqualTo("not a failed-record message: header kafka_dlt-original-topic is not a Kafka topic name");
			// what made it raw is in the failure path's own headers: before, the raw entry kept none of them
			JsonNode headers = JsonMapper.shared().readTree(captured.headersJson());
			assertThat(headers.size()).isEqualTo(5);
			assertThat(headers.get(0).get("key").asString()).isEqualTo(DeadLetterHeaders.ORIGINAL_PARTITION);
			assertThat(headers.get(2).get("key").asString()).isEqualTo(DeadLetterHeaders.EXCEPTION_FQCN);
			assertThat(new String(Base64.getDecoder().decode(headers.get(3).get("value").asString()),
					StandardCharsets.UTF_8))
				.isEqualTo(name);
			assertThat(headers.get(4).get("key").asString()).isEqualTo("traceparent");
			// a blank name is no topic (the facets' "(none)"), not a group of its own
			assertThat(captured.originalTopic()).isEqualTo(name.isBlank() ? null : name);
		}
		for (String name : List.of("lab.test-results.v1", "a_b-C.9", "t".repeat(249))) {
			ConsumerRecord<byte[], byte[]> record = failed();
			record.headers().remove(DeadLetterHeaders.ORIGINAL_TOPIC);
			record.headers().add(DeadLetterHeaders.ORIGINAL_TOPIC, name.getBytes(StandardCharsets.UTF_8));
			assertThat(CapturedRecord.from(record, Instant.now()).rawReason()).as(name).isNull();
		}
	}

	@Test
	void keepsAFailedRecordWhoseOptionalHeadersAreNotNumbers() {
		ConsumerRecord<byte[], byte[]> record = failed();
		record.headers().add(DeadLetterHeaders.ATTEMPT, "abc".getBytes());
		record.headers().add(DeadLetterHeaders.ORIGINAL_TIMESTAMP, "yesterday".getBytes());
		CapturedRecord captured = CapturedRecord.from(record, Instant.now());
		// before: a raw entry, never retried nor matched by its coordinates
		assertThat(captured.rawReason()).isNull();
		assertThat(captured.originalTopic()).isEqualTo("orders.v1");
		assertThat(captured.originalOffset()).isEqualTo(9L);
		assertThat(captured.attempt()).isEqualTo(1);
		assertThat(captured.originalTimestamp()).isNull();
	}

	@Test
	void leavesOutAnOriginalTimestampTheDatabaseCannotStore() {
		// before: a raw entry "the database refused this failed-record message (SQL state 22008)", without coordinates
		for (long millis : List.of(Long.MAX_VALUE, Long.MIN_VALUE, -62_135_596_800_001L, 9_224_318_016_000_000L)) {
			ConsumerRecord<byte[], byte[]> record = failed();
			record.headers().add(DeadLetterHeaders.ORIGINAL_TIMESTAMP, Long.toString(millis).getBytes());
			CapturedRecord captured = CapturedRecord.from(record, Instant.now());
			assertThat(captured.rawReason()).as("%d", millis).isNull();
			assertThat(captured.originalOffset()).as("%d", millis).isEqualTo(9L);
			assertThat(captured.originalTimestamp()).as("%d", millis).isNull();
		}
		// the first and last instants PostgreSQL keeps, and a year past 9999 (microseconds read as milliseconds)
		for (String kept : List.of("0001-01-01T00:00:00Z", "+294276-12-31T23:59:59.999Z", "+58904-02-21T21:21:34Z")) {
			ConsumerRecord<byte[], byte[]> record = failed();
			long millis = Instant.parse(kept).toEpochMilli();
			record.headers().add(DeadLetterHeaders.ORIGINAL_TIMESTAMP, Long.toString(millis).getBytes());
			assertThat(CapturedRecord.from(record, Instant.now()).originalTimestamp()).as(kept)
				.isEqualTo(Instant.parse(kept));
		}
	}

	@Test
	void leavesOutAnAttemptNoRecordReaches() {
		// before: 2147483647 was stored as the entry's attempts, and the next failure of the same record overflowed
		// attempts + 1 (SQL state 22003) and became a raw entry of its own; 99999999999 was read as 1215752191
		for (String attempt : List.of("2147483647", "99999999999", "1000001")) {
			ConsumerRecord<byte[], byte[]> record = failed();
			record.headers().add(DeadLetterHeaders.ATTEMPT, attempt.getBytes());
			CapturedRecord captured = CapturedRecord.from(record, Instant.now());
			assertThat(captured.rawReason()).as(attempt).isNull();
			assertThat(captured.attempt()).as(attempt).isEqualTo(1);
		}
		ConsumerRecord<byte[], byte[]> record = failed();
		record.headers().add(DeadLetterHeaders.ATTEMPT, "1000000".getBytes());
		assertThat(CapturedRecord.from(record, Instant.now()).attempt()).isEqualTo(1_000_000);
	}

	@Test
	void keepsNoValueAsNoValue() {
		ConsumerRecord<byte[], byte[]> tombstone = new ConsumerRecord<>("dlq.messages.v1", 0, 1L, "k".getBytes(), null);
		failed().headers().forEach((header) -> tombstone.headers().add(header));
		assertThat(CapturedRecord.from(tombstone, Instant.now()).payload()).isNull();
		assertThat(CapturedRecord.from(failed(), Instant.now()).payload()).isEqualTo("v".getBytes());
	}

	@Test
	void keepsTheSizeOfAValueTheFailurePathLeftOutAndNeverRetriesIt() {
		ConsumerRecord<byte[], byte[]> omitted = new ConsumerRecord<>("dlq.messages.v1", 0, 1L, "k".getBytes(), null);
		failed().headers().forEach((header) -> omitted.headers().add(header));
		omitted.headers().remove(DeadLetterHeaders.NON_RETRYABLE);
		omitted.headers().add(DeadLetterHeaders.VALUE_OMITTED, "9437184".getBytes());

		CapturedRecord captured = CapturedRecord.from(omitted, Instant.now());
		assertThat(captured.rawReason()).isNull();
		assertThat(captured.payload()).isNull();
		assertThat(captured.omittedValueSize()).isEqualTo(9_437_184);
		assertThat(captured.payloadSize()).isEqualTo(9_437_184);
		assertThat(captured.nonRetryable()).as("no retry can send a value it does not have").isTrue();
		// a tombstone has no size: that is how its entry is told apart
		ConsumerRecord<byte[], byte[]> tombstone = new ConsumerRecord<>("dlq.messages.v1", 0, 2L, "k".getBytes(), null);
		failed().headers().forEach((header) -> tombstone.headers().add(header));
		assertThat(CapturedRecord.from(tombstone, Instant.now()).payloadSize()).isZero();
		// the header beside a value says nothing: the value is there
		ConsumerRecord<byte[], byte[]> withValue = failed();
		withValue.headers().add(DeadLetterHeaders.VALUE_OMITTED, "9437184".getBytes());
		assertThat(CapturedRecord.from(withValue, Instant.now()).omittedValueSize()).isNull();
		assertThat(CapturedRecord.from(withValue, Instant.now()).payloadSize()).isEqualTo(1);
	}

	@Test
	void keepsARecordWithoutAValueWhoseOmittedSizeIsNoSizeAsRaw() {
		// without a size it names no value to read, and stored as a failed record it would be taken for a tombstone
		for (String size : List.of("0", "-5", "n/a", "99999999999")) {
			ConsumerRecord<byte[], byte[]> omitted = new ConsumerRecord<>("dlq.messages.v1", 0, 1L, "k".getBytes(),
					null);
			failed().headers().forEach((header) -> omitted.headers().add(header));
			omitted.headers().add(DeadLetterHeaders.VALUE_OMITTED, size.getBytes());
			assertThat(CapturedRecord.from(omitted, Instant.now()).rawReason()).as(size)
				.contains("header dlq-value-omitted is not a size in bytes");
		}
	}

	@Test
	void splitsABatchIntoRoundsWithoutTwoRecordsOfTheSameKeyKeepingTheirOrder() {
		List<CapturedRecord> records = new java.util.ArrayList<>();
		for (long offset : new long[] { 1, 2, 1, 3, 1, 2 }) {
			ConsumerRecord<byte[], byte[]> record = failed();
			record.headers().remove(DeadLetterHeaders.ORIGINAL_OFFSET);
			record.headers().add(DeadLetterHeaders.ORIGINAL_OFFSET, ByteBuffer.allocate(8).putLong(offset).array());
			records.add(CapturedRecord.from(record, Instant.now()));
		}
		List<List<CapturedRecord>> rounds = DeadLetters.rounds(records, CapturedRecord::originalOffset);
		assertThat(rounds).extracting((round) -> round.stream().map(CapturedRecord::originalOffset).toList())
			.containsExactly(List.of(1L, 2L, 3L), List.of(1L, 2L), List.of(1L));
		assertThat(rounds.get(1).getFirst()).isSameAs(records.get(2));
	}

}
