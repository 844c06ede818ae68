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
import org.patientplatform.local.infra.KafkaBroker;
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
 * The broker stops (a real stop of the test's KRaft broker) while a bulk redrive runs: nothing is marked
 * sent, every entry stays pending, and once the broker is back the next run of the job sends each entry
 * exactly once. No job worker runs in this context: the test plays the worker. Short producer timeouts
 * keep the outage short.
 */
@DlqIntegrationTest
@TestPropertySource(properties = { "platform.roles=app,consumer-retry-message",
		"spring.kafka.producer.properties.delivery.timeout.ms=4000",
		"spring.kafka.producer.properties.request.timeout.ms=2000",
		"spring.kafka.producer.properties.max.block.ms=2000", "dlq.redrive.send-timeout=5s" })
class BulkRedriveBrokerOutageIntegrationTests {

	static final ParameterizedTypeReference<Map<String, Object>> MAP = new ParameterizedTypeReference<>() {
	};

	@Autowired
	JdbcTemplate jdbc;

	@Autowired
	BulkRedriveJob job;

	@Autowired
	KafkaBroker broker;

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
		this.broker.restart();
		this.kafka.close();
	}

	@Test
	void leavesEveryEntryPendingWhileTheBrokerIsDownAndSendsEachOnceWhenItIsBack() throws Exception {
		for (int i = 0; i < 30; i++) {
			this.kafka.sendAsync(TestKafka.failedRecord("outage.v1", i % 3, i, "k-" + i, "{\"n\":" + i + "}", true));
		}
		this.kafka.flush();
		List<UUID> entries = await().atMost(Duration.ofSeconds(60))
			.until(() -> this.jdbc.queryForList("SELECT id FROM dead_letter_entry WHERE original_topic = 'outage.v1'",
					UUID.class), (ids) -> ids.size() == 30);
		RestClient ops = TestApi.as(this.signingKey, this.port, "ops-bo", "ops");
		Map<String, Object> created = ops.post()
			.uri("/api/v1/dlq/redrives")
			.body(Map.of("filter", Map.of("topic", "outage.v1"), "ratePerSecond", 1000, "reason", "INC-9 outage"))
			.retrieve()
			.body(MAP);
		UUID bulkId = UUID.fromString((String) created.get("id"));
		JobHandler.Job kitJob = kitJob(bulkId);

		this.broker.stop();
		assertThatExceptionOfType(BulkRedriveJob.BrokerUnavailableException.class)
			.isThrownBy(() -> this.job.run(bulkId, "job-" + kitJob.id(), Duration.ofMinutes(1), 10));

		// nothing is marked sent or failed, no entry moved, no claim is left behind
		assertThat(ops.get().uri("/api/v1/dlq/redrives/{id}", bulkId).retrieve().body(MAP))
			.containsEntry("status", "RUNNING")
			.containsEntry("sent", 0)
			.containsEntry("failed", 0)
			.containsEntry("unconfirmed", 0)
			.containsEntry("pending", 30);
		assertThat(this.jdbc.queryForObject("SELECT claimed_through FROM bulk_redrive WHERE id = ?", Integer.class,
				bulkId))
			.isNull();
		assertThat(this.jdbc.queryForList("SELECT DISTINCT status FROM dead_letter_entry WHERE original_topic = ?",
				String.class, "outage.v1"))
			.containsExactly("NEW");
		assertThat(this.jdbc.queryForObject("SELECT count(*) FROM dead_letter_redrive WHERE bulk_id = ?",
				Integer.class, bulkId))
			.isZero();

		// the broker is back; the kit runs the job again (its retry): every entry goes out, each once
		this.broker.restart();
		await().atMost(Duration.ofSeconds(90)).untilAsserted(() -> {
			try {
				this.job.handle(new JobHandler.Job(kitJob.id(), kitJob.queue(), kitJob.type(), kitJob.payload(), 2));
			}
			catch (BulkRedriveJob.BrokerUnavailableException ex) {
				// the producer has not reconnected yet: the records stay pending for the next try
			}
			assertThat(ops.get().uri("/api/v1/dlq/redrives/{id}", bulkId).retrieve().body(MAP))
				.containsEntry("status", "COMPLETED");
		});
		assertThat(ops.get().uri("/api/v1/dlq/redrives/{id}", bulkId).retrieve().body(MAP))
			.containsEntry("sent", 30)
			.containsEntry("failed", 0)
			.containsEntry("pending", 0);
		List<UUID> sent = this.kafka.readAll("outage.v1").stream().map(TestKafka::entryId).toList();
		assertThat(sent).hasSize(30).doesNotHaveDuplicates().containsExactlyInAnyOrderElementsOf(entries);
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
