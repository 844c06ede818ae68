package org.patientplatform.notification.contacts;

import java.util.List;

import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import org.jspecify.annotations.Nullable;
import org.patientplatform.notification.PatientIds;

/**
 * A patient changed how they want to be reached. Event {@value #TYPE} on
 * {@code patient.events.v1}, keyed by patient id.
 *
 * @param channels opt-in per channel
 * @param quietHours none when null
 * @param language a BCP 47 tag, unchanged when null
 * @param timezone an IANA zone id, unchanged when null
 * @param pushTokens the patient's device tokens; unchanged when null, none when empty
 */
public record ContactPreferencesChanged(@NotBlank String patientId, @NotNull @Valid ChannelPreferences channels,
		@Valid @Nullable QuietHours quietHours, @Nullable String language, @Nullable String timezone,
		@Nullable List<@NotBlank String> pushTokens) {

	public static final String TYPE = "patient.ContactPreferencesChanged.v1";

	/** The patient id without spaces around it, a UUID in lower case ({@link PatientIds}), as every event of this service reads it. */
	public ContactPreferencesChanged {
		patientId = PatientIds.canonicalOrNull(patientId);
	}

}
