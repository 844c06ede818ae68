package org.patientplatform.patient.records;

import java.util.Date;

import org.hl7.fhir.r4.model.Address;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.ContactPoint;
import org.hl7.fhir.r4.model.DateType;
import org.hl7.fhir.r4.model.Enumerations.AdministrativeGender;
import org.hl7.fhir.r4.model.HumanName;
import org.hl7.fhir.r4.model.Identifier;
import org.jspecify.annotations.Nullable;

/**
 * A patient as a FHIR R4 {@code Patient} resource, built with HAPI FHIR's model: the id, the MRN as an identifier
 * typed {@code MR}, the name, telecom, gender, birth date, home address and language, and the time the demographics
 * last changed as {@code meta.lastUpdated}. Its text holds no control character ({@link PlainText}).
 */
final class FhirPatients {

	/** HL7 table 0203, identifier types. */
	static final String IDENTIFIER_TYPES = "http://terminology.hl7.org/CodeSystem/v2-0203";

	/** BCP 47 language tags, the system FHIR names for {@code Patient.communication.language}. */
	static final String LANGUAGES = "urn:ietf:bcp:47";

	private FhirPatients() {
	}

	/**
	 * @param mrnSystem the identifier system of the LIS's medical record numbers
	 */
	static org.hl7.fhir.r4.model.Patient of(Patient patient, String mrnSystem) {
		org.hl7.fhir.r4.model.Patient resource = new org.hl7.fhir.r4.model.Patient();
		resource.setId(patient.id().value().toString());
		resource.getMeta().setLastUpdated(Date.from(patient.updatedAt()));
		// merged into another patient (ADT^A40): no longer in use, and FHIR's link names the record that replaced it
		resource.setActive(patient.mergedInto() == null);
		if (patient.mergedInto() != null) {
			resource.addLink()
				.setType(org.hl7.fhir.r4.model.Patient.LinkType.REPLACEDBY)
				.setOther(new org.hl7.fhir.r4.model.Reference("Patient/" + patient.mergedInto()));
		}
		resource.addIdentifier()
			.setUse(Identifier.IdentifierUse.USUAL)
			.setType(new CodeableConcept(new Coding(IDENTIFIER_TYPES, "MR", "Medical record number")))
			.setSystem(mrnSystem)
			.setValue(plain(patient.mrn()));
		if (patient.familyName() != null || patient.givenName() != null) {
			HumanName name = resource.addName()
				.setUse(HumanName.NameUse.OFFICIAL)
				.setFamily(plain(patient.familyName()));
			if (patient.givenName() != null) {
				name.addGiven(plain(patient.givenName()));
			}
			NameParts other = patient.otherNames();
			if (other != null) {
				// HL7's v2-to-FHIR mapping: XPN-3 is a further given, XPN-5 a prefix, XPN-4 a suffix
				if (other.middleNames() != null) {
					name.addGiven(plain(other.middleNames()));
				}
				if (other.prefix() != null) {
					name.addPrefix(plain(other.prefix()));
				}
				if (other.suffix() != null) {
					name.addSuffix(plain(other.suffix()));
				}
			}
		}
		if (patient.phone() != null) {
			resource.addTelecom().setSystem(ContactPoint.ContactPointSystem.PHONE).setValue(plain(patient.phone()));
		}
		if (patient.email() != null) {
			resource.addTelecom().setSystem(ContactPoint.ContactPointSystem.EMAIL).setValue(plain(patient.email()));
		}
		if (patient.sex() != null) {
			resource.setGender(gender(patient.sex()));
		}
		if (patient.birthDate() != null) {
			// to its precision: a year alone is "1975", not the 1st of January
			resource.setBirthDateElement(new DateType(patient.birthDate().toString()));
		}
		PostalAddress address = patient.address();
		if (address != null) {
			Address fhir = resource.addAddress().setUse(Address.AddressUse.HOME);
			addLine(fhir, address.street());
			addLine(fhir, address.otherDesignation());
			fhir.setCity(plain(address.city()))
				.setState(plain(address.state()))
				.setPostalCode(plain(address.postalCode()))
				.setCountry(plain(address.country()));
		}
		if (patient.language() != null) {
			resource.addCommunication()
				.setLanguage(new CodeableConcept(new Coding(LANGUAGES, patient.language(), null)))
				.setPreferred(true);
		}
		return resource;
	}

	/**
	 * HL7 table 0001 as FHIR's administrative gender: ambiguous is {@code other}, as HL7's v2-to-FHIR mapping
	 * reads it; not applicable is {@code unknown}.
	 */
	static AdministrativeGender gender(Sex sex) {
		return switch (sex) {
			case FEMALE -> AdministrativeGender.FEMALE;
			case MALE -> AdministrativeGender.MALE;
			case OTHER, AMBIGUOUS -> AdministrativeGender.OTHER;
			case UNKNOWN, NOT_APPLICABLE -> AdministrativeGender.UNKNOWN;
		};
	}

	private static void addLine(Address address, @Nullable String line) {
		String plain = plain(line);
		if (plain != null && !plain.isBlank()) {
			address.addLine(plain);
		}
	}

	/**
	 * The text without control characters ({@link PlainText}), trimmed; null when nothing is left. The LIS reader
	 * stores none since it reads escapes such as {@code \X1B\} as {@code PlainText}; a row stored before may hold
	 * them, and HAPI FHIR refuses to write XML that would hold one (XML 1.0 cannot).
	 */
	private static @Nullable String plain(@Nullable String text) {
		if (text == null) {
			return null;
		}
		String plain = PlainText.of(text).strip();
		return plain.isEmpty() ? null : plain;
	}

}
