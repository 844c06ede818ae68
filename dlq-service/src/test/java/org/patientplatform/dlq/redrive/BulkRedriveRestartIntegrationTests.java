package org.patientplatform.dlq.redrive;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.patientplatform.dlq.DlqIntegrationTest;
import org.patientplatform.dlq.TestApi;
import org.patientplatform.dlq.TestKafka;
import org.patientplatform.kit.jobs.JobHandler;
import org.patientplatform.local.infra.LocalSigningKey;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.core.ParameterizedTypeReference;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.context.TestPropertySource;
import org.springframework.web.client.RestClient;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

/**
 * A bulk redrive whose first run stopped part-way (as when its process is stopped): between chunks, and
 * between sending a chunk and recording it. No job worker runs in this context, so the test plays the
 * worker, and the next run of the same kit job continues it without sending anything twice.
 */
@DlqIntegrationTest
@TestPropertySource(properties = { "platform.roles=app,consumer-retry-message",
		// chunks of seven without rate limit, two lanes: several chunks of a small job are in flight at once
		"dlq.redrive.unthrottled-chunk=7", "dlq.redrive.unthrottled-lanes=2" })
class BulkRedriveRestartIntegrationTests {

	static final ParameterizedTypeReference<Map<String, Object>> MAP = new ParameterizedTypeReference<>() {
	};

	@Autowired
	JdbcTemplate jdbc;

	@Autowired
	BulkRedriveJob job;

	@Autowired
	JsonMapper json;

	@Autowired
	LocalSigningKey signingKey;

	@LocalServerPort
	int port;

	@Value("${spring.kafka.bootstrap-servers}")
	String bootstrapServers;

	TestKafka kafka;

	@BeforeEach
	void setUp() {
		this.kafka = new TestKafka(this.bootstrapServers);
	}

	@AfterEach
	void tearDown() {
		this.kafka.close();
	}

	@Test
	void aRestartedJobContinuesWithoutResendingWhatItSent() throws Exception {
		RestClient ops = TestApi.as(this.signingKey, this.port, "ops-di", "ops");
		UUID bulkId = bulkOfSixty("restart.v1", ops);
		JobHandler.Job kitJob = kitJob(bulkId);

		// the first run stops after three chunks of ten, as if its process had been stopped
		assertThat(this.job.run(bulkId, "job-" + kitJob.id(), Duration.ofMinutes(1), 3))
			.isEqualTo(BulkRedriveJob.Run.SLICE_USED);
		assertThat(this.kafka.readAll("restart.v1")).hasSize(30);
		assertThat(ops.get().uri("/api/v1/dlq/redrives/{id}", bulkId).retrieve().body(MAP)).containsEntry("sent", 30)
			.containsEntry("pending", 30)
			.containsEntry("status", "RUNNING");

		// the kit runs the job again (its lease ran out): it continues from the pending items
		this.job.handle(new JobHandler.Job(kitJob.id(), kitJob.queue(), kitJob.type(), kitJob.payload(), 2));

		List<UUID> sent = this.kafka.readAll("restart.v1").stream().map(TestKafka::entryId).toList();
		assertThat(sent).hasSize(60).doesNotHaveDuplicates();
		assertThat(ops.get().uri("/api/v1/dlq/redrives/{id}", bulkId).retrieve().body(MAP))
			.containsEntry("status", "COMPLETED")
			.containsEntry("sent", 60)
			.containsEntry("pending", 0);

		// and once more after completion: nothing is sent again
		this.job.handle(new JobHandler.Job(kitJob.id(), kitJob.queue(), kitJob.type(), kitJob.payload(), 3));
		assertThat(this.kafka.readAll("restart.v1")).hasSize(60);
		assertThat(this.jdbc.queryForObject("SELECT count(*) FROM dead_letter_redrive WHERE bulk_id = ?", Integer.class,
				bulkId))
			.isEqualTo(60);
	}

	@Test
	void aJobWhoseWorkerStopsEndsAtTheNextChunkAndLeavesTheRestToAFreshJob() throws Exception {
		RestClient ops = TestApi.as(this.signingKey, this.port, "ops-di", "ops");
		UUID bulkId = bulkOfSixty("shutdown.v1", ops);
		JobHandler.Job kitJob = kitJob(bulkId);

		// the service shuts down once 20 are sent: before, the run went on sending until the drain time was
		// over, then was interrupted and counted as a failed attempt
		java.util.function.BooleanSupplier stopping = () -> this.kafka.readAll("shutdown.v1").size() >= 20;
		this.job.handle(new JobHandler.Job(kitJob.id(), kitJob.queue(), kitJob.type(), kitJob.payload(), 1, stopping));

		Map<String, Object> stopped = ops.get().uri("/api/v1/dlq/redrives/{id}", bulkId).retrieve().body(MAP);
		assertThat(stopped).containsEntry("status", "RUNNING").containsEntry("failed", 0);
		assertThat((Integer) stopped.get("sent")).isBetween(20, 30);
		Map<String, Object> next = this.jdbc.queryForMap("SELECT id, payload::text AS payload, status FROM job "
				+ "WHERE job_type = 'dlq.bulk-redrive' AND dedupe_key LIKE ?", "dlq.bulk-redrive:" + bulkId + ":continue-%");
		assertThat(next).containsEntry("status", "READY");

		// the fresh job, when a worker is up again, sends the rest once
		this.job.handle(new JobHandler.Job((Long) next.get("id"), "default", "dlq.bulk-redrive",
				this.json.readTree((String) next.get("payload")), 1));
		assertThat(this.kafka.readAll("shutdown.v1").stream().map(TestKafka::entryId).toList()).hasSize(60)
			.doesNotHaveDuplicates();
		assertThat(ops.get().uri("/api/v1/dlq/redrives/{id}", bulkId).retrieve().body(MAP))
			.containsEntry("status", "COMPLETED")
			.containsEntry("sent", 60);
	}

	@Test
	void aChunkSentButNeverRecordedIsNotSentAgainAndIsReportedUnconfirmed() throws Exception {
		RestClient ops = TestApi.as(this.signingKey, this.port, "ops-di", "ops");
		UUID bulkId = bulkOfSixty("crash.v1", ops);
		JobHandler.Job kitJob = kitJob(bulkId);

		// the first run sends its first chunk of ten, then dies before recording it: its transaction fails
		// after the broker took the records (as when the process is killed at that moment)
		crashWhenRecording("crash_before_recording", "NEW.state = 'SENT'");
		try {
			assertThatExceptionOfType(RuntimeException.class)
				.isThrownBy(() -> this.job.run(bulkId, "job-" + kitJob.id(), Duration.ofMinutes(1), 1))
				.withStackTraceContaining("simulated crash after the send");
		}
		finally {
			stopCrashing("crash_before_recording");
		}
		List<UUID> sentByTheDeadRun = this.kafka.readAll("crash.v1").stream().map(TestKafka::entryId).toList();
		assertThat(sentByTheDeadRun).hasSize(10);
		assertThat(this.jdbc.queryForObject("SELECT claimed_through FROM bulk_redrive WHERE id = ?", Integer.class,
				bulkId))
			.isEqualTo(10);

		// the kit runs the job again: the unrecorded chunk is retired as unconfirmed, the rest goes once
		this.job.handle(new JobHandler.Job(kitJob.id(), kitJob.queue(), kitJob.type(), kitJob.payload(), 2));

		List<UUID> sent = this.kafka.readAll("crash.v1").stream().map(TestKafka::entryId).toList();
		assertThat(sent).hasSize(60).doesNotHaveDuplicates().containsAll(sentByTheDeadRun);
		assertThat(ops.get().uri("/api/v1/dlq/redrives/{id}", bulkId).retrieve().body(MAP))
			.containsEntry("status", "COMPLETED")
			.containsEntry("sent", 50)
			.containsEntry("failed", 10)
			.containsEntry("unconfirmed", 10)
			.containsEntry("pending", 0);
		assertThat(this.jdbc.queryForList("SELECT entry_id FROM bulk_redrive_item WHERE bulk_id = ? AND detail = ?",
				UUID.class, bulkId, BulkRedriveJob.UNCONFIRMED))
			.containsExactlyInAnyOrderElementsOf(sentByTheDeadRun);
	}

	@Test
	void anUnthrottledJobSendsSeveralChunksAtOnceEachEntryOnce() throws Exception {
		UUID bulkId = unthrottledBulk("lanes.v1", 100);
		JobHandler.Job kitJob = kitJob(bulkId);

		this.job.handle(kitJob);

		List<UUID> sent = this.kafka.readAll("lanes.v1").stream().map(TestKafka::entryId).toList();
		assertThat(sent).hasSize(100).doesNotHaveDuplicates();
		assertThat(bulkRow(bulkId)).containsEntry("status", "COMPLETED")
			.containsEntry("sent", 100)
			.containsEntry("failed", 0)
			.containsEntry("claimed_through", null)
			.containsEntry("open_claims", 0);
		assertThat(this.jdbc.queryForObject("SELECT count(DISTINCT entry_id) FROM dead_letter_redrive WHERE bulk_id = ?",
				Integer.class, bulkId))
			.isEqualTo(100);
		assertThat(this.jdbc.queryForObject(
				"SELECT count(*) FROM dead_letter_entry WHERE original_topic = 'lanes.v1' AND status = 'RETRYING'",
				Integer.class))
			.isEqualTo(100);
	}

	@Test
	void aLaneThatDiesBeforeRecordingItsChunkLeavesOnlyThatChunkUnconfirmedAndNothingIsSentTwice() throws Exception {
		UUID bulkId = unthrottledBulk("lane-crash.v1", 100);
		JobHandler.Job kitJob = kitJob(bulkId);
		// the third chunk (items 15 to 21) is sent, then its transaction fails before it is recorded
		crashWhenRecording("crash_third_chunk", "NEW.state = 'SENT' AND NEW.seq BETWEEN 15 AND 21");
		try {
			assertThatExceptionOfType(RuntimeException.class)
				.isThrownBy(() -> this.job.run(bulkId, "job-" + kitJob.id(), Duration.ofMinutes(1), Integer.MAX_VALUE))
				.withStackTraceContaining("simulated crash after the send");
		}
		finally {
			stopCrashing("crash_third_chunk");
		}
		assertThat(bulkRow(bulkId).get("claimed_through")).isNotNull();

		// the kit runs the job again: the unrecorded chunk is retired as unconfirmed, the rest goes once
		this.job.handle(new JobHandler.Job(kitJob.id(), kitJob.queue(), kitJob.type(), kitJob.payload(), 2));

		List<UUID> sent = this.kafka.readAll("lane-crash.v1").stream().map(TestKafka::entryId).toList();
		assertThat(sent).hasSize(100).doesNotHaveDuplicates();
		assertThat(bulkRow(bulkId)).containsEntry("status", "COMPLETED")
			.containsEntry("sent", 93)
			.containsEntry("failed", 7)
			.containsEntry("unconfirmed", 7)
			.containsEntry("open_claims", 0);
		assertThat(this.jdbc.queryForList("SELECT seq FROM bulk_redrive_item WHERE bulk_id = ? AND detail = ? ORDER BY seq",
				Integer.class, bulkId, BulkRedriveJob.UNCONFIRMED))
			.containsExactly(15, 16, 17, 18, 19, 20, 21);
	}

	/**
	 * Makes the transaction that marks matching items sent fail, after the broker took their records (as
	 * when the process is killed at that moment).
	 */
	private void crashWhenRecording(String name, String condition) {
		this.jdbc.execute("CREATE FUNCTION " + name + "() RETURNS trigger LANGUAGE plpgsql AS $$ "
				+ "BEGIN RAISE EXCEPTION 'simulated crash after the send'; END $$");
		this.jdbc.execute("CREATE TRIGGER " + name + " BEFORE UPDATE ON bulk_redrive_item FOR EACH ROW WHEN ("
				+ condition + ") EXECUTE FUNCTION " + name + "()");
	}

	private void stopCrashing(String name) {
		this.jdbc.execute("DROP TRIGGER " + name + " ON bulk_redrive_item");
		this.jdbc.execute("DROP FUNCTION " + name + "()");
	}

	private UUID unthrottledBulk(String topic, int entries) {
		for (int i = 0; i < entries; i++) {
			this.kafka.sendAsync(TestKafka.failedRecord(topic, 0, i, "k-" + i, "{}", true));
		}
		this.kafka.flush();
		await().atMost(Duration.ofSeconds(60))
			.until(() -> this.jdbc.queryForObject("SELECT count(*) FROM dead_letter_entry WHERE original_topic = ?",
					Integer.class, topic), (n) -> n == entries);
		RestClient ops = TestApi.as(this.signingKey, this.port, "ops-di", "ops");
		Map<String, Object> created = ops.post()
			.uri("/api/v1/dlq/redrives")
			.body(Map.of("filter", Map.of("topic", topic), "unthrottled", true, "reason", "restart test"))
			.retrieve()
			.body(MAP);
		assertThat(created).containsEntry("total", entries).containsEntry("unthrottled", true);
		return UUID.fromString((String) created.get("id"));
	}

	private Map<String, Object> bulkRow(UUID bulkId) {
		return this.jdbc.queryForMap("SELECT status, sent, failed, unconfirmed, claimed_through, open_claims "
				+ "FROM bulk_redrive WHERE id = ?", bulkId);
	}

	/** Sixty stored entries of the topic, and a bulk redrive of them at 100/s (chunks of ten), not yet run. */
	private UUID bulkOfSixty(String topic, RestClient ops) {
		for (int i = 0; i < 60; i++) {
			this.kafka.sendAsync(TestKafka.failedRecord(topic, 0, i, "k-" + i, "{}", true));
		}
		this.kafka.flush();
		await().atMost(Duration.ofSeconds(60))
			.until(() -> this.jdbc.queryForObject("SELECT count(*) FROM dead_letter_entry WHERE original_topic = ?",
					Integer.class, topic), (n) -> n == 60);
		Map<String, Object> created = ops.post()
			.uri("/api/v1/dlq/redrives")
			.body(Map.of("filter", Map.of("topic", topic), "ratePerSecond", 100, "reason", "restart test"))
			.retrieve()
			.body(MAP);
		return UUID.fromString((String) created.get("id"));
	}

	private JobHandler.Job kitJob(UUID bulkId) {
		Map<String, Object> queued = this.jdbc.queryForMap(
				"SELECT id, payload::text AS payload FROM job WHERE job_type = 'dlq.bulk-redrive' "
						+ "AND payload->>'bulkId' = ?",
				bulkId.toString());
		return new JobHandler.Job((Long) queued.get("id"), "default", "dlq.bulk-redrive",
				this.json.readTree((String) queued.get("payload")), 1);
	}

}
