package org.patientplatform.booking.bookings;

/**
 * Where a booking stands. A booking that {@link #holdsPlace() holds a place} counts against its slot's
 * capacity; the {@code REJECTED_*} statuses record a request that got no place, and why.
 */
public enum BookingStatus {

	CONFIRMED, CHECKED_IN, CALLED, CANCELLED,

	/** The patient did not come: left the queue (or never joined it) and gave the place back. */
	NO_SHOW,

	REJECTED_FULL, REJECTED_ALREADY_BOOKED, REJECTED_UNKNOWN_SLOT,

	/** The slot had started when the booking was asked for. */
	REJECTED_SLOT_STARTED;

	/** True while the booking owns one of its slot's places. */
	public boolean holdsPlace() {
		return this == CONFIRMED || this == CHECKED_IN || this == CALLED;
	}

	/** True when a booking in this status may move to {@code next}. */
	public boolean canBecome(BookingStatus next) {
		return switch (next) {
			case CANCELLED -> this == CONFIRMED || this == CHECKED_IN;
			case CHECKED_IN -> this == CONFIRMED;
			// a call handled before its check-in (the DLQ redrives failed events one by one, in no order between
			// them) says the patient was there: the booking is called, and the late check-in changes nothing
			case CALLED -> this == CHECKED_IN || this == CONFIRMED;
			// who never came, left the queue before their call, or was called and did not come
			case NO_SHOW -> this == CONFIRMED || this == CHECKED_IN || this == CALLED;
			default -> false;
		};
	}

}
