package org.patientplatform.bench;

import org.patientplatform.bench.KafkaPerfTools.ConsumerFigures;
import org.patientplatform.bench.KafkaPerfTools.ProducerFigures;

/**
 * The broker's raw limit with Kafka's own tools: 1 KB records produced with the platform's producer
 * settings ({@code acks=all}, idempotence, linger) to a 6-partition topic like {@code dlq.messages.v1},
 * then consumed back with the platform's consumer settings ({@code read_committed}).
 */
final class RawKafkaBenchmark implements Benchmark {

	static final String NAME = "raw-kafka";

	static final int RECORD_BYTES = 1024;

	static final int PARTITIONS = 6;

	@Override
	public String name() {
		return NAME;
	}

	@Override
	public Result run(Infrastructure infrastructure, Options options) {
		long records = options.size(300_000, 2_000);
		long warmup = Math.max(records / 10, 100);
		String bootstrap = infrastructure.broker().bootstrapServers();
		String topic = infrastructure.newTopic("bench.raw-kafka", PARTITIONS);
		ProducerFigures produce = KafkaPerfTools.produce(bootstrap, topic, records, warmup, RECORD_BYTES);
		ConsumerFigures consume = KafkaPerfTools.consume(bootstrap, topic, records + warmup);
		Result.Builder result = Result.of(NAME)
			.parameter("records", records)
			.parameter("warmupRecords", warmup)
			.parameter("recordBytes", RECORD_BYTES)
			.parameter("partitions", PARTITIONS)
			.parameter("producer", KafkaPerfTools.platformProducerProperties())
			.parameter("consumer", KafkaPerfTools.platformConsumerProperties())
			.parameter("tools", "org.apache.kafka.tools.ProducerPerformance, ConsumerPerformance (child JVMs)")
			.figure("produceRecordsPerSecond", produce.recordsPerSecond())
			.figure("produceMegabytesPerSecond", produce.megabytesPerSecond())
			.figure("produceLatencyP50Ms", produce.p50LatencyMs())
			.figure("produceLatencyP99Ms", produce.p99LatencyMs())
			.figure("consumeRecordsPerSecond", consume.recordsPerSecond())
			.figure("consumeMegabytesPerSecond", consume.megabytesPerSecond())
			.raw("produceRecordsPerSecond", produce.recordsPerSecond())
			.raw("consumeRecordsPerSecond", consume.recordsPerSecond())
			.diagnostic("brokerCpuMicrosPerRecordProduced", Result.round(produce.brokerCpuMicrosPerRecord()))
			.diagnostic("brokerCpuMicrosPerRecordConsumed", Result.round(consume.brokerCpuMicrosPerRecord()));
		return result.build("%s: produce %s (%.1f MB/s, p50 %d ms, p99 %d ms), consume %s (%.1f MB/s) of %d 1 KB records"
			.formatted(NAME, Result.rate(produce.recordsPerSecond()), produce.megabytesPerSecond(), produce.p50LatencyMs(),
					produce.p99LatencyMs(), Result.rate(consume.recordsPerSecond()), consume.megabytesPerSecond(),
					records));
	}

}
