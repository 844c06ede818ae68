package org.patientplatform.booking.bookings;

import java.time.Instant;
import java.util.UUID;

import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Size;

/**
 * Event {@value #TYPE} on {@code booking.events.v1} (key: site id): staff marked the patient a no-show (they did
 * not come, left before being called, or were called and never came); the booking leaves the site's queue and gives
 * its place back.
 *
 * @param markedAt when the patient was marked a no-show: at or after the slot's start (a no-show is known only once
 * the slot has started), at most an hour ahead of the consumer's clock; an event marked otherwise is refused as
 * invalid (dead-lettered, non-retryable)
 */
public record BookingNoShow(@NotNull UUID bookingId, @NotBlank @Size(max = 64) String siteId,
		@NotNull Instant markedAt) {

	public static final String TYPE = "booking.BookingNoShow.v1";

}
