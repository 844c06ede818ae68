package org.patientplatform.booking.bookings;

import java.time.Instant;

import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;
import org.jspecify.annotations.Nullable;

/**
 * The LIS merged a duplicate registration into another patient (ADT^A40): {@code mergedPatientId} is the same person
 * as {@code patientId}, the survivor. Event {@value #TYPE} on {@code patient.events.v1}, keyed by the survivor's id,
 * published by the patient service (example: {@code docs/events/patient.PatientMerged.v1.json}); the only event of
 * that topic this service reads.
 *
 * @param patientId the surviving patient
 * @param mergedPatientId the patient merged into it
 * @param mergedMrn the merged patient's MRN (not used here)
 * @param mergedAt when the patient service applied the merge
 */
public record PatientMerged(
		@NotBlank @Size(max = 64) @Pattern(regexp = PatientIds.FORM, message = PatientIds.RULE) String patientId,
		@NotBlank @Size(max = 64) @Pattern(regexp = PatientIds.FORM,
				message = PatientIds.RULE) String mergedPatientId,
		@Nullable String mergedMrn, @Nullable Instant mergedAt) {

	public static final String TYPE = "patient.PatientMerged.v1";

	/** The ids as this service keeps them ({@link PatientIds}). */
	public PatientMerged {
		patientId = PatientIds.canonical(patientId);
		mergedPatientId = PatientIds.canonical(mergedPatientId);
	}

}
