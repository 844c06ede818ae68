package org.patientplatform.booking.bookings;

import java.time.Instant;
import java.util.UUID;

import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;

/**
 * Event {@value #TYPE} on {@code booking.events.v1} (key: site id): a patient asks for a place in a slot.
 * The booking is stored CONFIRMED when a place is free, otherwise with a {@code REJECTED_*} status.
 */
public record BookingRequested(@NotNull UUID bookingId, @NotBlank @Size(max = 64) String siteId,
		@NotNull UUID slotId, @NotBlank @Size(max = 64)
			@Pattern(regexp = PatientIds.FORM, message = PatientIds.RULE) String patientId,
		@NotNull Instant requestedAt) {

	public static final String TYPE = "booking.BookingRequested.v1";

	/** A UUID patient id in lower case ({@link PatientIds}). */
	public BookingRequested {
		patientId = PatientIds.canonical(patientId);
	}

}
