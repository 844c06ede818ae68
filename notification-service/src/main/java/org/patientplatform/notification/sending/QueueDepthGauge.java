package org.patientplatform.notification.sending;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import org.patientplatform.notification.delivery.DeliveryQueue;

/**
 * {@code notification.queue.depth}: how many deliveries are due and not sent yet. Counted
 * in the database at most once per sampling period, however often it is scraped; while
 * the database cannot be reached the last count stays.
 */
final class QueueDepthGauge {

	private final DeliveryQueue queue;

	private final Clock clock;

	private final Duration sampling;

	private Instant sampledAt = Instant.MIN;

	private double depth = Double.NaN;

	QueueDepthGauge(DeliveryQueue queue, Clock clock, Duration sampling, MeterRegistry registry) {
		this.queue = queue;
		this.clock = clock;
		this.sampling = sampling;
		Gauge.builder("notification.queue.depth", this, QueueDepthGauge::sample)
			.description("Deliveries due and not sent yet")
			.register(registry);
	}

	synchronized double sample() {
		Instant now = this.clock.instant();
		if (!now.isBefore(this.sampledAt.plus(this.sampling))) {
			this.sampledAt = now;
			try {
				this.depth = this.queue.countDue(now);
			}
			catch (RuntimeException ex) {
				// keep the last count; the database health check reports the outage
			}
		}
		return this.depth;
	}

}
