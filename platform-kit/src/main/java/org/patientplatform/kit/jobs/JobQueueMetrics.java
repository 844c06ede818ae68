package org.patientplatform.kit.jobs;

import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import org.jspecify.annotations.Nullable;
import org.patientplatform.kit.metrics.CachedReading;

import org.springframework.jdbc.core.JdbcTemplate;

/**
 * {@code platform.jobs.pending{queue}}: the jobs of each queue this instance works that are due and not
 * started ({@code READY}, {@code run_at} passed): the seeds' "worker queue depth"; and
 * {@code platform.jobs.failed{queue}}: the jobs whose attempts ran out, kept {@code FAILED} until an operator
 * retries them (a bulk redrive, a report build, an alert that will not run again by itself). Each one grouped
 * count over its partial index ({@code job_ready}, {@code job_failed}), at most every {@value #REFRESH_SECONDS}
 * seconds ({@link CachedReading}: the same on every pod, NaN while the database cannot be read).
 */
public final class JobQueueMetrics {

	static final int REFRESH_SECONDS = 5;

	private final CachedReading<Map<String, Long>> pending;

	private final CachedReading<Map<String, Long>> failed;

	/** Registers one gauge per queue; none without a registry (metrics off). */
	public JobQueueMetrics(JdbcTemplate jdbc, List<String> queues, @Nullable MeterRegistry registry) {
		this(jdbc, queues, registry, Clock.systemUTC());
	}

	JobQueueMetrics(JdbcTemplate jdbc, List<String> queues, @Nullable MeterRegistry registry, Clock clock) {
		this.pending = new CachedReading<>("the pending jobs", Duration.ofSeconds(REFRESH_SECONDS), clock,
				() -> counts(jdbc, "SELECT queue, count(*) AS jobs FROM job WHERE status = 'READY' AND run_at <= now() "
						+ "GROUP BY queue"));
		this.failed = new CachedReading<>("the failed jobs", Duration.ofSeconds(REFRESH_SECONDS), clock,
				() -> counts(jdbc, "SELECT queue, count(*) AS jobs FROM job WHERE status = 'FAILED' GROUP BY queue"));
		if (registry == null) {
			return;
		}
		for (String queue : queues) {
			Gauge.builder("platform.jobs.pending", this, (metrics) -> metrics.pending(queue))
				.description("Jobs due and not started, per queue")
				.tag("queue", queue)
				// the gauge holds this object: a registry holds its state weakly, and one no bean held read NaN
				// once collected (a test that built it alone failed so under load)
				.strongReference(true)
				.register(registry);
			Gauge.builder("platform.jobs.failed", this, (metrics) -> metrics.failed(queue))
				.description("Jobs whose attempts ran out, kept FAILED until retried (POST /api/v1/ops/jobs/{id}/retry)")
				.tag("queue", queue)
				.strongReference(true)
				.register(registry);
		}
	}

	double pending(String queue) {
		Map<String, Long> counts = this.pending.get();
		return (counts != null) ? counts.getOrDefault(queue, 0L) : Double.NaN;
	}

	double failed(String queue) {
		Map<String, Long> counts = this.failed.get();
		return (counts != null) ? counts.getOrDefault(queue, 0L) : Double.NaN;
	}

	private static Map<String, Long> counts(JdbcTemplate jdbc, String sql) {
		Map<String, Long> counts = new HashMap<>();
		jdbc.query(sql, (rs) -> {
			counts.put(rs.getString("queue"), rs.getLong("jobs"));
		});
		return counts;
	}

}
