package org.patientplatform.notification;

import org.patientplatform.kit.audit.AuditLog;
import org.patientplatform.kit.security.PlatformSecurityProperties;

import org.springframework.security.access.AccessDeniedException;
import org.springframework.security.core.Authentication;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.stereotype.Component;

/**
 * The object-level check of every endpoint that serves one patient's data, and its audit:
 * {@code staff} may access any patient's data, a {@code patient} only their own (the
 * token's patient id claim must match). Every access to patient data, allowed or denied,
 * goes to the audit log with ids only.
 */
@Component
public final class PatientAccess {

	private final String patientIdClaim;

	private final AuditLog audit;

	PatientAccess(PlatformSecurityProperties security, AuditLog audit) {
		this.patientIdClaim = security.effectivePatientIdClaim();
		this.audit = audit;
	}

	/** True when the caller is staff, or the patient {@code patientId} themself. */
	public boolean mayAccess(Authentication caller, String patientId) {
		if (hasRole(caller, "staff")) {
			return true;
		}
		return hasRole(caller, "patient") && caller.getPrincipal() instanceof Jwt jwt
				&& patientId.equals(jwt.getClaimAsString(this.patientIdClaim));
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
