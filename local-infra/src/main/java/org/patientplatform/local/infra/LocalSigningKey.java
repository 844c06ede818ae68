package org.patientplatform.local.infra;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.NoSuchAlgorithmException;
import java.security.interfaces.RSAPrivateKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.InvalidKeySpecException;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.UUID;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import org.jspecify.annotations.Nullable;

/**
 * The RS256 key that signs tokens where no identity provider runs (the local run and tests). Kept as
 * PEM files in a folder, generated on first use; {@link #mint} issues a token for a role.
 */
public final class LocalSigningKey {

	private static final String KEY_ID = "patient-platform-local";

	private final RSAPublicKey publicKey;

	private final RSAPrivateKey privateKey;

	private final String issuer;

	private LocalSigningKey(RSAPublicKey publicKey, RSAPrivateKey privateKey, String issuer) {
		this.publicKey = publicKey;
		this.privateKey = privateKey;
		this.issuer = issuer;
	}

	/** Loads the key from {@code directory}, generating and saving it there on first use. */
	public static LocalSigningKey loadOrCreate(Path directory, String issuer) {
		try {
			Path publicPem = directory.resolve("jwt-signing-public.pem");
			Path privatePem = directory.resolve("jwt-signing-private.pem");
			if (!Files.exists(publicPem) || !Files.exists(privatePem)) {
				Files.createDirectories(directory);
				KeyPair pair = generate();
				Files.writeString(privatePem, pem("PRIVATE KEY", pair.getPrivate().getEncoded()));
				Files.writeString(publicPem, pem("PUBLIC KEY", pair.getPublic().getEncoded()));
			}
			KeyFactory rsa = KeyFactory.getInstance("RSA");
			RSAPublicKey publicKey = (RSAPublicKey) rsa
				.generatePublic(new X509EncodedKeySpec(unpem(Files.readString(publicPem))));
			RSAPrivateKey privateKey = (RSAPrivateKey) rsa
				.generatePrivate(new PKCS8EncodedKeySpec(unpem(Files.readString(privatePem))));
			return new LocalSigningKey(publicKey, privateKey, issuer);
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		catch (NoSuchAlgorithmException | InvalidKeySpecException ex) {
			throw new IllegalStateException(ex);
		}
	}

	/** A fresh key held only in memory. */
	public static LocalSigningKey generate(String issuer) {
		KeyPair pair = generate();
		return new LocalSigningKey((RSAPublicKey) pair.getPublic(), (RSAPrivateKey) pair.getPrivate(), issuer);
	}

	private static KeyPair generate() {
		try {
			KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
			generator.initialize(2048);
			return generator.generateKeyPair();
		}
		catch (NoSuchAlgorithmException ex) {
			throw new IllegalStateException(ex);
		}
	}

	private static String pem(String type, byte[] der) {
		return "-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder(64, new byte[] { '\n' }).encodeToString(der)
				+ "\n-----END " + type + "-----\n";
	}

	private static byte[] unpem(String pem) {
		return Base64.getDecoder().decode(pem.replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", ""));
	}

	/** The public key as PEM, for {@code platform.security.jwt.public-key}. */
	public String publicKeyPem() {
		return pem("PUBLIC KEY", this.publicKey.getEncoded());
	}

	/** The public key as a JWK Set document, for a JWKS endpoint. */
	public String jwksJson() {
		return new JWKSet(new RSAKey.Builder(this.publicKey).keyID(KEY_ID).build()).toString();
	}

	public String issuer() {
		return this.issuer;
	}

	/**
	 * Issues a signed token.
	 * @param subject who the caller is
	 * @param roles the caller's roles ({@code patient}, {@code staff}, {@code ops}, {@code service})
	 * @param patientId for a patient, their own patient id
	 * @param lifetime how long the token is valid; negative gives an expired token
	 */
	public String mint(String subject, List<String> roles, @Nullable String patientId, Duration lifetime) {
		Instant now = Instant.now();
		// an expired token was issued, and valid, before it expired: issued after its expiry, it is refused as
		// malformed ("expiresAt must be after issuedAt"), not as expired
		Instant issued = now.minus(lifetime.isNegative() ? lifetime.abs().plusMinutes(5) : Duration.ofSeconds(1));
		JWTClaimsSet.Builder claims = new JWTClaimsSet.Builder().subject(subject)
			.issuer(this.issuer)
			.jwtID(UUID.randomUUID().toString())
			.issueTime(Date.from(issued))
			.notBeforeTime(Date.from(issued))
			.expirationTime(Date.from(now.plus(lifetime)))
			.claim("roles", roles);
		if (patientId != null) {
			claims.claim("patient_id", patientId);
		}
		SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(KEY_ID).build(), claims.build());
		try {
			jwt.sign(new RSASSASigner(this.privateKey));
		}
		catch (JOSEException ex) {
			throw new IllegalStateException("Cannot sign a token", ex);
		}
		return jwt.serialize();
	}

}
