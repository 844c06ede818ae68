package org.patientplatform.notification;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;

import io.cloudevents.CloudEvent;
import io.cloudevents.core.builder.CloudEventBuilder;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.jspecify.annotations.Nullable;
import org.patientplatform.kit.events.PlatformEvents;
import org.patientplatform.kit.kafka.DeadLetterHeaders;

import static org.awaitility.Awaitility.await;

/**
 * What the integration tests do with the broker: produce events as the patient service
 * does (CloudEvents binary mode, keyed by patient id), produce raw records, and find a
 * record on dlq.messages.v1.
 */
public final class TestKafka implements AutoCloseable {

	public static final String DEAD_LETTERS = "dlq.messages.v1";

	private final String bootstrapServers;

	private final PlatformEvents events;

	private final KafkaProducer<byte[], byte[]> producer;

	public TestKafka(String bootstrapServers, PlatformEvents events) {
		this.bootstrapServers = bootstrapServers;
		this.events = events;
		this.producer = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
				ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class,
				ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class,
				ProducerConfig.LINGER_MS_CONFIG, 0));
	}

	/** A new event with a fresh id, at the current time. */
	public CloudEvent event(String type, String patientId, Object data) {
		return this.events.create(type, patientId, data);
	}

	/** A new event with a fresh id at the given time. */
	public CloudEvent event(String type, String patientId, Object data, Instant time) {
		return CloudEventBuilder.v1(this.events.create(type, patientId, data))
			.withTime(time.atOffset(ZoneOffset.UTC))
			.build();
	}

	/**
	 * Sends an event keyed by its subject (the patient id) and waits for the broker's
	 * acknowledgement.
	 */
	public RecordMetadata send(String topic, CloudEvent event) {
		RecordHeaders headers = new RecordHeaders();
		byte[] value = this.events.serialize(topic, event, headers);
		return send(new ProducerRecord<>(topic, null, key(event.getSubject()), value, headers));
	}

	public RecordMetadata send(String topic, String type, String patientId, Object data) {
		return send(topic, event(type, patientId, data));
	}

	/**
	 * Sends the events as one producer batch: they land in the log as one record batch,
	 * so a consumer fetch returns all of them in the same poll. They must share a key
	 * (the same partition).
	 */
	public List<RecordMetadata> sendAsOneBatch(String topic, List<CloudEvent> batch) {
		try (KafkaProducer<byte[], byte[]> batching = new KafkaProducer<>(
				Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, this.bootstrapServers,
						ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class,
						ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class,
						ProducerConfig.LINGER_MS_CONFIG, 60_000))) {
			List<Future<RecordMetadata>> sent = new ArrayList<>();
			for (CloudEvent event : batch) {
				RecordHeaders headers = new RecordHeaders();
				byte[] value = this.events.serialize(topic, event, headers);
				sent.add(batching.send(new ProducerRecord<>(topic, null, key(event.getSubject()), value, headers)));
			}
			batching.flush();
			List<RecordMetadata> metadata = new ArrayList<>();
			for (Future<RecordMetadata> future : sent) {
				metadata.add(future.get());
			}
			return metadata;
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException(ex);
		}
		catch (ExecutionException ex) {
			throw new IllegalStateException(ex.getCause());
		}
	}

	public RecordMetadata sendRaw(String topic, String key, byte[] value, Header... headers) {
		return send(new ProducerRecord<>(topic, null, key(key), value, new RecordHeaders(headers)));
	}

	private RecordMetadata send(ProducerRecord<byte[], byte[]> record) {
		try {
			return this.producer.send(record).get();
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException(ex);
		}
		catch (ExecutionException ex) {
			throw new IllegalStateException(ex.getCause());
		}
	}

	/**
	 * Waits for the failed-record message of the record at
	 * {@code topic-partition@offset}.
	 */
	public ConsumerRecord<byte[], byte[]> awaitDeadLetter(String topic, int partition, long offset) {
		try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(
				Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, this.bootstrapServers, ConsumerConfig.GROUP_ID_CONFIG,
						"test-dlq-reader-" + UUID.randomUUID(), ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
						ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class,
						ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class))) {
			List<ConsumerRecord<byte[], byte[]>> seen = new ArrayList<>();
			return await().atMost(Duration.ofSeconds(60)).until(() -> {
				if (consumer.assignment().isEmpty()) {
					List<PartitionInfo> partitions = consumer.partitionsFor(DEAD_LETTERS);
					if (partitions == null || partitions.isEmpty()) {
						return null;
					}
					List<TopicPartition> assigned = partitions.stream()
						.map((info) -> new TopicPartition(info.topic(), info.partition()))
						.toList();
					consumer.assign(assigned);
					consumer.seekToBeginning(assigned);
				}
				consumer.poll(Duration.ofMillis(500)).forEach(seen::add);
				return seen.stream()
					.filter((record) -> topic.equals(text(record, DeadLetterHeaders.ORIGINAL_TOPIC))
							&& Integer.valueOf(partition).equals(number(record, DeadLetterHeaders.ORIGINAL_PARTITION))
							&& Long.valueOf(offset).equals(number(record, DeadLetterHeaders.ORIGINAL_OFFSET)))
					.findFirst()
					.orElse(null);
			}, (found) -> found != null);
		}
	}

	public static @Nullable String text(ConsumerRecord<?, ?> record, String header) {
		Header last = record.headers().lastHeader(header);
		return (last != null) ? new String(last.value(), StandardCharsets.UTF_8) : null;
	}

	private static @Nullable Number number(ConsumerRecord<?, ?> record, String header) {
		Header last = record.headers().lastHeader(header);
		if (last == null) {
			return null;
		}
		return switch (last.value().length) {
			case 4 -> ByteBuffer.wrap(last.value()).getInt();
			case 8 -> ByteBuffer.wrap(last.value()).getLong();
			default -> null;
		};
	}

	private static byte @Nullable [] key(@Nullable String key) {
		return (key != null) ? key.getBytes(StandardCharsets.UTF_8) : null;
	}

	@Override
	public void close() {
		this.producer.close(Duration.ofSeconds(5));
	}

}
