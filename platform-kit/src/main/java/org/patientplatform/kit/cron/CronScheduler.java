package org.patientplatform.kit.cron;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.context.SmartLifecycle;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.scheduling.concurrent.ThreadPoolTaskScheduler;
import org.springframework.scheduling.support.CronExpression;

/**
 * Fires each {@link CronTask} once per occurrence across every replica with the {@code cron} role: at
 * each occurrence every instance tries to insert the row (task, scheduled time); the one that inserts it
 * runs the task, the others skip. Unlike a lock held for the run, a fast task can never run twice for
 * one occurrence, even with clocks a little apart.
 */
public class CronScheduler implements SmartLifecycle {

	private static final Logger log = LoggerFactory.getLogger(CronScheduler.class);

	private final List<CronTask> tasks;

	private final JdbcTemplate jdbc;

	private final String instance = UUID.randomUUID().toString();

	private final AtomicLong runs = new AtomicLong();

	private ThreadPoolTaskScheduler scheduler;

	private volatile boolean running;

	public CronScheduler(List<CronTask> tasks, JdbcTemplate jdbc) {
		this.tasks = tasks;
		this.jdbc = jdbc;
	}

	/** Occurrences this instance ran. */
	public long runs() {
		return this.runs.get();
	}

	public List<String> taskNames() {
		return this.tasks.stream().map(CronTask::name).toList();
	}

	@Override
	public synchronized void start() {
		if (this.running) {
			return;
		}
		this.scheduler = new ThreadPoolTaskScheduler();
		this.scheduler.setPoolSize(Math.max(1, Math.min(4, this.tasks.size())));
		this.scheduler.setThreadNamePrefix("cron-");
		this.scheduler.setWaitForTasksToCompleteOnShutdown(true);
		this.scheduler.setAwaitTerminationSeconds(20);
		this.scheduler.initialize();
		// on shutdown, wait for a running occurrence but drop the ones not yet due
		this.scheduler.getScheduledThreadPoolExecutor().setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
		this.running = true;
		for (CronTask task : this.tasks) {
			scheduleNext(task, CronExpression.parse(task.cron()), ZonedDateTime.now(ZoneOffset.UTC));
		}
	}

	private void scheduleNext(CronTask task, CronExpression expression, ZonedDateTime after) {
		ZonedDateTime next = expression.next(after);
		if (next == null || !this.running) {
			return;
		}
		this.scheduler.schedule(() -> {
			try {
				fire(task, next.toInstant());
			}
			finally {
				// whatever happened to this occurrence, the task keeps its schedule: a failure escaping here ended
				// the chain, and the task never fired again until the process restarted
				scheduleNext(task, expression, next);
			}
		}, next.toInstant());
	}

	void fire(CronTask task, Instant occurrence) {
		try {
			this.jdbc.update("INSERT INTO cron_occurrence (task, scheduled_for, instance) VALUES (?, ?, ?)",
					task.name(), occurrence.atOffset(ZoneOffset.UTC), this.instance);
		}
		catch (DuplicateKeyException ex) {
			return; // another replica has this occurrence
		}
		catch (RuntimeException ex) {
			log.warn("Cron task {} could not claim occurrence {}: {}", task.name(), occurrence, ex.toString());
			return;
		}
		String outcome = "SUCCEEDED";
		try {
			task.run();
			this.runs.incrementAndGet();
		}
		catch (Exception ex) {
			outcome = "FAILED: " + ex.getClass().getName();
			log.warn("Cron task {} occurrence {} failed: {}", task.name(), occurrence, ex.toString());
		}
		try {
			this.jdbc.update(
					"UPDATE cron_occurrence SET finished_at = now(), outcome = ? WHERE task = ? AND scheduled_for = ?",
					outcome, task.name(), occurrence.atOffset(ZoneOffset.UTC));
		}
		catch (RuntimeException ex) {
			// the database went away during the run: the occurrence stays without its outcome, the next one fires
			log.warn("Cron task {} occurrence {} ran ({}) but its outcome could not be recorded: {}", task.name(),
					occurrence, outcome, ex.toString());
		}
	}

	@Override
	public synchronized void stop() {
		this.running = false;
		if (this.scheduler != null) {
			this.scheduler.shutdown();
		}
	}

	@Override
	public boolean isRunning() {
		return this.running;
	}

}
