package org.patientplatform.dlq.retry;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.patientplatform.dlq.DlqIntegrationTest;
import org.patientplatform.dlq.TestApi;
import org.patientplatform.dlq.TestKafka;
import org.patientplatform.kit.kafka.DeadLetterHeaders;
import org.patientplatform.local.infra.LocalSigningKey;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.core.ParameterizedTypeReference;
import org.springframework.http.ResponseEntity;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.kafka.core.DefaultKafkaConsumerFactory;
import org.springframework.kafka.core.DefaultKafkaProducerFactory;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.kafka.listener.ContainerProperties;
import org.springframework.kafka.listener.DeadLetterPublishingRecoverer;
import org.springframework.kafka.listener.DefaultErrorHandler;
import org.springframework.kafka.listener.KafkaMessageListenerContainer;
import org.springframework.kafka.listener.MessageListener;
import org.springframework.test.context.TestPropertySource;
import org.springframework.util.backoff.FixedBackOff;
import org.springframework.web.client.RestClient;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A redrive nobody reports on: a consumer outside the platform, a plain Spring Kafka application whose
 * {@code DeadLetterPublishingRecoverer} writes to dlq.messages.v1, never sends an outcome. The DLQ learns
 * from the group's committed offset that it read the redriven record. The cron role is off: the tests run
 * the timeout and the due retries themselves.
 */
@DlqIntegrationTest
@TestPropertySource(properties = "platform.roles=app,consumer-retry-message")
class RedriveReadByItsGroupIntegrationTests {

	static final ParameterizedTypeReference<Map<String, Object>> MAP = new ParameterizedTypeReference<>() {
	};

	@Autowired
	JdbcTemplate jdbc;

	@Autowired
	DueRetries dueRetries;

	@Autowired
	RetrySchedule schedule;

	@Value("${spring.kafka.bootstrap-servers}")
	String bootstrapServers;

	@Autowired
	LocalSigningKey signingKey;

	@LocalServerPort
	int port;

	TestKafka kafka;

	Admin admin;

	@BeforeEach
	void setUp() {
		this.kafka = new TestKafka(this.bootstrapServers);
		this.admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, this.bootstrapServers));
	}

	@AfterEach
	void tearDown() {
		this.kafka.close();
		this.admin.close(Duration.ofSeconds(5));
	}

	@Test
	void resolvesARedriveThatASpringKafkaApplicationReadWithoutSendingItAgain() throws Exception {
		this.kafka.createTopic("ledger.v1");
		AtomicBoolean failing = new AtomicBoolean(true);
		List<ConsumerRecord<byte[], byte[]>> processed = new CopyOnWriteArrayList<>();
		KafkaMessageListenerContainer<byte[], byte[]> ledger = springKafkaApplication("ledger-app", "ledger.v1",
				(record) -> {
					if (failing.get()) {
						throw new IllegalStateException("ledger database unavailable");
					}
					processed.add(record);
				});
		try {
			this.kafka.send(new ProducerRecord<>("ledger.v1", "L-1".getBytes(), "{\"amount\":12}".getBytes()));
			UUID id = await().atMost(Duration.ofSeconds(30))
				.until(() -> this.jdbc.queryForList("SELECT id FROM dead_letter_entry WHERE original_topic = "
						+ "'ledger.v1' AND status = 'RETRY_SCHEDULED'", UUID.class), (ids) -> ids.size() == 1)
				.getFirst();
			assertThat(this.jdbc.queryForObject("SELECT consumer_group FROM dead_letter_entry WHERE id = ?",
					String.class, id)).isEqualTo("ledger-app");

			failing.set(false);
			this.jdbc.update("UPDATE dead_letter_entry SET next_attempt_at = now() WHERE id = ?", id);
			assertThat(this.dueRetries.redriveDue()).isEqualTo(1);
			await().atMost(Duration.ofSeconds(30)).until(() -> processed.size() == 1);
			assertThat(TestKafka.entryId(processed.getFirst())).isEqualTo(id);
			long target = this.jdbc.queryForObject("SELECT target_offset FROM dead_letter_redrive WHERE entry_id = ?",
					Long.class, id);
			await().atMost(Duration.ofSeconds(30)).until(() -> committed("ledger-app", "ledger.v1", 0) > target);

			// no outcome within the timeout: the application reports none
			this.jdbc.update("UPDATE dead_letter_entry SET redriven_at = now() - interval '11 minutes' WHERE id = ?", id);
			assertThat(this.schedule.releaseTimedOut()).isEqualTo(1);

			// before: TIMED_OUT and scheduled again, the record sent four more times, then PERMANENTLY_FAILED
			assertThat(this.jdbc.queryForMap("SELECT status, status_reason, resolved_at IS NOT NULL AS resolved "
					+ "FROM dead_letter_entry WHERE id = ?", id))
				.containsEntry("status", "RESOLVED")
				.containsEntry("status_reason", "read by consumer group ledger-app with no failure reported within PT10M")
				.containsEntry("resolved", true);
			assertThat(this.jdbc.queryForList("SELECT outcome FROM dead_letter_redrive WHERE entry_id = ?", String.class,
					id))
				.containsExactly("CONSUMED");
			assertThat(this.schedule.releaseTimedOut()).isZero();
			assertThat(this.dueRetries.redriveDue()).isZero();
			assertThat(this.kafka.readAll("ledger.v1")).as("the record, and its one redrive").hasSize(2);
			assertThat(processed).hasSize(1);
		}
		finally {
			ledger.stop();
		}
	}

	@Test
	void reopensTheEntryWhenTheRedrivenRecordsFailureArrivesAfterItsGroupReadPastIt() throws Exception {
		RedrivenEntry redriven = retrying("late-failure.v1", "late-failure-app", 70);
		commit("late-failure-app", "late-failure.v1", 71);
		assertThat(this.schedule.releaseTimedOut()).isEqualTo(1);
		assertThat(status(redriven.id())).isEqualTo("RESOLVED");

		// the capture lagged further than the outcome timeout: the failure of that redrive arrives now
		ProducerRecord<byte[], byte[]> failure = TestKafka.failedRecord("late-failure.v1", 0, 70, "k", "{}", false);
		failure.headers()
			.remove(DeadLetterHeaders.ORIGINAL_CONSUMER_GROUP)
			.add(DeadLetterHeaders.ORIGINAL_CONSUMER_GROUP, "late-failure-app".getBytes(StandardCharsets.UTF_8))
			.add(DeadLetterHeaders.ENTRY_ID, redriven.id().toString().getBytes(StandardCharsets.UTF_8))
			.add(DeadLetterHeaders.ATTEMPT, "2".getBytes(StandardCharsets.UTF_8));
		this.kafka.send(failure);

		await().atMost(Duration.ofSeconds(30)).until(() -> status(redriven.id()), "RETRY_SCHEDULED"::equals);
		assertThat(this.jdbc.queryForMap("SELECT status_reason, resolved_at FROM dead_letter_entry WHERE id = ?",
				redriven.id()))
			.containsEntry("resolved_at", null)
			.hasEntrySatisfying("status_reason", (reason) -> assertThat((String) reason)
				.startsWith("redriven record failed after its consumer group had read past it; automatic retry 2 of 5"));
		assertThat(this.jdbc.queryForObject("SELECT outcome FROM dead_letter_redrive WHERE id = ?", String.class,
				redriven.redrive())).isEqualTo("FAILED");
	}

	@Test
	void waitsForAnApplicationThatIsDownInsteadOfSendingItTheRecordAgain() throws Exception {
		this.kafka.createTopic("ledger2.v1");
		AtomicBoolean failing = new AtomicBoolean(true);
		List<ConsumerRecord<byte[], byte[]>> processed = new CopyOnWriteArrayList<>();
		MessageListener<byte[], byte[]> listener = (record) -> {
			if (failing.get()) {
				throw new IllegalStateException("ledger database unavailable");
			}
			processed.add(record);
		};
		KafkaMessageListenerContainer<byte[], byte[]> ledger = springKafkaApplication("ledger2-app", "ledger2.v1",
				listener);
		this.kafka.send(new ProducerRecord<>("ledger2.v1", "L-2".getBytes(), "{\"amount\":7}".getBytes()));
		UUID id = await().atMost(Duration.ofSeconds(30))
			.until(() -> this.jdbc.queryForList("SELECT id FROM dead_letter_entry WHERE original_topic = "
					+ "'ledger2.v1' AND status = 'RETRY_SCHEDULED'", UUID.class), (ids) -> ids.size() == 1)
			.getFirst();
		// the recoverer's record was published before the group committed past the failed one
		await().atMost(Duration.ofSeconds(30)).until(() -> committed("ledger2-app", "ledger2.v1", 0) == 1);
		ledger.stop();

		failing.set(false);
		this.jdbc.update("UPDATE dead_letter_entry SET next_attempt_at = now() WHERE id = ?", id);
		assertThat(this.dueRetries.redriveDue()).isEqualTo(1);
		this.jdbc.update("UPDATE dead_letter_entry SET redriven_at = now() - interval '11 minutes' WHERE id = ?", id);

		// the application is down: before, TIMED_OUT, and the record sent again, so it would read it twice
		assertThat(this.schedule.releaseTimedOut()).isZero();
		assertThat(this.jdbc.queryForMap("SELECT status, status_reason FROM dead_letter_entry WHERE id = ?", id))
			.containsEntry("status", "RETRYING")
			.containsEntry("status_reason", "waiting for consumer group ledger2-app to read the redriven record "
					+ "(ledger2.v1-0@1; the group is at offset 1), not sending it again meanwhile");
		assertThat(this.jdbc.queryForObject("SELECT outcome FROM dead_letter_redrive WHERE entry_id = ?", String.class,
				id)).isNull();
		assertThat(this.schedule.releaseTimedOut()).as("looked at again only after outcome-recheck").isZero();
		assertThat(this.dueRetries.redriveDue()).isZero();

		KafkaMessageListenerContainer<byte[], byte[]> again = springKafkaApplication("ledger2-app", "ledger2.v1",
				listener);
		try {
			await().atMost(Duration.ofSeconds(30)).until(() -> processed.size() == 1);
			await().atMost(Duration.ofSeconds(30)).until(() -> committed("ledger2-app", "ledger2.v1", 0) == 2);
			this.jdbc.update("UPDATE dead_letter_state SET outcome_check_at = now() - interval '1 second' WHERE id = ?",
					id);
			assertThat(this.schedule.releaseTimedOut()).isEqualTo(1);
			assertThat(status(id)).isEqualTo("RESOLVED");
			assertThat(this.jdbc.queryForObject("SELECT outcome FROM dead_letter_redrive WHERE entry_id = ?",
					String.class, id)).isEqualTo("CONSUMED");
			assertThat(this.kafka.readAll("ledger2.v1")).as("the record, and its one redrive").hasSize(2);
			assertThat(processed).hasSize(1);
			assertThat(TestKafka.entryId(processed.getFirst())).isEqualTo(id);
		}
		finally {
			again.stop();
		}
	}

	@Test
	void letsAnOperatorRedriveAnEntryThatWaitsForItsGroup() throws Exception {
		this.kafka.createTopic("waiting.v1");
		this.kafka.send(TestKafka.failedRecord("waiting.v1", 0, 3, "w-1", "{\"n\":1}", false));
		UUID id = await().atMost(Duration.ofSeconds(30))
			.until(() -> this.jdbc.queryForList("SELECT id FROM dead_letter_entry WHERE original_topic = "
					+ "'waiting.v1' AND status = 'RETRY_SCHEDULED'", UUID.class), (ids) -> ids.size() == 1)
			.getFirst();
		this.jdbc.update("UPDATE dead_letter_entry SET next_attempt_at = now() WHERE id = ?", id);
		assertThat(this.dueRetries.redriveDue()).isEqualTo(1);
		Map<String, Object> first = this.jdbc.queryForMap("SELECT target_partition, target_offset "
				+ "FROM dead_letter_redrive WHERE entry_id = ?", id);
		// the entry's group has not read the redriven record, ten minutes on: the DLQ waits for it
		this.admin.alterConsumerGroupOffsets("orders-service.consumer-orders", Map.of(new TopicPartition("waiting.v1",
				((Number) first.get("target_partition")).intValue()),
				new OffsetAndMetadata(((Number) first.get("target_offset")).longValue())))
			.all()
			.get(10, TimeUnit.SECONDS);
		this.jdbc.update("UPDATE dead_letter_entry SET redriven_at = now() - interval '11 minutes' WHERE id = ?", id);
		assertThat(this.schedule.releaseTimedOut()).isZero();
		assertThat(this.jdbc.queryForObject("SELECT status_reason FROM dead_letter_entry WHERE id = ?", String.class,
				id)).startsWith("waiting for consumer group orders-service.consumer-orders");

		// before: 409 "a redrive is in flight", for up to outcome-max-wait (a day)
		RestClient ops = TestApi.as(this.signingKey, this.port, "ops-bo", "ops");
		ResponseEntity<Map<String, Object>> redriven = ops.post()
			.uri("/api/v1/dlq/messages/{id}/redrive", id)
			.body(Map.of("reason", "the ledger's group was reset; send it again"))
			.retrieve()
			.toEntity(MAP);
		assertThat(redriven.getStatusCode().value()).isEqualTo(200);
		assertThat(this.jdbc.queryForList("SELECT kind || ' ' || coalesce(outcome, '-') FROM dead_letter_redrive "
				+ "WHERE entry_id = ? ORDER BY id", String.class, id)).containsExactly("AUTOMATIC TIMED_OUT", "MANUAL -");
		assertThat(this.jdbc.queryForMap("SELECT status, outcome_check_at FROM dead_letter_state WHERE id = ?", id))
			.containsEntry("status", "RETRYING")
			.containsEntry("outcome_check_at", null);
		assertThat(this.kafka.readAll("waiting.v1")).as("the automatic redrive and the operator's").hasSize(2);

		// a redrive within the outcome timeout is still in flight
		assertThat(ops.post()
			.uri("/api/v1/dlq/messages/{id}/redrive", id)
			.body(Map.of("reason", "once more"))
			.retrieve()
			.toEntity(MAP)
			.getStatusCode()
			.value()).isEqualTo(409);
		assertThat(this.kafka.readAll("waiting.v1")).hasSize(2);
	}

	@Test
	void countsARedriveAsTimedOutOnceItsGroupHasLeftItUnreadForTheLongestWait() throws Exception {
		RedrivenEntry redriven = retrying("unread.v1", "unread-app", 40);
		// the next record the group reads is the redriven one itself: it has not been read, for a day and more
		commit("unread-app", "unread.v1", 40);
		this.jdbc.update("UPDATE dead_letter_entry SET redriven_at = now() - interval '25 hours' WHERE id = ?",
				redriven.id());
		assertThat(this.schedule.releaseTimedOut()).isEqualTo(1);
		assertThat(status(redriven.id())).isEqualTo("RETRY_SCHEDULED");
		assertThat(this.jdbc.queryForObject("SELECT outcome FROM dead_letter_redrive WHERE id = ?", String.class,
				redriven.redrive())).isEqualTo("TIMED_OUT");
	}

	@Test
	void countsARedriveAsTimedOutWhenItsGroupNeverCommittedOnThePartition() {
		// a hand-made record names a group that does not exist, or the group never read that partition
		RedrivenEntry redriven = retrying("nobody.v1", "nobody-app", 12);
		assertThat(this.schedule.releaseTimedOut()).isEqualTo(1);
		assertThat(status(redriven.id())).isEqualTo("RETRY_SCHEDULED");
	}

	@Test
	void countsARedriveToAnotherTopicAsTimedOutWhateverItsGroupReadThere() throws Exception {
		// an operator sent it to another topic: the entry's group may not read that topic at all
		RedrivenEntry redriven = retrying("elsewhere.v1", "elsewhere-app", 10);
		this.jdbc.update("UPDATE dead_letter_redrive SET target_topic = 'elsewhere.fixed.v1' WHERE id = ?",
				redriven.redrive());
		commit("elsewhere-app", "elsewhere.fixed.v1", 500);
		commit("elsewhere-app", "elsewhere.v1", 500);
		assertThat(this.schedule.releaseTimedOut()).isEqualTo(1);
		assertThat(status(redriven.id())).isEqualTo("RETRY_SCHEDULED");
	}

	/** A Spring Kafka application outside the platform: its failures go to dlq.messages.v1, it reports nothing. */
	private KafkaMessageListenerContainer<byte[], byte[]> springKafkaApplication(String group, String topic,
			MessageListener<byte[], byte[]> listener) {
		Map<String, Object> consumer = new HashMap<>();
		consumer.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, this.bootstrapServers);
		consumer.put(ConsumerConfig.GROUP_ID_CONFIG, group);
		consumer.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
		consumer.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
		consumer.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
		KafkaTemplate<Object, Object> template = new KafkaTemplate<>(new DefaultKafkaProducerFactory<>(Map.of(
				ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, this.bootstrapServers,
				ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class,
				ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class)));
		ContainerProperties properties = new ContainerProperties(topic);
		properties.setMessageListener(listener);
		KafkaMessageListenerContainer<byte[], byte[]> container = new KafkaMessageListenerContainer<>(
				new DefaultKafkaConsumerFactory<>(consumer), properties);
		container.setCommonErrorHandler(new DefaultErrorHandler(new DeadLetterPublishingRecoverer(template,
				(record, ex) -> new TopicPartition("dlq.messages.v1", -1)), new FixedBackOff(0, 0)));
		container.start();
		return container;
	}

	/**
	 * An entry of the group on partition 0 of the topic, {@code RETRYING} on its first automatic redrive (sent to
	 * offset {@code target} of that partition eleven minutes ago, past the outcome timeout).
	 */
	private RedrivenEntry retrying(String topic, String group, long target) {
		UUID entry = UUID.randomUUID();
		this.jdbc.update("""
				INSERT INTO dead_letter_entry (id, kind, status, source_service, consumer_group, original_topic,
				    original_partition, original_offset, dlq_partition, dlq_offset, first_failed_at, last_failed_at)
				VALUES (?, 'FAILED_RECORD', 'RETRYING', 'ledger-service', ?, ?, 0, 3, 5, 3, now(), now())
				""", entry, group, topic);
		Long redrive = this.jdbc.queryForObject("""
				INSERT INTO dead_letter_redrive (entry_id, kind, attempt, actor, target_topic, target_partition,
				    target_offset)
				VALUES (?, 'AUTOMATIC', 1, 'system', ?, 0, ?) RETURNING id
				""", Long.class, entry, topic, target);
		this.jdbc.update("UPDATE dead_letter_entry SET redrive_id = ?, redriven_at = now() - interval '11 minutes', "
				+ "retry_count = 1 WHERE id = ?", redrive, entry);
		return new RedrivenEntry(entry, Objects.requireNonNull(redrive));
	}

	/** Commits {@code offset} for a group with no member, as a consumer that read up to it would have. */
	private void commit(String group, String topic, long offset) throws Exception {
		this.kafka.createTopic(topic);
		this.admin.alterConsumerGroupOffsets(group, Map.of(new TopicPartition(topic, 0), new OffsetAndMetadata(offset)))
			.all()
			.get(10, TimeUnit.SECONDS);
	}

	private long committed(String group, String topic, int partition) throws Exception {
		OffsetAndMetadata offset = this.admin.listConsumerGroupOffsets(group)
			.partitionsToOffsetAndMetadata()
			.get(10, TimeUnit.SECONDS)
			.get(new TopicPartition(topic, partition));
		return (offset != null) ? offset.offset() : -1;
	}

	private String status(UUID id) {
		return this.jdbc.queryForObject("SELECT status FROM dead_letter_entry WHERE id = ?", String.class, id);
	}

	private record RedrivenEntry(UUID id, long redrive) {
	}

}
