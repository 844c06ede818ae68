package org.patientplatform.dlq.capture;

import java.sql.SQLException;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.Test;
import org.patientplatform.dlq.DlqIntegrationTest;
import org.patientplatform.dlq.TestKafka;
import org.patientplatform.local.infra.testing.RealInfrastructureInitializer;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.context.TestPropertySource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The database becomes unavailable under the capture (the test database stops accepting connections and
 * every session on it is ended, as in a failover), and the consumer group rebalances meanwhile: records on
 * dlq.messages.v1 stay unconsumed, their offsets uncommitted, and once the database is back each is
 * stored exactly once.
 */
@DlqIntegrationTest
@TestPropertySource(properties = { "platform.roles=app,consumer-retry-message",
		"spring.datasource.hikari.connection-timeout=2000" })
class CaptureDatabaseOutageIntegrationTests {

	static final String TOPIC = "db-outage.v1";

	@Autowired
	JdbcTemplate jdbc;

	@Autowired
	DlqProperties properties;

	@Value("${platform.test.database}")
	String database;

	@Value("${spring.kafka.bootstrap-servers}")
	String bootstrapServers;

	@Test
	void leavesRecordsUncommittedWhileTheDatabaseIsDownAndStoresEachOnceWhenItIsBack() throws Exception {
		String dlq = this.properties.topics().messages();
		String group = this.properties.capture().consumerGroup();
		try (TestKafka kafka = new TestKafka(this.bootstrapServers);
				Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, this.bootstrapServers))) {
			// the capture runs and has committed what it stored
			kafka.send(TestKafka.failedRecord(TOPIC, 0, 1_000, "before", "{}", true));
			await().atMost(Duration.ofSeconds(60))
				.ignoreExceptions()
				.until(() -> committed(admin, dlq, group) == end(admin, dlq));
			long committedBefore = committed(admin, dlq, group);

			databaseAccepting(false);
			try {
				for (int i = 0; i < 25; i++) {
					kafka.sendAsync(TestKafka.failedRecord(TOPIC, i % 3, i, "k-" + i, "{\"n\":" + i + "}", true));
				}
				kafka.flush();
				// a rebalance while the capture retries: a third member joins the group and leaves again,
				// committing nothing (the capture's retries must not lose the records of partitions that
				// move meanwhile)
				try (KafkaConsumer<byte[], byte[]> member = new KafkaConsumer<>(Map.of(
						ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, this.bootstrapServers, ConsumerConfig.GROUP_ID_CONFIG,
						group, ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
						ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class,
						ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class))) {
					member.subscribe(List.of(dlq));
					long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
					while (member.assignment().isEmpty() && System.nanoTime() < deadline) {
						member.poll(Duration.ofMillis(200));
					}
					assertThat(member.assignment()).isNotEmpty();
				}
				// more records arrive while the capture retries on its new assignment
				for (int i = 25; i < 50; i++) {
					kafka.sendAsync(TestKafka.failedRecord(TOPIC, i % 3, i, "k-" + i, "{\"n\":" + i + "}", true));
				}
				kafka.flush();
				// the capture keeps failing and retrying the batch: nothing is committed past it
				await().during(Duration.ofSeconds(8))
					.atMost(Duration.ofSeconds(30))
					.ignoreExceptions()
					.until(() -> committed(admin, dlq, group) == committedBefore);
			}
			finally {
				databaseAccepting(true);
			}

			await().atMost(Duration.ofSeconds(120))
				.ignoreExceptions()
				.until(() -> committed(admin, dlq, group) == end(admin, dlq));
		}
		assertThat(this.jdbc.queryForObject("SELECT count(*) FROM dead_letter_entry WHERE original_topic = ?",
				Integer.class, TOPIC))
			.isEqualTo(51);
		assertThat(this.jdbc.queryForObject(
				"SELECT count(DISTINCT (original_partition, original_offset)) FROM dead_letter_entry "
						+ "WHERE original_topic = ? AND attempts = 1",
				Integer.class, TOPIC))
			.isEqualTo(51);
		assertThat(this.jdbc.queryForObject("SELECT count(*) FROM dead_letter_attempt WHERE record_topic = ?",
				Integer.class, TOPIC))
			.isEqualTo(51);
	}

	/** Makes the test database refuse (or accept again) every connection, ending the open sessions. */
	private void databaseAccepting(boolean accepting) throws SQLException {
		RealInfrastructureInitializer.postgres().acceptConnections(this.database, accepting);
	}

	private static long committed(Admin admin, String topic, String group) throws Exception {
		// bounded, so a slow answer of a loaded broker fails this evaluation instead of the whole wait
		Map<TopicPartition, OffsetAndMetadata> offsets = admin.listConsumerGroupOffsets(group)
			.partitionsToOffsetAndMetadata()
			.get(10, TimeUnit.SECONDS);
		return offsets.entrySet()
			.stream()
			.filter((e) -> e.getKey().topic().equals(topic) && e.getValue() != null)
			.mapToLong((e) -> e.getValue().offset())
			.sum();
	}

	private static long end(Admin admin, String topic) throws Exception {
		List<TopicPartition> partitions = admin.describeTopics(List.of(topic))
			.allTopicNames()
			.get(10, TimeUnit.SECONDS)
			.get(topic)
			.partitions()
			.stream()
			.map((info) -> new TopicPartition(topic, info.partition()))
			.toList();
		Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
		partitions.forEach((partition) -> latest.put(partition, OffsetSpec.latest()));
		return admin.listOffsets(latest)
			.all()
			.get(10, TimeUnit.SECONDS)
			.values()
			.stream()
			.mapToLong((info) -> info.offset())
			.sum();
	}

}
