package org.patientplatform.bench;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.management.CompilationMXBean;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.patientplatform.bench.Infrastructure.Database;
import org.patientplatform.bench.KafkaPerfTools.ConsumerFigures;
import org.patientplatform.bench.KafkaPerfTools.ProducerFigures;
import org.patientplatform.kit.kafka.DeadLetterHeaders;

import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.kafka.config.KafkaListenerEndpointRegistry;
import org.springframework.kafka.listener.MessageListenerContainer;

/**
 * DLQ capture: the DLQ service runs in this JVM with only its {@code consumer-retry-message} role, on a
 * fresh database. Failed-record messages (1 KB payloads, the kit's headers, distinct original offsets) are
 * timed from the moment the capture consumer may take them until it has committed them all, which it does
 * only after their batch is stored. The figure is the drain of a backlog, as an incident leaves one: the
 * records are produced while the capture is paused, then it is resumed and timed. A second figure times
 * records produced while the capture runs, so the producer and the broker's appends share the machine
 * with it. Beside it, in the same run on the same broker and database: binary {@code COPY} of 1 KB rows
 * (the rate the issue measures capture against), raw batched inserts of them, and Kafka's raw produce and
 * consume of 1 KB records. Four rounds, each measuring the raw limits and then both captures of N/4,
 * after unrecorded warm-up rounds of the same: until one compiles for less than a tenth of its time (at
 * most {@value #MAX_WARMUP_ROUNDS}; one in a smoke run). Every round's drain, warm-up rounds included, is in the result's
 * {@code rounds} diagnostic: the first is the capture of a JVM that has just started.
 */
final class DlqCaptureBenchmark implements Benchmark {

	static final String NAME = "dlq-capture";

	static final String ROLE = "consumer-retry-message";

	static final int ROUNDS = 4;

	/** Unrecorded rounds at most, however much the JIT still compiles. */
	static final int MAX_WARMUP_ROUNDS = 4;

	private static final int PAYLOAD_BYTES = 1024;

	static final String ORIGINAL_TOPIC = "lab.test-results.v1";

	private static final String ORIGINAL_GROUP = "notification-service.consumer-test-result-notification";

	private static final Duration TIMEOUT = Duration.ofMinutes(10);

	@Override
	public String name() {
		return NAME;
	}

	@Override
	public Result run(Infrastructure infrastructure, Options options) throws Exception {
		long total = options.size(100_000, 500);
		int rounds = options.rounds(ROUNDS);
		long entries = Math.max(total / rounds, 1);
		long warmup = Math.max(entries / 10, 100);
		String bootstrap = infrastructure.broker().bootstrapServers();
		Throughput captured = new Throughput();
		Throughput withProduce = new Throughput();
		Throughput produce = new Throughput();
		Throughput consume = new Throughput();
		Throughput insert = new Throughput();
		Throughput copy = new Throughput();
		int headerBytes;
		double brokerProduceCpu = 0;
		double brokerConsumeCpu = 0;
		Map<String, Object> storage = new LinkedHashMap<>();
		List<Map<String, Object>> perRound = new ArrayList<>();
		int maxWarmupRounds = options.smoke() ? 1 : MAX_WARMUP_ROUNDS;
		try (Database db = infrastructure.freshDatabase("dlq");
				ConfigurableApplicationContext dlq = startDlqService(bootstrap, db);
				Admin admin = infrastructure.admin();
				KafkaProducer<byte[], byte[]> producer = producer(bootstrap)) {
			String topic = dlq.getEnvironment().getRequiredProperty("dlq.topics.messages");
			String group = dlq.getEnvironment().getRequiredProperty("dlq.capture.consumer-group");
			FailedRecords failed = new FailedRecords(topic, ORIGINAL_TOPIC);
			headerBytes = failed.headerBytes();
			failed.send(producer, 0, warmup);
			awaitCommitted(admin, topic, group);
			RawPostgres.batchedInserts(db, warmup, RawPostgresBenchmark.THREADS);
			long next = warmup;
			// unrecorded rounds warm the JIT up for every path, until a round compiles for less than a tenth of
			// its time (a running service is warm; a fresh JVM on these 2 cores spends a third of them
			// compiling during the first two rounds: docs/benchmarks.md, eighth pass)
			CompilationMXBean jit = ManagementFactory.getCompilationMXBean();
			boolean recorded = false;
			int warmupRounds = 0;
			int recordedRounds = 0;
			while (recordedRounds < rounds) {
				long jitBefore = jit.getTotalCompilationTime();
				long roundStarted = System.nanoTime();
				String rawTopic = infrastructure.newTopic("bench.dlq-raw", RawKafkaBenchmark.PARTITIONS);
				ProducerFigures produced = KafkaPerfTools.produce(bootstrap, rawTopic, entries, warmup, PAYLOAD_BYTES);
				ConsumerFigures consumed = KafkaPerfTools.consume(bootstrap, rawTopic, entries + warmup);
				RawPostgres.Timed inserted = RawPostgres.batchedInserts(db, entries, RawPostgresBenchmark.THREADS);
				RawPostgres.Timed copied = RawPostgres.copyRows(db, entries, RawPostgresBenchmark.THREADS);
				if (recorded) {
					produce.addRate(produced.records(), produced.recordsPerSecond());
					brokerProduceCpu += produced.brokerCpuMicrosPerRecord() / rounds;
					consume.addRate(consumed.records(), consumed.recordsPerSecond());
					brokerConsumeCpu += consumed.brokerCpuMicrosPerRecord() / rounds;
					insert.add(entries, inserted);
					copy.add(entries, copied);
				}
				// a backlog, as an incident leaves one: produced while the capture is paused, then drained
				MessageListenerContainer container = captureContainer(dlq);
				container.pause();
				awaitPaused(container);
				failed.send(producer, next, entries);
				next += entries;
				CpuMeter drainCpu = CpuMeter.start(db);
				long drainStarted = System.nanoTime();
				container.resume();
				awaitCommitted(admin, topic, group);
				long drained = System.nanoTime() - drainStarted;
				CpuMeter.Usage drainUsage = drainCpu.stop();
				// records produced while the capture runs: producer, broker and capture share the machine
				CpuMeter cpu = CpuMeter.start(db);
				long started = System.nanoTime();
				failed.send(producer, next, entries);
				awaitCommitted(admin, topic, group);
				long elapsed = System.nanoTime() - started;
				CpuMeter.Usage usage = cpu.stop();
				next += entries;
				long jitMillis = jit.getTotalCompilationTime() - jitBefore;
				long roundMillis = (System.nanoTime() - roundStarted) / 1_000_000;
				Map<String, Object> round = new LinkedHashMap<>();
				round.put("recorded", recorded);
				round.put("drainEntriesPerSecond", Result.round(entries / (drained / 1e9)));
				round.put("copyRowsPerSecond", Result.round(entries / (copied.nanos() / 1e9)));
				round.put("drainCpu", drainUsage.perUnit(entries, "Entry"));
				round.put("jitMillis", jitMillis);
				round.put("roundMillis", roundMillis);
				perRound.add(round);
				if (recorded) {
					captured.add(entries, drained, drainUsage);
					withProduce.add(entries, elapsed, usage);
					recordedRounds++;
				}
				else {
					warmupRounds++;
					recorded = warmupRounds >= maxWarmupRounds || jitMillis * 10 < roundMillis;
				}
			}
			long stored = db.count("SELECT count(*) FROM dead_letter_entry WHERE kind = 'FAILED_RECORD'");
			if (stored != next) {
				throw new IllegalStateException("dead_letter_entry holds " + stored + " failed records, expected " + next);
			}
			storage.put("entryBytes", bytesPer(db, "dead_letter_record", stored));
			storage.put("entryIndexBytes", indexBytesPer(db, "dead_letter_record", stored));
			storage.put("stateBytes", bytesPer(db, "dead_letter_state", stored));
			storage.put("stateIndexBytes", indexBytesPer(db, "dead_letter_state", stored));
			storage.put("historyBytesPerEntry", bytesPer(db, "dead_letter_attempt", stored));
			storage.put("entryIndexes", db.count("SELECT count(*) FROM pg_indexes WHERE tablename = 'dead_letter_record'"));
			storage.put("stateIndexes", db.count("SELECT count(*) FROM pg_indexes WHERE tablename = 'dead_letter_state'"));
			long rawRows = db.count("SELECT count(*) FROM bench_row");
			storage.put("rawRowBytes", bytesPer(db, "bench_row", rawRows));
			storage.put("rawRowIndexes", db.count("SELECT count(*) FROM pg_indexes WHERE tablename = 'bench_row'"));
		}
		double entriesPerSecond = captured.perSecond();
		return Result.of(NAME)
			.parameter("entries", entries * rounds * 2)
			.parameter("rounds", rounds)
			.parameter("entriesPerRound", entries)
			.parameter("warmupEntries", warmup)
			.parameter("warmupRounds", "until one compiles for under 1/10 of its time, at most " + maxWarmupRounds)
			.parameter("payloadBytes", PAYLOAD_BYTES)
			.parameter("headerBytes", headerBytes)
			.parameter("roles", ROLE)
			.parameter("dlqPartitions", RawKafkaBenchmark.PARTITIONS)
			.parameter("rawInsertThreads", RawPostgresBenchmark.THREADS)
			.parameter("rawInsertBatchSize", RawPostgres.BATCH_SIZE)
			.parameter("producer", KafkaPerfTools.platformProducerProperties())
			.figure("entriesPerSecond", entriesPerSecond)
			.raw("produceRecordsPerSecond", produce.perSecond())
			.raw("consumeRecordsPerSecond", consume.perSecond())
			.figure("entriesPerSecondWhileProduced", withProduce.perSecond())
			.raw("batchedInsertRowsPerSecond", insert.perSecond())
			.raw("copyRowsPerSecond", copy.perSecond())
			.ratio("toRawProduce", entriesPerSecond, produce.perSecond())
			.ratio("toRawConsume", entriesPerSecond, consume.perSecond())
			.ratio("toRawBatchedInsert", entriesPerSecond, insert.perSecond())
			.ratio("toRawCopy", entriesPerSecond, copy.perSecond())
			.ratio("whileProducedToRawCopy", withProduce.perSecond(), copy.perSecond())
			.diagnostic("capture", captured.cpuPer("Entry"))
			.diagnostic("captureWhileProduced", withProduce.cpuPer("Entry"))
			.diagnostic("rawCopy", copy.cpuPer("Row"))
			.diagnostic("rawBatchedInsert", insert.cpuPer("Row"))
			.diagnostic("rawKafka", Map.of("brokerCpuMicrosPerRecordProduced", Result.round(brokerProduceCpu),
					"brokerCpuMicrosPerRecordConsumed", Result.round(brokerConsumeCpu)))
			.diagnostic("storage", storage)
			.diagnostic("rounds", perRound)
			.build(("%s: %s entries stored from a backlog (%s while being produced) | raw COPY %s rows (ratio %.3f), "
					+ "raw batched insert %s rows (ratio %.3f), raw produce %s (ratio %.3f), raw consume %s (ratio %.3f); "
					+ "%d entries in %d rounds")
				.formatted(NAME, Result.rate(entriesPerSecond), Result.rate(withProduce.perSecond()),
						Result.rate(copy.perSecond()), Result.ratio(entriesPerSecond, copy.perSecond()),
						Result.rate(insert.perSecond()), Result.ratio(entriesPerSecond, insert.perSecond()),
						Result.rate(produce.perSecond()), Result.ratio(entriesPerSecond, produce.perSecond()),
						Result.rate(consume.perSecond()), Result.ratio(entriesPerSecond, consume.perSecond()),
						entries * rounds * 2, rounds));
	}

	static MessageListenerContainer captureContainer(ConfigurableApplicationContext dlq) {
		MessageListenerContainer container = dlq.getBean(KafkaListenerEndpointRegistry.class)
			.getListenerContainer("dlq-capture");
		if (container == null) {
			throw new IllegalStateException("The DLQ service has no dlq-capture listener");
		}
		return container;
	}

	/** Waits until every consumer of the container has paused (it pauses at its next poll). */
	static void awaitPaused(MessageListenerContainer container) throws InterruptedException {
		long deadline = System.nanoTime() + TIMEOUT.toNanos();
		while (!container.isContainerPaused()) {
			if (System.nanoTime() > deadline) {
				throw new IllegalStateException("The capture listener did not pause in " + TIMEOUT);
			}
			TimeUnit.MILLISECONDS.sleep(10);
		}
	}

	/** Table, TOAST and index bytes on disk per row. */
	private static long bytesPer(Database db, String table, long rows) throws Exception {
		return (rows > 0) ? db.count("SELECT pg_total_relation_size('" + table + "')") / rows : 0;
	}

	/** Index bytes on disk per row (included in {@link #bytesPer}). */
	private static long indexBytesPer(Database db, String table, long rows) throws Exception {
		return (rows > 0) ? db.count("SELECT pg_indexes_size('" + table + "')") / rows : 0;
	}

	/** The DLQ service with only its capture role, its properties above its own configuration file. */
	static ConfigurableApplicationContext startDlqService(String bootstrap, Database db) {
		return Services.dlq(ROLE, bootstrap, db, Services.signingKey());
	}

	static KafkaProducer<byte[], byte[]> producer(String bootstrap) {
		Map<String, Object> config = new HashMap<>(KafkaPerfTools.platformProducerProperties());
		config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
		config.put(ProducerConfig.CLIENT_ID_CONFIG, "bench-failed-records");
		return new KafkaProducer<>(config, new ByteArraySerializer(), new ByteArraySerializer());
	}

	/**
	 * Waits until the group has committed every record of the topic (the capture consumer commits a
	 * batch only after storing it).
	 */
	static void awaitCommitted(Admin admin, String topic, String group) throws Exception {
		List<TopicPartition> partitions = admin.describeTopics(List.of(topic))
			.allTopicNames()
			.get()
			.get(topic)
			.partitions()
			.stream()
			.map((info) -> new TopicPartition(topic, info.partition()))
			.toList();
		Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
		partitions.forEach((partition) -> latest.put(partition, OffsetSpec.latest()));
		long end = admin.listOffsets(latest)
			.all()
			.get()
			.values()
			.stream()
			.mapToLong((info) -> info.offset())
			.sum();
		long deadline = System.nanoTime() + TIMEOUT.toNanos();
		long committed = 0;
		while (System.nanoTime() < deadline) {
			Map<TopicPartition, OffsetAndMetadata> offsets = admin.listConsumerGroupOffsets(group)
				.partitionsToOffsetAndMetadata()
				.get();
			committed = offsets.entrySet()
				.stream()
				.filter((entry) -> entry.getKey().topic().equals(topic) && entry.getValue() != null)
				.mapToLong((entry) -> entry.getValue().offset())
				.sum();
			if (committed >= end) {
				return;
			}
			TimeUnit.MILLISECONDS.sleep(20);
		}
		throw new IllegalStateException(
				"The DLQ capture consumer committed " + committed + " of " + end + " records in " + TIMEOUT);
	}

	/** Failed-record messages as the kit's failure path writes them, each for a different original offset. */
	static final class FailedRecords {

		private final String topic;

		private final String originalTopic;

		private final byte[] payload = new byte[PAYLOAD_BYTES];

		private final String stackTrace;

		/**
		 * @param topic the DLQ topic to send to
		 * @param originalTopic the topic the records failed on (where a redrive sends them)
		 */
		FailedRecords(String topic, String originalTopic) {
			this.topic = topic;
			this.originalTopic = originalTopic;
			for (int i = 0; i < this.payload.length; i++) {
				this.payload[i] = (byte) ('a' + ThreadLocalRandom.current().nextInt(26));
			}
			this.stackTrace = stackTrace();
		}

		/** Sends records for original offsets {@code from .. from + count - 1} and waits for their acks. */
		void send(KafkaProducer<byte[], byte[]> producer, long from, long count) {
			for (long offset = from; offset < from + count; offset++) {
				producer.send(new ProducerRecord<>(this.topic, null, key(offset), this.payload, headers(offset)));
			}
			producer.flush();
		}

		int headerBytes() {
			return headers(0).stream().mapToInt((header) -> header.key().length() + header.value().length).sum();
		}

		private static byte[] key(long offset) {
			return ("patient-" + (offset % 1000)).getBytes(StandardCharsets.UTF_8);
		}

		private List<Header> headers(long offset) {
			return List.of(text("ce_id", UUID.randomUUID().toString()), text("ce_type", "patient.TestResultReady.v1"),
					text(DeadLetterHeaders.ORIGINAL_TOPIC, this.originalTopic),
					new RecordHeader(DeadLetterHeaders.ORIGINAL_PARTITION,
							ByteBuffer.allocate(4).putInt((int) (offset % 12)).array()),
					new RecordHeader(DeadLetterHeaders.ORIGINAL_OFFSET, ByteBuffer.allocate(8).putLong(offset).array()),
					new RecordHeader(DeadLetterHeaders.ORIGINAL_TIMESTAMP,
							ByteBuffer.allocate(8).putLong(System.currentTimeMillis()).array()),
					text(DeadLetterHeaders.ORIGINAL_TIMESTAMP_TYPE, "CreateTime"),
					text(DeadLetterHeaders.ORIGINAL_CONSUMER_GROUP, ORIGINAL_GROUP),
					text(DeadLetterHeaders.EXCEPTION_FQCN, "org.patientplatform.kit.events.InvalidEventException"),
					text(DeadLetterHeaders.EXCEPTION_CAUSE_FQCN, "jakarta.validation.ConstraintViolationException"),
					text(DeadLetterHeaders.EXCEPTION_MESSAGE, "data.patientId must not be null"),
					text(DeadLetterHeaders.EXCEPTION_STACKTRACE, this.stackTrace),
					text(DeadLetterHeaders.SOURCE_SERVICE, "notification-service"),
					text(DeadLetterHeaders.SOURCE_ROLE, "consumer-test-result-notification"),
					text(DeadLetterHeaders.FINGERPRINT, "fp-" + (offset % 5)), text(DeadLetterHeaders.ATTEMPT, "1"),
					text(DeadLetterHeaders.NON_RETRYABLE, "true"));
		}

		private static Header text(String key, String value) {
			return new RecordHeader(key, value.getBytes(StandardCharsets.UTF_8));
		}

		/**
		 * A real stack trace as the kit's failure path carries it for a listener: the one the booking consumer
		 * sent for an event about an unknown booking in the local run (4.2 kB, 36 frames through Spring
		 * Kafka's listener adapter and container). Until the sixth pass the benchmark used this JVM's own
		 * trace at that point, about 800 bytes: a fifth of what a listener's failure carries.
		 */
		private static String stackTrace() {
			try (InputStream in = DlqCaptureBenchmark.class.getResourceAsStream("/failed-listener-stacktrace.txt")) {
				if (in == null) {
					throw new IllegalStateException("failed-listener-stacktrace.txt is missing from the classpath");
				}
				return new String(in.readAllBytes(), StandardCharsets.UTF_8);
			}
			catch (IOException ex) {
				throw new UncheckedIOException(ex);
			}
		}

	}

}
