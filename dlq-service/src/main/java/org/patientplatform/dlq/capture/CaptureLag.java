package org.patientplatform.dlq.capture;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.patientplatform.dlq.LazyAdmin;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.beans.factory.DisposableBean;
import org.springframework.kafka.core.KafkaAdmin;
import org.springframework.stereotype.Component;

/**
 * {@code dlq_capture_lag_records}: the records on {@code dlq.messages.v1} the capture's consumer group has
 * not committed yet, summed over the partitions, as the broker knows them (the group's committed offsets
 * against each partition's last stable offset; a partition the group never committed counts from its
 * first record). So it reads the same on every replica and goes on rising while the capture is down,
 * where the Kafka client's own {@code records-lag-max} is per partition, per assigned consumer, and gone
 * with it. Read at most every {@link #MAX_AGE}; {@code NaN} when the broker cannot be asked.
 */
@Component
class CaptureLag implements MeterBinder, DisposableBean {

	static final Duration MAX_AGE = Duration.ofSeconds(5);

	private static final Logger log = LoggerFactory.getLogger(CaptureLag.class);

	private final String topic;

	private final String group;

	private final LazyAdmin admin;

	private long readAt;

	private double lag = Double.NaN;

	CaptureLag(KafkaAdmin kafkaAdmin, DlqProperties properties) {
		this.admin = new LazyAdmin(kafkaAdmin, "dlq-capture-lag");
		this.topic = properties.topics().messages();
		this.group = properties.capture().consumerGroup();
	}

	@Override
	public void bindTo(MeterRegistry registry) {
		Gauge.builder("dlq.capture.lag", this, CaptureLag::current)
			.baseUnit("records")
			.tag("group", this.group)
			.tag("topic", this.topic)
			.description("Records on the DLQ topic the capture's consumer group has not committed")
			.register(registry);
	}

	synchronized double current() {
		long now = System.nanoTime();
		if (this.readAt == 0 || now - this.readAt > MAX_AGE.toNanos()) {
			this.lag = read();
			this.readAt = now;
		}
		return this.lag;
	}

	private double read() {
		try {
			Admin client = this.admin.get();
			Set<TopicPartition> partitions = client.describeTopics(Set.of(this.topic))
				.allTopicNames()
				.get(2, TimeUnit.SECONDS)
				.get(this.topic)
				.partitions()
				.stream()
				.map((p) -> new TopicPartition(this.topic, p.partition()))
				.collect(Collectors.toSet());
			Map<TopicPartition, OffsetAndMetadata> committed = client.listConsumerGroupOffsets(this.group)
				.partitionsToOffsetAndMetadata()
				.get(2, TimeUnit.SECONDS);
			Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
			Map<TopicPartition, OffsetSpec> earliest = new HashMap<>();
			for (TopicPartition partition : partitions) {
				latest.put(partition, OffsetSpec.latest());
				earliest.put(partition, OffsetSpec.earliest());
			}
			var ends = client.listOffsets(latest, new ListOffsetsOptions(IsolationLevel.READ_COMMITTED))
				.all()
				.get(2, TimeUnit.SECONDS);
			var starts = client.listOffsets(earliest).all().get(2, TimeUnit.SECONDS);
			long total = 0;
			for (TopicPartition partition : partitions) {
				OffsetAndMetadata done = committed.get(partition);
				long from = (done != null) ? done.offset() : starts.get(partition).offset();
				total += Math.max(0, ends.get(partition).offset() - from);
			}
			return total;
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			return Double.NaN;
		}
		catch (Exception ex) {
			log.debug("Could not read the capture's lag: {}", ex.toString());
			return Double.NaN;
		}
	}

	@Override
	public void destroy() {
		this.admin.close();
	}

}
