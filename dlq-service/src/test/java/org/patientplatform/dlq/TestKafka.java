package org.patientplatform.dlq;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.jspecify.annotations.Nullable;
import org.patientplatform.kit.kafka.DeadLetterHeaders;

/** A plain producer and a read-everything consumer against the test's own broker. */
public final class TestKafka implements AutoCloseable {

	private final String bootstrapServers;

	private final KafkaProducer<byte[], byte[]> producer;

	private final Set<String> ensured = ConcurrentHashMap.newKeySet();

	public TestKafka(String bootstrapServers) {
		this.bootstrapServers = bootstrapServers;
		this.producer = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
				ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class,
				ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class, ProducerConfig.LINGER_MS_CONFIG,
				5));
	}

	public RecordMetadata send(ProducerRecord<byte[], byte[]> record) {
		try {
			return sendAsync(record).get();
		}
		catch (InterruptedException | ExecutionException ex) {
			throw new IllegalStateException(ex);
		}
	}

	/**
	 * Sends the record; a failed record's original topic is made first, with the broker's default three partitions,
	 * when it does not exist: a real one was read from its topic, and a redrive does not create the topic it sends to.
	 */
	public Future<RecordMetadata> sendAsync(ProducerRecord<byte[], byte[]> record) {
		Header original = record.headers().lastHeader(DeadLetterHeaders.ORIGINAL_TOPIC);
		if (record.topic().equals("dlq.messages.v1") && original != null && original.value() != null) {
			ensureTopic(new String(original.value(), StandardCharsets.UTF_8), 3);
		}
		return this.producer.send(record);
	}

	/** Creates the topic unless it exists (or its name is one Kafka does not allow, as some tests' are). */
	public void ensureTopic(String topic, int partitions) {
		if (this.ensured.contains(topic) || !topic.matches("[a-zA-Z0-9._-]{1,249}") || topic.equals(".")
				|| topic.equals("..")) {
			return;
		}
		try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, this.bootstrapServers))) {
			admin.createTopics(List.of(new NewTopic(topic, partitions, (short) 1))).all().get(30, TimeUnit.SECONDS);
		}
		catch (ExecutionException ex) {
			if (!(ex.getCause() instanceof TopicExistsException)) {
				throw new IllegalStateException("Could not create topic " + topic, ex);
			}
		}
		catch (Exception ex) {
			throw new IllegalStateException("Could not create topic " + topic, ex);
		}
		this.ensured.add(topic);
	}

	/** Creates the topic (one partition) as an operator would before redriving to it. */
	public void createTopic(String topic) {
		try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, this.bootstrapServers))) {
			admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1))).all().get(30, TimeUnit.SECONDS);
		}
		catch (Exception ex) {
			throw new IllegalStateException("Could not create topic " + topic, ex);
		}
	}

	public void flush() {
		this.producer.flush();
	}

	/**
	 * A failed record on dlq.messages.v1 as the platform's failure path writes it.
	 * @param offset the original offset (unique per test record)
	 */
	public static ProducerRecord<byte[], byte[]> failedRecord(String topic, int partition, long offset,
			@Nullable String key, String value, boolean nonRetryable) {
		ProducerRecord<byte[], byte[]> record = new ProducerRecord<>("dlq.messages.v1", null,
				(key != null) ? key.getBytes(StandardCharsets.UTF_8) : null, value.getBytes(StandardCharsets.UTF_8));
		record.headers()
			.add(DeadLetterHeaders.ORIGINAL_TOPIC, topic.getBytes(StandardCharsets.UTF_8))
			.add(DeadLetterHeaders.ORIGINAL_PARTITION, ByteBuffer.allocate(4).putInt(partition).array())
			.add(DeadLetterHeaders.ORIGINAL_OFFSET, ByteBuffer.allocate(8).putLong(offset).array())
			.add(DeadLetterHeaders.ORIGINAL_CONSUMER_GROUP, "orders-service.consumer-orders".getBytes())
			.add(DeadLetterHeaders.EXCEPTION_FQCN, "java.lang.IllegalStateException".getBytes())
			.add(DeadLetterHeaders.EXCEPTION_MESSAGE, "downstream unavailable".getBytes())
			.add(DeadLetterHeaders.SOURCE_SERVICE, "orders-service".getBytes())
			.add(DeadLetterHeaders.FINGERPRINT, "0123456789abcdef".getBytes())
			.add(DeadLetterHeaders.NON_RETRYABLE, Boolean.toString(nonRetryable).getBytes())
			.add("x-origin", "lab-7".getBytes());
		return record;
	}

	/**
	 * A failed record from a given service with a given error, on dlq.messages.v1.
	 * @param offset the original offset (unique per test record)
	 */
	public static ProducerRecord<byte[], byte[]> failedRecord(String service, String topic, long offset, String key,
			String value, String errorClass, String message, String fingerprint, boolean nonRetryable) {
		ProducerRecord<byte[], byte[]> record = failedRecord(topic, 0, offset, key, value, nonRetryable);
		record.headers()
			.remove(DeadLetterHeaders.SOURCE_SERVICE)
			.remove(DeadLetterHeaders.EXCEPTION_FQCN)
			.remove(DeadLetterHeaders.EXCEPTION_MESSAGE)
			.remove(DeadLetterHeaders.FINGERPRINT)
			.add(DeadLetterHeaders.SOURCE_SERVICE, service.getBytes(StandardCharsets.UTF_8))
			.add(DeadLetterHeaders.EXCEPTION_FQCN, errorClass.getBytes(StandardCharsets.UTF_8))
			.add(DeadLetterHeaders.EXCEPTION_MESSAGE, message.getBytes(StandardCharsets.UTF_8))
			.add(DeadLetterHeaders.FINGERPRINT, fingerprint.getBytes(StandardCharsets.UTF_8));
		return record;
	}

	/** Every record on the topic now (from the start to the end offsets). */
	public List<ConsumerRecord<byte[], byte[]>> readAll(String topic) {
		Map<String, Object> config = Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, this.bootstrapServers,
				ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class,
				ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class,
				ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
		try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(config)) {
			List<TopicPartition> partitions = consumer.partitionsFor(topic, Duration.ofSeconds(10))
				.stream()
				.map((info) -> new TopicPartition(topic, info.partition()))
				.toList();
			consumer.assign(partitions);
			consumer.seekToBeginning(partitions);
			Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
			List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();
			long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
			while (partitions.stream().anyMatch((tp) -> consumer.position(tp) < end.get(tp))) {
				if (System.nanoTime() > deadline) {
					throw new IllegalStateException("Could not read " + topic + " to its end");
				}
				consumer.poll(Duration.ofMillis(200)).forEach(records::add);
			}
			return records;
		}
	}

	public static @Nullable String header(ConsumerRecord<byte[], byte[]> record, String name) {
		Header header = record.headers().lastHeader(name);
		return (header != null) ? new String(header.value(), StandardCharsets.UTF_8) : null;
	}

	public static @Nullable UUID entryId(ConsumerRecord<byte[], byte[]> record) {
		String id = header(record, DeadLetterHeaders.ENTRY_ID);
		return (id != null) ? UUID.fromString(id) : null;
	}

	@Override
	public void close() {
		this.producer.close();
	}

}
