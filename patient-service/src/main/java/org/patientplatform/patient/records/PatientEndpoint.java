package org.patientplatform.patient.records;

import java.time.Instant;
import java.time.LocalDate;
import java.util.UUID;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.security.SecurityRequirement;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Size;
import org.jspecify.annotations.Nullable;
import org.patientplatform.kit.roles.ConditionalOnRole;
import org.patientplatform.kit.audit.AuditLog;
import org.patientplatform.kit.security.PlatformSecurityProperties;
import org.patientplatform.kit.web.NotFoundException;

import org.springframework.security.access.AccessDeniedException;
import org.springframework.security.core.Authentication;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * Patients' demographics: staff read any record, a patient only their own (the token's patient id
 * claim must be the record's id, else 403 whether or not the record exists).
 */
@RestController
@RequestMapping("/api/v1/patients")
@ConditionalOnRole("app")
@Tag(name = "Patients", description = "Patient records and demographics, as the LIS keeps them")
@SecurityRequirement(name = "bearer")
class PatientEndpoint {

	private final Patients patients;

	private final String patientIdClaim;

	private final AuditLog audit;

	PatientEndpoint(Patients patients, PlatformSecurityProperties security, AuditLog audit) {
		this.patients = patients;
		this.audit = audit;
		this.patientIdClaim = security.effectivePatientIdClaim();
	}

	// The roles are checked here rather than by @PreAuthorize, so that every read, allowed, denied or of a
	// record that does not exist, is audited: probing for ids or MRNs leaves a trace.

	@GetMapping("/{id}")
	@Operation(summary = "One patient's demographics; staff, or the patient themself")
	PatientDocument get(@PathVariable UUID id, Authentication caller) {
		if (!isStaff(caller) && !isPatient(caller, id)) {
			this.audit.record("read", "patient", id.toString(), "DENIED", null);
			throw new AccessDeniedException(hasRole(caller, "ROLE_patient")
					? "A patient may read only their own record" : "Patient records are for staff and their patient");
		}
		PatientDocument patient = this.patients.findById(new PatientId(id)).map(PatientDocument::of).orElse(null);
		if (patient == null) {
			this.audit.record("read", "patient", id.toString(), "NOT_FOUND", null);
			throw new NotFoundException("No patient " + id);
		}
		this.audit.record("read", "patient", id.toString(), "OK", null);
		return patient;
	}

	@GetMapping
	@Operation(summary = "The patient with a medical record number (staff)")
	PatientDocument findByMrn(@Parameter(description = "the LIS's medical record number") @RequestParam @NotBlank @Size(
			max = 250) String mrn, Authentication caller) {
		// neither the audit nor the detail names the MRN: problem bodies reach logs and browsers
		if (!isStaff(caller)) {
			this.audit.record("search-by-mrn", "patient", null, "DENIED", null);
			throw new AccessDeniedException("Searching patients by MRN is for staff");
		}
		PatientDocument patient = this.patients.findByMrn(mrn).map(PatientDocument::of).orElse(null);
		if (patient == null) {
			this.audit.record("search-by-mrn", "patient", null, "NOT_FOUND", null);
			throw new NotFoundException("No patient with this medical record number");
		}
		this.audit.record("search-by-mrn", "patient", patient.id().toString(), "OK", null);
		return patient;
	}

	private static boolean isStaff(Authentication caller) {
		return hasRole(caller, "ROLE_staff");
	}

	private static boolean hasRole(Authentication caller, String role) {
		return caller.getAuthorities().stream().anyMatch((authority) -> role.equals(authority.getAuthority()));
	}

	private boolean isPatient(Authentication caller, UUID id) {
		if (hasRole(caller, "ROLE_patient") && caller.getPrincipal() instanceof Jwt jwt) {
			String own = jwt.getClaimAsString(this.patientIdClaim);
			return own != null && id.toString().equalsIgnoreCase(own.trim());
		}
		return false;
	}

	/** A patient as the API shows them. */
	record PatientDocument(UUID id, String mrn, @Nullable String givenName, @Nullable String familyName,
			@Nullable LocalDate birthDate, @Nullable Sex sex, @Nullable String phone, @Nullable String email,
			@Nullable PostalAddress address, @Nullable String language, Instant createdAt, Instant updatedAt) {

		static PatientDocument of(Patient patient) {
			return new PatientDocument(patient.id().value(), patient.mrn(), patient.givenName(), patient.familyName(),
					patient.birthDate(), patient.sex(), patient.phone(), patient.email(), patient.address(),
					patient.language(), patient.createdAt(), patient.updatedAt());
		}

	}

}
