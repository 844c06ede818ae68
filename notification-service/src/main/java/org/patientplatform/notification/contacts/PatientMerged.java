package org.patientplatform.notification.contacts;

import java.time.Instant;

import jakarta.validation.constraints.NotBlank;
import org.jspecify.annotations.Nullable;
import org.patientplatform.notification.PatientIds;

/**
 * The LIS merged a duplicate registration into another patient (ADT^A40): {@code mergedPatientId} is the same
 * person as {@code patientId}, the survivor. Event {@value #TYPE} on {@code patient.events.v1}, keyed by the
 * survivor's id.
 *
 * @param patientId the surviving patient
 * @param mergedPatientId the patient merged into it
 * @param mergedMrn the merged patient's MRN (not used here)
 * @param mergedAt when the patient service applied the merge
 */
public record PatientMerged(@NotBlank String patientId, @NotBlank String mergedPatientId, @Nullable String mergedMrn,
		@Nullable Instant mergedAt) {

	public static final String TYPE = "patient.PatientMerged.v1";

	/** The patient ids without spaces around them, UUIDs in lower case ({@link PatientIds}), as every event of this service reads them. */
	public PatientMerged {
		patientId = PatientIds.canonicalOrNull(patientId);
		mergedPatientId = PatientIds.canonicalOrNull(mergedPatientId);
	}

}
