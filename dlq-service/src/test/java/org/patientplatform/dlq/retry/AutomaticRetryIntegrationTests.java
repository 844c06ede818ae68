package org.patientplatform.dlq.retry;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.patientplatform.dlq.DlqIntegrationTest;
import org.patientplatform.dlq.TestApi;
import org.patientplatform.dlq.TestKafka;
import org.patientplatform.dlq.redrive.Redriver;
import org.patientplatform.kit.kafka.DeadLetterHeaders;
import org.patientplatform.kit.kafka.RedriveOutcome;
import org.patientplatform.local.infra.LocalSigningKey;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.kafka.annotation.KafkaListener;
import org.springframework.kafka.config.TopicBuilder;
import org.springframework.test.context.TestPropertySource;
import org.springframework.transaction.support.TransactionTemplate;
import org.springframework.web.client.RestClient;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Automatic retry end to end: an origin listener in this context runs on the kit's failure path, so its
 * failures reach dlq.messages.v1 and its outcomes dlq.retry-outcomes.v1 exactly as in production. The
 * cron role is off: the tests trigger the due-retry run themselves.
 */
@DlqIntegrationTest
@TestPropertySource(properties = "platform.roles=app,consumer-retry-message")
@Import(AutomaticRetryIntegrationTests.Origin.class)
class AutomaticRetryIntegrationTests {

	@Autowired
	JdbcTemplate jdbc;

	@Autowired
	TransactionTemplate transactions;

	@Autowired
	DueRetries dueRetries;

	@Autowired
	RetrySchedule schedule;

	@Autowired
	Redriver redriver;

	@Autowired
	RetryProperties properties;

	@Autowired
	Origin origin;

	@Autowired
	LocalSigningKey signingKey;

	@LocalServerPort
	int port;

	@Value("${spring.kafka.bootstrap-servers}")
	String bootstrapServers;

	TestKafka kafka;

	RestClient ops;

	@BeforeEach
	void setUp() {
		this.kafka = new TestKafka(this.bootstrapServers);
		this.ops = TestApi.as(this.signingKey, this.port, "ops-anna", "ops");
		// entries an earlier test left scheduled (30 s by the default policy) must not fall due during this one:
		// each test counts exactly what it redrives
		this.jdbc.update("UPDATE dead_letter_entry SET next_attempt_at = now() + interval '1 day' "
				+ "WHERE status = 'RETRY_SCHEDULED'");
	}

	@AfterEach
	void tearDown() {
		this.kafka.close();
	}

	@Test
	void aPayloadThatCannotBeDecryptedWaitsWithItsReasonAndTheRestOfTheBatchIsSent() {
		// one entry whose key was retired from the configuration too early, one tombstone (no payload at all)
		UUID lost = UUID.randomUUID();
		UUID kept = UUID.randomUUID();
		long offset = 8_000_000 + (System.nanoTime() % 1_000_000);
		insertDue(lost, "vault.v1", offset, new byte[48], "retired-2025", 20, 2);
		insertDue(kept, "vault.v1", offset + 1, null, null, 0, 1);

		// before: the whole batch failed on the first, and every tick again, so no due entry was ever sent
		assertThat(this.dueRetries.redriveDue()).isEqualTo(1);

		assertThat(status(kept)).isEqualTo("RETRYING");
		Map<String, Object> waiting = this.jdbc.queryForMap(
				"SELECT status, status_reason, next_attempt_at > now() AS later FROM dead_letter_entry WHERE id = ?", lost);
		assertThat(waiting).containsEntry("status", "RETRY_SCHEDULED").containsEntry("later", true);
		assertThat((String) waiting.get("status_reason"))
			.isEqualTo("the redrive could not be sent (the stored payload cannot be decrypted: no key 'retired-2025' "
					+ "is configured (keep retired keys in dlq.encryption.keys)); trying again");
		assertThat(this.dueRetries.redriveDue()).as("not due again at once").isZero();
	}

	@Test
	void neverSendsAnEntryWhoseValueWasTooLargeToDeadLetterAndLeavesItToAnOperator() {
		// no payload but its size: sent, it would be a tombstone, on a compacted topic its key's deletion (the
		// capture stores such an entry not retried automatically; here one is due all the same)
		UUID omitted = UUID.randomUUID();
		UUID tombstone = UUID.randomUUID();
		long offset = 10_000_000 + (System.nanoTime() % 1_000_000);
		insertDue(omitted, "orders.v1", offset, null, null, 9_437_184, 2);
		insertDue(tombstone, "orders.v1", offset + 1, null, null, 0, 1);

		assertThat(this.dueRetries.redriveDue()).isEqualTo(1);

		assertThat(status(tombstone)).isEqualTo("RETRYING");
		assertThat(this.jdbc.queryForMap("SELECT status, status_reason, next_attempt_at FROM dead_letter_entry "
				+ "WHERE id = ?", omitted))
			.containsEntry("status", "NEW")
			.containsEntry("next_attempt_at", null)
			.containsEntry("status_reason", "not retried automatically: its value (9437184 bytes) was too large to "
					+ "dead-letter; read it at orders.v1-0@" + offset + " and use edit-and-redrive");
		assertThat(this.jdbc.queryForObject("SELECT count(*) FROM dead_letter_redrive WHERE entry_id = ?",
				Integer.class, omitted)).isZero();
		assertThat(this.kafka.readAll("orders.v1")).noneMatch((r) -> omitted.equals(TestKafka.entryId(r)));
	}

	@Test
	void aRecordTheBrokerRefusesFailsPermanentlyWithAnAlertInsteadOfBeingRetriedForEver() throws Exception {
		// stored before capture checked topic names: Kafka refuses the name on every send
		UUID refused = UUID.randomUUID();
		UUID sent = UUID.randomUUID();
		long offset = 9_000_000 + (System.nanoTime() % 1_000_000);
		// and one whose topic the broker does not have: the producer would create it (the broker's default), send
		// the record to its partition 0, and leave the entry waiting for an outcome no consumer reports
		UUID gone = UUID.randomUUID();
		String goneTopic = "never.created." + offset;
		insertDue(refused, "bad topic/with spaces", offset, null, null, 0, 2);
		insertDue(sent, "orders.v1", offset + 1, null, null, 0, 1);
		insertDue(gone, goneTopic, offset + 2, null, null, 0, 3);

		assertThat(this.dueRetries.redriveDue()).isEqualTo(1);

		assertThat(status(sent)).isEqualTo("RETRYING");
		assertThat(this.jdbc.queryForMap("SELECT status, status_reason FROM dead_letter_entry WHERE id = ?", gone))
			.containsEntry("status", "PERMANENTLY_FAILED")
			.containsEntry("status_reason", "the broker refused the redriven record (the broker has no topic "
					+ goneTopic + "; a redrive does not create topics); not retried automatically");
		try (Admin admin = Admin.create(Map.of("bootstrap.servers", this.bootstrapServers))) {
			assertThat(admin.listTopics().names().get(10, TimeUnit.SECONDS)).doesNotContain(goneTopic);
		}
		// before: RETRY_SCHEDULED again, "trying again", every 30 s without end and without an alert
		Map<String, Object> failed = this.jdbc.queryForMap(
				"SELECT status, status_reason, next_attempt_at FROM dead_letter_entry WHERE id = ?", refused);
		assertThat(failed).containsEntry("status", "PERMANENTLY_FAILED").containsEntry("next_attempt_at", null);
		// the exception's name and Kafka's own message (it was the name alone)
		assertThat((String) failed.get("status_reason"))
			.startsWith("the broker refused the redriven record (InvalidTopicException: ")
			.endsWith("); not retried automatically");
		assertThat(this.jdbc.queryForObject("SELECT count(*) FROM job WHERE dedupe_key LIKE ?", Integer.class,
				"dlq-alert:PERMANENT_FAILURE:" + refused + ":%"))
			.isEqualTo(1);
		// kept for the daily report's count of the day's permanent failures, whatever becomes of the entry
		assertThat(this.jdbc.queryForList("SELECT status FROM dead_letter_status_change WHERE entry_id = ?",
				String.class, refused)).containsExactly("PERMANENTLY_FAILED");
		makeDue(refused);
		assertThat(this.dueRetries.redriveDue()).as("no longer scheduled").isZero();
	}

	@Test
	void anOutcomeTakesTheEntryLockBeforeItsRedriveSoItCannotDeadlockWithTheCapture() throws Exception {
		UUID entry = UUID.randomUUID();
		long offset = 7_000_000 + (System.nanoTime() % 1_000_000);
		this.jdbc.update("""
				INSERT INTO dead_letter_entry (id, kind, status, source_service, consumer_group, original_topic,
				    original_partition, original_offset, dlq_partition, dlq_offset, first_failed_at, last_failed_at)
				VALUES (?, 'FAILED_RECORD', 'RETRYING', 'patient-service', 'g', 'lock-order.v1', 0, ?, 5, ?, now(), now())
				""", entry, offset, offset);
		Long redrive = this.jdbc.queryForObject("""
				INSERT INTO dead_letter_redrive (entry_id, kind, attempt, actor, target_topic, target_partition,
				    target_offset)
				VALUES (?, 'AUTOMATIC', 1, 'system', 'lock-order.v1', 0, 42) RETURNING id
				""", Long.class, entry);
		this.jdbc.update("UPDATE dead_letter_entry SET redrive_id = ?, redriven_at = now() WHERE id = ?", redrive, entry);
		RedriveOutcome outcome = new RedriveOutcome(entry.toString(), RedriveOutcome.SUCCEEDED, "patient-service", "g",
				"lock-order.v1", 0, 42, Instant.now(), null, null);
		ExecutorService pool = Executors.newSingleThreadExecutor();
		try (Connection capture = Objects.requireNonNull(this.jdbc.getDataSource()).getConnection()) {
			// the capture's order: the entry locked, then its redrive (storing a redriven record's new failure)
			capture.setAutoCommit(false);
			try (PreparedStatement lock = capture
				.prepareStatement("SELECT id FROM dead_letter_entry WHERE id = ? FOR UPDATE")) {
				lock.setObject(1, entry);
				lock.executeQuery().close();
			}
			Future<String> applied = pool
				.submit(() -> this.transactions.execute((tx) -> this.schedule.apply(entry, outcome)));
			// the outcome waits for a lock; in the order it used to take them it held the redrive row by then
			await().atMost(Duration.ofSeconds(20))
				.until(() -> this.jdbc.queryForObject("SELECT count(*) FROM pg_stat_activity WHERE "
						+ "datname = current_database() AND wait_event_type = 'Lock'", Integer.class), (n) -> n > 0);
			try (PreparedStatement fail = capture.prepareStatement(
					"UPDATE dead_letter_redrive SET outcome = 'FAILED', outcome_at = now() WHERE id = ?")) {
				fail.setLong(1, redrive);
				// a deadlock (SQL state 40P01) here or in the outcome's transaction was the bug
				assertThat(fail.executeUpdate()).isEqualTo(1);
			}
			capture.commit();
			// the origin's own report then wins: the entry is resolved
			assertThat(applied.get(30, TimeUnit.SECONDS)).isEqualTo("RESOLVED");
		}
		finally {
			pool.shutdownNow();
		}
		assertThat(this.jdbc.queryForObject("SELECT outcome FROM dead_letter_redrive WHERE id = ?", String.class, redrive))
			.isEqualTo("SUCCEEDED");
	}

	@Test
	void aNewFailureOfTheRecordWhileItsRedriveIsInFlightKeepsThatRedriveAndSendsNoOther() {
		// the origin dead-letters the same record again (it published, then stopped before committing, and read it
		// again) while the entry's automatic redrive waits for its outcome
		long offset = 8_000_000 + (System.nanoTime() % 1_000_000);
		this.kafka.send(TestKafka.failedRecord("orders.v1", 0, offset, "k", "{}", false));
		UUID id = await().atMost(Duration.ofSeconds(30))
			.until(() -> this.jdbc.queryForList("SELECT id FROM dead_letter_entry WHERE original_topic = 'orders.v1' "
					+ "AND original_offset = ? AND status = 'RETRY_SCHEDULED'", UUID.class, offset), (ids) -> ids.size() == 1)
			.getFirst();
		makeDue(id);
		assertThat(this.dueRetries.redriveDue()).isEqualTo(1);
		Long redrive = this.jdbc.queryForObject("SELECT redrive_id FROM dead_letter_state WHERE id = ?", Long.class, id);
		assertThat(redrive).isNotNull();

		this.kafka.send(TestKafka.failedRecord("orders.v1", 0, offset, "k", "{}", false));
		await().atMost(Duration.ofSeconds(30))
			.until(() -> this.jdbc.queryForObject("SELECT count(*) FROM dead_letter_attempt WHERE entry_id = ?",
					Integer.class, id), (n) -> n == 2);

		// before: NEW ("failed again") and scheduled anew, so a second copy went out beside the first, whose
		// outcome was then never applied (the state no longer named it)
		assertThat(this.jdbc.queryForMap("SELECT status, redrive_id, retry_count, next_attempt_at FROM dead_letter_state "
				+ "WHERE id = ?", id))
			.containsEntry("status", "RETRYING")
			.containsEntry("redrive_id", redrive)
			.containsEntry("retry_count", 1)
			.containsEntry("next_attempt_at", null);
		assertThat(this.jdbc.queryForObject("SELECT attempts FROM dead_letter_record WHERE id = ?", Integer.class, id))
			.isEqualTo(2);
		assertThat(this.jdbc.queryForObject("SELECT count(*) FROM dead_letter_redrive WHERE entry_id = ?", Integer.class,
				id)).isEqualTo(1);
	}

	@Test
	void appliesOnlyTheOutcomeOfTheEntrysOwnConsumerGroup() {
		UUID entry = UUID.randomUUID();
		long offset = 8_000_000 + (System.nanoTime() % 1_000_000);
		this.jdbc.update("""
				INSERT INTO dead_letter_entry (id, kind, status, source_service, consumer_group, original_topic,
				    original_partition, original_offset, dlq_partition, dlq_offset, first_failed_at, last_failed_at)
				VALUES (?, 'FAILED_RECORD', 'RETRYING', 'patient-service', 'g', 'two-groups.v1', 0, ?, 5, ?, now(),
				    now())
				""", entry, offset, offset);
		Long redrive = this.jdbc.queryForObject("""
				INSERT INTO dead_letter_redrive (entry_id, kind, attempt, actor, target_topic, target_partition,
				    target_offset)
				VALUES (?, 'AUTOMATIC', 1, 'system', 'two-groups.v1', 0, 43) RETURNING id
				""", Long.class, entry);
		this.jdbc.update("UPDATE dead_letter_entry SET redrive_id = ?, redriven_at = now() WHERE id = ?", redrive, entry);

		// the redriven record reached every group of its topic: another group that processes it says nothing of
		// the entry's consumer, which may well fail it again (before: the entry was RESOLVED)
		RedriveOutcome other = new RedriveOutcome(entry.toString(), RedriveOutcome.SUCCEEDED, "reporting-service",
				"reporting-service.reader", "two-groups.v1", 0, 43, Instant.now(), null, null);
		assertThat((String) this.transactions.execute((tx) -> this.schedule.apply(entry, other))).isNull();
		assertThat(status(entry)).isEqualTo("RETRYING");
		assertThat(this.jdbc.queryForObject("SELECT outcome FROM dead_letter_redrive WHERE id = ?", String.class,
				redrive)).isNull();

		RedriveOutcome own = new RedriveOutcome(entry.toString(), RedriveOutcome.SUCCEEDED, "patient-service", "g",
				"two-groups.v1", 0, 43, Instant.now(), null, null);
		assertThat((String) this.transactions.execute((tx) -> this.schedule.apply(entry, own))).isEqualTo("RESOLVED");
	}

	@Test
	void stopsRetryingWhenARedrivenRecordFailsForGoodEvenIfItsOutcomeCameFirst() {
		UUID entry = retryingOnItsFirstRedrive("outcome-first.v1", 9_000_000, 44, "0 seconds").id();
		// the origin failed the redriven record for good: its outcome is read first (it says nothing of that) ...
		RedriveOutcome failed = new RedriveOutcome(entry.toString(), RedriveOutcome.FAILED, "orders-service",
				"orders-service.consumer-orders", "outcome-first.v1", 0, 44, Instant.now(),
				"jakarta.validation.ConstraintViolationException", "invalid");
		assertThat((String) this.transactions.execute((tx) -> this.schedule.apply(entry, failed)))
			.isEqualTo("RETRY_SCHEDULED");
		// ... then its failed record, which says it is not retryable
		failsForGood("outcome-first.v1", 44, entry);

		// before: it stayed RETRY_SCHEDULED and was redriven automatically until its attempts ran out
		await().atMost(Duration.ofSeconds(30)).until(() -> status(entry), "NEW"::equals);
		assertThat(this.jdbc.queryForMap("SELECT next_attempt_at, status_reason FROM dead_letter_entry WHERE id = ?",
				entry))
			.containsEntry("next_attempt_at", null)
			.containsEntry("status_reason", "redriven record failed again; not retried automatically");
	}

	@Test
	void stopsRetryingWhenARedrivenRecordFailsForGoodAfterItsRedriveTimedOut() {
		// sent long enough ago that the timeout takes it: the capture lags behind an incident's backlog
		RedrivenEntry redriven = retryingOnItsFirstRedrive("timed-out-first.v1", 9_500_000, 45, "1 day");
		UUID entry = redriven.id();
		long redrive = redriven.redrive();
		this.schedule.releaseTimedOut();
		assertThat(status(entry)).isEqualTo("RETRY_SCHEDULED");

		failsForGood("timed-out-first.v1", 45, entry);

		await().atMost(Duration.ofSeconds(30)).until(() -> status(entry), "NEW"::equals);
		// the origin's own word replaces the timeout's guess
		assertThat(this.jdbc.queryForObject("SELECT outcome FROM dead_letter_redrive WHERE id = ?", String.class,
				redrive)).isEqualTo("FAILED");
	}

	/**
	 * An entry of partition 0 of the topic (an original offset above {@code offsets}, new each run) in
	 * {@code RETRYING}, its first automatic redrive sent to offset {@code target} of that partition
	 * {@code sentAgo} ago (a PostgreSQL interval).
	 */
	private RedrivenEntry retryingOnItsFirstRedrive(String topic, long offsets, long target, String sentAgo) {
		UUID entry = UUID.randomUUID();
		long offset = offsets + (System.nanoTime() % 1_000_000);
		this.jdbc.update("""
				INSERT INTO dead_letter_entry (id, kind, status, source_service, consumer_group, original_topic,
				    original_partition, original_offset, dlq_partition, dlq_offset, first_failed_at, last_failed_at)
				VALUES (?, 'FAILED_RECORD', 'RETRYING', 'orders-service', 'orders-service.consumer-orders',
				    ?, 0, ?, 5, ?, now(), now())
				""", entry, topic, offset, offset);
		Long redrive = this.jdbc.queryForObject("""
				INSERT INTO dead_letter_redrive (entry_id, kind, attempt, actor, target_topic, target_partition,
				    target_offset)
				VALUES (?, 'AUTOMATIC', 1, 'system', ?, 0, ?) RETURNING id
				""", Long.class, entry, topic, target);
		this.jdbc.update("UPDATE dead_letter_entry SET redrive_id = ?, redriven_at = now() - ?::interval, "
				+ "retry_count = 1 WHERE id = ?", redrive, sentAgo, entry);
		return new RedrivenEntry(entry, Objects.requireNonNull(redrive));
	}

	/** The entry's redriven record (at {@code target} of the topic's partition 0) failed again, not retryably. */
	private void failsForGood(String topic, long target, UUID entry) {
		ProducerRecord<byte[], byte[]> record = TestKafka.failedRecord(topic, 0, target, "k", "{}", true);
		record.headers().add(DeadLetterHeaders.ENTRY_ID, entry.toString().getBytes(StandardCharsets.UTF_8));
		record.headers().add(DeadLetterHeaders.ATTEMPT, "2".getBytes(StandardCharsets.UTF_8));
		this.kafka.send(record);
	}

	private record RedrivenEntry(UUID id, long redrive) {
	}

	@Test
	void schedulesAFailureByThePolicyThenRedrivesItAsItWasAndResolvesItWhenTheOriginSucceeds() {
		this.origin.failing.add("orders.v1");
		ProducerRecord<byte[], byte[]> record = new ProducerRecord<>("orders.v1", "order-1".getBytes(),
				"{\"order\":1}".getBytes());
		record.headers().add("x-origin", "lab-7".getBytes());
		this.kafka.send(record);

		UUID id = awaitSingleEntry("orders.v1", "RETRY_SCHEDULED");
		Map<String, Object> row = this.jdbc.queryForMap(
				"SELECT next_attempt_at, attempts, retry_count, status_reason FROM dead_letter_entry WHERE id = ?", id);
		Instant next = ((java.sql.Timestamp) row.get("next_attempt_at")).toInstant();
		// default policy: 30 s, 20 % jitter either way
		assertThat(next).isBetween(Instant.now().plusSeconds(22), Instant.now().plusSeconds(37));
		assertThat(row).containsEntry("attempts", 1).containsEntry("retry_count", 0);
		assertThat((String) row.get("status_reason")).contains("automatic retry 1 of 5 scheduled");

		this.origin.failing.remove("orders.v1");
		makeDue(id);
		assertThat(this.dueRetries.redriveDue()).isEqualTo(1);

		ConsumerRecord<byte[], byte[]> redriven = await().atMost(Duration.ofSeconds(30))
			.until(() -> this.origin.received.stream()
				.filter((r) -> id.equals(TestKafka.entryId(r)))
				.findFirst()
				.orElse(null), (r) -> r != null);
		assertThat(redriven.topic()).isEqualTo("orders.v1");
		assertThat(new String(redriven.key(), StandardCharsets.UTF_8)).isEqualTo("order-1");
		assertThat(new String(redriven.value(), StandardCharsets.UTF_8)).isEqualTo("{\"order\":1}");
		assertThat(TestKafka.header(redriven, "x-origin")).isEqualTo("lab-7");
		assertThat(TestKafka.header(redriven, DeadLetterHeaders.ATTEMPT)).isEqualTo("1");
		assertThat(redriven.headers()).noneMatch((h) -> h.key().startsWith("kafka_dlt-"));

		await().atMost(Duration.ofSeconds(30)).until(() -> status(id), "RESOLVED"::equals);
		assertThat(this.jdbc.queryForMap("SELECT kind, outcome, outcome_service FROM dead_letter_redrive WHERE entry_id = ?",
				id))
			.containsEntry("kind", "AUTOMATIC")
			.containsEntry("outcome", "SUCCEEDED")
			.containsEntry("outcome_service", "dlq-service");
	}

	@Test
	void reschedulesWhileTheRedrivenRecordKeepsFailingThenFailsPermanentlyAfterTheLastAttempt() {
		var put = this.ops.put()
			.uri("/api/v1/dlq/retry-policies/{topic}", "payments.v1")
			.body(Map.of("maxAttempts", 2, "initialDelaySeconds", 60, "multiplier", 3, "maxDelaySeconds", 3600,
					"jitter", 0, "reason", "payments are slow to recover"))
			.retrieve()
			.toEntity(Map.class);
		assertThat(put.getStatusCode().value()).isEqualTo(200);
		this.origin.failing.add("payments.v1");
		this.kafka.send(new ProducerRecord<>("payments.v1", "pay-1".getBytes(), "{\"pay\":1}".getBytes()));

		UUID id = awaitSingleEntry("payments.v1", "RETRY_SCHEDULED");
		assertDelay(id, 60);

		makeDue(id);
		assertThat(this.dueRetries.redriveDue()).isEqualTo(1);
		await().atMost(Duration.ofSeconds(30))
			.untilAsserted(() -> assertThat(this.jdbc.queryForMap(
					"SELECT status, attempts, retry_count FROM dead_letter_entry WHERE id = ?", id))
				.containsEntry("status", "RETRY_SCHEDULED")
				.containsEntry("attempts", 2)
				.containsEntry("retry_count", 1));
		assertDelay(id, 180);

		makeDue(id);
		// the origin's outcome of the first redrive can still be applied (it holds the entry's lock, and a
		// claim skips locked entries): the entry is sent by the next claim, once
		await().atMost(Duration.ofSeconds(10)).until(this.dueRetries::redriveDue, (sent) -> sent == 1);
		await().atMost(Duration.ofSeconds(30))
			.untilAsserted(() -> assertThat(this.jdbc.queryForMap(
					"SELECT status, attempts, retry_count, next_attempt_at FROM dead_letter_entry WHERE id = ?", id))
				.containsEntry("status", "PERMANENTLY_FAILED")
				.containsEntry("attempts", 3)
				.containsEntry("retry_count", 2)
				.containsEntry("next_attempt_at", null));
		assertThat(this.jdbc.queryForObject(
				"SELECT count(*) FROM dead_letter_entry WHERE original_topic = 'payments.v1'", Integer.class))
			.isEqualTo(1);
		assertThat(this.jdbc.queryForList("SELECT attempt FROM dead_letter_attempt WHERE entry_id = ? ORDER BY attempt",
				Integer.class, id))
			.containsExactly(1, 2, 3);
		await().atMost(Duration.ofSeconds(30))
			.untilAsserted(() -> assertThat(this.jdbc.queryForList(
					"SELECT outcome FROM dead_letter_redrive WHERE entry_id = ? ORDER BY id", String.class, id))
				.containsExactly("FAILED", "FAILED"));
		assertThat(this.dueRetries.redriveDue()).isZero();
	}

	@Test
	void leavesNonRetryableEntriesNewAndNeverRedrivesThem() {
		this.kafka.send(TestKafka.failedRecord("invoices.v1", 0, 1, "inv-1", "{}", true));
		UUID id = awaitSingleEntry("invoices.v1", "NEW");
		assertThat(this.jdbc.queryForMap("SELECT next_attempt_at, status_reason FROM dead_letter_entry WHERE id = ?", id))
			.containsEntry("next_attempt_at", null)
			.containsEntry("status_reason", "not retried automatically");
		assertThat(this.dueRetries.redriveDue()).isZero();
		assertThat(this.jdbc.queryForObject("SELECT count(*) FROM dead_letter_redrive WHERE entry_id = ?", Integer.class,
				id))
			.isZero();
	}

	@Test
	void sendsEachDueEntryExactlyOnceWhenTwoInstancesRedriveAtTheSameTime() throws Exception {
		int entries = 240;
		for (int i = 0; i < entries; i++) {
			this.kafka.sendAsync(TestKafka.failedRecord("twins.v1", i % 3, 1000 + i, "k-" + i, "v-" + i, false));
		}
		this.kafka.flush();
		await().atMost(Duration.ofSeconds(60))
			.until(() -> this.jdbc.queryForObject("SELECT count(*) FROM dead_letter_entry "
					+ "WHERE original_topic = 'twins.v1' AND status = 'RETRY_SCHEDULED'", Integer.class), (n) -> n == entries);
		this.jdbc.update("UPDATE dead_letter_entry SET next_attempt_at = now() - interval '1 second' "
				+ "WHERE original_topic = 'twins.v1'");
		RetryProperties small = new RetryProperties(5, Duration.ofSeconds(30), 2, Duration.ofHours(1), 0.2,
				Duration.ofMinutes(10), Duration.ofMinutes(1), Duration.ofHours(24), "*/5 * * * * *", 7, 1000, Duration.ofSeconds(30), "unused");
		DueRetries first = new DueRetries(this.jdbc, this.transactions, this.redriver, small, this.schedule);
		DueRetries second = new DueRetries(this.jdbc, this.transactions, this.redriver, small, this.schedule);

		ExecutorService threads = Executors.newFixedThreadPool(2);
		try {
			Future<Integer> a = threads.submit(first::redriveDue);
			Future<Integer> b = threads.submit(second::redriveDue);
			assertThat(a.get() + b.get()).isEqualTo(entries);
			assertThat(a.get()).as("both instances took part").isPositive();
			assertThat(b.get()).as("both instances took part").isPositive();
		}
		finally {
			threads.shutdown();
		}

		List<UUID> sent = this.kafka.readAll("twins.v1").stream().map(TestKafka::entryId).toList();
		assertThat(sent).hasSize(entries).doesNotHaveDuplicates();
		assertThat(Set.copyOf(sent)).containsExactlyInAnyOrderElementsOf(this.jdbc.queryForList(
				"SELECT id FROM dead_letter_entry WHERE original_topic = 'twins.v1'", UUID.class));
		assertThat(this.jdbc.queryForList("SELECT DISTINCT status || '/' || retry_count FROM dead_letter_entry "
				+ "WHERE original_topic = 'twins.v1'", String.class))
			.containsExactly("RETRYING/1");
	}

	@Test
	void countsARedriveWithoutOutcomeAsFailedAfterTheTimeout() {
		this.kafka.send(TestKafka.failedRecord("silent.v1", 0, 7, "s-1", "{}", false));
		UUID id = awaitSingleEntry("silent.v1", "RETRY_SCHEDULED");
		makeDue(id);
		assertThat(this.dueRetries.redriveDue()).isEqualTo(1);
		assertThat(status(id)).isEqualTo("RETRYING");
		assertThat(this.schedule.releaseTimedOut()).isZero();

		this.jdbc.update("UPDATE dead_letter_entry SET redriven_at = now() - interval '11 minutes' WHERE id = ?", id);
		assertThat(this.schedule.releaseTimedOut()).isEqualTo(1);
		assertThat(this.jdbc.queryForMap("SELECT status, retry_count, status_reason FROM dead_letter_entry WHERE id = ?",
				id))
			.containsEntry("status", "RETRY_SCHEDULED")
			.containsEntry("retry_count", 1)
			.hasEntrySatisfying("status_reason", (reason) -> assertThat((String) reason).startsWith("no outcome within"));
		assertThat(this.jdbc.queryForObject("SELECT outcome FROM dead_letter_redrive WHERE entry_id = ?", String.class, id))
			.isEqualTo("TIMED_OUT");
	}

	@Test
	void servesTheDefaultPolicyAndRejectsAnInvalidOne() {
		Map<String, Object> defaults = this.ops.get()
			.uri("/api/v1/dlq/retry-policies/{topic}", "unknown.v1")
			.retrieve()
			.body(new org.springframework.core.ParameterizedTypeReference<Map<String, Object>>() {
			});
		assertThat(defaults).containsEntry("maxAttempts", 5)
			.containsEntry("initialDelaySeconds", 30.0)
			.containsEntry("multiplier", 2.0)
			.containsEntry("maxDelaySeconds", 3600.0)
			.containsEntry("jitter", 0.2)
			.containsEntry("defaults", true);

		var invalid = this.ops.put()
			.uri("/api/v1/dlq/retry-policies/{topic}", "orders.v1")
			.body(Map.of("maxAttempts", 500, "initialDelaySeconds", 600, "multiplier", 0.5, "maxDelaySeconds", 60,
					"jitter", 0.2))
			.retrieve()
			.toEntity(Map.class);
		assertThat(invalid.getStatusCode().value()).isEqualTo(400);
		assertThat(invalid.getHeaders().getContentType()).hasToString("application/problem+json");
		assertThat(fields(invalid.getBody())).contains("maxAttempts", "multiplier", "maxDelaySeconds", "reason")
			.doesNotContain("maxDelaySecondsValid");

		var badTopic = this.ops.get().uri("/api/v1/dlq/retry-policies/{topic}", "no spaces").retrieve().toEntity(Map.class);
		assertThat(badTopic.getStatusCode().value()).isEqualTo(400);
		// no record fails on the DLQ's own topic in another service: a policy for it would apply to nothing
		var own = this.ops.put()
			.uri("/api/v1/dlq/retry-policies/{topic}", "dlq.messages.v1")
			.body(Map.of("maxAttempts", 2, "initialDelaySeconds", 60, "multiplier", 2, "maxDelaySeconds", 600,
					"jitter", 0, "reason", "x"))
			.retrieve()
			.toEntity(Map.class);
		assertThat(own.getStatusCode().value()).isEqualTo(400);
		assertThat(own.getBody().toString()).contains("the DLQ's own topics");

		var staff = TestApi.as(this.signingKey, this.port, "staff-1", "staff")
			.get()
			.uri("/api/v1/dlq/retry-policies")
			.retrieve()
			.toEntity(String.class);
		assertThat(staff.getStatusCode().value()).isEqualTo(403);
	}

	@Test
	void removesATopicsPolicyOnlyWithAReasonAndAuditsIt() {
		var put = this.ops.put()
			.uri("/api/v1/dlq/retry-policies/{topic}", "refunds.v1")
			.body(Map.of("maxAttempts", 3, "initialDelaySeconds", 10, "multiplier", 2, "maxDelaySeconds", 60,
					"jitter", 0, "reason", "INC-7 refunds retry sooner"))
			.retrieve()
			.toEntity(Map.class);
		assertThat(put.getStatusCode().value()).isEqualTo(200);

		var noReason = this.ops.delete()
			.uri("/api/v1/dlq/retry-policies/{topic}", "refunds.v1")
			.retrieve()
			.toEntity(Map.class);
		assertThat(noReason.getStatusCode().value()).isEqualTo(400);
		assertThat(noReason.getHeaders().getContentType()).hasToString("application/problem+json");
		var blank = this.ops.delete()
			.uri("/api/v1/dlq/retry-policies/{topic}?reason=", "refunds.v1")
			.retrieve()
			.toEntity(Map.class);
		assertThat(blank.getStatusCode().value()).isEqualTo(400);
		assertThat(this.jdbc.queryForObject("SELECT count(*) FROM retry_policy WHERE topic = 'refunds.v1'", Integer.class))
			.isOne();

		var removed = this.ops.delete()
			.uri("/api/v1/dlq/retry-policies/{topic}?reason={reason}", "refunds.v1", "INC-7 closed")
			.retrieve()
			.toBodilessEntity();
		assertThat(removed.getStatusCode().value()).isEqualTo(204);
		// removed again: there is none, a 404, and the attempt is audited as refused (it was not audited at all)
		var again = this.ops.delete()
			.uri("/api/v1/dlq/retry-policies/{topic}?reason={reason}", "refunds.v1", "INC-7 closed twice")
			.retrieve()
			.toBodilessEntity();
		assertThat(again.getStatusCode().value()).isEqualTo(404);
		assertThat(this.jdbc.queryForList("SELECT action || '|' || outcome || '|' || reason FROM audit_log "
				+ "WHERE resource_id = 'refunds.v1' ORDER BY id", String.class))
			.containsExactly("dlq.retry-policy.update|SUCCEEDED|INC-7 refunds retry sooner",
					"dlq.retry-policy.delete|SUCCEEDED|INC-7 closed", "dlq.retry-policy.delete|REJECTED|INC-7 closed twice");
	}

	@Test
	void variesTheDelaysOfEntriesThatReachTheCapTogether() {
		// a policy whose delays are all at the cap: before, every jittered delay above it was the cap itself
		this.jdbc.update("""
				INSERT INTO retry_policy (topic, max_attempts, initial_delay_ms, multiplier, max_delay_ms, jitter,
				    updated_by)
				VALUES ('capped.v1', 50, 100000, 1, 100000, 0.5, 'test')
				""");
		this.kafka.ensureTopic("capped.v1", 3);
		for (int i = 0; i < 20; i++) {
			UUID id = UUID.randomUUID();
			insertDue(id, "capped.v1", 9_000 + i, null, null, 0, 5);
			this.jdbc.update("UPDATE dead_letter_entry SET status = 'RETRYING', retry_count = 3, redrive_id = ?, "
					+ "redriven_at = now() - interval '11 minutes' WHERE id = ?", 90_000L + i, id);
		}
		assertThat(this.schedule.releaseTimedOut()).isEqualTo(20);
		List<Double> delays = this.jdbc.queryForList("""
				SELECT extract(epoch FROM next_attempt_at - now()) FROM dead_letter_entry
				WHERE original_topic = 'capped.v1' AND status = 'RETRY_SCHEDULED'
				""", Double.class);
		assertThat(delays).hasSize(20).allSatisfy((delay) -> assertThat(delay).isBetween(48.0, 100.0));
		assertThat(delays.stream().filter((delay) -> delay > 99.0).count()).as("at the cap itself").isLessThan(5);
	}

	private static List<String> fields(Map<?, ?> problem) {
		List<String> fields = new ArrayList<>();
		for (Object error : (List<?>) problem.get("errors")) {
			fields.add(String.valueOf(((Map<?, ?>) error).get("field")));
		}
		return fields;
	}

	private void assertDelay(UUID id, int seconds) {
		Instant next = this.jdbc.queryForObject("SELECT next_attempt_at FROM dead_letter_entry WHERE id = ?",
				java.sql.Timestamp.class, id).toInstant();
		assertThat(next).isBetween(Instant.now().plusSeconds(seconds - 5), Instant.now().plusSeconds(seconds + 1));
	}

	private UUID awaitSingleEntry(String topic, String status) {
		return await().atMost(Duration.ofSeconds(30))
			.until(() -> this.jdbc.queryForList(
					"SELECT id FROM dead_letter_entry WHERE original_topic = ? AND status = ?", UUID.class, topic,
					status), (ids) -> ids.size() == 1)
			.getFirst();
	}

	/**
	 * Stores a failed record of partition 0 as an entry due for its automatic retry since a few seconds
	 * (its DLQ coordinates: partition 5, the same offset), written through the entry view.
	 */
	private void insertDue(UUID id, String topic, long offset, byte @Nullable [] ciphertext, @Nullable String keyId,
			int payloadSize, int secondsOverdue) {
		this.jdbc.update("""
				INSERT INTO dead_letter_entry (id, kind, status, source_service, consumer_group, original_topic,
				    original_partition, original_offset, payload_ciphertext, payload_key_id, payload_size,
				    dlq_partition, dlq_offset, first_failed_at, last_failed_at, next_attempt_at)
				VALUES (?, 'FAILED_RECORD', 'RETRY_SCHEDULED', 'patient-service', 'g', ?, 0, ?, ?, ?, ?, 5, ?, now(),
				        now(), now() - make_interval(secs => ?))
				""", id, topic, offset, ciphertext, keyId, payloadSize, offset, (double) secondsOverdue);
	}

	private void makeDue(UUID id) {
		this.jdbc.update("UPDATE dead_letter_entry SET next_attempt_at = now() WHERE id = ?", id);
	}

	private String status(UUID id) {
		return this.jdbc.queryForObject("SELECT status FROM dead_letter_entry WHERE id = ?", String.class, id);
	}

	/** A consumer of another service, on the kit's failure path: fails while its topic is in {@link #failing}. */
	@TestConfiguration(proxyBeanMethods = false)
	static class Origin {

		final Set<String> failing = ConcurrentHashMap.newKeySet();

		final List<ConsumerRecord<byte[], byte[]>> received = new CopyOnWriteArrayList<>();

		@Bean
		NewTopic ordersTopic() {
			return TopicBuilder.name("orders.v1").partitions(3).build();
		}

		@Bean
		NewTopic paymentsTopic() {
			return TopicBuilder.name("payments.v1").partitions(3).build();
		}

		// topics only redriven to: a redrive does not create the topic it sends to
		@Bean
		NewTopic vaultTopic() {
			return TopicBuilder.name("vault.v1").partitions(1).build();
		}

		@Bean
		NewTopic twinsTopic() {
			return TopicBuilder.name("twins.v1").partitions(3).build();
		}

		@KafkaListener(id = "test-origin", topics = { "orders.v1", "payments.v1" },
				groupId = "dlq-service.test-origin")
		void on(ConsumerRecord<byte[], byte[]> record) {
			if (this.failing.contains(record.topic())) {
				throw new IllegalStateException("downstream unavailable");
			}
			this.received.add(record);
		}

	}

}
