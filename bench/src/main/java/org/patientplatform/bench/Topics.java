package org.patientplatform.bench;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.TopicPartition;

/** What the benchmarks ask the broker about their topics. */
final class Topics {

	private Topics() {
	}

	/** The end offset of each partition of the topic. */
	static Map<TopicPartition, Long> endOffsets(Admin admin, String topic) throws Exception {
		Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
		admin.describeTopics(List.of(topic))
			.allTopicNames()
			.get()
			.get(topic)
			.partitions()
			.forEach((info) -> latest.put(new TopicPartition(topic, info.partition()), OffsetSpec.latest()));
		Map<TopicPartition, Long> ends = new HashMap<>();
		admin.listOffsets(latest).all().get().forEach((partition, info) -> ends.put(partition, info.offset()));
		return ends;
	}

	/** How many records the topic holds (no compaction or retention applies in a bench run). */
	static long records(Admin admin, String topic) throws Exception {
		return endOffsets(admin, topic).values().stream().mapToLong(Long::longValue).sum();
	}

	/** Waits until the topic holds at least {@code expected} records; returns how many it holds then. */
	static long awaitRecords(Admin admin, String topic, long expected, Duration timeout) throws Exception {
		long deadline = System.nanoTime() + timeout.toNanos();
		long records = records(admin, topic);
		while (records < expected && System.nanoTime() < deadline) {
			TimeUnit.MILLISECONDS.sleep(20);
			records = records(admin, topic);
		}
		if (records < expected) {
			throw new IllegalStateException(topic + " holds " + records + " records, expected " + expected);
		}
		return records;
	}

	/** Creates the topic when it does not exist (the platform's topics are auto-created locally). */
	static void ensure(Admin admin, String topic, int partitions) throws Exception {
		if (!admin.listTopics().names().get().contains(topic)) {
			try {
				admin.createTopics(List.of(new NewTopic(topic, partitions, (short) 1))).all().get();
			}
			catch (java.util.concurrent.ExecutionException ex) {
				if (!(ex.getCause() instanceof org.apache.kafka.common.errors.TopicExistsException)) {
					throw ex;
				}
			}
		}
	}

}
