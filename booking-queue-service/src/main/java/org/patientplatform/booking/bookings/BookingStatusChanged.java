package org.patientplatform.booking.bookings;

import java.time.Instant;

/**
 * Published in-process, inside the transaction that changed the booking, so a reaction (the queue)
 * commits or rolls back with it.
 *
 * @param booking the booking after the change
 * @param previous its status before
 * @param at when the change happened (the event's time, or now for an API call)
 */
public record BookingStatusChanged(Booking booking, BookingStatus previous, Instant at) {
}
