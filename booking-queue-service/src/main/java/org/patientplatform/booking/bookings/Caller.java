package org.patientplatform.booking.bookings;

import java.util.Set;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;

import org.jspecify.annotations.Nullable;
import org.patientplatform.kit.security.PlatformSecurityProperties;

import org.springframework.security.access.AccessDeniedException;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.GrantedAuthority;
import org.springframework.security.oauth2.jwt.Jwt;

/**
 * Who calls the API: their roles and, for a patient, their own patient id (from the token). The rule for
 * patient data lives here: staff may act for anyone, a patient only for themself.
 *
 * @param roles the caller's roles without the {@code ROLE_} prefix
 * @param patientId the {@code patient_id} claim, when the token carries one
 */
public record Caller(Set<String> roles, @Nullable String patientId) {

	/**
	 * The caller of a request; a token naming a merged patient is the survivor's ({@link BookingDesk#survivorOf}), so a
	 * patient who signs in with either of their ids acts for the one person.
	 */
	public static Caller of(Authentication authentication, PlatformSecurityProperties security,
			UnaryOperator<String> survivorOf) {
		Caller caller = of(authentication, security);
		return (caller.patientId() != null) ? new Caller(caller.roles(), survivorOf.apply(caller.patientId()))
				: caller;
	}

	public static Caller of(Authentication authentication, PlatformSecurityProperties security) {
		Set<String> roles = authentication.getAuthorities()
			.stream()
			.map(GrantedAuthority::getAuthority)
			.filter((authority) -> authority != null && authority.startsWith("ROLE_"))
			.map((authority) -> authority.substring("ROLE_".length()))
			.collect(Collectors.toUnmodifiableSet());
		String patientId = (authentication.getPrincipal() instanceof Jwt jwt)
				? PatientIds.canonical(jwt.getClaimAsString(security.effectivePatientIdClaim())) : null;
		return new Caller(roles, patientId);
	}

	public boolean isStaff() {
		return this.roles.contains("staff");
	}

	/** True for staff, and for the patient whose id this is. */
	public boolean mayActFor(String patientId) {
		return isStaff() || (this.roles.contains("patient") && PatientIds.canonical(patientId).equals(this.patientId));
	}

	/**
	 * @throws AccessDeniedException (answered 403) unless the caller {@link #mayActFor may act for} the patient
	 */
	public void requireActingFor(String patientId) {
		if (!mayActFor(patientId)) {
			throw new AccessDeniedException("A patient may only see and change their own bookings.");
		}
	}

}
