package org.patientplatform.booking.slots;

import java.time.Instant;
import java.util.UUID;

/**
 * A slot as the availability API shows it.
 *
 * @param booked places held by active bookings
 * @param available places still free to book: none once the slot has started
 */
record SlotAvailability(UUID id, String siteId, Instant startsAt, int capacity, int booked, int available) {
}
