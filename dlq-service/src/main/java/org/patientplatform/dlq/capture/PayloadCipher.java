package org.patientplatform.dlq.capture;

import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;

import javax.crypto.Cipher;
import javax.crypto.SecretKey;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Encrypts payloads at rest with AES-256-GCM. The ciphertext is the 12-byte IV followed by the GCM
 * output; the key id is stored beside it, so keys rotate by adding a new active key and keeping the old
 * ones for decryption. Every payload gets a fresh random 96-bit IV; the {@link Cipher} instances are
 * kept per thread and only re-initialised per payload (creating one per payload cost more than the
 * encryption itself on the capture path).
 */
class PayloadCipher {

	private static final int IV_BYTES = 12;

	private static final int TAG_BITS = 128;

	private final String activeKeyId;

	private final Map<String, SecretKey> keys = new HashMap<>();

	/** IVs from a DRBG per thread: the platform default reads /dev/urandom under one lock, per call. */
	private final ThreadLocal<SecureRandom> random = ThreadLocal.withInitial(PayloadCipher::newRandom);

	private final ThreadLocal<Cipher> ciphers = ThreadLocal.withInitial(PayloadCipher::newCipher);

	PayloadCipher(DlqProperties.Encryption encryption) {
		if (encryption.activeKeyId() == null || encryption.activeKeyId().isBlank()) {
			throw new IllegalStateException("dlq.encryption.active-key-id is not set: the DLQ stores payloads only "
					+ "encrypted. Set DLQ_ENCRYPTION_ACTIVE_KEY_ID and DLQ_ENCRYPTION_KEYS_<ID> (base64 of 32 bytes).");
		}
		encryption.keys().forEach((id, base64) -> {
			byte[] key = Base64.getDecoder().decode(base64.trim());
			if (key.length != 32) {
				throw new IllegalStateException("dlq.encryption.keys." + id + " must be 32 bytes (AES-256), not "
						+ key.length);
			}
			this.keys.put(id, new SecretKeySpec(key, "AES"));
		});
		if (!this.keys.containsKey(encryption.activeKeyId())) {
			throw new IllegalStateException("dlq.encryption.keys has no key '" + encryption.activeKeyId() + "'");
		}
		this.activeKeyId = encryption.activeKeyId();
	}

	String activeKeyId() {
		return this.activeKeyId;
	}

	byte[] encrypt(byte[] plaintext) {
		try {
			byte[] iv = new byte[IV_BYTES];
			this.random.get().nextBytes(iv);
			Cipher cipher = this.ciphers.get();
			cipher.init(Cipher.ENCRYPT_MODE, this.keys.get(this.activeKeyId), new GCMParameterSpec(TAG_BITS, iv));
			byte[] sealed = new byte[IV_BYTES + cipher.getOutputSize(plaintext.length)];
			System.arraycopy(iv, 0, sealed, 0, IV_BYTES);
			int written = cipher.doFinal(plaintext, 0, plaintext.length, sealed, IV_BYTES);
			return (IV_BYTES + written == sealed.length) ? sealed : Arrays.copyOf(sealed, IV_BYTES + written);
		}
		catch (GeneralSecurityException ex) {
			throw new IllegalStateException("Cannot encrypt a payload", ex);
		}
	}

	private static SecureRandom newRandom() {
		try {
			return SecureRandom.getInstance("DRBG");
		}
		catch (GeneralSecurityException ex) {
			return new SecureRandom();
		}
	}

	private static Cipher newCipher() {
		try {
			return Cipher.getInstance("AES/GCM/NoPadding");
		}
		catch (GeneralSecurityException ex) {
			throw new IllegalStateException("AES/GCM/NoPadding is not available", ex);
		}
	}

	byte[] decrypt(String keyId, byte[] ciphertext) {
		SecretKey key = this.keys.get(keyId);
		if (key == null) {
			throw new UnreadablePayloadException("no key '" + keyId + "' is configured (keep retired keys in "
					+ "dlq.encryption.keys)");
		}
		if (ciphertext.length < IV_BYTES + TAG_BITS / 8) {
			throw new UnreadablePayloadException("it is shorter than an IV and a tag of key '" + keyId + "'");
		}
		try {
			Cipher cipher = this.ciphers.get();
			cipher.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, ciphertext, 0, IV_BYTES));
			return cipher.doFinal(ciphertext, IV_BYTES, ciphertext.length - IV_BYTES);
		}
		catch (GeneralSecurityException ex) {
			// the GCM tag does not match: another key under the same id, or altered bytes
			throw new UnreadablePayloadException("it does not decrypt with key '" + keyId + "'", ex);
		}
	}

}
