package org.patientplatform.standins;

import java.util.Map;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class TwilioRequestSignatureTests {

	@Test
	void matchesTwilioDocumentedExample() {
		// the example of Twilio's webhook security documentation: auth token 12345
		Map<String, String> params = Map.of("CallSid", "CA1234567890ABCDE", "Caller", "+12349013030", "Digits", "1234",
				"From", "+12349013030", "To", "+18005551212");
		assertThat(TwilioRequestSignature.of("12345", "https://mycompany.com/myapp.php?foo=1&bar=2", params))
			.isEqualTo("0/KCTR6DLpKmkAf8muzZqo1nDgQ=");
	}

	@Test
	void dependsOnTheUrlAndEveryParameter() {
		String url = "https://example.org/hook";
		String signature = TwilioRequestSignature.of("token", url, Map.of("A", "1", "B", "2"));
		assertThat(TwilioRequestSignature.of("token", url + "?x=1", Map.of("A", "1", "B", "2"))).isNotEqualTo(signature);
		assertThat(TwilioRequestSignature.of("token", url, Map.of("A", "1", "B", "3"))).isNotEqualTo(signature);
		assertThat(TwilioRequestSignature.of("other", url, Map.of("A", "1", "B", "2"))).isNotEqualTo(signature);
	}

}
