package org.patientplatform.booking.bookings;

import java.time.Instant;
import java.util.UUID;

import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Size;

/**
 * Event {@value #TYPE} on {@code booking.events.v1} (key: site id): the patient arrived; the booking
 * joins the site's queue, in order of check-in.
 */
public record BookingCheckedIn(@NotNull UUID bookingId, @NotBlank @Size(max = 64) String siteId,
		@NotNull Instant checkedInAt) {

	public static final String TYPE = "booking.BookingCheckedIn.v1";

}
