package org.patientplatform.bench;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import com.zaxxer.hikari.HikariDataSource;
import org.flywaydb.core.Flyway;
import org.patientplatform.bench.Infrastructure.Database;
import org.patientplatform.kit.jobs.JobHandler;
import org.patientplatform.kit.jobs.JobWorker;
import org.patientplatform.kit.jobs.Jobs;
import org.patientplatform.kit.jobs.JobsProperties;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.jdbc.core.JdbcTemplate;

/**
 * The kit's job queue: two {@link JobWorker} instances of one thread each (as two service instances
 * would run) work N ready jobs with a handler that does nothing, on a fresh database with the kit's
 * schema. Beside it, on the same table: two raw JDBC loops of two threads, the raw limit claiming and
 * finishing one job per statement with {@code FOR UPDATE SKIP LOCKED}, and the kit's own statements
 * (claim ten under a lease, then finish each) without the kit. The N jobs are worked in rounds of N/8
 * ready jobs; each round runs the three in turn, on a fresh queue each.
 */
final class JobQueueBenchmark implements Benchmark {

	static final String NAME = "job-queue";

	static final int WORKERS = 2;

	static final int BATCH = 10;

	static final int ROUNDS = 8;

	private static final String JOB_TYPE = "bench.noop";

	private static final Duration TIMEOUT = Duration.ofMinutes(10);

	/** Claims the oldest ready job and finishes it, in one statement and transaction. */
	static final String RAW_CLAIM = """
			UPDATE job SET status = 'SUCCEEDED', locked_by = ?, attempts = attempts + 1, finished_at = now(),
			    updated_at = now()
			WHERE id = (SELECT id FROM job WHERE queue = 'default' AND status = 'READY' AND run_at <= now()
			            ORDER BY run_at, id LIMIT 1 FOR UPDATE SKIP LOCKED)
			RETURNING id
			""";

	/** The kit's claim (JobWorker): a batch under a lease. */
	private static final String LEASED_CLAIM = """
			WITH next AS (
			    SELECT id FROM job WHERE queue = 'default' AND status = 'READY' AND run_at <= now()
			    ORDER BY run_at, id LIMIT ? FOR UPDATE SKIP LOCKED)
			UPDATE job SET status = 'RUNNING', locked_by = ?, attempts = attempts + 1, updated_at = now(),
			    locked_until = now() + make_interval(secs => 300)
			FROM next WHERE job.id = next.id
			RETURNING job.id, job.payload::text
			""";

	/** The kit's record of a job's success (JobWorker). */
	private static final String LEASED_FINISH = """
			UPDATE job SET status = 'SUCCEEDED', finished_at = now(), updated_at = now(), locked_by = NULL,
			    locked_until = NULL
			WHERE id = ? AND locked_by = ?
			""";

	@Override
	public String name() {
		return NAME;
	}

	@Override
	public Result run(Infrastructure infrastructure, Options options) throws Exception {
		long jobs = options.size(20_000, 500);
		int rounds = options.rounds(ROUNDS);
		long backlog = Math.max(jobs / rounds, 1);
		long warmup = backlog;
		JobsProperties properties = new JobsProperties(1, BATCH, Duration.ofMillis(500), Duration.ofMinutes(5),
				Duration.ofSeconds(20), Duration.ofMinutes(15));
		AtomicLong handled = new AtomicLong();
		JobHandler noop = new JobHandler() {

			@Override
			public String type() {
				return JOB_TYPE;
			}

			@Override
			public void handle(Job job) {
				handled.incrementAndGet();
			}

		};
		Throughput raw = new Throughput();
		Throughput leased = new Throughput();
		Throughput kit = new Throughput();
		try (Database db = infrastructure.freshDatabase("jobs")) {
			Flyway.configure()
				.dataSource(db.url(), db.user(), db.password())
				.locations("classpath:db/platform-kit")
				.table("platform_kit_schema_history")
				.load()
				.migrate();
			try (HikariDataSource dataSource = dataSource(db)) {
				JdbcTemplate jdbc = new JdbcTemplate(dataSource);
				JsonMapper json = JsonMapper.builder().build();
				List<JobWorker> workers = List.of(new JobWorker(Jobs.DEFAULT, jdbc, json, List.of(noop), properties),
						new JobWorker(Jobs.DEFAULT, jdbc, json, List.of(noop), properties));
				List<Phase> phases = List.of(
						(count) -> RawPostgres.claimLoop(db, RAW_CLAIM, count, WORKERS),
						(count) -> leasedLoop(db, count),
						(count) -> {
							handled.set(0);
							RawPostgres.Timed timed = work(db, workers, handled, count);
							awaitAllSucceeded(db);
							return timed;
						});
				List<Throughput> throughputs = List.of(raw, leased, kit);
				// a warm-up round, then rounds of the three in turn, each round starting with the next one,
				// so all see the same machine
				for (int round = 0; round <= rounds; round++) {
					long count = (round == 0) ? warmup : backlog;
					for (int i = 0; i < phases.size(); i++) {
						int phase = (round + i) % phases.size();
						freshQueue(db, count);
						RawPostgres.Timed timed = phases.get(phase).run(count);
						if (round > 0) {
							throughputs.get(phase).add(count, timed);
						}
					}
				}
			}
		}
		return Result.of(NAME)
			.parameter("jobs", backlog * rounds)
			.parameter("rounds", rounds)
			.parameter("backlogPerRound", backlog)
			.parameter("warmupJobs", warmup)
			.parameter("workers", "2 JobWorker instances x 1 thread, batch " + BATCH)
			.parameter("rawThreads", WORKERS)
			.parameter("handler", "no-op")
			.figure("jobsPerSecond", kit.perSecond())
			.raw("skipLockedClaimsPerSecond", raw.perSecond())
			.raw("kitStatementsOverJdbcPerSecond", leased.perSecond())
			.ratio("toRawSkipLockedClaim", kit.perSecond(), raw.perSecond())
			.ratio("toKitStatementsOverJdbc", kit.perSecond(), leased.perSecond())
			.diagnostic("rawSkipLockedClaim", raw.cpuPer("Job"))
			.diagnostic("kitStatementsOverJdbc", leased.cpuPer("Job"))
			.diagnostic("kitJobWorkers", kit.cpuPer("Job"))
			.build(("%s: %s jobs with 2 kit JobWorkers | raw SKIP LOCKED claim loop %s (ratio %.3f), "
					+ "the kit's statements over plain JDBC %s (ratio %.3f); %d jobs in %d rounds")
				.formatted(NAME, Result.rate(kit.perSecond()), Result.rate(raw.perSecond()),
						Result.ratio(kit.perSecond(), raw.perSecond()), Result.rate(leased.perSecond()),
						Result.ratio(kit.perSecond(), leased.perSecond()), backlog * rounds, rounds));
	}

	/**
	 * The kit's statements without the kit: each thread claims {@link #BATCH} jobs under a lease, then
	 * records each one's success, until the queue is empty.
	 */
	private static RawPostgres.Timed leasedLoop(Database db, long expected) throws Exception {
		AtomicLong finished = new AtomicLong();
		RawPostgres.Timed timed = RawPostgres.onThreads(db, WORKERS, (connection, thread) -> {
			String worker = "bench-" + thread;
			try (PreparedStatement claim = connection.prepareStatement(LEASED_CLAIM);
					PreparedStatement finish = connection.prepareStatement(LEASED_FINISH)) {
				claim.setInt(1, BATCH);
				claim.setString(2, worker);
				finish.setString(2, worker);
				while (true) {
					List<Long> ids = new ArrayList<>(BATCH);
					try (ResultSet rs = claim.executeQuery()) {
						while (rs.next()) {
							ids.add(rs.getLong(1));
							rs.getString(2);
						}
					}
					if (ids.isEmpty()) {
						return;
					}
					for (long id : ids) {
						finish.setLong(1, id);
						finish.executeUpdate();
						finished.incrementAndGet();
					}
				}
			}
		});
		if (finished.get() != expected) {
			throw new IllegalStateException("Finished " + finished.get() + " jobs, expected " + expected);
		}
		return timed;
	}

	/** Empties the table and adds ready jobs in one statement (setup, not measured). */
	private static void freshQueue(Database db, long count) throws Exception {
		db.execute("TRUNCATE job", "INSERT INTO job (queue, job_type, payload) SELECT '" + Jobs.DEFAULT + "', '"
				+ JOB_TYPE + "', jsonb_build_object('n', n) FROM generate_series(1, " + count + ") AS n",
				"VACUUM ANALYZE job");
	}

	/**
	 * Starts the workers, waits until the handler ran every job, stops them.
	 * @return the time and CPU until the handler ran the last job (not the workers' shutdown)
	 */
	private static RawPostgres.Timed work(Database db, List<JobWorker> workers, AtomicLong handled, long expected)
			throws Exception {
		CpuMeter cpu = CpuMeter.start(db);
		long started = System.nanoTime();
		workers.forEach(JobWorker::start);
		try {
			long deadline = System.nanoTime() + TIMEOUT.toNanos();
			while (handled.get() < expected) {
				if (System.nanoTime() > deadline) {
					throw new IllegalStateException(
							"The job workers ran " + handled.get() + " of " + expected + " jobs in " + TIMEOUT);
				}
				TimeUnit.MILLISECONDS.sleep(1);
			}
			long elapsed = System.nanoTime() - started;
			return new RawPostgres.Timed(elapsed, cpu.stop());
		}
		finally {
			// stopping lets the last jobs record their success
			workers.forEach(JobWorker::stop);
		}
	}

	private static void awaitAllSucceeded(Database db) throws Exception {
		long unfinished = db.count("SELECT count(*) FROM job WHERE status <> 'SUCCEEDED'");
		if (unfinished != 0) {
			throw new IllegalStateException(unfinished + " jobs did not succeed");
		}
	}

	@FunctionalInterface
	private interface Phase {

		RawPostgres.Timed run(long jobs) throws Exception;

	}

	private static HikariDataSource dataSource(Database db) {
		HikariDataSource dataSource = new HikariDataSource();
		dataSource.setJdbcUrl(db.url());
		dataSource.setUsername(db.user());
		dataSource.setPassword(db.password());
		dataSource.setMaximumPoolSize(10);
		dataSource.setPoolName("bench-jobs");
		return dataSource;
	}

}
