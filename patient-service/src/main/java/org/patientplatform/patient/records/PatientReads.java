package org.patientplatform.patient.records;

import java.util.List;
import java.util.Optional;
import java.util.UUID;

import org.jspecify.annotations.Nullable;
import org.patientplatform.kit.audit.AuditLog;
import org.patientplatform.kit.security.PlatformSecurityProperties;
import org.patientplatform.kit.web.NotFoundException;

import org.springframework.security.access.AccessDeniedException;
import org.springframework.security.core.Authentication;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.stereotype.Component;
import org.springframework.transaction.annotation.Transactional;

/**
 * Who may read a patient record, and the audit of every read, for the API and its FHIR view alike: staff read any
 * record, a patient only their own (the token's patient id claim must be the record's id, or name a record merged
 * into it, else 403 whether or not the record exists); searching, by MRN or by name, is for staff. The roles are
 * checked here rather than by {@code @PreAuthorize}, so that every read, allowed, denied or of a record that does
 * not exist, is audited: probing for ids or MRNs leaves a trace. Neither the audit nor an error names the MRN:
 * problem bodies reach logs and browsers.
 */
@Component
public class PatientReads {

	private final Patients patients;

	private final String patientIdClaim;

	private final AuditLog audit;

	PatientReads(Patients patients, PlatformSecurityProperties security, AuditLog audit) {
		this.patients = patients;
		this.audit = audit;
		this.patientIdClaim = security.effectivePatientIdClaim();
	}

	/**
	 * @param id the record's id as the caller wrote it: one that is not a UUID names no record
	 * @throws AccessDeniedException (403) unless the caller is staff or this patient
	 * @throws NotFoundException (404) when there is no such record
	 */
	Patient read(String id, Authentication caller) {
		return read("read", id, caller);
	}

	/**
	 * The patient whose data the caller reads, under the rules of {@link #read(String, Authentication)}, the
	 * read audited under {@code action}: the patient's test orders, say.
	 * @param action what is read, as the audit log names it
	 * @param id the record's id as the caller wrote it: one that is not a UUID names no record
	 * @throws AccessDeniedException (403) unless the caller is staff or this patient
	 * @throws NotFoundException (404) when there is no such record
	 */
	public Patient read(String action, String id, Authentication caller) {
		String mergedOwn = null;
		if (!isStaff(caller) && !isPatient(caller, id)) {
			mergedOwn = ownRecordMergedInto(caller, id);
			if (mergedOwn == null) {
				this.audit.record(action, "patient", id, "DENIED", null);
				throw new AccessDeniedException(hasRole(caller, "ROLE_patient")
						? "A patient may read only their own record" : "Patient records are for staff and their patient");
			}
		}
		Patient patient = find(id).orElse(null);
		if (patient == null) {
			this.audit.record(action, "patient", id, "NOT_FOUND", null);
			throw new NotFoundException("No patient " + id);
		}
		this.audit.record(action, "patient", id, "OK",
				(mergedOwn != null) ? "the caller's record " + mergedOwn + " was merged into it" : null);
		return patient;
	}

	/**
	 * The caller's own record's id when the caller is a patient whose record was merged into {@code id} (ADT^A40:
	 * the same person; their identity provider may still name the record they first had), else null.
	 */
	private @Nullable String ownRecordMergedInto(Authentication caller, String id) {
		String own = ownPatientId(caller);
		Optional<UUID> target = parse(id);
		if (own == null || target.isEmpty()) {
			return null;
		}
		PatientId survivor = find(own.trim()).map(Patient::mergedInto).orElse(null);
		return (survivor != null && survivor.value().equals(target.get())) ? own.trim() : null;
	}

	private Optional<Patient> find(String id) {
		return parse(id).flatMap((uuid) -> this.patients.findById(new PatientId(uuid)));
	}

	/**
	 * @throws AccessDeniedException (403) unless the caller is staff
	 * @throws NotFoundException (404) when no record has the MRN
	 */
	Patient findByMrn(String mrn, Authentication caller) {
		requireSearch(caller);
		Patient patient = this.patients.findByMrn(mrn).orElse(null);
		if (patient == null) {
			this.audit.record("search-by-mrn", "patient", null, "NOT_FOUND", null);
			throw new NotFoundException("No patient with this medical record number");
		}
		this.audit.record("search-by-mrn", "patient", patient.id().value().toString(), "OK", null);
		return patient;
	}

	/**
	 * @throws AccessDeniedException (403, audited) unless the caller is staff, who alone search patients
	 */
	void requireSearch(Authentication caller) {
		requireStaff(caller, "search-by-mrn", "Searching patients by MRN is for staff");
	}

	/**
	 * @throws AccessDeniedException (403, audited as a {@code search}) unless the caller is staff, who alone search
	 *     patients
	 */
	void requireSearchByCriteria(Authentication caller) {
		requireStaff(caller, "search", "Searching patients is for staff");
	}

	private void requireStaff(Authentication caller, String action, String refusal) {
		if (!isStaff(caller)) {
			this.audit.record(action, "patient", null, "DENIED", null);
			throw new AccessDeniedException(refusal);
		}
	}

	/**
	 * A page of the patients a search finds, for staff. Each patient shown is audited as read by a {@code search}
	 * (a search that finds none as {@code NOT_FOUND}), with the names of the criteria as the reason, never their
	 * values.
	 * @param criteria the names of the search's criteria, e.g. {@code family,birthdate}
	 * @param size the page's size: one more is fetched, to know whether another page follows, and not audited
	 * @return at most {@code size + 1} patients
	 * @throws AccessDeniedException (403, audited) unless the caller is staff
	 */
	@Transactional
	public List<Patients.Found> search(PatientSearch search, String criteria, Patients.@Nullable SearchCursor after,
			int size, Authentication caller) {
		requireSearchByCriteria(caller);
		List<Patients.Found> found = this.patients.search(search, after, size + 1);
		if (found.isEmpty()) {
			this.audit.record("search", "patient", null, "NOT_FOUND", criteria);
		}
		found.stream()
			.limit(size)
			.forEach((patient) -> this.audit.record("search", "patient", patient.patient().id().toString(), "OK",
					criteria));
		return found;
	}

	private static Optional<UUID> parse(String id) {
		try {
			return Optional.of(UUID.fromString(id));
		}
		catch (IllegalArgumentException ex) {
			return Optional.empty();
		}
	}

	private static boolean isStaff(Authentication caller) {
		return hasRole(caller, "ROLE_staff");
	}

	private static boolean hasRole(Authentication caller, String role) {
		return caller.getAuthorities().stream().anyMatch((authority) -> role.equals(authority.getAuthority()));
	}

	private boolean isPatient(Authentication caller, String id) {
		String own = ownPatientId(caller);
		return own != null && id.trim().equalsIgnoreCase(own.trim());
	}

	/** The patient id claim of a patient's token; null for any other caller. */
	private @Nullable String ownPatientId(Authentication caller) {
		if (hasRole(caller, "ROLE_patient") && caller.getPrincipal() instanceof Jwt jwt) {
			return jwt.getClaimAsString(this.patientIdClaim);
		}
		return null;
	}

}
