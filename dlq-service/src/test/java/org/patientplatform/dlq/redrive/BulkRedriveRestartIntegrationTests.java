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
import static org.awaitility.Awaitility.await;

/**
 * A bulk redrive whose first run stopped part-way (as when its process is stopped): no job worker runs in
 * this context, so the test plays the worker, and the next run of the same kit job continues it.
 */
@DlqIntegrationTest
@TestPropertySource(properties = "platform.roles=app,consumer-retry-message")
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
		for (int i = 0; i < 60; i++) {
			this.kafka.sendAsync(TestKafka.failedRecord("restart.v1", 0, i, "k-" + i, "{}", true));
		}
		this.kafka.flush();
		await().atMost(Duration.ofSeconds(60))
			.until(() -> this.jdbc.queryForObject(
					"SELECT count(*) FROM dead_letter_entry WHERE original_topic = 'restart.v1'", Integer.class),
					(n) -> n == 60);
		RestClient ops = TestApi.as(this.signingKey, this.port, "ops-di", "ops");
		Map<String, Object> created = ops.post()
			.uri("/api/v1/dlq/redrives")
			.body(Map.of("filter", Map.of("topic", "restart.v1"), "ratePerSecond", 100))
			.retrieve()
			.body(MAP);
		UUID bulkId = UUID.fromString((String) created.get("id"));
		Map<String, Object> queued = this.jdbc.queryForMap(
				"SELECT id, payload::text AS payload FROM job WHERE job_type = 'dlq.bulk-redrive'");
		JobHandler.Job kitJob = new JobHandler.Job((Long) queued.get("id"), "default", "dlq.bulk-redrive",
				this.json.readTree((String) queued.get("payload")), 1);

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

}
