package org.patientplatform.booking.bookings;

import java.time.Instant;
import java.util.UUID;

import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Size;

/**
 * Event {@value #TYPE} on {@code booking.events.v1} (key: site id): staff called the patient; the
 * booking leaves the site's queue.
 */
public record BookingCalled(@NotNull UUID bookingId, @NotBlank @Size(max = 64) String siteId,
		@NotNull Instant calledAt) {

	public static final String TYPE = "booking.BookingCalled.v1";

}
