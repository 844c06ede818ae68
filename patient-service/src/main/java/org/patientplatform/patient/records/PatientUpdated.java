package org.patientplatform.patient.records;

import org.jspecify.annotations.Nullable;

/**
 * A patient's demographics changed (ADT^A04 or ADT^A08 from the LIS for a known MRN). Event {@value #TYPE}
 * on {@code patient.events.v1}, keyed by the patient id, published through the outbox in the transaction
 * that changed them. It carries the whole record as stored after the change, not a diff. Example:
 * {@code docs/events/patient.PatientUpdated.v1.json}.
 *
 * @param patientId the platform's patient id (a UUID)
 * @param mrn the LIS's medical record number
 * @param phone as the LIS sent it, not normalised
 * @param language the primary language as a BCP 47 tag, when the LIS states one
 * @param timezone an IANA zone id; the LIS states none, so null for now
 */
public record PatientUpdated(String patientId, String mrn, @Nullable String givenName, @Nullable String familyName,
		@Nullable String phone, @Nullable String email, @Nullable String language, @Nullable String timezone) {

	public static final String TYPE = "patient.PatientUpdated.v1";

	static PatientUpdated of(Patient patient) {
		return new PatientUpdated(patient.id().toString(), patient.mrn(), patient.givenName(), patient.familyName(),
				patient.phone(), patient.email(), patient.language(), null);
	}

}
