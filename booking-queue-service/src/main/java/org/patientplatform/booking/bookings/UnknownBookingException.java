package org.patientplatform.booking.bookings;

import java.util.UUID;

/**
 * An event names a booking this service does not have (or not at that site). Listed as non-retryable,
 * so the failure path sends the record to the DLQ at once; it can be redriven once the booking exists.
 */
public class UnknownBookingException extends RuntimeException {

	UnknownBookingException(UUID bookingId, String siteId) {
		super("No booking " + bookingId + " at site " + siteId);
	}

}
