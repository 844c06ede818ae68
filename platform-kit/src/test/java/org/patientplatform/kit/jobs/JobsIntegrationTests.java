package org.patientplatform.kit.jobs;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;
import org.patientplatform.kit.KitIntegrationTest;
import org.patientplatform.kit.MovableClock;
import org.patientplatform.kit.testapp.TestJobs;
import org.patientplatform.local.infra.LocalSigningKey;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.http.HttpStatusCode;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.context.TestPropertySource;
import org.springframework.transaction.support.TransactionTemplate;
import org.springframework.web.client.RestClient;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The instance's own workers are off (app role only); the tests run their own worker instances. */
@KitIntegrationTest
@TestPropertySource(properties = "platform.roles=app")
class JobsIntegrationTests {

	@Autowired
	Jobs jobs;

	@Autowired
	JdbcTemplate jdbc;

	@Autowired
	JsonMapper json;

	@Autowired
	List<JobHandler> handlers;

	@Autowired
	TransactionTemplate transactions;

	@Autowired
	LocalSigningKey signingKey;

	@LocalServerPort
	int port;

	@Test
	void thePendingGaugeCountsTheDueJobsOfEachQueueItWorks() {
		this.jdbc.update("DELETE FROM job");
		this.transactions.executeWithoutResult((status) -> {
			for (int i = 0; i < 3; i++) {
				this.jobs.enqueue(Jobs.DEFAULT, "record-run", Map.of("n", i));
			}
			this.jobs.enqueue(Jobs.NOTIFICATIONS, "record-run", Map.of("n", 9));
			// not due yet, and done: neither is pending
			this.jobs.enqueue(Jobs.DEFAULT, "record-run", Map.of("n", 10), Instant.now().plus(Duration.ofHours(1)),
					null, 5);
		});
		this.jdbc.update("UPDATE job SET status = 'SUCCEEDED' WHERE queue = ? AND payload->>'n' = '2'", Jobs.DEFAULT);
		MovableClock clock = new MovableClock(Instant.parse("2026-12-01T00:00:00Z"));
		SimpleMeterRegistry registry = new SimpleMeterRegistry();
		new JobQueueMetrics(this.jdbc, List.of(Jobs.DEFAULT, Jobs.NOTIFICATIONS, Jobs.BATCH_PUBLISHER), registry,
				clock);

		assertThat(pending(registry, Jobs.DEFAULT)).isEqualTo(2.0);
		assertThat(pending(registry, Jobs.NOTIFICATIONS)).isEqualTo(1.0);
		assertThat(pending(registry, Jobs.BATCH_PUBLISHER)).isZero();
		// read at most every few seconds, whatever the scrape rate
		this.jdbc.update("DELETE FROM job WHERE queue = ?", Jobs.NOTIFICATIONS);
		assertThat(pending(registry, Jobs.NOTIFICATIONS)).isEqualTo(1.0);
		clock.advance(Duration.ofSeconds(JobQueueMetrics.REFRESH_SECONDS + 1));
		assertThat(pending(registry, Jobs.NOTIFICATIONS)).isZero();
		assertThat(pending(registry, Jobs.DEFAULT)).isEqualTo(2.0);
		// jobs whose attempts ran out, until retried
		assertThat(failed(registry, Jobs.DEFAULT)).isZero();
		this.jdbc.update("UPDATE job SET status = 'FAILED' WHERE queue = ? AND payload->>'n' IN ('0', '10')",
				Jobs.DEFAULT);
		clock.advance(Duration.ofSeconds(JobQueueMetrics.REFRESH_SECONDS + 1));
		assertThat(failed(registry, Jobs.DEFAULT)).isEqualTo(2.0);
		assertThat(failed(registry, Jobs.NOTIFICATIONS)).isZero();
		assertThat(pending(registry, Jobs.DEFAULT)).isEqualTo(1.0);
	}

	private static double pending(SimpleMeterRegistry registry, String queue) {
		return registry.get("platform.jobs.pending").tag("queue", queue).gauge().value();
	}

	private static double failed(SimpleMeterRegistry registry, String queue) {
		return registry.get("platform.jobs.failed").tag("queue", queue).gauge().value();
	}

	@Test
	void twoWorkersRunEachOfFiveThousandJobsExactlyOnce() throws Exception {
		this.jdbc.update("DELETE FROM job");
		this.jdbc.update("DELETE FROM test_job_run");
		this.transactions.executeWithoutResult((status) -> {
			for (int i = 0; i < 5000; i++) {
				this.jobs.enqueue(Jobs.DEFAULT, "record-run", Map.of("n", i));
			}
		});
		JobsProperties properties = new JobsProperties(1, 25, Duration.ofMillis(10), Duration.ofMinutes(5),
				Duration.ofSeconds(5), Duration.ofMinutes(15));
		JobWorker first = new JobWorker(Jobs.DEFAULT, this.jdbc, this.json, this.handlers, properties);
		JobWorker second = new JobWorker(Jobs.DEFAULT, this.jdbc, this.json, this.handlers, properties);
		ExecutorService pool = Executors.newFixedThreadPool(2);
		List<Future<Integer>> runs = new ArrayList<>();
		for (JobWorker worker : List.of(first, second)) {
			runs.add(pool.submit(() -> {
				int total = 0;
				int ran;
				while ((ran = worker.workOnce(25)) > 0) {
					total += ran;
				}
				return total;
			}));
		}
		int first_ = runs.get(0).get();
		int second_ = runs.get(1).get();
		pool.shutdown();

		assertThat(this.jdbc.queryForList("SELECT job_id::text || ':' || count(*) FROM test_job_run GROUP BY job_id HAVING count(*) > 1", String.class)).isEmpty();
		assertThat(first_ + second_).isEqualTo(5000);
		assertThat(first_).isPositive();
		assertThat(second_).isPositive();
		assertThat(this.jdbc.queryForObject("SELECT count(*) FROM test_job_run", Integer.class)).isEqualTo(5000);
		assertThat(this.jdbc.queryForObject("SELECT count(DISTINCT job_id) FROM test_job_run", Integer.class))
			.isEqualTo(5000);
		assertThat(this.jdbc.queryForObject("SELECT count(*) FROM job WHERE status <> 'SUCCEEDED' AND queue = 'default'",
				Integer.class)).isZero();
	}

	@Test
	void anotherWorkerTakesTheJobOfAWorkerThatStoppedMidJobOnceItsLeaseExpires() throws Exception {
		long id = this.transactions
			.execute((status) -> this.jobs.enqueue(Jobs.NOTIFICATIONS, "blocks", Map.of(), null, null, 5));
		JobsProperties shortLease = new JobsProperties(1, 1, Duration.ofMillis(10), Duration.ofSeconds(2),
				Duration.ofSeconds(1), Duration.ofMinutes(15));
		JobWorker stuck = new JobWorker(Jobs.NOTIFICATIONS, this.jdbc, this.json, this.handlers, shortLease);
		Thread dying = Thread.ofPlatform().start(() -> stuck.workOnce(1));
		await().atMost(Duration.ofSeconds(10)).until(() -> "RUNNING".equals(status(id)));
		String firstOwner = this.jdbc.queryForObject("SELECT locked_by FROM job WHERE id = ?", String.class, id);

		JobWorker rescuer = new JobWorker(Jobs.NOTIFICATIONS, this.jdbc, this.json, this.handlers, shortLease);
		assertThat(rescuer.workOnce(1)).as("the lease is still held").isZero();
		// the stuck worker never finishes its first attempt; once the lease expires the rescuer claims the job
		await().atMost(Duration.ofSeconds(15)).until(() -> rescuer.workOnce(1) == 1);
		assertThat(this.jdbc.queryForObject("SELECT attempts FROM job WHERE id = ?", Integer.class, id)).isEqualTo(2);
		assertThat(status(id)).isEqualTo("SUCCEEDED");

		// the stuck worker wakes up late: its outcome no longer counts, the job stays done
		TestJobs.RELEASE.countDown();
		dying.join(5_000);
		assertThat(status(id)).isEqualTo("SUCCEEDED");
		assertThat(this.jdbc.queryForObject("SELECT locked_by FROM job WHERE id = ?", String.class, id)).isNull();
		assertThat(firstOwner).startsWith("notifications@");
	}

	@Test
	void keepsAJobThatRanOutOfAttemptsAsFailedWithItsErrorForOps() {
		long id = this.transactions
			.execute((status) -> this.jobs.enqueue(Jobs.DEFAULT, "always-fails", Map.of(), null, null, 2));
		JobWorker worker = new JobWorker(Jobs.DEFAULT, this.jdbc, this.json, this.handlers,
				new JobsProperties(1, 1, Duration.ofMillis(10), Duration.ofMinutes(1), Duration.ofSeconds(1),
						Duration.ofMinutes(15)));
		assertThat(worker.workOnce(1)).isEqualTo(1);
		assertThat(status(id)).isEqualTo("READY");
		assertThat(this.jdbc.queryForObject("SELECT run_at > now() FROM job WHERE id = ?", Boolean.class, id))
			.as("retried later, with backoff")
			.isTrue();
		this.jdbc.update("UPDATE job SET run_at = now() WHERE id = ?", id);
		assertThat(worker.workOnce(1)).isEqualTo(1);
		assertThat(status(id)).isEqualTo("FAILED");

		RestClient client = RestClient.builder()
			.baseUrl("http://127.0.0.1:" + this.port)
			.defaultStatusHandler(HttpStatusCode::isError, (request, response) -> {
			})
			.build();
		String ops = this.signingKey.mint("ops-1", List.of("ops"), null, Duration.ofMinutes(5));
		String body = client.get()
			.uri("/api/v1/ops/jobs?status=FAILED")
			.header("Authorization", "Bearer " + ops)
			.retrieve()
			.body(String.class);
		assertThat(body).contains("\"id\":" + id).contains("provider said no");
		// before: 200 and an empty list for a status no job has, a 400 about dates for a negative limit
		for (String query : List.of("status=bogus", "limit=-5", "limit=99999")) {
			var refused = client.get()
				.uri("/api/v1/ops/jobs?" + query)
				.header("Authorization", "Bearer " + ops)
				.retrieve()
				.toEntity(String.class);
			assertThat(refused.getStatusCode().value()).as(query).isEqualTo(400);
			assertThat(refused.getBody()).as(query).contains(query.substring(0, query.indexOf('=')));
		}
		var retried = client.post()
			.uri("/api/v1/ops/jobs/{id}/retry", id)
			.header("Authorization", "Bearer " + ops)
			.retrieve()
			.toEntity(String.class);
		assertThat(retried.getStatusCode().value()).isEqualTo(200);
		assertThat(status(id)).isEqualTo("READY");
	}

	@Test
	void opsListsJobsInCamelCaseInKeysetPagesMostRecentlyChangedFirst() throws Exception {
		String queue = "ops-list-" + System.nanoTime();
		List<Long> ids = new ArrayList<>();
		for (int i = 0; i < 5; i++) {
			ids.add(this.jobs.enqueue(queue, "send-report", Map.of("n", i), null, null, 3));
		}
		// three of them changed in the same microsecond, across a page's end: the id breaks the tie, and no page
		// loses or repeats one
		this.jdbc.update("""
				UPDATE job SET status = 'FAILED', attempts = 3, last_error = 'provider said no ' || id,
				    finished_at = '2026-12-01T10:00:00Z',
				    updated_at = CASE WHEN id = ? THEN timestamptz '2026-12-01T09:00:00Z'
				                      WHEN id = ? THEN timestamptz '2026-12-01T10:00:00Z'
				                      ELSE timestamptz '2026-12-01T08:00:00Z' END
				WHERE queue = ?
				""", ids.get(4), ids.get(2), queue);
		List<Long> expected = this.jdbc.queryForList(
				"SELECT id FROM job WHERE queue = ? ORDER BY updated_at DESC, id DESC", Long.class, queue);

		RestClient client = RestClient.builder()
			.baseUrl("http://127.0.0.1:" + this.port)
			.defaultStatusHandler(HttpStatusCode::isError, (request, response) -> {
			})
			.build();
		String ops = this.signingKey.mint("ops-1", List.of("ops"), null, Duration.ofMinutes(5));
		List<Long> listed = new ArrayList<>();
		String cursor = null;
		int pages = 0;
		do {
			String uri = "/api/v1/ops/jobs?status=FAILED&limit=2&queue=" + queue
					+ ((cursor != null) ? "&cursor=" + cursor : "");
			tools.jackson.databind.JsonNode page = this.json.readTree(
					client.get().uri(uri).header("Authorization", "Bearer " + ops).retrieve().body(String.class));
			for (tools.jackson.databind.JsonNode job : page.path("items")) {
				listed.add(job.path("id").asLong());
				if (job.path("id").asLong() == ids.get(2)) {
					assertThat(job.path("queue").asString()).isEqualTo(queue);
					assertThat(job.path("type").asString()).isEqualTo("send-report");
					assertThat(job.path("status").asString()).isEqualTo("FAILED");
					assertThat(job.path("attempts").asInt()).isEqualTo(3);
					assertThat(job.path("maxAttempts").asInt()).isEqualTo(3);
					assertThat(job.path("lastError").asString()).isEqualTo("provider said no " + ids.get(2));
					assertThat(job.path("updatedAt").asString()).isEqualTo("2026-12-01T10:00:00Z");
					assertThat(job.path("finishedAt").asString()).isEqualTo("2026-12-01T10:00:00Z");
					assertThat(Instant.parse(job.path("createdAt").asString())).isBefore(Instant.now());
					assertThat(job.has("job_type")).as("no column names").isFalse();
				}
			}
			cursor = page.hasNonNull("nextCursor") ? page.path("nextCursor").asString() : null;
			pages++;
		}
		while (cursor != null && pages < 10);
		assertThat(expected).containsExactly(ids.get(2), ids.get(4), ids.get(3), ids.get(1), ids.get(0));
		assertThat(listed).isEqualTo(expected);
		assertThat(pages).isEqualTo(3);

		var foreign = client.get()
			.uri("/api/v1/ops/jobs?cursor=bm90LWEtY3Vyc29y")
			.header("Authorization", "Bearer " + ops)
			.retrieve()
			.toEntity(String.class);
		assertThat(foreign.getStatusCode().value()).isEqualTo(400);
		assertThat(foreign.getBody()).contains("cursor");
	}

	@Test
	void enqueuesNothingWhenTheCallersTransactionRollsBack() {
		this.transactions.executeWithoutResult((status) -> {
			this.jobs.enqueue(Jobs.BATCH_PUBLISHER, "record-run", Map.of("rolled", "back"));
			status.setRollbackOnly();
		});
		assertThat(this.jdbc.queryForObject("SELECT count(*) FROM job WHERE queue = 'batch-publisher'", Integer.class))
			.isZero();
	}

	@Test
	void aLiveWorkerKeepsAJobThatOutlivesTheLeaseAndRunsItOnce() {
		long id = this.transactions
			.execute((status) -> this.jobs.enqueue("lease-renewal", "takes-its-time", Map.of("millis", 4_000), null,
					null, 5));
		JobsProperties shortLease = new JobsProperties(1, 1, Duration.ofMillis(10), Duration.ofSeconds(1),
				Duration.ofSeconds(10), Duration.ofMinutes(15));
		JobWorker live = new JobWorker("lease-renewal", this.jdbc, this.json, this.handlers, shortLease);
		JobWorker other = new JobWorker("lease-renewal", this.jdbc, this.json, this.handlers, shortLease);
		live.start();
		try {
			await().atMost(Duration.ofSeconds(10)).until(() -> "RUNNING".equals(status(id)));
			// four leases long: the live worker renews its lease, so the other never takes the job
			await().during(Duration.ofMillis(2_500)).atMost(Duration.ofSeconds(5)).until(() -> other.workOnce(1) == 0);
			await().atMost(Duration.ofSeconds(10)).until(() -> "SUCCEEDED".equals(status(id)));
		}
		finally {
			live.stop();
		}
		assertThat(this.jdbc.queryForObject("SELECT attempts FROM job WHERE id = ?", Integer.class, id)).isOne();
		assertThat(this.jdbc.queryForObject("SELECT count(*) FROM test_job_run WHERE job_id = ?", Integer.class, id))
			.isOne();
	}

	@Test
	void aRunPastTheMaximumRunTimeIsInterruptedAndTriedAgainAndItsWorkerGoesOn() {
		// a handler hung on a call that never answers: its live worker renewed its lease for ever, so the job was
		// never tried again and the worker thread never came back
		long hung = this.transactions
			.execute((status) -> this.jobs.enqueue("max-run", "takes-its-time", Map.of("millis", 600_000), null,
					null, 5));
		JobsProperties oneSecond = new JobsProperties(1, 1, Duration.ofMillis(10), Duration.ofSeconds(1),
				Duration.ofSeconds(5), Duration.ofSeconds(2));
		JobWorker worker = new JobWorker("max-run", this.jdbc, this.json, this.handlers, oneSecond);
		worker.start();
		try {
			await().atMost(Duration.ofSeconds(10)).until(() -> "RUNNING".equals(status(hung)));
			// interrupted after two seconds: the attempt failed and the job waits for its retry
			await().atMost(Duration.ofSeconds(15)).until(() -> "READY".equals(status(hung)));
			assertThat(this.jdbc.queryForObject("SELECT last_error FROM job WHERE id = ?", String.class, hung))
				.contains("InterruptedException");
			// the worker thread is not lost with it: it runs the next job
			long next = this.transactions
				.execute((status) -> this.jobs.enqueue("max-run", "takes-its-time", Map.of("millis", 10), null,
						null, 5));
			await().atMost(Duration.ofSeconds(15)).until(() -> "SUCCEEDED".equals(status(next)));
		}
		finally {
			worker.stop();
		}
		assertThat(this.jdbc.queryForObject("SELECT count(*) FROM test_job_run WHERE job_id = ?", Integer.class, hung))
			.isZero();
	}

	@Test
	void aStoppingWorkerPutsBackTheJobsItClaimedAndHasNotBegun() {
		List<Long> ids = this.transactions.execute((status) -> java.util.stream.IntStream.range(0, 3)
			.mapToObj((i) -> this.jobs.enqueue("put-back", "takes-its-time", Map.of("millis", 1_500), null, null, 5))
			.toList());
		JobWorker worker = new JobWorker("put-back", this.jdbc, this.json, this.handlers,
				new JobsProperties(1, 3, Duration.ofMillis(10), Duration.ofMinutes(5), Duration.ofSeconds(10), Duration.ofMinutes(15)));
		worker.start();
		await().atMost(Duration.ofSeconds(10)).until(() -> "RUNNING".equals(status(ids.get(0))));
		// the first is running, the other two claimed with it; a stop lets the first finish, and the other two
		// are ready for another worker at once instead of after the lease (5 minutes here)
		worker.stop();
		assertThat(status(ids.get(0))).isEqualTo("SUCCEEDED");
		for (long id : ids.subList(1, 3)) {
			assertThat(this.jdbc.queryForMap("SELECT status, attempts, locked_by FROM job WHERE id = ?", id))
				.containsEntry("status", "READY")
				.containsEntry("attempts", 0)
				.containsEntry("locked_by", null);
		}
	}

	private String status(long id) {
		return this.jdbc.queryForObject("SELECT status FROM job WHERE id = ?", String.class, id);
	}

}
