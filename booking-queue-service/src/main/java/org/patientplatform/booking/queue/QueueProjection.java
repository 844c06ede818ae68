package org.patientplatform.booking.queue;

import java.time.Duration;

import org.patientplatform.booking.bookings.Booking;
import org.patientplatform.booking.bookings.BookingStatusChanged;

import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

/**
 * Keeps the queues in step with the bookings, in the transaction of each booking change: check-in joins
 * the queue, a call, a cancellation or a no-show leaves it.
 */
@Component
class QueueProjection {

	private final Queues queues;

	private final QueueMetrics metrics;

	QueueProjection(Queues queues, QueueMetrics metrics) {
		this.queues = queues;
		this.metrics = metrics;
	}

	@EventListener
	void on(BookingStatusChanged change) {
		Booking booking = change.booking();
		switch (booking.status()) {
			case CHECKED_IN -> this.queues.join(booking.id(), booking.siteId(), booking.patientId(), change.at());
			case CALLED -> this.queues.leave(booking.id(), true, change.at())
				.ifPresent((checkedInAt) -> this.metrics.called(Duration.between(checkedInAt, change.at())));
			case CANCELLED, NO_SHOW -> this.queues.leave(booking.id(), false, change.at());
			default -> {
			}
		}
	}

}
