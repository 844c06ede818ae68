package org.patientplatform.patient;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Predicate;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.jspecify.annotations.Nullable;

import static org.awaitility.Awaitility.await;

/**
 * Reads topics from their beginning with a plain {@code KafkaConsumer<byte[], byte[]>} in a group of its
 * own, as another service would, and keeps every record it saw.
 */
public final class TopicReader implements AutoCloseable {

	private final KafkaConsumer<byte[], byte[]> consumer;

	private final List<ConsumerRecord<byte[], byte[]>> seen = new ArrayList<>();

	public TopicReader(String bootstrapServers, String... topics) {
		this.consumer = new KafkaConsumer<>(Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
				ConsumerConfig.GROUP_ID_CONFIG, "test-" + UUID.randomUUID(), ConsumerConfig.AUTO_OFFSET_RESET_CONFIG,
				"earliest", ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
				ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class,
				ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class));
		this.consumer.subscribe(List.of(topics));
	}

	/**
	 * Polls until the records seen that match {@code filter} satisfy {@code done}.
	 * @return the matching records, in the order seen
	 */
	public List<ConsumerRecord<byte[], byte[]>> awaitRecords(Predicate<ConsumerRecord<byte[], byte[]>> filter,
			Predicate<List<ConsumerRecord<byte[], byte[]>>> done) {
		return await().atMost(Duration.ofSeconds(30)).until(() -> {
			this.consumer.poll(Duration.ofMillis(200)).forEach(this.seen::add);
			return this.seen.stream().filter(filter).toList();
		}, done);
	}

	/** The records seen so far that match. */
	public List<ConsumerRecord<byte[], byte[]>> seen(Predicate<ConsumerRecord<byte[], byte[]>> filter) {
		return this.seen.stream().filter(filter).toList();
	}

	public static Predicate<ConsumerRecord<byte[], byte[]>> keyed(String topic, String key) {
		return (record) -> topic.equals(record.topic()) && key.equals(key(record));
	}

	public static Predicate<ConsumerRecord<byte[], byte[]>> ofType(String ceType) {
		return (record) -> ceType.equals(header(record, "ce_type"));
	}

	public static @Nullable String key(ConsumerRecord<byte[], byte[]> record) {
		return (record.key() != null) ? new String(record.key(), StandardCharsets.UTF_8) : null;
	}

	public static String value(ConsumerRecord<byte[], byte[]> record) {
		return new String(record.value(), StandardCharsets.UTF_8);
	}

	public static @Nullable String header(ConsumerRecord<byte[], byte[]> record, String name) {
		Header header = record.headers().lastHeader(name);
		return (header != null && header.value() != null) ? new String(header.value(), StandardCharsets.UTF_8) : null;
	}

	@Override
	public void close() {
		this.consumer.close();
	}

}
