package org.patientplatform.booking.bookings;

import java.util.UUID;

import org.patientplatform.kit.consumption.ProcessedMessages;
import org.patientplatform.kit.events.IncomingEvent;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.stereotype.Component;
import org.springframework.transaction.annotation.Transactional;

/**
 * Applies one event of {@code booking.events.v1} exactly once: the event id is marked applied in the
 * same transaction as its effect, so a redelivered record changes nothing.
 */
@Component
class BookingEventApplier {

	private static final Logger log = LoggerFactory.getLogger(BookingEventApplier.class);

	private final ProcessedMessages processed;

	private final BookingDesk desk;

	private final String consumerGroup;

	BookingEventApplier(ProcessedMessages processed, BookingDesk desk, BookingProperties properties) {
		this.processed = processed;
		this.desk = desk;
		this.consumerGroup = properties.consumer().groupId();
	}

	/**
	 * @throws UnknownBookingException when the event is about a booking this service does not have at
	 * the event's site (nothing is changed then)
	 */
	@Transactional
	void apply(IncomingEvent<?> event) {
		if (!this.processed.markProcessed(this.consumerGroup, event)) {
			log.debug("Event {} was applied before", event.id());
			return;
		}
		switch (event.data()) {
			case BookingRequested requested -> this.desk.record(requested);
			case BookingCancelled cancelled -> check(event, cancelled.bookingId(), cancelled.siteId(),
					this.desk.cancel(cancelled.bookingId(), cancelled.siteId(), cancelled.reason(),
							cancelled.cancelledAt(), true));
			case BookingCheckedIn checkedIn -> check(event, checkedIn.bookingId(), checkedIn.siteId(),
					this.desk.checkIn(checkedIn.bookingId(), checkedIn.siteId(), checkedIn.checkedInAt()));
			case BookingCalled called -> check(event, called.bookingId(), called.siteId(),
					this.desk.call(called.bookingId(), called.siteId(), called.calledAt()));
			case BookingNoShow noShow -> check(event, noShow.bookingId(), noShow.siteId(),
					this.desk.noShow(noShow.bookingId(), noShow.siteId(), noShow.markedAt()));
			default -> throw new IllegalArgumentException("No handler for " + event.type());
		}
	}

	private static void check(IncomingEvent<?> event, UUID bookingId, String siteId, StatusChange change) {
		if (change.outcome() == StatusChange.Outcome.UNKNOWN) {
			throw new UnknownBookingException(bookingId, siteId);
		}
		if (change.outcome() == StatusChange.Outcome.NOT_ALLOWED && change.booking() != null) {
			// a late or out-of-order event (e.g. a check-in after a cancellation): the booking stays as it is
			log.warn("Event {} ({}) does not apply to booking {} in status {}; ignored", event.id(), event.type(),
					bookingId, change.booking().status());
		}
	}

}
