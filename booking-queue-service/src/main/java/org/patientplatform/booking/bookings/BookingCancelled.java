package org.patientplatform.booking.bookings;

import java.time.Instant;
import java.util.UUID;

import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Size;
import org.jspecify.annotations.Nullable;

/**
 * Event {@value #TYPE} on {@code booking.events.v1} (key: site id): the booking gives its place back and
 * leaves the queue if it waits in one.
 *
 * @param reason why, optional
 */
public record BookingCancelled(@NotNull UUID bookingId, @NotBlank @Size(max = 64) String siteId,
		@NotNull Instant cancelledAt, @Size(max = 500) @Nullable String reason) {

	public static final String TYPE = "booking.BookingCancelled.v1";

}
