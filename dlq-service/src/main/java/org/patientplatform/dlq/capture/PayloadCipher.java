package org.patientplatform.dlq.capture;

import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
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
 * ones for decryption.
 */
class PayloadCipher {

	private static final int IV_BYTES = 12;

	private static final int TAG_BITS = 128;

	private final String activeKeyId;

	private final Map<String, SecretKey> keys = new HashMap<>();

	private final SecureRandom random = new SecureRandom();

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
			this.random.nextBytes(iv);
			Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
			cipher.init(Cipher.ENCRYPT_MODE, this.keys.get(this.activeKeyId), new GCMParameterSpec(TAG_BITS, iv));
			byte[] sealed = cipher.doFinal(plaintext);
			return ByteBuffer.allocate(IV_BYTES + sealed.length).put(iv).put(sealed).array();
		}
		catch (GeneralSecurityException ex) {
			throw new IllegalStateException("Cannot encrypt a payload", ex);
		}
	}

	byte[] decrypt(String keyId, byte[] ciphertext) {
		SecretKey key = this.keys.get(keyId);
		if (key == null) {
			throw new IllegalStateException("No key '" + keyId + "' to decrypt this payload; keep retired keys "
					+ "in dlq.encryption.keys");
		}
		try {
			Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
			cipher.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, ciphertext, 0, IV_BYTES));
			return cipher.doFinal(ciphertext, IV_BYTES, ciphertext.length - IV_BYTES);
		}
		catch (GeneralSecurityException ex) {
			throw new IllegalStateException("Cannot decrypt a payload with key '" + keyId + "'", ex);
		}
	}

}
