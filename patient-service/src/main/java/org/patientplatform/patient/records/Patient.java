package org.patientplatform.patient.records;

import java.time.Instant;

import org.jspecify.annotations.Nullable;

/**
 * A patient and their demographics as last recorded. Demographics change only through
 * {@link Patients#record(RecordDemographics)}; everything but the id and the MRN may be unknown.
 *
 * @param id the platform's id
 * @param mrn the LIS's medical record number, unique
 * @param language the primary language as a BCP 47 tag
 * @param updatedAt when the demographics last changed
 * @param mergedInto the patient this one was merged into (ADT^A40), whose record is the one to use; null for a
 *     patient not merged
 * @param otherNames the name's middle names, prefix and suffix; null for none
 */
public record Patient(PatientId id, String mrn, @Nullable String givenName, @Nullable String familyName,
		@Nullable BirthDate birthDate, @Nullable Sex sex, @Nullable String phone, @Nullable String email,
		@Nullable PostalAddress address, @Nullable String language, Instant createdAt, Instant updatedAt,
		@Nullable PatientId mergedInto, @Nullable NameParts otherNames) {

	/** A patient whose name has no parts beside the given and family names. */
	public Patient(PatientId id, String mrn, @Nullable String givenName, @Nullable String familyName,
			@Nullable BirthDate birthDate, @Nullable Sex sex, @Nullable String phone, @Nullable String email,
			@Nullable PostalAddress address, @Nullable String language, Instant createdAt, Instant updatedAt,
			@Nullable PatientId mergedInto) {
		this(id, mrn, givenName, familyName, birthDate, sex, phone, email, address, language, createdAt, updatedAt,
				mergedInto, null);
	}

	/** The patient to use for this one: the one it was merged into, else itself. */
	public PatientId current() {
		return (this.mergedInto != null) ? this.mergedInto : this.id;
	}

}
