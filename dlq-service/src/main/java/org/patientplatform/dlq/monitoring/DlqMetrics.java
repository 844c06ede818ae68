package org.patientplatform.dlq.monitoring;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import org.patientplatform.dlq.capture.DeadLetterEntry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * Gauges of the DLQ's state, shared by every replica (they read the database): {@code dlq_entries} by
 * status, {@code dlq_oldest_unresolved_age_seconds}, {@code dlq_active_failure_patterns}. A scrape reads
 * a snapshot at most {@link #MAX_AGE} old, so many scrapers cost one query. The counters live where the
 * work happens: {@code dlq_captured_total} (capture, by service and topic), {@code dlq_redrives_total}
 * (redrive, by kind and result) and {@code dlq_retry_outcomes_total} (resolved or permanently failed).
 */
@Component
class DlqMetrics implements MeterBinder {

	static final Duration MAX_AGE = Duration.ofSeconds(15);

	private static final Logger log = LoggerFactory.getLogger(DlqMetrics.class);

	private final JdbcTemplate jdbc;

	private final Clock clock;

	private volatile Snapshot snapshot = new Snapshot(Instant.EPOCH, Map.of(), 0, 0);

	DlqMetrics(JdbcTemplate jdbc) {
		this.jdbc = jdbc;
		this.clock = Clock.systemUTC();
	}

	@Override
	public void bindTo(MeterRegistry registry) {
		for (String status : DeadLetterEntry.STATUSES) {
			Gauge.builder("dlq.entries", this, (m) -> m.current().byStatus().getOrDefault(status, 0L))
				.tag("status", status)
				.description("Stored dead-letter entries by status")
				.register(registry);
		}
		Gauge.builder("dlq.oldest.unresolved.age", this, (m) -> m.current().oldestUnresolvedSeconds())
			.baseUnit("seconds")
			.description("Age of the oldest entry not resolved or discarded (first failure)")
			.register(registry);
		Gauge.builder("dlq.active.failure.patterns", this, (m) -> m.current().activePatterns())
			.description("Fingerprints with unresolved entries that failed in the last 24 hours")
			.register(registry);
	}

	Snapshot current() {
		Snapshot current = this.snapshot;
		if (current.takenAt().plus(MAX_AGE).isAfter(this.clock.instant())) {
			return current;
		}
		synchronized (this) {
			if (this.snapshot.takenAt().plus(MAX_AGE).isAfter(this.clock.instant())) {
				return this.snapshot;
			}
			try {
				this.snapshot = read();
			}
			catch (RuntimeException ex) {
				// keep serving the last values; the database health indicator reports the outage
				log.debug("Could not refresh DLQ gauges: {}", ex.toString());
			}
			return this.snapshot;
		}
	}

	private Snapshot read() {
		Map<String, Long> byStatus = new HashMap<>();
		this.jdbc.query("SELECT status, count(*) AS entries FROM dead_letter_state GROUP BY status",
				(rs) -> {
					byStatus.put(rs.getString("status"), rs.getLong("entries"));
				});
		Double oldest = this.jdbc.queryForObject("""
				SELECT COALESCE(extract(epoch FROM now() - min(first_failed_at)), 0) FROM dead_letter_state
				WHERE status IN ('NEW', 'RETRY_SCHEDULED', 'RETRYING', 'PERMANENTLY_FAILED')
				""", Double.class);
		Long patterns = this.jdbc.queryForObject("""
				SELECT count(DISTINCT r.fingerprint) FROM dead_letter_record r
				CROSS JOIN LATERAL (SELECT status FROM dead_letter_state WHERE id = r.id OFFSET 0) s
				WHERE r.last_failed_at > now() - interval '24 hours'
				  AND s.status IN ('NEW', 'RETRY_SCHEDULED', 'RETRYING', 'PERMANENTLY_FAILED')
				""", Long.class);
		return new Snapshot(this.clock.instant(), Map.copyOf(byStatus), (oldest != null) ? oldest : 0,
				(patterns != null) ? patterns : 0);
	}

	record Snapshot(Instant takenAt, Map<String, Long> byStatus, double oldestUnresolvedSeconds, long activePatterns) {
	}

}
