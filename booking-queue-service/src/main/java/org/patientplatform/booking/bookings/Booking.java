package org.patientplatform.booking.bookings;

import java.time.Instant;
import java.util.UUID;

import org.jspecify.annotations.Nullable;

/**
 * A booking as stored: a patient's place in a slot, or a request that got none.
 *
 * @param startsAt when its slot starts (what a patient reading their bookings needs to know); null only for a
 * request of a slot that does not exist ({@code REJECTED_UNKNOWN_SLOT})
 * @param reason why the booking was rejected or cancelled, when it was
 */
public record Booking(UUID id, UUID slotId, @Nullable Instant startsAt, String siteId, String patientId,
		BookingStatus status, @Nullable String reason, Instant requestedAt, Instant updatedAt) {
}
