package org.patientplatform.dlq.retry;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListConsumerGroupOffsetsSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.jspecify.annotations.Nullable;
import org.patientplatform.dlq.LazyAdmin;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.beans.factory.DisposableBean;
import org.springframework.kafka.core.KafkaAdmin;
import org.springframework.stereotype.Component;

/**
 * The offsets consumer groups have committed, as the broker knows them: how the DLQ learns that a redriven
 * record was read by a consumer that reports no outcome.
 */
@Component
class ConsumerGroupOffsets implements DisposableBean {

	private static final Logger log = LoggerFactory.getLogger(ConsumerGroupOffsets.class);

	private static final long TIMEOUT_SECONDS = 3;

	private final LazyAdmin admin;

	ConsumerGroupOffsets(KafkaAdmin kafkaAdmin) {
		this.admin = new LazyAdmin(kafkaAdmin, "dlq-redrive-outcomes");
	}

	/**
	 * The committed offset of each group on each of its partitions asked for; a partition the group never
	 * committed on is left out.
	 * @return null when the broker could not be asked
	 */
	synchronized @Nullable Map<String, Map<TopicPartition, Long>> committed(
			Map<String, Set<TopicPartition>> partitionsByGroup) {
		if (partitionsByGroup.isEmpty()) {
			return Map.of();
		}
		Map<String, ListConsumerGroupOffsetsSpec> specs = new HashMap<>();
		partitionsByGroup.forEach((group, partitions) -> specs.put(group,
				new ListConsumerGroupOffsetsSpec().topicPartitions(partitions)));
		try {
			Map<String, Map<TopicPartition, OffsetAndMetadata>> all = this.admin.get().listConsumerGroupOffsets(specs)
				.all()
				.get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
			Map<String, Map<TopicPartition, Long>> committed = new HashMap<>();
			all.forEach((group, offsets) -> {
				Map<TopicPartition, Long> known = new HashMap<>();
				offsets.forEach((partition, offset) -> {
					if (offset != null) {
						known.put(partition, offset.offset());
					}
				});
				committed.put(group, known);
			});
			return committed;
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			return null;
		}
		catch (Exception ex) {
			log.warn("Could not read the committed offsets of consumer groups {}: {}", specs.keySet(), ex.toString());
			return null;
		}
	}

	@Override
	public void destroy() {
		this.admin.close();
	}

}
