package org.patientplatform.kit.kafka;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.apache.kafka.clients.admin.AdminClient;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.junit.jupiter.api.Test;
import org.patientplatform.kit.KafkaTestClient;
import org.patientplatform.kit.KitIntegrationTest;
import org.patientplatform.kit.events.PlatformEvents;
import org.patientplatform.kit.testapp.Thing;
import org.patientplatform.kit.testapp.ThingListener;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.test.context.TestPropertySource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The DLQ topic refuses writes (its maximum message size is smaller than any dead letter): the failed
 * record must stay uncommitted and be tried again, then land on the DLQ once the topic accepts writes.
 */
@KitIntegrationTest
@TestPropertySource(properties = { "platform.kafka.failure.dead-letter-topic=" + DeadLetterTopicUnavailableIntegrationTests.BLOCKED,
		"platform.kafka.failure.publish-timeout=3s", "spring.kafka.producer.properties.delivery.timeout.ms=2500",
		"spring.kafka.producer.properties.request.timeout.ms=2000" })
class DeadLetterTopicUnavailableIntegrationTests {

	static final String BLOCKED = "kit.blocked-dlq.v1";

	@Autowired
	PlatformEvents events;

	@Autowired
	ThingListener listener;

	@Value("${spring.kafka.bootstrap-servers}")
	String bootstrapServers;

	@Test
	void keepsTheFailedRecordUncommittedUntilTheDeadLetterTopicTakesIt() throws Exception {
		try (AdminClient admin = AdminClient.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, this.bootstrapServers));
				KafkaTestClient kafka = new KafkaTestClient(this.bootstrapServers)) {
			// the kit made the DLQ topic as the context started, with room for a record of 8 MiB; here it takes 64 bytes
			ConfigResource topic = new ConfigResource(ConfigResource.Type.TOPIC, BLOCKED);
			assertThat(admin.describeConfigs(List.of(topic)).all().get().get(topic).get("max.message.bytes").value())
				.isEqualTo("8388608");
			assertThat(admin.describeTopics(List.of(BLOCKED)).allTopicNames().get().get(BLOCKED).partitions())
				.hasSize(6);
			admin.incrementalAlterConfigs(Map.of(topic,
					List.of(new AlterConfigOp(new ConfigEntry("max.message.bytes", "64"), AlterConfigOp.OpType.SET))))
				.all()
				.get();
			String key = "blocked-" + UUID.randomUUID();
			RecordMetadata failing = kafka.send(KafkaTestClient.event(this.events, ThingListener.TOPIC, key,
					this.events.create(Thing.TYPE, key, new Thing("fails", "retryable", null, null))));
			RecordMetadata behind = kafka.send(KafkaTestClient.event(this.events, ThingListener.TOPIC, key,
					this.events.create(Thing.TYPE, key, new Thing(key + "-behind", null, null, null))));
			TopicPartition partition = new TopicPartition(ThingListener.TOPIC, failing.partition());

			// several publish attempts fail meanwhile; the partition does not move past the failed record
			await().during(Duration.ofSeconds(8)).atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
				assertThat(committed(admin, partition)).isLessThanOrEqualTo(failing.offset());
				assertThat(this.listener.values()).doesNotContain(key + "-behind");
			});
			assertThat(kafka.read(BLOCKED, 1, Duration.ofSeconds(1))).isEmpty();

			admin.incrementalAlterConfigs(Map.of(topic,
					List.of(new AlterConfigOp(new ConfigEntry("max.message.bytes", "1048588"), AlterConfigOp.OpType.SET))))
				.all()
				.get();

			await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
				assertThat(kafka.read(BLOCKED, 1, Duration.ofSeconds(2))).singleElement()
					.satisfies((dead) -> assertThat(ByteBuffer
						.wrap(dead.headers().lastHeader(DeadLetterHeaders.ORIGINAL_OFFSET).value())
						.getLong()).isEqualTo(failing.offset()));
				assertThat(this.listener.values()).contains(key + "-behind");
				assertThat(committed(admin, partition)).isGreaterThan(behind.offset());
			});
		}
	}

	private static long committed(AdminClient admin, TopicPartition partition) throws Exception {
		Map<TopicPartition, OffsetAndMetadata> offsets = admin.listConsumerGroupOffsets(ThingListener.GROUP)
			.partitionsToOffsetAndMetadata()
			.get();
		OffsetAndMetadata offset = offsets.get(partition);
		return (offset != null) ? offset.offset() : -1;
	}

}
