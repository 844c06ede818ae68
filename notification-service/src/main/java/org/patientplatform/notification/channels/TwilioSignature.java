package org.patientplatform.notification.channels;

import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.Map;
import java.util.TreeMap;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import org.jspecify.annotations.Nullable;

/**
 * Twilio's request signature ({@code X-Twilio-Signature}): the Base64 of an HMAC-SHA1,
 * keyed with the account's auth token, over the full URL of the request followed by each
 * POST parameter, sorted by name, as its name immediately followed by its value.
 *
 * @see <a href="https://www.twilio.com/docs/usage/webhooks/webhooks-security">Twilio
 * webhook security</a>
 */
public final class TwilioSignature {

	private TwilioSignature() {
	}

	/**
	 * Computes the signature Twilio sends with a request.
	 * @param authToken the account's auth token (the HMAC key)
	 * @param url the full URL Twilio requested, with scheme, host, port, path and query
	 * @param params the form-encoded POST parameters (empty for a GET)
	 * @return the Base64 signature
	 */
	public static String compute(String authToken, String url, Map<String, String> params) {
		StringBuilder data = new StringBuilder(url);
		new TreeMap<>(params).forEach((name, value) -> data.append(name).append(value));
		try {
			Mac mac = Mac.getInstance("HmacSHA1");
			mac.init(new SecretKeySpec(authToken.getBytes(StandardCharsets.UTF_8), "HmacSHA1"));
			byte[] digest = mac.doFinal(data.toString().getBytes(StandardCharsets.UTF_8));
			return Base64.getEncoder().encodeToString(digest);
		}
		catch (NoSuchAlgorithmException | InvalidKeyException ex) {
			throw new IllegalStateException("HmacSHA1 is not available", ex);
		}
	}

	/**
	 * Tells whether a signature is the one Twilio computes for a request, comparing in
	 * constant time.
	 * @param authToken the account's auth token
	 * @param url the full URL of the request as Twilio saw it
	 * @param params the form-encoded POST parameters
	 * @param signature the {@code X-Twilio-Signature} header, or null when absent
	 * @return true only when the signature matches
	 */
	public static boolean isValid(String authToken, String url, Map<String, String> params,
			@Nullable String signature) {
		if (signature == null || signature.isEmpty()) {
			return false;
		}
		byte[] expected = compute(authToken, url, params).getBytes(StandardCharsets.US_ASCII);
		return MessageDigest.isEqual(expected, signature.getBytes(StandardCharsets.US_ASCII));
	}

}
