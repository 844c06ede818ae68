package org.patientplatform.bench;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Pattern;

import io.cloudevents.CloudEvent;
import jakarta.validation.constraints.NotBlank;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.patientplatform.bench.Infrastructure.Database;
import org.patientplatform.bench.KafkaPerfTools.ConsumerFigures;
import org.patientplatform.bench.failurepath.FailurePathApplication;
import org.patientplatform.kit.events.InvalidEventException;
import org.patientplatform.kit.events.PlatformEvents;
import org.patientplatform.kit.kafka.DeadLetterHeaders;
import org.patientplatform.kit.kafka.PlatformKafkaProperties;
import org.patientplatform.local.infra.LocalSigningKey;

import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.kafka.config.ConcurrentKafkaListenerContainerFactory;
import org.springframework.kafka.listener.BatchListenerFailedException;
import org.springframework.kafka.listener.BatchMessageListener;
import org.springframework.kafka.listener.ConcurrentMessageListenerContainer;
import org.springframework.kafka.listener.MessageListener;

/**
 * The consumer failure path: a stream of 1 KB CloudEvents through a platform-kit listener, where 1% are
 * poison (their data fails validation, so {@link PlatformEvents#read} throws the non-retryable
 * {@link InvalidEventException}), against the same stream with no poison. The listener containers come
 * from the kit-configured factories of a service in this JVM ({@link FailurePathApplication}), so every
 * record goes through the kit's error handler, record interceptor and {@code DeadLetterPublisher} to
 * {@code dlq.messages.v1} exactly as a service's listener does, in both listener kinds the services use:
 * one record at a time (the default factory, offsets committed per record) and a whole poll at a time
 * ({@code batchListenerContainerFactory}, a bad record named by {@link BatchListenerFailedException}).
 * <p>
 * Each stream is produced first, then its listener starts; the time runs from its first record to the
 * group's commit of the last one, in two rounds that alternate which stream goes first. Figures: good
 * records per second with and without poison (their ratio is the cost of the failure path), the count of
 * records that landed on {@code dlq.messages.v1} (must equal the poison count), and Kafka's raw consume
 * ({@code ConsumerPerformance}) of all the batch kind's streams, clean and poisoned.
 */
final class FailurePathBenchmark implements Benchmark {

	static final String NAME = "failure-path";

	static final String EVENT_TYPE = FailurePathApplication.SERVICE + ".BenchRecorded.v1";

	/** One record in this many is poison: 1%. */
	static final int POISON_EVERY = 100;

	static final int RECORD_BYTES = 1024;

	static final int PARTITIONS = RawKafkaBenchmark.PARTITIONS;

	static final int ROUNDS = 2;

	private static final Duration TIMEOUT = Duration.ofMinutes(10);

	@Override
	public String name() {
		return NAME;
	}

	@Override
	public Result run(Infrastructure infrastructure, Options options) throws Exception {
		long records = options.size(20_000, 200);
		int rounds = options.rounds(ROUNDS);
		Map<Kind, Long> perStream = new LinkedHashMap<>();
		for (Kind kind : Kind.values()) {
			perStream.put(kind, Math.max(records * kind.scale / rounds, POISON_EVERY));
		}
		String bootstrap = infrastructure.broker().bootstrapServers();
		LocalSigningKey key = Services.signingKey();
		Map<Kind, Throughput> clean = new LinkedHashMap<>();
		Map<Kind, Throughput> poisoned = new LinkedHashMap<>();
		Map<String, Object> checks = new LinkedHashMap<>();
		long poison = 0;
		long deadLettered = 0;
		ConsumerFigures raw;
		try (Database db = infrastructure.freshDatabase("failure");
				ConfigurableApplicationContext service = Services.start(FailurePathApplication.class,
						FailurePathApplication.properties(Services.common(FailurePathApplication.ROLE, bootstrap, db, key)));
				Admin admin = infrastructure.admin();
				KafkaProducer<byte[], byte[]> producer = DlqCaptureBenchmark.producer(bootstrap)) {
			Streams streams = new Streams(infrastructure, db, service, admin, producer);
			Topics.ensure(admin, streams.deadLetterTopic, PARTITIONS);
			long batchRecords = 0;
			for (Kind kind : Kind.values()) {
				clean.put(kind, new Throughput());
				poisoned.put(kind, new Throughput());
				long warmup = Math.max(perStream.get(kind) / 5, POISON_EVERY);
				streams.run(kind, warmup, true);
				batchRecords += (kind == Kind.BATCH) ? warmup : 0;
				for (int round = 0; round < rounds; round++) {
					// alternate which goes first, so both see the same machine
					for (boolean withPoison : (round % 2 == 0) ? new boolean[] { false, true }
							: new boolean[] { true, false }) {
						Stream stream = streams.run(kind, perStream.get(kind), withPoison);
						batchRecords += (kind == Kind.BATCH) ? perStream.get(kind) : 0;
						(withPoison ? poisoned : clean).get(kind).add(stream.good(), stream.nanos(), stream.cpu());
						if (withPoison) {
							poison += stream.poison();
							deadLettered += stream.deadLettered();
						}
						else {
							checks.merge("deadLetteredFromCleanStreams", stream.deadLettered(), (a, b) -> (long) a + (long) b);
						}
						checks.merge("duplicateDeliveries", stream.duplicates(), (a, b) -> (long) a + (long) b);
					}
				}
			}
			// every record of the batch kind's streams, so the tool's own JVM is past its warm-up
			raw = KafkaPerfTools.consumeMatching(bootstrap, Pattern.quote(Streams.topicPrefix(Kind.BATCH)) + "\\..*",
					batchRecords);
		}
		if (deadLettered != poison) {
			throw new IllegalStateException(deadLettered + " records landed on the DLQ topic, expected the " + poison
					+ " poison records");
		}
		double recordClean = clean.get(Kind.RECORD).perSecond();
		double recordPoisoned = poisoned.get(Kind.RECORD).perSecond();
		double batchClean = clean.get(Kind.BATCH).perSecond();
		double batchPoisoned = poisoned.get(Kind.BATCH).perSecond();
		return Result.of(NAME)
			.parameter("recordListenerRecordsPerStream", perStream.get(Kind.RECORD))
			.parameter("batchListenerRecordsPerStream", perStream.get(Kind.BATCH))
			.parameter("rounds", rounds)
			.parameter("warmupRecords", "a fifth of a stream, with poison, per kind")
			.parameter("recordBytes", RECORD_BYTES)
			.parameter("poisonShare", 1.0 / POISON_EVERY)
			.parameter("poison", "data fails validation: InvalidEventException (non-retryable)")
			.parameter("partitions", PARTITIONS)
			.parameter("listenerWork", "PlatformEvents.read (CloudEvent binary mode, JSON, bean validation); no database")
			.parameter("kinds", "record: default factory, ack per record; batch: batchListenerContainerFactory")
			.figure("recordPoisonedGoodPerSecond", recordPoisoned)
			.figure("batchPoisonedGoodPerSecond", batchPoisoned)
			.figure("poisonRecords", poison)
			.figure("deadLetteredRecords", deadLettered)
			.raw("recordCleanPerSecond", recordClean)
			.raw("batchCleanPerSecond", batchClean)
			.raw("consumeRecordsPerSecond", raw.recordsPerSecond())
			.ratio("recordPoisonedToClean", recordPoisoned, recordClean)
			.ratio("batchPoisonedToClean", batchPoisoned, batchClean)
			.ratio("recordCleanToRawConsume", recordClean, raw.recordsPerSecond())
			.ratio("batchCleanToRawConsume", batchClean, raw.recordsPerSecond())
			.diagnostic("recordClean", clean.get(Kind.RECORD).cpuPer("Record"))
			.diagnostic("recordPoisoned", poisoned.get(Kind.RECORD).cpuPer("GoodRecord"))
			.diagnostic("batchClean", clean.get(Kind.BATCH).cpuPer("Record"))
			.diagnostic("batchPoisoned", poisoned.get(Kind.BATCH).cpuPer("GoodRecord"))
			.diagnostic("checks", checks)
			.build(("%s: good records with 1%% poison: record listener %s (ratio %.3f to no poison %s), batch listener "
					+ "%s (ratio %.3f to %s); %d poison, %d landed on the DLQ topic | raw consume %s")
				.formatted(NAME, Result.rate(recordPoisoned), Result.ratio(recordPoisoned, recordClean),
						Result.rate(recordClean), Result.rate(batchPoisoned), Result.ratio(batchPoisoned, batchClean),
						Result.rate(batchClean), poison, deadLettered, Result.rate(raw.recordsPerSecond())));
	}

	/** The two kinds of listener the services use. */
	enum Kind {

		/** One record per call, the default container factory: offsets committed per record. */
		RECORD("kafkaListenerContainerFactory", 1),

		/**
		 * A whole poll per call, {@code batchListenerContainerFactory}: offsets committed per batch. Its
		 * streams are five times longer: it is that much faster, and a clean stream must last long enough
		 * to be timed.
		 */
		BATCH("batchListenerContainerFactory", 5);

		private final String factory;

		private final int scale;

		Kind(String factory, int scale) {
			this.factory = factory;
			this.scale = scale;
		}

	}

	/**
	 * The data of the stream's events: a record as a service would map it, validated.
	 *
	 * @param patientId the subject; blank in a poison record
	 * @param note filler to make the record 1 KB
	 */
	record BenchRecorded(@NotBlank String patientId, @NotBlank String note) {
	}

	/**
	 * One measured stream.
	 *
	 * @param topic its topic
	 * @param good good records processed
	 * @param poison poison records in it
	 * @param deadLettered records of it that landed on the DLQ topic
	 * @param duplicates good records processed more than once
	 * @param nanos from the first record to the commit of the last
	 * @param cpu the CPU it used
	 */
	record Stream(String topic, long good, long poison, long deadLettered, long duplicates, long nanos,
			CpuMeter.Usage cpu) {
	}

	/** Produces streams and runs them through the kit's listener containers. */
	private static final class Streams {

		private final Infrastructure infrastructure;

		private final Database db;

		private final ConfigurableApplicationContext service;

		private final Admin admin;

		private final KafkaProducer<byte[], byte[]> producer;

		private final PlatformEvents events;

		private final String deadLetterTopic;

		private final String note;

		Streams(Infrastructure infrastructure, Database db, ConfigurableApplicationContext service, Admin admin,
				KafkaProducer<byte[], byte[]> producer) {
			this.infrastructure = infrastructure;
			this.db = db;
			this.service = service;
			this.admin = admin;
			this.producer = producer;
			this.events = service.getBean(PlatformEvents.class);
			this.deadLetterTopic = service.getBean(PlatformKafkaProperties.class).deadLetterTopic();
			// the JSON data ({"patientId":"patient-123456","note":"..."}) comes to about RECORD_BYTES
			this.note = "x".repeat(RECORD_BYTES - 46);
		}

		/** The streams of a kind are topics {@code <prefix>.<random>}. */
		static String topicPrefix(Kind kind) {
			return "bench.failure-" + kind.name().toLowerCase();
		}

		Stream run(Kind kind, long records, boolean withPoison) throws Exception {
			String topic = this.infrastructure.newTopic(topicPrefix(kind), PARTITIONS);
			long poison = produce(topic, records, withPoison);
			Map<TopicPartition, Long> deadLettersBefore = Topics.endOffsets(this.admin, this.deadLetterTopic);
			String group = FailurePathApplication.SERVICE + "." + FailurePathApplication.ROLE + "."
					+ kind.name().toLowerCase() + "-" + Infrastructure.randomHex();
			AtomicLong good = new AtomicLong();
			AtomicLong first = new AtomicLong();
			ConcurrentMessageListenerContainer<byte[], byte[]> container = container(kind, topic, group, good, first);
			CpuMeter cpu = CpuMeter.start(this.db);
			container.start();
			long end;
			CpuMeter.Usage used;
			try {
				DlqCaptureBenchmark.awaitCommitted(this.admin, topic, group);
				end = System.nanoTime();
				used = cpu.stop();
			}
			finally {
				container.stop();
			}
			long expected = records - poison;
			long deadLettered = countDeadLetters(topic, deadLettersBefore);
			return new Stream(topic, expected, poison, deadLettered, Math.max(0, good.get() - expected),
					end - first.get(), used);
		}

		@SuppressWarnings("unchecked")
		private ConcurrentMessageListenerContainer<byte[], byte[]> container(Kind kind, String topic, String group,
				AtomicLong good, AtomicLong first) {
			ConcurrentKafkaListenerContainerFactory<byte[], byte[]> factory = this.service.getBean(kind.factory,
					ConcurrentKafkaListenerContainerFactory.class);
			ConcurrentMessageListenerContainer<byte[], byte[]> container = factory.createContainer(topic);
			container.getContainerProperties().setGroupId(group);
			container.setBeanName("bench-" + kind.name().toLowerCase());
			if (kind == Kind.RECORD) {
				container.setupMessageListener((MessageListener<byte[], byte[]>) (record) -> {
					first.compareAndSet(0, System.nanoTime());
					this.events.read(record, EVENT_TYPE, BenchRecorded.class);
					good.incrementAndGet();
				});
			}
			else {
				container.setupMessageListener((BatchMessageListener<byte[], byte[]>) (records) -> {
					first.compareAndSet(0, System.nanoTime());
					for (int index = 0; index < records.size(); index++) {
						try {
							this.events.read(records.get(index), EVENT_TYPE, BenchRecorded.class);
						}
						catch (InvalidEventException ex) {
							// as the services do: the records before it are done, the kit dead-letters this one
							throw new BatchListenerFailedException(ex.getMessage(), ex, index);
						}
						good.incrementAndGet();
					}
				});
			}
			return container;
		}

		/** Produces the stream (one record in {@link #POISON_EVERY} poison if asked); returns the poison count. */
		private long produce(String topic, long records, boolean withPoison) {
			long poison = 0;
			for (long i = 0; i < records; i++) {
				boolean bad = withPoison && i % POISON_EVERY == POISON_EVERY / 2;
				String patient = "patient-" + (100_000 + i % 900_000);
				CloudEvent event = this.events.create(EVENT_TYPE, patient,
						new BenchRecorded(bad ? "" : patient, this.note));
				RecordHeaders headers = new RecordHeaders();
				byte[] value = this.events.serialize(topic, event, headers);
				this.producer.send(new ProducerRecord<>(topic, null, patient.getBytes(StandardCharsets.UTF_8), value,
						headers));
				poison += bad ? 1 : 0;
			}
			this.producer.flush();
			return poison;
		}

		/** Records of the DLQ topic after the given offsets whose original topic is the stream's. */
		private long countDeadLetters(String topic, Map<TopicPartition, Long> from) throws Exception {
			Map<TopicPartition, Long> to = Topics.endOffsets(this.admin, this.deadLetterTopic);
			Map<String, Object> config = new HashMap<>();
			config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, this.infrastructure.broker().bootstrapServers());
			config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
			config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
			long count = 0;
			try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(config, new ByteArrayDeserializer(),
					new ByteArrayDeserializer())) {
				List<TopicPartition> partitions = new ArrayList<>(to.keySet());
				consumer.assign(partitions);
				partitions.forEach((partition) -> consumer.seek(partition, from.getOrDefault(partition, 0L)));
				long deadline = System.nanoTime() + TIMEOUT.toNanos();
				while (partitions.stream().anyMatch((p) -> consumer.position(p) < to.get(p))) {
					if (System.nanoTime() > deadline) {
						throw new IllegalStateException("Could not read " + this.deadLetterTopic + " to its end");
					}
					for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(200))) {
						Header original = record.headers().lastHeader(DeadLetterHeaders.ORIGINAL_TOPIC);
						if (record.offset() < to.get(new TopicPartition(record.topic(), record.partition()))
								&& original != null
								&& topic.equals(new String(original.value(), StandardCharsets.UTF_8))) {
							count++;
						}
					}
				}
			}
			return count;
		}

	}

}
