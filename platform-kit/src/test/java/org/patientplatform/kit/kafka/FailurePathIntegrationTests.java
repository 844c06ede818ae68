package org.patientplatform.kit.kafka;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;

import io.cloudevents.CloudEvent;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.patientplatform.kit.KafkaTestClient;
import org.patientplatform.kit.KitIntegrationTest;
import org.patientplatform.kit.events.PlatformEvents;
import org.patientplatform.kit.testapp.Thing;
import org.patientplatform.kit.testapp.ThingListener;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

@KitIntegrationTest
@ExtendWith(OutputCaptureExtension.class)
class FailurePathIntegrationTests {

	static final String ORIGINAL_TRACEPARENT = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";

	static final String DLQ = "dlq.messages.v1";

	@Autowired
	PlatformEvents events;

	@Autowired
	ThingListener listener;

	@Value("${spring.kafka.bootstrap-servers}")
	String bootstrapServers;

	KafkaTestClient kafka;

	@BeforeEach
	void setUp() {
		this.kafka = new KafkaTestClient(this.bootstrapServers);
	}

	@AfterEach
	void tearDown() {
		this.kafka.close();
	}

	@Test
	void deadLettersAPoisonRecordWithItsExactCoordinatesAndBytesWhileTheThousandBehindItAreProcessed()
			throws Exception {
		String key = "poison-key-" + UUID.randomUUID();
		byte[] poison = "{not a cloud event".getBytes(StandardCharsets.UTF_8);
		ProducerRecord<byte[], byte[]> bad = new ProducerRecord<>(ThingListener.TOPIC, null, key.getBytes(), poison);
		bad.headers().add("x-origin", "lab-7".getBytes());
		bad.headers().add("traceparent", ORIGINAL_TRACEPARENT.getBytes(StandardCharsets.UTF_8));
		RecordMetadata badAt = this.kafka.send(bad);
		for (int i = 0; i < 1000; i++) {
			this.kafka.sendAsync(KafkaTestClient.event(this.events, ThingListener.TOPIC, key,
					this.events.create(Thing.TYPE, key, new Thing(key + "#" + i, null, null, null))));
		}
		this.kafka.flush();

		await().atMost(Duration.ofSeconds(60))
			.untilAsserted(() -> assertThat(this.listener.values().stream().filter((v) -> v.startsWith(key)))
				.hasSize(1000));
		ConsumerRecord<byte[], byte[]> dead = findDeadLetter(badAt);
		assertThat(dead.key()).isEqualTo(key.getBytes());
		assertThat(dead.value()).isEqualTo(poison);
		assertThat(text(dead, "x-origin")).isEqualTo("lab-7");
		// the record's own trace context, as it was: a span of the dead-lettering would have written its own over it,
		// and the DLQ would have redriven the record under the failure's trace
		assertThat(text(dead, "traceparent")).isEqualTo(ORIGINAL_TRACEPARENT);
		assertThat(dead.headers().headers("traceparent")).hasSize(1);
		assertThat(text(dead, DeadLetterHeaders.ORIGINAL_TOPIC)).isEqualTo(ThingListener.TOPIC);
		assertThat(ByteBuffer.wrap(dead.headers().lastHeader(DeadLetterHeaders.ORIGINAL_PARTITION).value()).getInt())
			.isEqualTo(badAt.partition());
		assertThat(ByteBuffer.wrap(dead.headers().lastHeader(DeadLetterHeaders.ORIGINAL_TIMESTAMP).value()).getLong())
			.isEqualTo(badAt.timestamp());
		assertThat(text(dead, DeadLetterHeaders.ORIGINAL_CONSUMER_GROUP)).isEqualTo(ThingListener.GROUP);
		assertThat(text(dead, DeadLetterHeaders.SOURCE_SERVICE)).isEqualTo("kit-test");
		assertThat(text(dead, DeadLetterHeaders.SOURCE_ROLE)).isEqualTo("consumer-test");
		assertThat(text(dead, DeadLetterHeaders.EXCEPTION_FQCN))
			.isEqualTo("org.patientplatform.kit.events.InvalidEventException");
		assertThat(text(dead, DeadLetterHeaders.NON_RETRYABLE)).isEqualTo("true");
		assertThat(text(dead, DeadLetterHeaders.ATTEMPT)).isEqualTo("1");
		assertThat(text(dead, DeadLetterHeaders.FINGERPRINT)).matches("[0-9a-f]{16}");
		assertThat(text(dead, DeadLetterHeaders.EXCEPTION_STACKTRACE)).contains("InvalidEventException")
			.hasSizeLessThanOrEqualTo(8192 + 32);
	}

	@Test
	void deadLettersARecordAsLargeAsItsTopicTookThoughTheErrorHeadersTakeItPastOneMebibyte() throws Exception {
		// 1,046,000 bytes: the broker's default limit (1 MiB) took it; with the stack trace and coordinates added
		// the dead letter is past the producer's default max.request.size, which refused it on every attempt and
		// held the partition for ever
		String key = "large-" + UUID.randomUUID();
		byte[] large = new byte[1_046_000];
		Arrays.fill(large, (byte) 'x');
		System.arraycopy("{not a cloud event ".getBytes(StandardCharsets.UTF_8), 0, large, 0, 19);
		RecordMetadata at = this.kafka.send(new ProducerRecord<>(ThingListener.TOPIC, null, key.getBytes(), large));
		RecordMetadata behind = this.kafka.send(KafkaTestClient.event(this.events, ThingListener.TOPIC, key,
				this.events.create(Thing.TYPE, key, new Thing(key + "-behind", null, null, null))));

		ConsumerRecord<byte[], byte[]> dead = findDeadLetter(at);
		assertThat(dead.value()).isEqualTo(large);
		assertThat(dead.serializedValueSize() + dead.serializedKeySize()
				+ Arrays.stream(dead.headers().toArray()).mapToInt((h) -> h.key().length() + h.value().length).sum())
			.isGreaterThan(1_048_576);
		assertThat(text(dead, DeadLetterHeaders.EXCEPTION_MESSAGE)).hasSizeLessThanOrEqualTo(8192 + 16);
		await().atMost(Duration.ofSeconds(30))
			.untilAsserted(() -> assertThat(this.listener.values()).contains(key + "-behind"));
		assertThat(behind.offset()).isGreaterThan(at.offset());
	}

	@Test
	void deadLettersAnEventWhoseDataIsJsonNullAtOnceAsNeverReadable() throws Exception {
		String key = "null-data-" + UUID.randomUUID();
		CloudEvent empty = this.events.create(UUID.randomUUID().toString(), Thing.TYPE, key,
				"null".getBytes(StandardCharsets.UTF_8));

		ConsumerRecord<byte[], byte[]> dead = findDeadLetter(
				this.kafka.send(KafkaTestClient.event(this.events, ThingListener.TOPIC, key, empty)));

		assertThat(text(dead, DeadLetterHeaders.EXCEPTION_FQCN))
			.isEqualTo("org.patientplatform.kit.events.InvalidEventException");
		assertThat(text(dead, DeadLetterHeaders.EXCEPTION_MESSAGE)).contains("data is JSON null, not a Thing");
		// before: an IllegalArgumentException, retried in-process and then again and again by the DLQ
		assertThat(text(dead, DeadLetterHeaders.NON_RETRYABLE)).isEqualTo("true");
		assertThat(text(dead, DeadLetterHeaders.ATTEMPT)).isEqualTo("1");
	}

	@Test
	void deadLettersAnEventWhoseDataHoldsANulCharacterSayingSo() throws Exception {
		String key = "nul-data-" + UUID.randomUUID();
		CloudEvent nul = this.events.create(UUID.randomUUID().toString(), Thing.TYPE, key,
				"{\"value\": \"a\\u0000b\"}".getBytes(StandardCharsets.UTF_8));

		ConsumerRecord<byte[], byte[]> dead = findDeadLetter(
				this.kafka.send(KafkaTestClient.event(this.events, ThingListener.TOPIC, key, nul)));

		assertThat(text(dead, DeadLetterHeaders.EXCEPTION_FQCN))
			.isEqualTo("org.patientplatform.kit.events.InvalidEventException");
		assertThat(text(dead, DeadLetterHeaders.EXCEPTION_MESSAGE)).contains("holds a NUL character");
		assertThat(text(dead, DeadLetterHeaders.NON_RETRYABLE)).isEqualTo("true");
	}

	@Test
	void deadLettersAFailureOnlyTimeMendsWithoutTheQuickRetriesAndLeavesItToTheDlqsRetries() throws Exception {
		String key = "not-yet-" + UUID.randomUUID();
		var notYet = this.events.create(Thing.TYPE, key, new Thing("v", "not-yet", null, null));
		var retryable = this.events.create(Thing.TYPE, key, new Thing("v", "retryable", null, null));

		ConsumerRecord<byte[], byte[]> dead = findDeadLetter(
				this.kafka.send(KafkaTestClient.event(this.events, ThingListener.TOPIC, key, notYet)));
		ConsumerRecord<byte[], byte[]> deadRetryable = findDeadLetter(
				this.kafka.send(KafkaTestClient.event(this.events, ThingListener.TOPIC, key, retryable)));
		String notYetId = notYet.getId();
		String retryableId = retryable.getId();

		assertThat(text(dead, DeadLetterHeaders.EXCEPTION_FQCN))
			.isEqualTo(ThingListener.NotYetThereException.class.getName());
		// the DLQ may retry it later on its policy
		assertThat(text(dead, DeadLetterHeaders.NON_RETRYABLE)).isEqualTo("false");
		// but it was not retried in-process, as an ordinary failure is (once plus 3 quick retries)
		assertThat(this.listener.attempts(notYetId)).isEqualTo(1);
		assertThat(text(deadRetryable, DeadLetterHeaders.NON_RETRYABLE)).isEqualTo("false");
		assertThat(this.listener.attempts(retryableId)).isEqualTo(4);
	}

	@Test
	void aRecordRedrivenAndFailingFiveTimesCarriesNoMoreHeadersThanAfterItsFirstFailure() throws Exception {
		String key = "redrive-" + UUID.randomUUID();
		RecordMetadata first = this.kafka.send(KafkaTestClient.event(this.events, ThingListener.TOPIC, key,
				this.events.create(Thing.TYPE, key, new Thing("v", "retryable", null, null))));
		ConsumerRecord<byte[], byte[]> dead = findDeadLetter(first);
		List<String> firstHeaders = headerNames(dead);
		assertThat(text(dead, DeadLetterHeaders.NON_RETRYABLE)).isEqualTo("false");
		// a record sent without a trace context is dead-lettered without one (none added by the failure path)
		assertThat(firstHeaders).doesNotContain("traceparent");

		for (int redrive = 1; redrive <= 5; redrive++) {
			// a naive redrive: the dead letter as it is, back to its original topic, plus the entry id
			ProducerRecord<byte[], byte[]> again = new ProducerRecord<>(ThingListener.TOPIC, null, dead.key(),
					dead.value(), dead.headers());
			again.headers().remove(DeadLetterHeaders.ENTRY_ID).add(DeadLetterHeaders.ENTRY_ID, "entry-1".getBytes());
			RecordMetadata at = this.kafka.send(again);
			dead = findDeadLetter(at);
			assertThat(text(dead, DeadLetterHeaders.ATTEMPT)).isEqualTo(Integer.toString(redrive + 1));
		}
		List<String> lastHeaders = headerNames(dead);
		lastHeaders.remove(DeadLetterHeaders.ENTRY_ID);
		assertThat(lastHeaders).hasSameSizeAs(firstHeaders).containsExactlyInAnyOrderElementsOf(firstHeaders);
		assertThat(new TreeSet<>(lastHeaders)).hasSameSizeAs(lastHeaders);

		List<ConsumerRecord<byte[], byte[]>> outcomes = this.kafka.read("dlq.retry-outcomes.v1", 5,
				Duration.ofSeconds(30));
		assertThat(outcomes).filteredOn((r) -> new String(r.key()).equals("entry-1")).hasSize(5);
		assertThat(new String(outcomes.getFirst().value(), StandardCharsets.UTF_8)).contains("\"outcome\":\"FAILED\"")
			.contains("IllegalStateException");
	}

	@Test
	void holdsARecordThroughADatabaseOutageInsteadOfDeadLetteringIt() throws Exception {
		String key = "outage-" + UUID.randomUUID();
		RecordMetadata at = this.kafka.send(KafkaTestClient.event(this.events, ThingListener.TOPIC, key,
				this.events.create(Thing.TYPE, key, new Thing(key, "database-down", null, null))));

		await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(this.listener.values()).contains(key));
		assertThat(this.kafka.read(DLQ, Integer.MAX_VALUE, Duration.ofSeconds(2)))
			.noneMatch((r) -> ThingListener.TOPIC.equals(text(r, DeadLetterHeaders.ORIGINAL_TOPIC))
					&& ByteBuffer.wrap(r.headers().lastHeader(DeadLetterHeaders.ORIGINAL_OFFSET).value())
						.getLong() == at.offset()
					&& ByteBuffer.wrap(r.headers().lastHeader(DeadLetterHeaders.ORIGINAL_PARTITION).value())
						.getInt() == at.partition());
	}

	@Test
	void reportsTheSuccessOfARedrivenRecord() throws Exception {
		String key = "redrive-ok-" + UUID.randomUUID();
		ProducerRecord<byte[], byte[]> record = KafkaTestClient.event(this.events, ThingListener.TOPIC, key,
				this.events.create(Thing.TYPE, key, new Thing(key, null, null, null)));
		record.headers().add(DeadLetterHeaders.ENTRY_ID, "entry-ok".getBytes());
		this.kafka.send(record);

		await().atMost(Duration.ofSeconds(30))
			.untilAsserted(() -> assertThat(this.kafka.read("dlq.retry-outcomes.v1", 100, Duration.ofSeconds(2)))
				.filteredOn((r) -> new String(r.key()).equals("entry-ok"))
				.singleElement()
				.satisfies((r) -> assertThat(new String(r.value(), StandardCharsets.UTF_8))
					.contains("\"outcome\":\"SUCCEEDED\"")));
	}

	@Test
	void logsNeitherTheNameNorThePhoneOfARecordThatFailsThroughTheWholePath(CapturedOutput output) throws Exception {
		String key = "phi-" + UUID.randomUUID();
		RecordMetadata at = this.kafka.send(KafkaTestClient.event(this.events, ThingListener.TOPIC, key,
				this.events.create(Thing.TYPE, key, new Thing("v", "retryable", "Ada Lovelace", "+1 555 123 4567"))));
		// and one that cannot even be read, with the same PHI in its bytes
		RecordMetadata unreadable = this.kafka.send(new ProducerRecord<>(ThingListener.TOPIC, null, key.getBytes(),
				"{\"value\":\"x\",\"patientName\":\"Ada Lovelace\",\"phone\":\"+1 555 123 4567\"}".getBytes()));

		findDeadLetter(at);
		findDeadLetter(unreadable);
		assertThat(output.getAll()).contains("Dead-lettered " + ThingListener.TOPIC)
			.doesNotContain("Ada Lovelace")
			.doesNotContain("Lovelace")
			.doesNotContain("555 123 4567")
			.doesNotContain("5551234567");
	}

	private ConsumerRecord<byte[], byte[]> findDeadLetter(RecordMetadata original) {
		return await().atMost(Duration.ofSeconds(60))
			.until(() -> this.kafka.read(DLQ, Integer.MAX_VALUE, Duration.ofSeconds(2))
				.stream()
				.filter((r) -> ThingListener.TOPIC.equals(text(r, DeadLetterHeaders.ORIGINAL_TOPIC))
						&& ByteBuffer.wrap(r.headers().lastHeader(DeadLetterHeaders.ORIGINAL_OFFSET).value())
							.getLong() == original.offset()
						&& ByteBuffer.wrap(r.headers().lastHeader(DeadLetterHeaders.ORIGINAL_PARTITION).value())
							.getInt() == original.partition())
				.toList(), (found) -> !found.isEmpty())
			.getFirst();
	}

	private static List<String> headerNames(ConsumerRecord<byte[], byte[]> record) {
		List<String> names = new ArrayList<>();
		for (Header header : record.headers()) {
			names.add(header.key());
		}
		return names;
	}

	private static String text(ConsumerRecord<byte[], byte[]> record, String header) {
		Header h = record.headers().lastHeader(header);
		return (h != null) ? new String(h.value(), StandardCharsets.UTF_8) : null;
	}

}
