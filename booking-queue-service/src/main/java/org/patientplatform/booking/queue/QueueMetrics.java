package org.patientplatform.booking.queue;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;

/**
 * The seed's "queue depth and wait times": {@code booking.queue.waiting}, the bookings waiting in every site's
 * queue (read from the database at most every {@value #REFRESH_SECONDS} seconds, the same on every pod, so
 * dashboards take the {@code max} across pods; NaN while the database cannot be read), and
 * {@code booking.queue.wait}, a histogram of the time from check-in to call, recorded once the call commits.
 */
@Component
class QueueMetrics {

	static final int REFRESH_SECONDS = 5;

	private static final Logger log = LoggerFactory.getLogger(QueueMetrics.class);

	private final JdbcClient jdbc;

	private final Timer wait;

	private final Clock clock = Clock.systemUTC();

	private Instant readAt = Instant.MIN;

	private double waiting = Double.NaN;

	QueueMetrics(JdbcClient jdbc, MeterRegistry registry) {
		this.jdbc = jdbc;
		this.wait = Timer.builder("booking.queue.wait")
			.description("From check-in to being called")
			.publishPercentileHistogram()
			.minimumExpectedValue(Duration.ofSeconds(1))
			.maximumExpectedValue(Duration.ofHours(8))
			.register(registry);
		Gauge.builder("booking.queue.waiting", this, QueueMetrics::waiting)
			.description("Bookings waiting in the sites' queues")
			.register(registry);
	}

	synchronized double waiting() {
		Instant now = this.clock.instant();
		if (now.isAfter(this.readAt.plusSeconds(REFRESH_SECONDS))) {
			this.readAt = now;
			try {
				this.waiting = this.jdbc.sql("SELECT count(*) FROM queue_entry WHERE status = 'WAITING'")
					.query(Long.class)
					.single();
			}
			catch (RuntimeException ex) {
				if (!Double.isNaN(this.waiting)) {
					log.warn("Could not count the waiting bookings: {}", ex.toString());
				}
				this.waiting = Double.NaN;
			}
		}
		return this.waiting;
	}

	/** Records a wait once the current transaction commits (at once without one). */
	void called(Duration waited) {
		if (waited.isNegative()) {
			return;
		}
		if (TransactionSynchronizationManager.isSynchronizationActive()) {
			TransactionSynchronizationManager.registerSynchronization(new TransactionSynchronization() {
				@Override
				public void afterCommit() {
					QueueMetrics.this.wait.record(waited);
				}
			});
		}
		else {
			this.wait.record(waited);
		}
	}

}
