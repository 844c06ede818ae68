package org.patientplatform.booking.bookings;

import org.jspecify.annotations.Nullable;

/**
 * What became of a request to move a booking to another status.
 *
 * @param booking the booking as it is now, null when there is no such booking
 */
record StatusChange(Outcome outcome, @Nullable Booking booking) {

	enum Outcome {

		/** The booking moved. */
		CHANGED,
		/** It already had that status: nothing to do (a redelivery, or a repeated call). */
		ALREADY,
		/** Its status does not allow the move. */
		NOT_ALLOWED,
		/** There is no such booking. */
		UNKNOWN

	}

}
