package org.patientplatform.patient.records;

import org.jspecify.annotations.Nullable;

/**
 * A patient was registered (ADT^A04 from the LIS, an MRN new to this service). Event {@value #TYPE} on
 * {@code patient.events.v1}, keyed by the patient id, published through the outbox in the transaction
 * that registered them. It carries the patient's contact details as stored; nothing clinical. Example:
 * {@code docs/events/patient.PatientRegistered.v1.json}.
 *
 * @param patientId the platform's patient id (a UUID)
 * @param mrn the LIS's medical record number
 * @param phone as the LIS sent it, not normalised
 * @param language the primary language as a BCP 47 tag, when the LIS states one
 * @param timezone an IANA zone id; the LIS states none, so null for now
 */
public record PatientRegistered(String patientId, String mrn, @Nullable String givenName, @Nullable String familyName,
		@Nullable String phone, @Nullable String email, @Nullable String language, @Nullable String timezone) {

	public static final String TYPE = "patient.PatientRegistered.v1";

	static PatientRegistered of(Patient patient) {
		return new PatientRegistered(patient.id().toString(), patient.mrn(), patient.givenName(), patient.familyName(),
				patient.phone(), patient.email(), patient.language(), null);
	}

}
