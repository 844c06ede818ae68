package org.patientplatform.booking.queue;

import java.time.Clock;
import java.time.Duration;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import org.patientplatform.booking.AfterCommit;
import org.patientplatform.kit.metrics.CachedReading;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * The seed's "queue depth and wait times": {@code booking.queue.waiting}, the bookings waiting in every site's
 * queue (read from the database at most every {@value #REFRESH_SECONDS} seconds: {@link CachedReading}), and
 * {@code booking.queue.wait}, a histogram of the time from check-in to call, recorded once the call commits.
 */
@Component
class QueueMetrics {

	static final int REFRESH_SECONDS = 5;

	private final Timer wait;

	private final CachedReading<Long> waiting;

	QueueMetrics(JdbcClient jdbc, MeterRegistry registry) {
		this.wait = Timer.builder("booking.queue.wait")
			.description("From check-in to being called")
			.publishPercentileHistogram()
			.minimumExpectedValue(Duration.ofSeconds(1))
			.maximumExpectedValue(Duration.ofHours(8))
			.register(registry);
		this.waiting = new CachedReading<>("the waiting bookings", Duration.ofSeconds(REFRESH_SECONDS),
				Clock.systemUTC(), () -> jdbc.sql("SELECT count(*) FROM queue_entry WHERE status = 'WAITING'")
					.query(Long.class)
					.single());
		Gauge.builder("booking.queue.waiting", this, QueueMetrics::waiting)
			.description("Bookings waiting in the sites' queues")
			.register(registry);
	}

	double waiting() {
		Long count = this.waiting.get();
		return (count != null) ? count : Double.NaN;
	}

	/** Records a wait once the current transaction commits (at once without one). */
	void called(Duration waited) {
		if (waited.isNegative()) {
			return;
		}
		AfterCommit.run(() -> this.wait.record(waited));
	}

}
