package org.patientplatform.kit.jobs;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Collectors;

import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.context.SmartLifecycle;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * Works one queue: claims ready jobs in batches with {@code FOR UPDATE SKIP LOCKED} under a lease, runs
 * each with its handler, and records the outcome. A job whose worker died (its lease expired) is put back
 * and claimed by another worker. Many workers across instances never run one attempt twice.
 * <p>
 * While it runs, a started worker renews the lease of the jobs it holds every quarter lease, so the lease
 * can be short (a minute by default): a job of a worker that died is taken over within about a lease,
 * however long the job itself runs, and one that outlives the lease is not taken while its worker lives.
 * A worker that stops puts back the jobs it claimed and has not begun.
 */
public class JobWorker implements SmartLifecycle {

	private static final Logger log = LoggerFactory.getLogger(JobWorker.class);

	private final String queue;

	private final String workerId;

	private final JdbcTemplate jdbc;

	private final JsonMapper json;

	private final Map<String, JobHandler> handlers;

	private final JobsProperties properties;

	private volatile boolean running;

	private ExecutorService threads;

	private ScheduledExecutorService heartbeat;

	/** Jobs this worker claimed and has not finished: the ones whose lease it renews, with their runs. */
	private final Map<Long, Run> held = new ConcurrentHashMap<>();

	private volatile boolean stopping;

	public JobWorker(String queue, JdbcTemplate jdbc, JsonMapper json, List<JobHandler> handlers,
			JobsProperties properties) {
		this.queue = queue;
		this.workerId = queue + "@" + UUID.randomUUID();
		this.jdbc = jdbc;
		this.json = json;
		this.handlers = handlers.stream().collect(Collectors.toMap(JobHandler::type, Function.identity()));
		this.properties = properties;
	}

	public String queue() {
		return this.queue;
	}

	/**
	 * Claims up to {@code limit} jobs and runs them on the calling thread.
	 * @return the number of jobs run
	 */
	public int workOnce(int limit) {
		releaseExpiredLeases();
		List<JobHandler.Job> jobs = this.jdbc.query("""
				WITH next AS (
				    SELECT id FROM job WHERE queue = ? AND status = 'READY' AND run_at <= now()
				    ORDER BY run_at, id LIMIT ? FOR UPDATE SKIP LOCKED)
				UPDATE job SET status = 'RUNNING', locked_by = ?, attempts = attempts + 1, updated_at = now(),
				    locked_until = now() + make_interval(secs => ?)
				FROM next WHERE job.id = next.id
				RETURNING job.id, job.queue, job.job_type, job.payload::text, job.attempts
				""", (rs, n) -> new JobHandler.Job(rs.getLong(1), rs.getString(2), rs.getString(3),
				this.json.readTree(rs.getString(4)), rs.getInt(5), () -> this.stopping), this.queue, limit, this.workerId,
				(double) this.properties.lease().toSeconds());
		jobs.forEach((job) -> this.held.put(job.id(), new Run()));
		for (int i = 0; i < jobs.size(); i++) {
			if (this.stopping) {
				putBack(jobs.subList(i, jobs.size()));
				return i;
			}
			Run current = this.held.get(jobs.get(i).id());
			current.begin();
			try {
				run(jobs.get(i));
			}
			finally {
				this.held.remove(jobs.get(i).id());
				current.end();
			}
		}
		return jobs.size();
	}

	/** Jobs claimed and not begun, as they were: ready, the claim not counted as an attempt. */
	private void putBack(List<JobHandler.Job> jobs) {
		Long[] ids = jobs.stream().map(JobHandler.Job::id).toArray(Long[]::new);
		try {
			this.jdbc.update("""
					UPDATE job SET status = 'READY', attempts = attempts - 1, locked_by = NULL, locked_until = NULL,
					    updated_at = now()
					WHERE id = ANY(?) AND locked_by = ? AND status = 'RUNNING'
					""", ids, this.workerId);
		}
		finally {
			jobs.forEach((job) -> this.held.remove(job.id()));
		}
	}

	/**
	 * Renews the lease of the jobs this worker holds; those another worker took over are left alone. A run
	 * past {@code max-run-time} is given up instead: interrupted, and its lease left to run out, so the job is
	 * tried again (by the interrupted run's failure, or by any worker once the lease is over).
	 */
	int renewLeases() {
		List<Long> renew = new ArrayList<>();
		long now = System.nanoTime();
		this.held.forEach((id, run) -> {
			if (run.giveUpIfPast(now, this.properties.maxRunTime())) {
				log.warn("Job {} of queue {} has run longer than {}: it is interrupted and its lease left to run out",
						id, this.queue, this.properties.maxRunTime());
			}
			else if (!run.givenUp()) {
				renew.add(id);
			}
		});
		if (renew.isEmpty()) {
			return 0;
		}
		return this.jdbc.update("""
				UPDATE job SET locked_until = now() + make_interval(secs => ?)
				WHERE id = ANY(?) AND locked_by = ? AND status = 'RUNNING'
				""", (double) this.properties.lease().toSeconds(), renew.toArray(Long[]::new), this.workerId);
	}

	/** One claimed job's run on a worker thread: when it began, and whether it was given up. */
	private static final class Run {

		private @Nullable Thread thread;

		private long startedAt;

		private boolean givenUp;

		synchronized void begin() {
			this.thread = Thread.currentThread();
			this.startedAt = System.nanoTime();
		}

		/** Ends the run on its thread; an interrupt meant for it does not outlive it. */
		synchronized void end() {
			if (this.givenUp) {
				Thread.interrupted();
			}
			this.thread = null;
		}

		/** @return true when the run is past {@code limit} and was given up now (its thread interrupted) */
		synchronized boolean giveUpIfPast(long now, Duration limit) {
			if (this.givenUp || this.thread == null || now - this.startedAt < limit.toNanos()) {
				return false;
			}
			this.givenUp = true;
			this.thread.interrupt();
			return true;
		}

		synchronized boolean givenUp() {
			return this.givenUp;
		}

	}

	private void run(JobHandler.Job job) {
		JobHandler handler = this.handlers.get(job.type());
		try {
			if (handler == null) {
				throw new IllegalStateException("No handler for job type " + job.type());
			}
			handler.handle(job);
			this.jdbc.update("UPDATE job SET status = 'SUCCEEDED', finished_at = now(), updated_at = now(), "
					+ "locked_by = NULL, locked_until = NULL WHERE id = ? AND locked_by = ?", job.id(), this.workerId);
		}
		catch (Exception ex) {
			Duration delay = Jobs.backoff(job.attempt());
			int updated = this.jdbc.update("""
					UPDATE job SET status = CASE WHEN attempts >= max_attempts THEN 'FAILED' ELSE 'READY' END,
					    run_at = now() + make_interval(secs => ?), last_error = ?, updated_at = now(),
					    locked_by = NULL, locked_until = NULL
					WHERE id = ? AND locked_by = ?
					""", (double) delay.toSeconds(), ex.getClass().getName() + ": " + ex.getMessage(), job.id(),
					this.workerId);
			log.warn("Job {} ({}) attempt {} failed: {}{}", job.id(), job.type(), job.attempt(),
					ex.getClass().getSimpleName(), (updated == 0) ? " (lease lost)" : "");
		}
	}

	/** Puts back jobs whose worker stopped answering before its lease ran out. */
	int releaseExpiredLeases() {
		// the attempt counts: a job that keeps killing its worker ends FAILED instead of looping for ever
		return this.jdbc.update("""
				UPDATE job SET status = CASE WHEN attempts >= max_attempts THEN 'FAILED' ELSE 'READY' END,
				    last_error = 'lease expired: the worker stopped during the job', locked_by = NULL,
				    locked_until = NULL, updated_at = now(), run_at = now() + make_interval(secs => least(3600, 2 ^ attempts))
				WHERE queue = ? AND status = 'RUNNING' AND locked_until < now()
				""", this.queue);
	}

	private void loop() {
		while (this.running) {
			try {
				if (workOnce(this.properties.batchSize()) == 0) {
					Thread.sleep(this.properties.pollInterval().toMillis());
				}
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				return;
			}
			catch (RuntimeException ex) {
				log.warn("Job worker for queue {} failed, will retry: {}", this.queue, ex.toString());
				try {
					Thread.sleep(this.properties.pollInterval().toMillis() * 5);
				}
				catch (InterruptedException interrupted) {
					Thread.currentThread().interrupt();
					return;
				}
			}
		}
	}

	@Override
	public synchronized void start() {
		if (!this.running) {
			this.running = true;
			this.stopping = false;
			long every = Math.max(100, this.properties.lease().toMillis() / 4);
			this.heartbeat = Executors.newSingleThreadScheduledExecutor(
					Thread.ofPlatform().name("job-" + this.queue + "-lease").daemon().factory());
			this.heartbeat.scheduleWithFixedDelay(() -> {
				try {
					renewLeases();
				}
				catch (RuntimeException ex) {
					log.warn("Could not renew the leases of queue {}'s jobs: {}", this.queue, ex.toString());
				}
			}, every, every, TimeUnit.MILLISECONDS);
			this.threads = Executors.newFixedThreadPool(this.properties.threads(),
					Thread.ofPlatform().name("job-" + this.queue + "-", 0).daemon().factory());
			for (int i = 0; i < this.properties.threads(); i++) {
				this.threads.submit(this::loop);
			}
		}
	}

	@Override
	public synchronized void stop() {
		this.running = false;
		this.stopping = true;
		if (this.threads != null) {
			// let running jobs finish (graceful shutdown drains in-flight work)
			this.threads.shutdown();
			try {
				if (!this.threads.awaitTermination(this.properties.drainTimeout().toMillis(), TimeUnit.MILLISECONDS)) {
					this.threads.shutdownNow();
				}
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
			}
		}
		if (this.heartbeat != null) {
			// after the drain: a job still running when it ended keeps its lease until it runs out
			this.heartbeat.shutdownNow();
		}
	}

	@Override
	public boolean isRunning() {
		return this.running;
	}

}
