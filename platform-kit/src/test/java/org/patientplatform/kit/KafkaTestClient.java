package org.patientplatform.kit;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import io.cloudevents.CloudEvent;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.patientplatform.kit.events.PlatformEvents;

/** A plain Kafka client for tests: the independent side of what the kit does. */
public final class KafkaTestClient implements AutoCloseable {

	private final String bootstrapServers;

	private final KafkaProducer<byte[], byte[]> producer;

	public KafkaTestClient(String bootstrapServers) {
		this.bootstrapServers = bootstrapServers;
		this.producer = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
				ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class,
				ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class, ProducerConfig.LINGER_MS_CONFIG,
				5));
	}

	public RecordMetadata send(ProducerRecord<byte[], byte[]> record) throws Exception {
		return this.producer.send(record).get();
	}

	public void sendAsync(ProducerRecord<byte[], byte[]> record) {
		this.producer.send(record);
	}

	public void flush() {
		this.producer.flush();
	}

	/** A CloudEvents binary-mode record of the given event. */
	public static ProducerRecord<byte[], byte[]> event(PlatformEvents events, String topic, String key,
			CloudEvent event) {
		RecordHeaders headers = new RecordHeaders();
		byte[] value = events.serialize(topic, event, headers);
		return new ProducerRecord<>(topic, null, key.getBytes(), value, headers);
	}

	/** Reads the topic from the start until {@code count} records arrived or the timeout passed. */
	public List<ConsumerRecord<byte[], byte[]>> read(String topic, int count, Duration timeout) {
		List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();
		try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(Map.of(
				ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, this.bootstrapServers, ConsumerConfig.GROUP_ID_CONFIG,
				"test-reader-" + UUID.randomUUID(), ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
				ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class,
				ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class))) {
			consumer.subscribe(List.of(topic));
			long deadline = System.nanoTime() + timeout.toNanos();
			while (records.size() < count && System.nanoTime() < deadline) {
				consumer.poll(Duration.ofMillis(200)).forEach(records::add);
			}
		}
		return records;
	}

	@Override
	public void close() {
		this.producer.close();
	}

}
