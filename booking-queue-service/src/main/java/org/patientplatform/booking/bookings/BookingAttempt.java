package org.patientplatform.booking.bookings;

import org.jspecify.annotations.Nullable;

/** What became of a request for a place. */
sealed interface BookingAttempt {

	/** The booking holds a place. */
	record Confirmed(Booking booking) implements BookingAttempt {
	}

	/**
	 * No place was given.
	 * @param slotCapacity the slot's capacity, null when there is no such slot
	 */
	record Rejected(BookingStatus status, String reason, @Nullable Integer slotCapacity) implements BookingAttempt {
	}

}
