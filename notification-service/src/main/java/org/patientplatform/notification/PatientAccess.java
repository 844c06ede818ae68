package org.patientplatform.notification;

import org.patientplatform.kit.audit.AuditLog;
import org.patientplatform.kit.security.PlatformSecurityProperties;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.security.access.AccessDeniedException;
import org.springframework.security.core.Authentication;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.stereotype.Component;

/**
 * The object-level check of every endpoint that serves one patient's data, and its audit:
 * {@code staff} may access any patient's data, a {@code patient} only their own (the
 * token's patient id claim must match, or name a patient merged into it; UUIDs in any case, {@link PatientIds}). Every access to patient data, allowed or denied,
 * goes to the audit log with ids only.
 */
@Component
public final class PatientAccess {

	private final String patientIdClaim;

	private final AuditLog audit;

	private final JdbcTemplate jdbc;

	PatientAccess(PlatformSecurityProperties security, AuditLog audit, JdbcTemplate jdbc) {
		this.patientIdClaim = security.effectivePatientIdClaim();
		this.audit = audit;
		this.jdbc = jdbc;
	}

	/**
	 * True when the caller is staff, or the patient {@code patientId} themself: their token names that patient, or
	 * a patient whose record was merged into it (ADT^A40, ADR 0023: the same person, whose identity provider may
	 * still name the record they first had).
	 */
	public boolean mayAccess(Authentication caller, String patientId) {
		if (hasRole(caller, "staff")) {
			return true;
		}
		if (!hasRole(caller, "patient") || !(caller.getPrincipal() instanceof Jwt jwt)) {
			return false;
		}
		// both as stored: an identity provider writing the UUID in upper case names the same patient
		String own = PatientIds.canonicalOrNull(jwt.getClaimAsString(this.patientIdClaim));
		String asked = PatientIds.canonical(patientId);
		return own != null && (asked.equals(own) || Boolean.TRUE.equals(this.jdbc.queryForObject(
				"SELECT EXISTS (SELECT 1 FROM contact WHERE patient_id = ? AND merged_into = ?)", Boolean.class, own,
				asked)));
	}

	/**
	 * Checks and audits an access to a patient's data.
	 * @param action what the caller does, e.g. {@code notifications.list}
	 * @throws AccessDeniedException (403) unless {@link #mayAccess} holds; the denial is
	 * audited
	 */
	public void requireAccess(Authentication caller, String patientId, String action) {
		if (!mayAccess(caller, patientId)) {
			denied(action, "patient", patientId);
			throw new AccessDeniedException("Only staff or the patient themself may access this patient's data");
		}
	}

	/** Audits an allowed access to a resource of patient data. */
	public void allowed(String action, String resourceType, String resourceId) {
		this.audit.record(action, resourceType, resourceId, "allowed", null);
	}

	/** Audits a denied access to a resource of patient data. */
	public void denied(String action, String resourceType, String resourceId) {
		this.audit.record(action, resourceType, resourceId, "denied", "not the caller's own patient data");
	}

	private static boolean hasRole(Authentication caller, String role) {
		return caller.getAuthorities()
			.stream()
			.anyMatch((authority) -> ("ROLE_" + role).equals(authority.getAuthority()));
	}

}
