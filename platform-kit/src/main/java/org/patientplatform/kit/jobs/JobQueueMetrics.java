package org.patientplatform.kit.jobs;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.jdbc.core.JdbcTemplate;

/**
 * {@code platform.jobs.pending{queue}}: the jobs of each queue this instance works that are due and not
 * started ({@code READY}, {@code run_at} passed): the seeds' "worker queue depth". One grouped count over the
 * {@code job_ready} index, at most every {@value #REFRESH_SECONDS} seconds whatever the scrape rate; every pod
 * of a service reads the same table, so dashboards take the {@code max} across pods. NaN while the database
 * cannot be read (a gap in the graph, not a queue that looks empty).
 */
public final class JobQueueMetrics {

	static final int REFRESH_SECONDS = 5;

	private static final Logger log = LoggerFactory.getLogger(JobQueueMetrics.class);

	private final JdbcTemplate jdbc;

	private final Clock clock;

	private Map<String, Long> pending = Map.of();

	private Instant readAt = Instant.MIN;

	private boolean failed;

	/** Registers one gauge per queue; none without a registry (metrics off). */
	public JobQueueMetrics(JdbcTemplate jdbc, List<String> queues, @Nullable MeterRegistry registry) {
		this(jdbc, queues, registry, Clock.systemUTC());
	}

	JobQueueMetrics(JdbcTemplate jdbc, List<String> queues, @Nullable MeterRegistry registry, Clock clock) {
		this.jdbc = jdbc;
		this.clock = clock;
		if (registry == null) {
			return;
		}
		for (String queue : queues) {
			Gauge.builder("platform.jobs.pending", this, (metrics) -> metrics.pending(queue))
				.description("Jobs due and not started, per queue")
				.tag("queue", queue)
				.register(registry);
		}
	}

	synchronized double pending(String queue) {
		Instant now = this.clock.instant();
		if (now.isAfter(this.readAt.plus(Duration.ofSeconds(REFRESH_SECONDS)))) {
			this.readAt = now;
			try {
				Map<String, Long> counts = new HashMap<>();
				this.jdbc.query("SELECT queue, count(*) AS pending FROM job WHERE status = 'READY' AND run_at <= now() "
						+ "GROUP BY queue", (rs) -> {
							counts.put(rs.getString("queue"), rs.getLong("pending"));
						});
				this.pending = counts;
				this.failed = false;
			}
			catch (RuntimeException ex) {
				if (!this.failed) {
					log.warn("Could not count the pending jobs: {}", ex.toString());
				}
				this.failed = true;
			}
		}
		return this.failed ? Double.NaN : this.pending.getOrDefault(queue, 0L);
	}

}
