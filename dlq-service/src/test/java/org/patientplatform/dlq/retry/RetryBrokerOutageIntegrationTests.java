package org.patientplatform.dlq.retry;

import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.patientplatform.dlq.DlqIntegrationTest;
import org.patientplatform.dlq.TestKafka;
import org.patientplatform.local.infra.KafkaBroker;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.test.context.TestPropertySource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The broker stops (a real stop of the test's KRaft broker) while due entries are redriven: they stay
 * {@code RETRY_SCHEDULED}, none is lost and none goes out late from the producer's buffer; once the broker
 * is back each goes out once. (A broker that shuts down leaves its partitions without a leader, so the
 * producer refuses the records after {@code max.block.ms}; records it had already taken would be waited
 * for until its delivery timeout.) The cron role is off: the test runs the due-retry pass itself.
 */
@DlqIntegrationTest
@TestPropertySource(properties = { "platform.roles=app,consumer-retry-message",
		"spring.kafka.producer.properties.delivery.timeout.ms=4000",
		"spring.kafka.producer.properties.request.timeout.ms=2000",
		"spring.kafka.producer.properties.max.block.ms=2000", "dlq.redrive.send-timeout=5s" })
class RetryBrokerOutageIntegrationTests {

	static final String TOPIC = "retry-outage.v1";

	@Autowired
	JdbcTemplate jdbc;

	@Autowired
	DueRetries dueRetries;

	@Autowired
	KafkaBroker broker;

	@Autowired
	KafkaTemplate<byte[], byte[]> template;

	@Value("${spring.kafka.bootstrap-servers}")
	String bootstrapServers;

	TestKafka kafka;

	@BeforeEach
	void setUp() {
		this.kafka = new TestKafka(this.bootstrapServers);
	}

	@AfterEach
	void tearDown() {
		this.broker.restart();
		this.kafka.close();
	}

	@Test
	void keepsDueEntriesScheduledWhileTheBrokerIsDownAndRedrivesEachOnceWhenItIsBack() throws Exception {
		try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, this.bootstrapServers))) {
			admin.createTopics(List.of(new NewTopic(TOPIC, 3, (short) 1))).all().get();
		}
		for (int i = 0; i < 20; i++) {
			this.kafka.sendAsync(TestKafka.failedRecord(TOPIC, i % 3, i, "k-" + i, "{\"n\":" + i + "}", false));
		}
		this.kafka.flush();
		List<UUID> entries = await().atMost(Duration.ofSeconds(60))
			.until(() -> this.jdbc.queryForList(
					"SELECT id FROM dead_letter_entry WHERE original_topic = ? AND status = 'RETRY_SCHEDULED'",
					UUID.class, TOPIC), (ids) -> ids.size() == 20);
		// the service's producer knows the topic, as it would after earlier redrives
		assertThat(this.template.partitionsFor(TOPIC)).hasSize(3);
		makeDue();

		this.broker.stop();
		assertThat(this.dueRetries.redriveDue()).isZero();

		// still scheduled (a little later), not counted as an attempt, nothing recorded as sent
		assertThat(this.jdbc.queryForList(
				"SELECT DISTINCT status || '/' || retry_count FROM dead_letter_entry WHERE original_topic = ?",
				String.class, TOPIC))
			.containsExactly("RETRY_SCHEDULED/0");
		assertThat(this.jdbc.queryForObject(
				"SELECT min(next_attempt_at) FROM dead_letter_entry WHERE original_topic = ?", Timestamp.class, TOPIC)
			.toInstant()).isAfter(Instant.now());
		assertThat(this.jdbc.queryForObject(
				"SELECT count(*) FROM dead_letter_redrive r JOIN dead_letter_entry e ON e.id = r.entry_id "
						+ "WHERE e.original_topic = ?",
				Integer.class, TOPIC))
			.isZero();

		this.broker.restart();
		AtomicInteger sent = new AtomicInteger();
		await().atMost(Duration.ofSeconds(90)).untilAsserted(() -> {
			makeDue();
			sent.addAndGet(this.dueRetries.redriveDue());
			assertThat(sent.get()).isEqualTo(20);
		});
		List<UUID> redriven = this.kafka.readAll(TOPIC).stream().map(TestKafka::entryId).toList();
		assertThat(redriven).hasSize(20).doesNotHaveDuplicates().containsExactlyInAnyOrderElementsOf(entries);
		assertThat(this.jdbc.queryForList(
				"SELECT DISTINCT status || '/' || retry_count FROM dead_letter_entry WHERE original_topic = ?",
				String.class, TOPIC))
			.containsExactly("RETRYING/1");
	}

	private void makeDue() {
		this.jdbc.update("UPDATE dead_letter_entry SET next_attempt_at = now() - interval '1 second' "
				+ "WHERE original_topic = ? AND status = 'RETRY_SCHEDULED'", TOPIC);
	}

}
