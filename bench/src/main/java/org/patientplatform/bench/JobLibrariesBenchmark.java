package org.patientplatform.bench;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import java.util.stream.LongStream;

import com.github.kagkarlsson.scheduler.Scheduler;
import com.github.kagkarlsson.scheduler.task.helper.OneTimeTask;
import com.github.kagkarlsson.scheduler.task.helper.Tasks;
import com.zaxxer.hikari.HikariDataSource;
import org.flywaydb.core.Flyway;
import org.jobrunr.jobs.lambdas.JobRequest;
import org.jobrunr.jobs.lambdas.JobRequestHandler;
import org.jobrunr.jobs.mappers.JobMapper;
import org.jobrunr.scheduling.JobRequestScheduler;
import org.jobrunr.server.BackgroundJobServer;
import org.jobrunr.server.BackgroundJobServerConfiguration;
import org.jobrunr.server.JobActivator;
import org.jobrunr.storage.StorageProvider;
import org.jobrunr.storage.sql.postgres.PostgresStorageProvider;
import org.jobrunr.utils.mapper.JsonMapper;
import org.jobrunr.utils.mapper.jackson3.Jackson3JsonMapper;
import org.patientplatform.bench.Infrastructure.Database;
import org.patientplatform.kit.jobs.JobHandler;
import org.patientplatform.kit.jobs.JobWorker;
import org.patientplatform.kit.jobs.Jobs;
import org.patientplatform.kit.jobs.JobsProperties;

import org.springframework.jdbc.core.JdbcTemplate;

/**
 * Two job libraries beside the kit's own queue, on one fresh database each run (issue 4 item 6, ADR 0005):
 * <ul>
 * <li>db-scheduler (plain library): a {@code OneTimeTask}, two {@code Scheduler} instances of one thread
 * each, lock-and-fetch polling ({@code FOR UPDATE SKIP LOCKED}), heartbeat every 2 s;</li>
 * <li>JobRunr (open-source): its {@code PostgresStorageProvider}, two {@code BackgroundJobServer}s of one
 * worker each, poll interval 5 s (its minimum), server timeout 4 polls;</li>
 * <li>the kit: two {@link JobWorker}s of one thread each, batch 10, lease 8 s.</li>
 * </ul>
 * Each works N no-op jobs enqueued before its workers start (after a warm-up of N/10); the raw limit is
 * the one-statement {@code SKIP LOCKED} claim loop of {@code job-queue} on two threads. Then the dead
 * worker: instance A starts a job that hangs, A loses its database for good (its connection pool is
 * closed, so it can neither heartbeat, renew nor finish: what a crashed or partitioned instance looks
 * like from the database), and the time until instance B runs that job is measured.
 */
final class JobLibrariesBenchmark implements Benchmark {

	static final String NAME = "job-libraries";

	static final Duration DB_SCHEDULER_HEARTBEAT = Duration.ofSeconds(2);

	static final int DB_SCHEDULER_MISSED_HEARTBEATS = 4;

	static final Duration JOBRUNR_POLL = Duration.ofSeconds(5);

	static final int JOBRUNR_TIMEOUT_POLLS = 4;

	static final Duration KIT_LEASE = Duration.ofSeconds(8);

	private static final Duration TIMEOUT = Duration.ofMinutes(5);

	private static final String NOOP = "bench-noop";

	private static final String HANG = "bench-hang";

	/** PostgreSQL DDL of db-scheduler's table, from its README (version 16). */
	private static final String DB_SCHEDULER_TABLE = """
			CREATE TABLE scheduled_tasks (
			    task_name            text                     NOT NULL,
			    task_instance        text                     NOT NULL,
			    task_data            bytea,
			    execution_time       timestamp with time zone NOT NULL,
			    picked               boolean                  NOT NULL,
			    picked_by            text,
			    last_success         timestamp with time zone,
			    last_failure         timestamp with time zone,
			    consecutive_failures int,
			    last_heartbeat       timestamp with time zone,
			    version              bigint                   NOT NULL,
			    priority             smallint,
			    PRIMARY KEY (task_name, task_instance));
			CREATE INDEX execution_time_idx ON scheduled_tasks (execution_time);
			CREATE INDEX last_heartbeat_idx ON scheduled_tasks (last_heartbeat);
			CREATE INDEX priority_execution_time_idx ON scheduled_tasks (priority DESC, execution_time ASC)
			""";

	/** What each instance's handlers do: count, or hang until released. */
	static final AtomicLong HANDLED = new AtomicLong();

	@Override
	public String name() {
		return NAME;
	}

	@Override
	public Result run(Infrastructure infrastructure, Options options) throws Exception {
		long jobs = options.size(10_000, 200);
		long warmup = Math.max(jobs / 10, 1);
		Throughput raw = new Throughput();
		Throughput dbScheduler = new Throughput();
		Throughput jobRunr = new Throughput();
		Throughput kit = new Throughput();
		double dbSchedulerTakeover;
		double jobRunrTakeover;
		double kitTakeover;
		try (Database db = infrastructure.freshDatabase("joblibs")) {
			Flyway.configure()
				.dataSource(db.url(), db.user(), db.password())
				.locations("classpath:db/platform-kit")
				.table("platform_kit_schema_history")
				.load()
				.migrate();
			db.execute(DB_SCHEDULER_TABLE);
			// a warm-up round of N/10, then the measured round; each on a fresh queue
			for (int round = 0; round < 2; round++) {
				long count = (round == 0) ? warmup : jobs;
				boolean measured = round == 1;
				add(measured, raw, count, rawClaims(db, count));
				add(measured, dbScheduler, count, dbSchedulerThroughput(db, count));
				add(measured, jobRunr, count, jobRunrThroughput(db, count));
				add(measured, kit, count, kitThroughput(db, count));
			}
			dbSchedulerTakeover = dbSchedulerDeadWorker(db);
			jobRunrTakeover = jobRunrDeadWorker(db);
			kitTakeover = kitDeadWorker(db);
		}
		return Result.of(NAME)
			.parameter("jobs", jobs)
			.parameter("warmupJobs", warmup)
			.parameter("handler", "no-op")
			.parameter("dbScheduler", "db-scheduler 16.7.1, 2 Scheduler x 1 thread, pollUsingLockAndFetch(0.5, 3.0), "
					+ "heartbeat " + DB_SCHEDULER_HEARTBEAT.toSeconds() + " s, dead after "
					+ DB_SCHEDULER_MISSED_HEARTBEATS + " missed heartbeats")
			.parameter("jobRunr", "JobRunr 8.7.0 (open source), 2 BackgroundJobServer x 1 worker, poll "
					+ JOBRUNR_POLL.toSeconds() + " s, server timeout " + JOBRUNR_TIMEOUT_POLLS + " polls, Jackson 3")
			.parameter("kit", "2 JobWorker x 1 thread, batch 10, poll 500 ms, lease " + KIT_LEASE.toSeconds() + " s")
			.parameter("deadWorker", "A runs a hanging job, then its connection pool is closed; time until B runs it")
			.figure("dbSchedulerJobsPerSecond", dbScheduler.perSecond())
			.figure("jobRunrJobsPerSecond", jobRunr.perSecond())
			.figure("kitJobsPerSecond", kit.perSecond())
			.figure("dbSchedulerTakeoverSeconds", dbSchedulerTakeover)
			.figure("jobRunrTakeoverSeconds", jobRunrTakeover)
			.figure("kitTakeoverSeconds", kitTakeover)
			.raw("skipLockedClaimsPerSecond", raw.perSecond())
			.ratio("dbSchedulerToRawSkipLockedClaim", dbScheduler.perSecond(), raw.perSecond())
			.ratio("jobRunrToRawSkipLockedClaim", jobRunr.perSecond(), raw.perSecond())
			.ratio("kitToRawSkipLockedClaim", kit.perSecond(), raw.perSecond())
			.diagnostic("rawSkipLockedClaim", raw.cpuPer("Job"))
			.diagnostic("dbScheduler", dbScheduler.cpuPer("Job"))
			.diagnostic("jobRunr", jobRunr.cpuPer("Job"))
			.diagnostic("kit", kit.cpuPer("Job"))
			.build(("%s: jobs/s with two workers: db-scheduler %s, JobRunr %s, kit %s | raw SKIP LOCKED claim "
					+ "loop %s; a dead worker's job runs again after: db-scheduler %.1f s, JobRunr %.1f s, kit %.1f s; "
					+ "%d jobs")
				.formatted(NAME, Result.rate(dbScheduler.perSecond()), Result.rate(jobRunr.perSecond()),
						Result.rate(kit.perSecond()), Result.rate(raw.perSecond()), dbSchedulerTakeover,
						jobRunrTakeover, kitTakeover, jobs));
	}

	private static void add(boolean measured, Throughput throughput, long count, RawPostgres.Timed timed) {
		if (measured) {
			throughput.add(count, timed);
		}
	}

	private static RawPostgres.Timed rawClaims(Database db, long count) throws Exception {
		kitQueue(db, count);
		return RawPostgres.claimLoop(db, JobQueueBenchmark.RAW_CLAIM, count, 2);
	}

	// db-scheduler

	private static RawPostgres.Timed dbSchedulerThroughput(Database db, long count) throws Exception {
		db.execute("TRUNCATE scheduled_tasks",
				"INSERT INTO scheduled_tasks (task_name, task_instance, execution_time, picked, version) SELECT '"
						+ NOOP + "', 'n' || n, now(), false, 1 FROM generate_series(1, " + count + ") AS n",
				"VACUUM ANALYZE scheduled_tasks");
		HANDLED.set(0);
		try (HikariDataSource poolA = dataSource(db, "dbs-a"); HikariDataSource poolB = dataSource(db, "dbs-b")) {
			List<Scheduler> schedulers = List.of(scheduler(poolA, "a", new CountDownLatch(0)),
					scheduler(poolB, "b", new CountDownLatch(0)));
			try {
				return timed(db, () -> schedulers.forEach(Scheduler::start), HANDLED::get, count);
			}
			finally {
				schedulers.forEach(Scheduler::stop);
			}
		}
		finally {
			requireZero(db, "SELECT count(*) FROM scheduled_tasks");
		}
	}

	private static double dbSchedulerDeadWorker(Database db) throws Exception {
		db.execute("TRUNCATE scheduled_tasks");
		CountDownLatch hang = new CountDownLatch(1);
		HANDLED.set(0);
		HikariDataSource poolA = dataSource(db, "dbs-dead-a");
		Scheduler a = scheduler(poolA, "a", hang);
		try (HikariDataSource poolB = dataSource(db, "dbs-dead-b")) {
			a.start();
			a.schedule(hangTask(hang).instance("hang-1"), Instant.now());
			await(() -> db.count("SELECT count(*) FROM scheduled_tasks WHERE picked AND picked_by = 'a'"), 1);
			Scheduler b = scheduler(poolB, "b", new CountDownLatch(0));
			b.start();
			try {
				long died = System.nanoTime();
				poolA.close();
				await(HANDLED::get, 1);
				return (System.nanoTime() - died) / 1e9;
			}
			finally {
				b.stop();
			}
		}
		finally {
			hang.countDown();
			a.stop();
		}
	}

	private static Scheduler scheduler(HikariDataSource pool, String name, CountDownLatch hang) {
		OneTimeTask<Void> noop = Tasks.oneTime(NOOP).execute((instance, context) -> HANDLED.incrementAndGet());
		return Scheduler.create(pool, noop, hangTask(hang))
			.schedulerName(() -> name)
			.threads(1)
			.pollUsingLockAndFetch(0.5, 3.0)
			.pollingInterval(Duration.ofMillis(500))
			.heartbeatInterval(DB_SCHEDULER_HEARTBEAT)
			.missedHeartbeatsLimit(DB_SCHEDULER_MISSED_HEARTBEATS)
			.shutdownMaxWait(Duration.ofSeconds(1))
			.build();
	}

	/** Hangs on instance A (its latch is closed); counts on instance B. */
	private static OneTimeTask<Void> hangTask(CountDownLatch hang) {
		return Tasks.oneTime(HANG).execute((instance, context) -> {
			hangOrCount(hang);
		});
	}

	static void hangOrCount(CountDownLatch hang) {
		if (hang.getCount() == 0) {
			HANDLED.incrementAndGet();
			return;
		}
		try {
			hang.await();
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

	// JobRunr

	private static RawPostgres.Timed jobRunrThroughput(Database db, long count) throws Exception {
		HANDLED.set(0);
		JsonMapper json = new Jackson3JsonMapper();
		try (HikariDataSource poolA = dataSource(db, "jobrunr-a"); HikariDataSource poolB = dataSource(db, "jobrunr-b")) {
			StorageProvider storageA = storage(poolA, json);
			StorageProvider storageB = storage(poolB, json);
			new JobRequestScheduler(storageA).enqueue(LongStream.range(0, count).mapToObj((n) -> new NoopRequest()));
			List<BackgroundJobServer> servers = List.of(server(storageA, json, "a", new CountDownLatch(0)),
					server(storageB, json, "b", new CountDownLatch(0)));
			try {
				return timed(db, () -> servers.forEach(BackgroundJobServer::start), HANDLED::get, count);
			}
			finally {
				servers.forEach(BackgroundJobServer::stop);
				db.execute("DELETE FROM jobrunr_jobs", "DELETE FROM jobrunr_backgroundjobservers");
			}
		}
	}

	private static double jobRunrDeadWorker(Database db) throws Exception {
		HANDLED.set(0);
		JsonMapper json = new Jackson3JsonMapper();
		CountDownLatch hang = new CountDownLatch(1);
		HikariDataSource poolA = dataSource(db, "jobrunr-dead-a");
		StorageProvider storageA = storage(poolA, json);
		BackgroundJobServer a = server(storageA, json, "a", hang);
		try (HikariDataSource poolB = dataSource(db, "jobrunr-dead-b")) {
			a.start();
			new JobRequestScheduler(storageA).enqueue(new HangRequest());
			await(() -> db.count("SELECT count(*) FROM jobrunr_jobs WHERE state = 'PROCESSING'"), 1);
			BackgroundJobServer b = server(storage(poolB, json), json, "b", new CountDownLatch(0));
			b.start();
			try {
				long died = System.nanoTime();
				poolA.close();
				await(HANDLED::get, 1);
				return (System.nanoTime() - died) / 1e9;
			}
			finally {
				b.stop();
			}
		}
		finally {
			hang.countDown();
			a.stop();
		}
	}

	private static StorageProvider storage(HikariDataSource pool, JsonMapper json) {
		StorageProvider storage = new PostgresStorageProvider(pool);
		storage.setJobMapper(new JobMapper(json));
		return storage;
	}

	private static BackgroundJobServer server(StorageProvider storage, JsonMapper json, String name,
			CountDownLatch hang) {
		JobActivator activator = new JobActivator() {

			@Override
			public <T> T activateJob(Class<T> type) {
				Object handler = (type == HangHandler.class) ? new HangHandler(hang) : new NoopHandler();
				return type.cast(handler);
			}

		};
		return new BackgroundJobServer(storage, json, activator,
				BackgroundJobServerConfiguration.usingStandardBackgroundJobServerConfiguration()
					.andName(name)
					.andWorkerCount(1)
					.andPollInterval(JOBRUNR_POLL)
					.andServerTimeoutPollIntervalMultiplicand(JOBRUNR_TIMEOUT_POLLS));
	}

	/** JobRunr's job: a request (stored as JSON) and its handler; public for JobRunr's reflection. */
	public static final class NoopRequest implements JobRequest {

		@Override
		public Class<NoopHandler> getJobRequestHandler() {
			return NoopHandler.class;
		}

	}

	public static final class NoopHandler implements JobRequestHandler<NoopRequest> {

		@Override
		public void run(NoopRequest request) {
			HANDLED.incrementAndGet();
		}

	}

	public static final class HangRequest implements JobRequest {

		@Override
		public Class<HangHandler> getJobRequestHandler() {
			return HangHandler.class;
		}

	}

	public static final class HangHandler implements JobRequestHandler<HangRequest> {

		private final CountDownLatch hang;

		HangHandler(CountDownLatch hang) {
			this.hang = hang;
		}

		@Override
		public void run(HangRequest request) {
			hangOrCount(this.hang);
		}

	}

	// the kit

	private static RawPostgres.Timed kitThroughput(Database db, long count) throws Exception {
		kitQueue(db, count);
		HANDLED.set(0);
		try (HikariDataSource poolA = dataSource(db, "kit-a"); HikariDataSource poolB = dataSource(db, "kit-b")) {
			List<JobWorker> workers = List.of(kitWorker(poolA, new CountDownLatch(0)),
					kitWorker(poolB, new CountDownLatch(0)));
			try {
				return timed(db, () -> workers.forEach(JobWorker::start), HANDLED::get, count);
			}
			finally {
				workers.forEach(JobWorker::stop);
			}
		}
	}

	private static double kitDeadWorker(Database db) throws Exception {
		db.execute("TRUNCATE job");
		HANDLED.set(0);
		CountDownLatch hang = new CountDownLatch(1);
		HikariDataSource poolA = dataSource(db, "kit-dead-a");
		JobWorker a = kitWorker(poolA, hang);
		try (HikariDataSource poolB = dataSource(db, "kit-dead-b")) {
			new Jobs(new JdbcTemplate(poolA), tools.jackson.databind.json.JsonMapper.builder().build())
				.enqueue(Jobs.DEFAULT, HANG, java.util.Map.of());
			a.start();
			await(() -> db.count("SELECT count(*) FROM job WHERE status = 'RUNNING'"), 1);
			JobWorker b = kitWorker(poolB, new CountDownLatch(0));
			b.start();
			try {
				long died = System.nanoTime();
				poolA.close();
				await(HANDLED::get, 1);
				return (System.nanoTime() - died) / 1e9;
			}
			finally {
				b.stop();
			}
		}
		finally {
			hang.countDown();
			a.stop();
		}
	}

	private static JobWorker kitWorker(HikariDataSource pool, CountDownLatch hang) {
		JobsProperties properties = new JobsProperties(1, JobQueueBenchmark.BATCH, Duration.ofMillis(500), KIT_LEASE,
				Duration.ofSeconds(1), Duration.ofMinutes(15));
		List<JobHandler> handlers = List.of(kitHandler(NOOP, () -> HANDLED.incrementAndGet()),
				kitHandler(HANG, () -> hangOrCount(hang)));
		return new JobWorker(Jobs.DEFAULT, new JdbcTemplate(pool), tools.jackson.databind.json.JsonMapper.builder().build(),
				handlers, properties);
	}

	private static JobHandler kitHandler(String type, Runnable work) {
		return new JobHandler() {

			@Override
			public String type() {
				return type;
			}

			@Override
			public void handle(Job job) {
				work.run();
			}

		};
	}

	private static void kitQueue(Database db, long count) throws Exception {
		db.execute("TRUNCATE job", "INSERT INTO job (queue, job_type, payload) SELECT '" + Jobs.DEFAULT + "', '" + NOOP
				+ "', jsonb_build_object('n', n) FROM generate_series(1, " + count + ") AS n", "VACUUM ANALYZE job");
	}

	// common

	@FunctionalInterface
	private interface Check {

		long value() throws Exception;

	}

	/** Starts the workers and times them until {@code done} reaches {@code expected}. */
	private static RawPostgres.Timed timed(Database db, Runnable start, LongSupplier done, long expected)
			throws Exception {
		CpuMeter cpu = CpuMeter.start(db);
		long started = System.nanoTime();
		start.run();
		await(done::getAsLong, expected);
		return new RawPostgres.Timed(System.nanoTime() - started, cpu.stop());
	}

	private static void await(Check check, long expected) throws Exception {
		long deadline = System.nanoTime() + TIMEOUT.toNanos();
		long value;
		while ((value = check.value()) < expected) {
			if (System.nanoTime() > deadline) {
				throw new IllegalStateException("Reached " + value + " of " + expected + " in " + TIMEOUT);
			}
			TimeUnit.MILLISECONDS.sleep(1);
		}
	}

	private static void requireZero(Database db, String sql) throws Exception {
		long left = db.count(sql);
		if (left != 0) {
			throw new IllegalStateException(left + " jobs left: " + sql);
		}
	}

	private static HikariDataSource dataSource(Database db, String name) {
		HikariDataSource dataSource = new HikariDataSource();
		dataSource.setJdbcUrl(db.url());
		dataSource.setUsername(db.user());
		dataSource.setPassword(db.password());
		dataSource.setMaximumPoolSize(5);
		dataSource.setPoolName("bench-" + name);
		return dataSource;
	}

}
