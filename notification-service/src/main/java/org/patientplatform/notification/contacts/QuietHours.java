package org.patientplatform.notification.contacts;

import java.time.LocalTime;

import com.fasterxml.jackson.annotation.JsonFormat;
import jakarta.validation.constraints.NotNull;

/**
 * The patient's quiet hours in their own timezone, as {@code HH:mm}; {@code start} after
 * {@code end} spans midnight (21:00 to 08:00).
 */
public record QuietHours(@NotNull @JsonFormat(pattern = "HH:mm") LocalTime start,
		@NotNull @JsonFormat(pattern = "HH:mm") LocalTime end) {
}
