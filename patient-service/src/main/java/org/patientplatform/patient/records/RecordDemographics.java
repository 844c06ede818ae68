package org.patientplatform.patient.records;

import java.time.Instant;
import java.util.Set;

import org.jspecify.annotations.Nullable;

/**
 * Command: record what the LIS says of a patient, registering them when their MRN is new. Only the
 * {@link Part parts} in {@code stated} are changed: a part the message left out keeps its value, a part
 * stated without a value (HL7 {@code ""}) is cleared.
 *
 * @param mrn the medical record number (PID-3)
 * @param language the primary language (PID-15) as a BCP 47 tag
 * @param stated the parts the message states
 * @param asOf when the LIS sent it (MSH-7); a command older than the stored state changes nothing
 * @param messageControlId the HL7 message control id (MSH-10) it came from
 * @param otherNames the name's middle names, prefix and suffix (part of {@link Part#NAME}); null for none
 */
public record RecordDemographics(String mrn, @Nullable String givenName, @Nullable String familyName,
		@Nullable BirthDate birthDate, @Nullable Sex sex, @Nullable String phone, @Nullable String email,
		@Nullable PostalAddress address, @Nullable String language, Set<Part> stated, @Nullable Instant asOf,
		String messageControlId, @Nullable NameParts otherNames) {

	/** The names are kept composed ({@link NameText}) whatever path recorded them: the LIS feed or another. */
	public RecordDemographics {
		stated = Set.copyOf(stated);
		givenName = NameText.composedOrNull(givenName);
		familyName = NameText.composedOrNull(familyName);
	}

	/** Demographics whose name has no parts beside the given and family names. */
	public RecordDemographics(String mrn, @Nullable String givenName, @Nullable String familyName,
			@Nullable BirthDate birthDate, @Nullable Sex sex, @Nullable String phone, @Nullable String email,
			@Nullable PostalAddress address, @Nullable String language, Set<Part> stated, @Nullable Instant asOf,
			String messageControlId) {
		this(mrn, givenName, familyName, birthDate, sex, phone, email, address, language, stated, asOf,
				messageControlId, null);
	}

	public boolean states(Part part) {
		return this.stated.contains(part);
	}

	/** The parts of a patient's demographics that change together. */
	public enum Part {

		/** given and family name (PID-5) */
		NAME,
		/** PID-7 */
		BIRTH_DATE,
		/** PID-8 */
		SEX,
		/** phone and email (PID-13) */
		CONTACT,
		/** PID-11 */
		ADDRESS,
		/** the primary language (PID-15) */
		LANGUAGE

	}

	/** What recording did. */
	public enum Outcome {

		/** the MRN was new: a patient was created */
		REGISTERED,
		/** the patient's demographics were updated */
		UPDATED,
		/** the stored state is newer than the command; nothing changed */
		STALE

	}

	/** The patient the command was recorded for, and what it did. */
	public record Recorded(PatientId patientId, Outcome outcome) {
	}

}
