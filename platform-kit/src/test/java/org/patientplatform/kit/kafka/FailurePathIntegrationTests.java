package org.patientplatform.kit.kafka;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;

import io.cloudevents.CloudEvent;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.serialization.ByteArraySerializer;
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
import org.springframework.kafka.core.DefaultKafkaProducerFactory;
import org.springframework.kafka.core.KafkaTemplate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
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

	@Autowired
	PlatformKafkaProperties properties;

	@Autowired
	NonRetryableClassifier classifier;

	@Autowired
	RedriveOutcomeReporter outcomes;

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
	void deadLettersARecordTooLargeForTheDlqWithoutItsValueAndGoesOnWithItsPartition(CapturedOutput output)
			throws Exception {
		// 9 MiB: its topic takes 12 MiB, the DLQ 8 MiB; the dead letter with the value was refused on every attempt
		// and the partition held for ever
		String key = "too-large-" + UUID.randomUUID();
		byte[] large = new byte[9 * 1024 * 1024];
		Arrays.fill(large, (byte) 'x');
		System.arraycopy("{not a cloud event ".getBytes(StandardCharsets.UTF_8), 0, large, 0, 19);
		ProducerRecord<byte[], byte[]> bad = new ProducerRecord<>(ThingListener.LARGE_TOPIC, null, key.getBytes(),
				large);
		bad.headers().add("x-origin", "lab-7".getBytes());
		RecordMetadata at;
		RecordMetadata behind;
		try (KafkaProducer<byte[], byte[]> producer = producer(Map.of(ProducerConfig.MAX_REQUEST_SIZE_CONFIG,
				12 * 1024 * 1024))) {
			at = producer.send(bad).get();
			behind = producer.send(KafkaTestClient.event(this.events, ThingListener.LARGE_TOPIC, key,
					this.events.create(Thing.TYPE, key, new Thing(key + "-behind", null, null, null))))
				.get();
		}

		ConsumerRecord<byte[], byte[]> dead = findDeadLetter(ThingListener.LARGE_TOPIC, at);
		assertThat(dead.value()).isNull();
		assertThat(dead.key()).isEqualTo(key.getBytes());
		assertThat(text(dead, DeadLetterHeaders.VALUE_OMITTED)).isEqualTo(Integer.toString(large.length));
		// no retry can send it as it is: an operator reads the value at its coordinates
		assertThat(text(dead, DeadLetterHeaders.NON_RETRYABLE)).isEqualTo("true");
		assertThat(text(dead, DeadLetterHeaders.EXCEPTION_FQCN))
			.isEqualTo("org.patientplatform.kit.events.InvalidEventException");
		assertThat(text(dead, DeadLetterHeaders.ORIGINAL_CONSUMER_GROUP)).isEqualTo(ThingListener.GROUP);
		assertThat(text(dead, DeadLetterHeaders.ATTEMPT)).isEqualTo("1");
		assertThat(text(dead, "x-origin")).isEqualTo("lab-7");
		await().atMost(Duration.ofSeconds(60))
			.untilAsserted(() -> assertThat(this.listener.values()).contains(key + "-behind"));
		assertThat(behind.partition()).isEqualTo(at.partition());
		assertThat(behind.offset()).isGreaterThan(at.offset());
		assertThat(output.getAll()).contains("Dead-lettered " + ThingListener.LARGE_TOPIC + "-" + at.partition() + "@"
				+ at.offset() + " without its value: " + large.length + " bytes of value");
	}

	@Test
	void deadLettersWithoutTheValueWhatTheBrokerRefusesAsLargerThanTheDlqTopicTakes() throws Exception {
		// a producer that would send 16 MiB: the DLQ topic's own limit (8 MiB) refuses the dead letter
		try (var publishing = new Publisher(16 * 1024 * 1024)) {
			byte[] value = new byte[9 * 1024 * 1024];
			ConsumerRecord<byte[], byte[]> record = new ConsumerRecord<>("kit.broker-refused.v1", 0,
					Math.abs(UUID.randomUUID().getMostSignificantBits() % 1_000_000), "k".getBytes(), value);

			publishing.publisher().accept(record, new IllegalStateException("downstream unavailable"));

			ConsumerRecord<byte[], byte[]> dead = findDeadLetter(record.topic(), record.partition(), record.offset());
			assertThat(dead.value()).isNull();
			assertThat(text(dead, DeadLetterHeaders.VALUE_OMITTED)).isEqualTo(Integer.toString(value.length));
			assertThat(text(dead, DeadLetterHeaders.NON_RETRYABLE)).isEqualTo("true");
		}
	}

	@Test
	void keepsTheRecordForAnotherAttemptWhenItsHeadersAloneAreTooLargeForTheDlq() throws Exception {
		// the failure path's producer here takes 64 KiB, and the record's own headers are 100 KiB: without its
		// value the dead letter is refused too, and the record is tried again as for any refused dead letter
		try (var publishing = new Publisher(64 * 1024)) {
			ConsumerRecord<byte[], byte[]> record = new ConsumerRecord<>("kit.headers-too-large.v1", 0,
					Math.abs(UUID.randomUUID().getMostSignificantBits() % 1_000_000), "k".getBytes(),
					"{}".getBytes());
			record.headers().add("x-large", new byte[100 * 1024]);

			assertThatThrownBy(() -> publishing.publisher().accept(record, new IllegalStateException("downstream")))
				.isInstanceOf(IllegalStateException.class)
				.hasMessageContaining("Could not dead-letter kit.headers-too-large.v1-0@" + record.offset())
				.hasRootCauseInstanceOf(RecordTooLargeException.class);
			assertThat(this.kafka.read(DLQ, Integer.MAX_VALUE, Duration.ofSeconds(2)))
				.noneMatch((r) -> record.topic().equals(text(r, DeadLetterHeaders.ORIGINAL_TOPIC)));
		}
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
	void deadLettersAnEventWhoseWholeNumberIsPastItsTypesRangeNamingTheFieldAndItsOwnRange() throws Exception {
		// as a body's (BodyFieldErrors): told the field's own @Min and @Max, not an Integer's range, never the value
		String key = "huge-quantity-" + UUID.randomUUID();
		CloudEvent huge = this.events.create(UUID.randomUUID().toString(), Thing.TYPE, key,
				"{\"value\": \"v\", \"quantity\": 12345678901234567890}".getBytes(StandardCharsets.UTF_8));

		ConsumerRecord<byte[], byte[]> dead = findDeadLetter(
				this.kafka.send(KafkaTestClient.event(this.events, ThingListener.TOPIC, key, huge)));

		assertThat(text(dead, DeadLetterHeaders.EXCEPTION_FQCN))
			.isEqualTo("org.patientplatform.kit.events.InvalidEventException");
		assertThat(text(dead, DeadLetterHeaders.EXCEPTION_MESSAGE))
			.endsWith("data is not a valid Thing: [quantity must be a whole number from 1 to 1000]")
			.doesNotContain("12345678901234567890");
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
		return findDeadLetter(ThingListener.TOPIC, original);
	}

	private ConsumerRecord<byte[], byte[]> findDeadLetter(String topic, RecordMetadata original) {
		return findDeadLetter(topic, original.partition(), original.offset());
	}

	private ConsumerRecord<byte[], byte[]> findDeadLetter(String topic, int partition, long offset) {
		return await().atMost(Duration.ofSeconds(60))
			.until(() -> this.kafka.read(DLQ, Integer.MAX_VALUE, Duration.ofSeconds(2))
				.stream()
				.filter((r) -> topic.equals(text(r, DeadLetterHeaders.ORIGINAL_TOPIC))
						&& ByteBuffer.wrap(r.headers().lastHeader(DeadLetterHeaders.ORIGINAL_OFFSET).value())
							.getLong() == offset
						&& ByteBuffer.wrap(r.headers().lastHeader(DeadLetterHeaders.ORIGINAL_PARTITION).value())
							.getInt() == partition)
				.toList(), (found) -> !found.isEmpty())
			.getFirst();
	}

	private KafkaProducer<byte[], byte[]> producer(Map<String, Object> overrides) {
		Map<String, Object> config = new HashMap<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
				this.bootstrapServers, ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class,
				ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class));
		config.putAll(overrides);
		return new KafkaProducer<>(config);
	}

	/** The kit's publisher over a producer of its own, with the given {@code max.request.size}. */
	private final class Publisher implements AutoCloseable {

		private final DefaultKafkaProducerFactory<byte[], byte[]> producers;

		private final DeadLetterPublisher publisher;

		Publisher(int maxRequestSize) {
			this.producers = new DefaultKafkaProducerFactory<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
					FailurePathIntegrationTests.this.bootstrapServers, ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG,
					ByteArraySerializer.class, ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class,
					ProducerConfig.MAX_REQUEST_SIZE_CONFIG, maxRequestSize));
			this.publisher = new DeadLetterPublisher(new KafkaTemplate<>(this.producers),
					FailurePathIntegrationTests.this.properties, "kit-test",
					FailurePathIntegrationTests.this.classifier, FailurePathIntegrationTests.this.outcomes);
		}

		DeadLetterPublisher publisher() {
			return this.publisher;
		}

		@Override
		public void close() {
			this.producers.destroy();
		}

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
