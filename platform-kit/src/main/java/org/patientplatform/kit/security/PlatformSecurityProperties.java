package org.patientplatform.kit.security;

import org.jspecify.annotations.Nullable;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * How tokens are verified. Production sets {@code jwkSetUri} and {@code issuer} (any OIDC provider);
 * the local run and tests set {@code publicKey}, the PEM of the local signing key.
 *
 * @param issuer the expected {@code iss} claim, or null to accept any issuer
 * @param jwkSetUri the provider's JWKS endpoint
 * @param publicKey a PEM-encoded RSA public key ({@code -----BEGIN PUBLIC KEY-----})
 * @param rolesClaim the claim holding the caller's roles ({@code patient}, {@code staff}, {@code ops},
 * {@code service})
 * @param patientIdClaim the claim holding a patient's own id
 * @param audience when set, tokens must name it in {@code aud}
 */
@ConfigurationProperties("platform.security.jwt")
public record PlatformSecurityProperties(@Nullable String issuer, @Nullable String jwkSetUri,
		@Nullable String publicKey, @Nullable String rolesClaim, @Nullable String patientIdClaim,
		@Nullable String audience) {

	public String effectiveRolesClaim() {
		return (this.rolesClaim != null) ? this.rolesClaim : "roles";
	}

	public String effectivePatientIdClaim() {
		return (this.patientIdClaim != null) ? this.patientIdClaim : "patient_id";
	}

}
