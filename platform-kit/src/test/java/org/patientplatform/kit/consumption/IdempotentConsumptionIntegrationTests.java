package org.patientplatform.kit.consumption;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.Test;
import org.patientplatform.kit.KafkaTestClient;
import org.patientplatform.kit.KitIntegrationTest;
import org.patientplatform.kit.events.IncomingEvent;
import org.patientplatform.kit.events.PlatformEvents;
import org.patientplatform.kit.testapp.Thing;
import org.patientplatform.kit.testapp.ThingListener;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.jdbc.core.JdbcTemplate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

@KitIntegrationTest
class IdempotentConsumptionIntegrationTests {

	@Autowired
	PlatformEvents events;

	@Autowired
	ProcessedMessages processed;

	@Autowired
	JdbcTemplate jdbc;

	@Value("${spring.kafka.bootstrap-servers}")
	String bootstrapServers;

	@Test
	void theSameRecordDeliveredTwiceHasOneEffect() throws Exception {
		String key = "twice-" + UUID.randomUUID();
		var record = KafkaTestClient.event(this.events, ThingListener.TOPIC, key,
				this.events.create(Thing.TYPE, key, new Thing(key, null, null, null)));
		try (KafkaTestClient kafka = new KafkaTestClient(this.bootstrapServers)) {
			kafka.send(record);
			kafka.send(record);
		}
		await().atMost(Duration.ofSeconds(30))
			.until(() -> this.jdbc.queryForObject("SELECT count(*) FROM processed_message WHERE consumer_group = ?",
					Integer.class, ThingListener.GROUP) >= 1);
		await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(
				this.jdbc.queryForObject("SELECT count(*) FROM test_effect WHERE value = ?", Integer.class, key))
			.isEqualTo(1));
	}

	@Test
	void aConsumerStoppedAfterItsDatabaseCommitButBeforeItsOffsetCommitHasOneEffect() throws Exception {
		String topic = "kit.idempotency.v1";
		String group = "kit-test.consumer-test.idempotency";
		String key = "crash-" + UUID.randomUUID();
		try (KafkaTestClient kafka = new KafkaTestClient(this.bootstrapServers)) {
			kafka.send(KafkaTestClient.event(this.events, topic, key,
					this.events.create(Thing.TYPE, key, new Thing(key, null, null, null))));
		}
		// first consumer: applies the effect and commits the database, then dies before committing its offset
		assertThat(consumeOnce(topic, group, key)).isTrue();
		// the restarted consumer gets the same record again
		assertThat(consumeOnce(topic, group, key)).isFalse();
		assertThat(this.jdbc.queryForObject("SELECT count(*) FROM test_effect WHERE value = ?", Integer.class, key))
			.isEqualTo(1);
	}

	private boolean consumeOnce(String topic, String group, String key) {
		try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(Map.of(
				ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, this.bootstrapServers, ConsumerConfig.GROUP_ID_CONFIG, group,
				ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest", ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
				ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class,
				ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class))) {
			consumer.subscribe(List.of(topic));
			long deadline = System.currentTimeMillis() + 30_000;
			while (System.currentTimeMillis() < deadline) {
				for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(200))) {
					IncomingEvent<Thing> event = this.events.read(record, Thing.TYPE, Thing.class);
					if (event.data().value().equals(key)) {
						// no commitSync: the offset is never committed
						return this.processed.processOnce(group, event.id(), () -> this.jdbc.update(
								"INSERT INTO test_effect (event_id, value) VALUES (?, ?)", event.id(), key));
					}
				}
			}
			throw new AssertionError("record not delivered");
		}
	}

}
