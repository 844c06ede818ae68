package org.patientplatform.kit.consumption;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import io.cloudevents.CloudEvent;
import io.cloudevents.core.builder.CloudEventBuilder;
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
import org.springframework.transaction.support.TransactionTemplate;

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

	@Autowired
	TransactionTemplate transactions;

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

	@Test
	void eventsOfTwoSourcesSharingAnIdEachHaveTheirEffect() throws Exception {
		// CloudEvents makes source + id unique, not the id: another producer's event with the same id is no
		// duplicate (it was dropped as one)
		String key = "two-sources-" + UUID.randomUUID();
		String sharedId = "shared-" + UUID.randomUUID();
		try (KafkaTestClient kafka = new KafkaTestClient(this.bootstrapServers)) {
			for (String source : List.of("urn:producer:one", "urn:producer:two", "urn:producer:one")) {
				CloudEvent event = CloudEventBuilder.v1(this.events.create(Thing.TYPE, key,
						new Thing(key, null, null, null)))
					.withId(sharedId)
					.withSource(URI.create(source))
					.build();
				kafka.send(KafkaTestClient.event(this.events, ThingListener.TOPIC, key, event));
			}
		}
		await().atMost(Duration.ofSeconds(30))
			.untilAsserted(() -> assertThat(this.jdbc.queryForList(
					"SELECT source FROM processed_message WHERE consumer_group = ? AND event_id = ? ORDER BY 1",
					String.class, ThingListener.GROUP, sharedId))
				.containsExactly("urn:producer:one", "urn:producer:two"));
		await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(
				this.jdbc.queryForObject("SELECT count(*) FROM test_effect WHERE value = ?", Integer.class, key))
			.isEqualTo(2));
	}

	@Test
	void aRowWrittenBeforeSourcesWereKeptStillMarksItsEventProcessed() {
		String group = "kit-test.consumer-test.legacy";
		String id = "legacy-" + UUID.randomUUID();
		this.jdbc.update("INSERT INTO processed_message (consumer_group, event_id) VALUES (?, ?)", group, id);
		assertThat(mark(group, "urn:producer:one", id)).isFalse();
		assertThat(mark(group, "urn:producer:one", "other-" + id)).isTrue();
		assertThat(mark(group, "urn:producer:one", "other-" + id)).isFalse();
	}

	private boolean mark(String group, String source, String id) {
		Boolean marked = this.transactions.execute((status) -> this.processed.markProcessed(group, source, id));
		return Boolean.TRUE.equals(marked);
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
						return this.processed.processOnce(group, event, () -> this.jdbc.update(
								"INSERT INTO test_effect (event_id, value) VALUES (?, ?)", event.id(), key));
					}
				}
			}
			throw new AssertionError("record not delivered");
		}
	}

}
