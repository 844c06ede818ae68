package org.patientplatform.notification.contacts;

import jakarta.validation.constraints.NotBlank;
import org.jspecify.annotations.Nullable;
import org.patientplatform.notification.PatientIds;

/**
 * A patient was registered (ADT^A04 in the LIS). Event {@value #TYPE} on
 * {@code patient.events.v1}, keyed by patient id. The phone is as the LIS has it; this
 * service normalises it.
 */
public record PatientRegistered(@NotBlank String patientId, @Nullable String mrn, @Nullable String givenName,
		@Nullable String familyName, @Nullable String phone, @Nullable String email, @Nullable String language,
		@Nullable String timezone) implements PatientDetails {

	public static final String TYPE = "patient.PatientRegistered.v1";

	/** The patient id without spaces around it, a UUID in lower case ({@link PatientIds}), as every event of this service reads it. */
	public PatientRegistered {
		patientId = PatientIds.canonicalOrNull(patientId);
	}

}
