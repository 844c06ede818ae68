package org.patientplatform.notification.channels;

import java.util.Map;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class TwilioSignatureTests {

	static final String URL = "https://mycompany.com/myapp.php?foo=1&bar=2";

	static final Map<String, String> PARAMS = Map.of("CallSid", "CA1234567890ABCDE", "Caller", "+12349013030", "Digits",
			"1234", "From", "+12349013030", "To", "+18005551212");

	@Test
	void computesTwilioDocumentedExample() {
		// Twilio's webhook security documentation: auth token 12345, this URL and these parameters
		assertThat(TwilioSignature.compute("12345", URL, PARAMS)).isEqualTo("0/KCTR6DLpKmkAf8muzZqo1nDgQ=");
	}

	@Test
	void acceptsOnlyTheMatchingSignature() {
		assertThat(TwilioSignature.isValid("12345", URL, PARAMS, "0/KCTR6DLpKmkAf8muzZqo1nDgQ=")).isTrue();
		assertThat(TwilioSignature.isValid("12346", URL, PARAMS, "0/KCTR6DLpKmkAf8muzZqo1nDgQ=")).isFalse();
		assertThat(TwilioSignature.isValid("12345", URL + "&x=1", PARAMS, "0/KCTR6DLpKmkAf8muzZqo1nDgQ=")).isFalse();
		assertThat(TwilioSignature.isValid("12345", URL, Map.of("To", "+18005551212"), "0/KCTR6DLpKmkAf8muzZqo1nDgQ="))
			.isFalse();
		assertThat(TwilioSignature.isValid("12345", URL, PARAMS, null)).isFalse();
		assertThat(TwilioSignature.isValid("12345", URL, PARAMS, "")).isFalse();
	}

}
