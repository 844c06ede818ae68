package org.patientplatform.dlq.report;

import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.patientplatform.dlq.DlqIntegrationTest;
import org.patientplatform.dlq.TestApi;
import org.patientplatform.dlq.TestKafka;
import org.patientplatform.kit.jobs.JobHandler;
import org.patientplatform.kit.jobs.Jobs;
import org.patientplatform.local.infra.LocalSigningKey;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.core.ParameterizedTypeReference;
import org.springframework.http.MediaType;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.context.TestPropertySource;
import org.springframework.web.client.RestClient;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

@DlqIntegrationTest
@TestPropertySource(properties = "platform.roles=app,consumer-retry-message")
class DailyReportIntegrationTests {

	static final ParameterizedTypeReference<Map<String, Object>> MAP = new ParameterizedTypeReference<>() {
	};

	@Autowired
	io.micrometer.core.instrument.MeterRegistry meters;

	@Autowired
	JdbcTemplate jdbc;

	@Autowired
	Jobs jobs;

	@Autowired
	List<JobHandler> handlers;

	@Autowired
	JsonMapper json;

	@Autowired
	LocalSigningKey signingKey;

	@LocalServerPort
	int port;

	@Value("${spring.kafka.bootstrap-servers}")
	String bootstrapServers;

	@Test
	void buildsTheDaysReportAndServesItAsJsonAndCsv() throws Exception {
		try (TestKafka kafka = new TestKafka(this.bootstrapServers)) {
			for (int i = 0; i < 3; i++) {
				kafka.sendAsync(TestKafka.failedRecord((i < 2) ? "patient-service" : "booking-queue-service",
						"report.v1", i, "k" + i, "{}", "java.lang.IllegalStateException", "m", "ffffffffffffffff", true));
			}
			kafka.flush();
		}
		await().atMost(Duration.ofSeconds(60))
			.until(() -> this.jdbc.queryForList("SELECT id FROM dead_letter_entry", UUID.class), (ids) -> ids.size() == 3);
		List<UUID> ids = this.jdbc.queryForList("SELECT id FROM dead_letter_entry ORDER BY original_offset", UUID.class);
		redrive(ids.get(0), "SUCCEEDED");
		redrive(ids.get(1), "FAILED");
		redrive(ids.get(2), null);
		this.jdbc.update("UPDATE dead_letter_entry SET status = 'RESOLVED', resolved_at = now() WHERE id = ?", ids.get(0));
		LocalDate today = LocalDate.now(ZoneOffset.UTC);

		// what the cron role does at 00:05 for yesterday, here for today, run by the worker's handler
		long jobId = this.jobs.enqueue(Jobs.DEFAULT, "dlq.daily-report", Map.of("day", today.toString()), null,
				"dlq.daily-report:" + today, 10);
		JobHandler builder = this.handlers.stream().filter((h) -> h.type().equals("dlq.daily-report")).findFirst().orElseThrow();
		builder.handle(new JobHandler.Job(jobId, "default", "dlq.daily-report",
				this.json.readTree("{\"day\":\"" + today + "\"}"), 1));

		RestClient ops = TestApi.as(this.signingKey, this.port, "ops-fa", "ops");
		Map<String, Object> report = ops.get().uri("/api/v1/dlq/reports/{day}", today).retrieve().body(MAP);
		// the request is timed under the route's template, not its pattern ({day:[^.]*} had been the label); timed
		// once the response is written, which the client may have read before
		await().atMost(Duration.ofSeconds(10))
			.untilAsserted(() -> assertThat(this.meters.find("http.server.requests").timers())
				.extracting((timer) -> timer.getId().getTag("uri"))
				.contains("/api/v1/dlq/reports/{day}")
				.noneMatch((uri) -> uri != null && uri.contains("[^.]")));
		assertThat(report).containsEntry("day", today.toString())
			.containsEntry("newEntries", 3)
			.containsEntry("failures", 3)
			.containsEntry("resolved", 1)
			.containsEntry("unresolved", 2);
		assertThat(report.get("bySourceService")).isEqualTo(List.of(Map.of("name", "patient-service", "failures", 2),
				Map.of("name", "booking-queue-service", "failures", 1)));
		assertThat(report.get("byTopic")).isEqualTo(List.of(Map.of("name", "report.v1", "failures", 3)));
		@SuppressWarnings("unchecked")
		Map<String, Object> redrives = (Map<String, Object>) report.get("redrives");
		assertThat(redrives).containsEntry("sent", 3)
			.containsEntry("succeeded", 1)
			.containsEntry("failed", 1)
			.containsEntry("awaiting", 1)
			.containsEntry("successRate", 0.5);

		var csv = ops.get().uri("/api/v1/dlq/reports/{day}.csv", today).retrieve().toEntity(String.class);
		assertThat(csv.getHeaders().getContentType().toString()).startsWith("text/csv");
		assertThat(csv.getBody()).startsWith("section,name,value\r\n")
			.contains("sourceService,patient-service,2\r\n", "errorClass,java.lang.IllegalStateException,3\r\n",
					"redrives,successRate,0.5\r\n");
		// before: the JSON report's 400, "must be a date", for the day "2026-12-07.csv"
		var csvAsJson = ops.get()
			.uri("/api/v1/dlq/reports/{day}.csv", today)
			.accept(MediaType.APPLICATION_JSON)
			.retrieve()
			.toEntity(String.class);
		assertThat(csvAsJson.getStatusCode().value()).isEqualTo(406);
		assertThat(ops.get().uri("/api/v1/dlq/reports").retrieve().body(new ParameterizedTypeReference<List<String>>() {
		})).containsExactly(today.toString());
		assertThat(ops.get().uri("/api/v1/dlq/reports/{day}", today.minusDays(30)).retrieve().toEntity(MAP)
			.getStatusCode()
			.value()).isEqualTo(404);
		// before: a report of a day to come, with today's unresolved entries in it
		var future = ops.post().uri("/api/v1/dlq/reports/{day}/build", today.plusDays(2)).retrieve().toEntity(MAP);
		assertThat(future.getStatusCode().value()).isEqualTo(400);
		assertThat((String) future.getBody().get("detail")).contains("has not begun");
		// ISO dates take signed years, which PostgreSQL would store (year -1 as 2 BC) and nothing could read back
		for (String day : List.of("-0001-01-01", "0000-12-31", "+10000-01-01", "-999999999-01-01")) {
			for (String path : List.of("/api/v1/dlq/reports/{day}/build", "/api/v1/dlq/reports/{day}")) {
				var response = path.endsWith("build") ? ops.post().uri(path, day).retrieve().toEntity(MAP)
						: ops.get().uri(path, day).retrieve().toEntity(MAP);
				assertThat(response.getStatusCode().value()).as(path + " " + day).isEqualTo(400);
				assertThat((String) response.getBody().get("detail")).contains("between the years 0001 and 9999");
			}
			assertThat(ops.get().uri("/api/v1/dlq/reports/{day}.csv", day).retrieve().toEntity(String.class)
				.getStatusCode()
				.value()).isEqualTo(400);
		}
		assertThat(ops.get().uri("/api/v1/dlq/reports").retrieve().body(new ParameterizedTypeReference<List<String>>() {
		})).containsExactly(today.toString());
	}

	@Test
	void countsTheEntriesResolvedPermanentlyFailedAndDiscardedThatDayWhateverBecameOfThemSince() {
		try (TestKafka kafka = new TestKafka(this.bootstrapServers)) {
			for (int i = 0; i < 3; i++) {
				kafka.sendAsync(counted(i));
			}
			kafka.flush();
		}
		List<UUID> ids = await().atMost(Duration.ofSeconds(60))
			.until(() -> this.jdbc.queryForList("SELECT id FROM dead_letter_entry WHERE original_topic = 'counted.v1' "
					+ "ORDER BY original_offset", UUID.class), (found) -> found.size() == 3);
		UUID failedThenResolved = ids.get(0);
		UUID resolvedThenReopened = ids.get(1);
		UUID discarded = ids.get(2);
		// its last automatic retry failed (the alert went out), then an operator redrove it and its consumer
		// processed it: as the retry schedule and the outcome write the state
		status(failedThenResolved, "PERMANENTLY_FAILED", "failed after 5 automatic retries");
		status(failedThenResolved, "RETRYING", "redriven by ops-fa");
		status(failedThenResolved, "RESOLVED", "processed by orders-service");
		// resolved, then its consumer read the record again and failed: a new failure reopens it
		status(resolvedThenReopened, "RESOLVED", "processed by orders-service");
		failAgain(1, resolvedThenReopened);
		RestClient ops = TestApi.as(this.signingKey, this.port, "ops-fa", "ops");
		assertThat(ops.post()
			.uri("/api/v1/dlq/messages/{id}/discard", discarded)
			.body(Map.of("reason", "test data"))
			.retrieve()
			.toBodilessEntity()
			.getStatusCode()
			.value()).isEqualTo(200);
		LocalDate today = LocalDate.now(ZoneOffset.UTC);

		// before: 1 resolved (the reopened entry's resolution was gone with its resolved_at) and 0 permanently failed
		// (the entry was resolved since)
		Map<String, Object> report = ops.post().uri("/api/v1/dlq/reports/{day}/build", today).retrieve().body(MAP);
		assertThat(report).containsEntry("resolved", 2)
			.containsEntry("permanentlyFailed", 1)
			.containsEntry("discarded", 1)
			.containsEntry("unresolved", 1);

		// the day's figures stay what happened in it when it is built again: here after the first entry is reopened
		// too (before: 0 resolved)
		failAgain(0, failedThenResolved);
		Map<String, Object> rebuilt = ops.post().uri("/api/v1/dlq/reports/{day}/build", today).retrieve().body(MAP);
		assertThat(rebuilt).containsEntry("resolved", 2)
			.containsEntry("permanentlyFailed", 1)
			.containsEntry("discarded", 1)
			.containsEntry("unresolved", 2);
		assertThat(ops.get().uri("/api/v1/dlq/reports/{day}.csv", today).retrieve().body(String.class)).contains(
				"totals,resolved,2\r\n", "totals,permanentlyFailed,1\r\n", "totals,discarded,1\r\n");
	}

	@AfterEach
	void deleteWhatTheTestStored() {
		// each test counts its own day's entries
		for (String table : List.of("dead_letter_entry", "dead_letter_attempt", "dead_letter_redrive",
				"dead_letter_status_change", "daily_report")) {
			this.jdbc.update("DELETE FROM " + table);
		}
	}

	/** A failure of record {@code offset} of counted.v1, not retried automatically (no retry changes it). */
	private static ProducerRecord<byte[], byte[]> counted(int offset) {
		return TestKafka.failedRecord("orders-service", "counted.v1", offset, "k" + offset, "{}",
				"java.lang.IllegalStateException", "m", "cccccccccccccccc", true);
	}

	private void failAgain(int offset, UUID entry) {
		try (TestKafka kafka = new TestKafka(this.bootstrapServers)) {
			kafka.send(counted(offset));
		}
		await().atMost(Duration.ofSeconds(30))
			.until(() -> this.jdbc.queryForObject("SELECT status FROM dead_letter_entry WHERE id = ?", String.class,
					entry), (status) -> status.equals("NEW"));
	}

	/** Changes the entry's status as the service does (its state row, now). */
	private void status(UUID entry, String status, String reason) {
		this.jdbc.update("""
				UPDATE dead_letter_state SET status = ?, status_reason = ?, status_changed_at = now(),
				    status_changed_by = 'system', updated_at = now(),
				    resolved_at = CASE WHEN ? = 'RESOLVED' THEN now() ELSE resolved_at END
				WHERE id = ?
				""", status, reason, status, entry);
	}

	private void redrive(UUID entry, String outcome) {
		this.jdbc.update("""
				INSERT INTO dead_letter_redrive (entry_id, kind, attempt, actor, target_topic, target_partition,
				    target_offset, outcome, outcome_at)
				VALUES (?, 'AUTOMATIC', 1, 'system', 'report.v1', 0, 1, ?, CASE WHEN ?::text IS NULL THEN NULL ELSE now() END)
				""", entry, outcome, outcome);
	}

}
