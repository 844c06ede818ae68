package org.patientplatform.patient.records;

import java.time.Instant;
import java.util.UUID;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.security.SecurityRequirement;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Size;
import org.jspecify.annotations.Nullable;
import org.patientplatform.kit.roles.ConditionalOnRole;

import org.springframework.security.core.Authentication;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * Patients' demographics: staff read any record, a patient only their own (the token's patient id
 * claim must be the record's id, else 403 whether or not the record exists); every read audited
 * ({@link PatientReads}). The same records as FHIR R4 resources: {@link FhirPatientEndpoint}.
 */
@RestController
@RequestMapping("/api/v1/patients")
@ConditionalOnRole("app")
@Tag(name = "Patients", description = "Patient records and demographics, as the LIS keeps them")
@SecurityRequirement(name = "bearer")
class PatientEndpoint {

	private final PatientReads reads;

	PatientEndpoint(PatientReads reads) {
		this.reads = reads;
	}

	@GetMapping("/{id}")
	@Operation(summary = "One patient's demographics; staff, or the patient themself")
	PatientDocument get(@PathVariable UUID id, Authentication caller) {
		return PatientDocument.of(this.reads.read(id.toString(), caller));
	}

	@GetMapping
	@Operation(summary = "The patient with a medical record number (staff)")
	@ApiResponse(responseCode = "200", description = "The patient")
	@ApiResponse(responseCode = "404", description = "No patient has this medical record number",
			content = @Content(mediaType = "application/problem+json", schema = @Schema(ref = "#/components/schemas/Problem")))
	PatientDocument findByMrn(@Parameter(description = "the LIS's medical record number") @RequestParam @NotBlank(
			message = "must be a medical record number; to find a patient by name and birth date, search "
					+ "/api/fhir/r4/Patient?family=…&birthdate=…") @Size(max = 250) String mrn,
			Authentication caller) {
		return PatientDocument.of(this.reads.findByMrn(mrn, caller));
	}

	/** A patient as the API shows them; {@code mergedInto} names the patient to use instead, once merged. */
	record PatientDocument(UUID id, String mrn, @Nullable String givenName, @Nullable String familyName,
			@Schema(description = "Second and further given names or their initials (HL7 XPN-3)") @Nullable String middleNames,
			@Schema(description = "Such as Dr. (HL7 XPN-5)") @Nullable String namePrefix,
			@Schema(description = "Such as Jr. or III (HL7 XPN-4)") @Nullable String nameSuffix,
			@Schema(type = "string", description = "ISO 8601 to the precision the LIS gave: a day, a month or a year",
					example = "1980-12-10") @Nullable BirthDate birthDate, @Nullable Sex sex, @Nullable String phone, @Nullable String email,
			@Nullable PostalAddress address, @Nullable String language, Instant createdAt, Instant updatedAt,
			@Nullable UUID mergedInto) {

		static PatientDocument of(Patient patient) {
			NameParts other = patient.otherNames();
			return new PatientDocument(patient.id().value(), patient.mrn(), patient.givenName(), patient.familyName(),
					(other != null) ? other.middleNames() : null, (other != null) ? other.prefix() : null,
					(other != null) ? other.suffix() : null,
					patient.birthDate(), patient.sex(), patient.phone(), patient.email(), patient.address(),
					patient.language(), patient.createdAt(), patient.updatedAt(),
					(patient.mergedInto() != null) ? patient.mergedInto().value() : null);
		}

	}

}
