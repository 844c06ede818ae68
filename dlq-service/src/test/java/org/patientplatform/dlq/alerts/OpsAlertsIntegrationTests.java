package org.patientplatform.dlq.alerts;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;

import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.patientplatform.dlq.DlqIntegrationTest;
import org.patientplatform.dlq.TestKafka;
import org.patientplatform.dlq.retry.EntriesPermanentlyFailed;
import org.patientplatform.kit.jobs.JobHandler;
import org.patientplatform.kit.jobs.Jobs;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.context.TestPropertySource;
import org.springframework.transaction.support.TransactionTemplate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Ops alerts through the real database and broker: raised once per cause (the job's de-duplication key),
 * delivered by the notifications worker's handler as an outbox row (the notification service's
 * NotificationRequested, as docs/events/notification.NotificationRequested.v1.ops-alert.json shows it) and a
 * webhook post to a local server, and rate limited per type.
 */
@DlqIntegrationTest
@TestPropertySource(properties = { "platform.roles=app,consumer-retry-message", "dlq.alerts.recipient-id=ops-test",
		"dlq.alerts.console-url=https://ops.lab.example/dlq",
		"dlq.alerts.rate-per-hour=2", "dlq.alerts.volume-spike-minimum=3", "dlq.alerts.volume-spike-factor=2.0",
		"dlq.alerts.oldest-unresolved=1d" })
class OpsAlertsIntegrationTests {

	static final Queue<String> webhookBodies = new ConcurrentLinkedQueue<>();

	static HttpServer webhook;

	@Autowired
	JdbcTemplate jdbc;

	@Autowired
	TransactionTemplate transactions;

	@Autowired
	ApplicationEventPublisher events;

	@Autowired
	OpsAlerts alerts;

	@Autowired
	OpsAlertHandler handler;

	@Autowired
	JsonMapper json;

	@Value("${spring.kafka.bootstrap-servers}")
	String bootstrapServers;

	@DynamicPropertySource
	static void webhookUrl(DynamicPropertyRegistry registry) throws IOException {
		webhook = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
		webhook.createContext("/hook", (exchange) -> {
			webhookBodies.add(new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
			exchange.sendResponseHeaders(200, -1);
			exchange.close();
		});
		webhook.start();
		registry.add("dlq.alerts.webhook-url", () -> "http://127.0.0.1:" + webhook.getAddress().getPort() + "/hook");
	}

	@AfterAll
	static void stopWebhook() {
		webhook.stop(0);
	}

	@Test
	void alertsANewFailurePatternOnceWhenCaptured() {
		String fingerprint = "a1b2c3d4e5f60718";
		try (TestKafka kafka = new TestKafka(this.bootstrapServers)) {
			kafka.send(TestKafka.failedRecord("patient-service", "alerts.v1", 1, "k1", "{}",
					"java.lang.IllegalStateException", "m", fingerprint, true));
			awaitEntries(fingerprint, 1);
			kafka.send(TestKafka.failedRecord("patient-service", "alerts.v1", 2, "k2", "{}",
					"java.lang.IllegalStateException", "m", fingerprint, true));
			awaitEntries(fingerprint, 2);
		}
		assertThat(this.jdbc.queryForList("SELECT dedupe_key FROM job WHERE queue = ? AND job_type = ? "
				+ "AND dedupe_key LIKE 'dlq-alert:NEW_PATTERN:%'", String.class, Jobs.NOTIFICATIONS, OpsAlerts.JOB_TYPE))
			.containsExactly("dlq-alert:NEW_PATTERN:" + fingerprint);
	}

	@Test
	void raisesAPermanentFailureOnceAndDeliversItOnceThroughTheOutboxAndTheWebhook() throws Exception {
		UUID entry = entry("NEW", Duration.ZERO);
		for (int i = 0; i < 2; i++) {
			this.transactions.executeWithoutResult((tx) -> this.events.publishEvent(new EntriesPermanentlyFailed(List.of(entry))));
		}
		List<Long> jobs = jobs("dlq-alert:PERMANENT_FAILURE:" + entry + ":%");
		assertThat(jobs).hasSize(1);

		handle(jobs.getFirst());
		handle(jobs.getFirst()); // a re-run (the worker died after the work) sends nothing again

		List<Map<String, Object>> rows = this.jdbc.queryForList("""
				SELECT topic, record_key, event_type, convert_from(data, 'UTF8') AS data FROM outbox_event
				WHERE event_type = 'notification.NotificationRequested.v1' AND convert_from(data, 'UTF8') LIKE ?
				""", "%" + entry + "%");
		assertThat(rows).hasSize(1);
		assertThat(rows.getFirst()).containsEntry("topic", "notification.requests.v1").containsEntry("record_key", "ops-test");
		// the notification service's NotificationRequested, shaped as the documented ops-alert example
		JsonNode data = this.json.readTree((String) rows.getFirst().get("data"));
		JsonNode example = this.json.readTree(Files.readString(
				Path.of("..", "docs", "events", "notification.NotificationRequested.v1.ops-alert.json")));
		assertThat(data.propertyNames()).containsExactlyInAnyOrderElementsOf(example.propertyNames());
		assertThat(data.get("parameters").propertyNames())
			.containsExactlyInAnyOrderElementsOf(example.get("parameters").propertyNames());
		assertThat(data.get("patientId").asString()).isEqualTo("ops-test");
		assertThat(data.get("type").asString()).isEqualTo("dlq-ops-alert");
		assertThat(data.get("priority").asString()).isEqualTo("URGENT");
		assertThat(data.get("channels").toString()).isEqualTo("[\"EMAIL\"]");
		assertThat(data.get("idempotencyKey").asString()).startsWith("dlq-alert:PERMANENT_FAILURE:" + entry + ":");
		JsonNode parameters = data.get("parameters");
		assertThat(parameters.valueStream()).allMatch(JsonNode::isString);
		assertThat(parameters.get("alertType").asString()).isEqualTo("PERMANENT_FAILURE");
		assertThat(parameters.get("entryId").asString()).isEqualTo(entry.toString());
		assertThat(parameters.get("attempts").asString()).isEqualTo("6");
		assertThat(parameters.get("fingerprint").asString()).isEqualTo("feedfacefeedface");
		// the link opens the entry in the ops console
		assertThat(parameters.get("consoleUrl").asString()).isEqualTo("https://ops.lab.example/dlq#entry=" + entry);
		assertThat(parameters.get("summary").asString()).contains(entry.toString()).doesNotContain("{}");

		List<String> posted = webhookBodies.stream().filter((body) -> body.contains(entry.toString())).toList();
		assertThat(posted).hasSize(1);
		JsonNode body = this.json.readTree(posted.getFirst());
		assertThat(body.propertyNames()).containsExactly("text");
		assertThat(body.get("text").asString()).startsWith("[DLQ PERMANENT_FAILURE] ").contains(entry.toString());
	}

	@Test
	void escapesSlackControlCharactersInTheWebhookText() throws Exception {
		// a fingerprint is whatever the dlq-fingerprint header says; Slack reads <...> in a text as a mention or a
		// link and & as an entity, so such a header pinged the whole channel and showed a link of the sender's
		// choosing in an ops alert (seen with kcat in a local run); Slack asks for &, < and > escaped
		UUID entry = entry("NEW", Duration.ZERO);
		String fingerprint = "<!channel> & <https://evil.example/|open the console>";
		this.jdbc.update("UPDATE dead_letter_entry SET fingerprint = ? WHERE id = ?", fingerprint, entry);
		this.transactions.executeWithoutResult((tx) -> this.events.publishEvent(new EntriesPermanentlyFailed(List.of(entry))));
		handle(jobs("dlq-alert:PERMANENT_FAILURE:" + entry + ":%").getFirst());

		List<String> posted = webhookBodies.stream().filter((body) -> body.contains(entry.toString())).toList();
		assertThat(posted).hasSize(1);
		String text = this.json.readTree(posted.getFirst()).get("text").asString();
		assertThat(text).contains("(pattern &lt;!channel&gt; &amp; &lt;https://evil.example/|open the console&gt;)")
			.doesNotContain("<", ">");
	}

	@Test
	void countsTheLastFailedRedriveEvenWhenItsOutcomeCameBeforeItsCapture() {
		// four redrives, each failed: the origin's outcome of the last one was applied before the capture stored
		// that failure, so the record still counts 4 of the 5 failures (seen in a local run)
		UUID entry = entry("PERMANENTLY_FAILED", Duration.ZERO);
		this.jdbc.update("UPDATE dead_letter_entry SET attempts = 4, retry_count = 4 WHERE id = ?", entry);
		this.transactions.executeWithoutResult((tx) -> this.events.publishEvent(new EntriesPermanentlyFailed(List.of(entry))));
		String payload = this.jdbc.queryForObject("SELECT payload::text FROM job WHERE dedupe_key LIKE ?", String.class,
				"dlq-alert:PERMANENT_FAILURE:" + entry + ":%");
		assertThat(payload).contains("failed permanently after 5 failures");
	}

	@Test
	void saysHowManyAttemptsWereRedrivesWithoutAnOutcome() {
		// one failure stored, then five automatic redrives that nobody answered within the outcome timeout
		UUID entry = entry("PERMANENTLY_FAILED", Duration.ZERO);
		this.jdbc.update("UPDATE dead_letter_entry SET attempts = 1, retry_count = 5 WHERE id = ?", entry);
		for (int attempt = 1; attempt <= 5; attempt++) {
			this.jdbc.update("""
					INSERT INTO dead_letter_redrive (entry_id, kind, attempt, actor, target_topic, target_partition,
					    target_offset, outcome, outcome_at)
					VALUES (?, 'AUTOMATIC', ?, 'system', 'orders.v1', 0, ?, 'TIMED_OUT', now())
					""", entry, attempt, 100 + attempt);
		}
		this.transactions.executeWithoutResult((tx) -> this.events.publishEvent(new EntriesPermanentlyFailed(List.of(entry))));
		String payload = this.jdbc.queryForObject("SELECT payload::text FROM job WHERE dedupe_key LIKE ?", String.class,
				"dlq-alert:PERMANENT_FAILURE:" + entry + ":%");
		// before: "after 6 failures", where the entry's history shows one
		assertThat(payload).contains("failed permanently after 6 attempts, 5 of them redrives without an outcome");
	}

	@Test
	void raisesTheVolumeSpikeAndTheOldestUnresolvedEntryOncePerHour() {
		UUID old = entry("RETRY_SCHEDULED", Duration.ofDays(2));
		for (int i = 0; i < 4; i++) {
			this.jdbc.update("""
					INSERT INTO dead_letter_attempt (entry_id, attempt, failed_at, dlq_partition, dlq_offset)
					VALUES (?, ?, now() - interval '5 minutes', 5, ?)
					""", old, i + 2, 1000 + i);
		}
		this.alerts.check();
		this.alerts.check();

		assertThat(jobs("dlq-alert:VOLUME_SPIKE:all:%")).hasSize(1);
		assertThat(jobs("dlq-alert:OLDEST_UNRESOLVED:" + old + ":%")).hasSize(1);
	}

	@Test
	void raisesAPatternWhoseRateJumpsOncePerHour() {
		UUID entry = entry("RETRY_SCHEDULED", Duration.ofMinutes(30));
		// pattern a: 2 failures the hour before, 5 in the last hour (> 2.0 x 2, and at least 3): a jump;
		// pattern b: 3, then 5 (not more than 2.0 x 3): none
		failures(entry, "a0a0a0a0a0a0a0a0", 2, 5, 2000);
		failures(entry, "b0b0b0b0b0b0b0b0", 3, 5, 3000);
		// pattern c: new this hour, so its NEW_PATTERN alert says it already
		this.jdbc.update("INSERT INTO alert_fingerprint (fingerprint) VALUES ('c0c0c0c0c0c0c0c0')");
		failures(entry, "c0c0c0c0c0c0c0c0", 0, 5, 4000);
		// pattern d: new this hour too, but the hourly limit suppressed its NEW_PATTERN alert: its jump is told
		this.jdbc.update("INSERT INTO alert_fingerprint (fingerprint) VALUES ('d0d0d0d0d0d0d0d0')");
		this.jdbc.update("INSERT INTO ops_alert (dedupe_key, alert_type, delivered) "
				+ "VALUES ('dlq-alert:NEW_PATTERN:d0d0d0d0d0d0d0d0', 'NEW_PATTERN', false)");
		failures(entry, "d0d0d0d0d0d0d0d0", 0, 5, 5000);
		this.alerts.check();
		this.alerts.check();

		// before: only the volume of all patterns together was watched
		assertThat(jobs("dlq-alert:PATTERN_SPIKE:a0a0a0a0a0a0a0a0:%")).hasSize(1);
		assertThat(jobs("dlq-alert:PATTERN_SPIKE:b0b0b0b0b0b0b0b0:%")).isEmpty();
		assertThat(jobs("dlq-alert:PATTERN_SPIKE:c0c0c0c0c0c0c0c0:%")).isEmpty();
		assertThat(jobs("dlq-alert:PATTERN_SPIKE:d0d0d0d0d0d0d0d0:%")).hasSize(1);
		String payload = this.jdbc.queryForObject("SELECT payload::text FROM job WHERE dedupe_key LIKE ?", String.class,
				"dlq-alert:PATTERN_SPIKE:a0a0a0a0a0a0a0a0:%");
		assertThat(payload).contains("5 failures in the last hour, 2 the hour before");
	}

	private void failures(UUID entry, String fingerprint, int hourBefore, int lastHour, int firstOffset) {
		for (int i = 0; i < hourBefore + lastHour; i++) {
			this.jdbc.update("""
					INSERT INTO dead_letter_attempt (entry_id, attempt, failed_at, dlq_partition, dlq_offset,
					    fingerprint)
					VALUES (?, ?, now() - make_interval(mins => ?), 5, ?, ?)
					""", entry, i + 2, (i < hourBefore) ? 90 : 10, firstOffset + i, fingerprint);
		}
	}

	@Test
	void deliversAtMostTheHourlyLimitPerAlertType() throws Exception {
		for (int i = 0; i < 3; i++) {
			String subject = "subject-" + i;
			this.transactions.executeWithoutResult(
					(tx) -> this.alerts.raise("RATE_TEST", subject, true, "rate test " + subject, Map.of()));
		}
		List<Long> jobs = jobs("dlq-alert:RATE_TEST:%");
		assertThat(jobs).hasSize(3);
		for (long job : jobs) {
			handle(job);
		}
		assertThat(this.jdbc.queryForObject("SELECT count(*) FROM outbox_event WHERE convert_from(data, 'UTF8') "
				+ "LIKE '%dlq-alert:RATE_TEST:%'", Long.class)).isEqualTo(2);
		assertThat(webhookBodies.stream().filter((body) -> body.contains("RATE_TEST"))).hasSize(2);
		assertThat(this.jdbc.queryForList("SELECT delivered FROM ops_alert WHERE alert_type = 'RATE_TEST' "
				+ "ORDER BY created_at, dedupe_key", Boolean.class)).containsExactlyInAnyOrder(true, true, false);
	}

	private void awaitEntries(String fingerprint, int count) {
		await().atMost(Duration.ofSeconds(60))
			.until(() -> this.jdbc.queryForObject("SELECT count(*) FROM dead_letter_entry WHERE fingerprint = ?",
					Long.class, fingerprint), (n) -> n == count);
	}

	private List<Long> jobs(String keyPattern) {
		return this.jdbc.queryForList("SELECT id FROM job WHERE queue = ? AND job_type = ? AND dedupe_key LIKE ? ORDER BY id",
				Long.class, Jobs.NOTIFICATIONS, OpsAlerts.JOB_TYPE, keyPattern);
	}

	private void handle(long job) throws Exception {
		String payload = this.jdbc.queryForObject("SELECT payload::text FROM job WHERE id = ?", String.class, job);
		this.handler.handle(new JobHandler.Job(job, Jobs.NOTIFICATIONS, OpsAlerts.JOB_TYPE, this.json.readTree(payload), 1));
	}

	private UUID entry(String status, Duration age) {
		UUID id = UUID.randomUUID();
		long offset = this.jdbc.queryForObject("SELECT count(*) FROM dead_letter_entry", Long.class) + 100;
		this.jdbc.update("""
				INSERT INTO dead_letter_entry (id, kind, status, source_service, consumer_group, original_topic,
				    original_partition, original_offset, dlq_partition, dlq_offset, first_failed_at, last_failed_at,
				    attempts, fingerprint)
				VALUES (?, 'FAILED_RECORD', ?, 'patient-service', 'patient-service.consumer-x', 'alerts-direct.v1', 0, ?,
				    5, ?, now() - make_interval(secs => ?), now(), 6, 'feedfacefeedface')
				""", id, status, offset, offset, (double) age.toSeconds());
		return id;
	}

}
