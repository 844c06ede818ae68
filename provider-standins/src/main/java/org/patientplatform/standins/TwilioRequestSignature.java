package org.patientplatform.standins;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Base64;
import java.util.Map;
import java.util.TreeMap;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * How Twilio signs the requests it makes ({@code X-Twilio-Signature}): Base64 of the
 * HMAC-SHA1, keyed with the auth token, of the full URL followed by the POST parameters
 * sorted by name, each as name then value.
 */
final class TwilioRequestSignature {

	private TwilioRequestSignature() {
	}

	static String of(String authToken, String url, Map<String, String> params) {
		StringBuilder signed = new StringBuilder(url);
		new TreeMap<>(params).forEach((name, value) -> signed.append(name).append(value));
		try {
			Mac mac = Mac.getInstance("HmacSHA1");
			mac.init(new SecretKeySpec(authToken.getBytes(StandardCharsets.UTF_8), "HmacSHA1"));
			return Base64.getEncoder().encodeToString(mac.doFinal(signed.toString().getBytes(StandardCharsets.UTF_8)));
		}
		catch (GeneralSecurityException ex) {
			throw new IllegalStateException(ex);
		}
	}

}
