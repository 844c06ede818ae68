package org.patientplatform.booking.bookings;

import java.time.Instant;
import java.util.UUID;

import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;

/**
 * Event {@value #TYPE} on {@code booking.events.v1} (key: site id), published by this service through the
 * outbox, in the transaction that gave the booking its place (a booking through the API, or a
 * {@link BookingRequested} from the topic that got a place). Published once per booking: a redelivered or
 * resent request publishes nothing. This service's own consumer skips it.
 *
 * @param startsAt when the booking's slot starts
 * @param confirmedAt when the place was given (this service's clock)
 */
public record BookingConfirmed(@NotNull UUID bookingId, @NotBlank @Size(max = 64) String siteId,
		@NotNull UUID slotId, @NotBlank @Size(max = 64)
			@Pattern(regexp = PatientIds.FORM, message = PatientIds.RULE) String patientId, @NotNull Instant startsAt,
		@NotNull Instant confirmedAt) {

	public static final String TYPE = "booking.BookingConfirmed.v1";

}
