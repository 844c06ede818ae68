package org.patientplatform.kit.web;

import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class RequestFingerprintTests {

	@Test
	void writesJsonWithSortedMembersNoWhitespaceOneEscapingAndNumbersAsWritten() {
		assertThat(canonical("""
				{ "b" : [ 1.50, -0, 1E2, {"z":true, "a":null} ],
				  "a" : "caf\\u00e9 \\"x\\"", "\\u0061a": false }
				""")).isEqualTo("{\"a\":\"café \\\"x\\\"\",\"aa\":false,\"b\":[1.50,-0,1E2,{\"a\":null,\"z\":true}]}");
	}

	@Test
	void keepsTheOrderOfMembersOfTheSameName() {
		assertThat(canonical("{\"v\":1,\"a\":0,\"v\":2}")).isEqualTo("{\"a\":0,\"v\":1,\"v\":2}");
		assertThat(canonical("{\"v\":2,\"v\":1}")).isNotEqualTo(canonical("{\"v\":1,\"v\":2}"));
	}

	@Test
	void takesABodyThatIsNotExactlyOneJsonValueByItsBytes() {
		assertThat(canonical("{\"a\":1} {\"b\":2}")).isNull();
		assertThat(canonical("{\"a\":")).isNull();
		assertThat(canonical("")).isNull();
		assertThat(canonical("  7 ")).isEqualTo("7");
	}

	@Test
	void fingerprintsJsonByWhatItSaysAndOtherBodiesByTheirBytes() {
		byte[] compact = "{\"a\":1,\"b\":[2]}".getBytes(StandardCharsets.UTF_8);
		byte[] spaced = "{ \"b\": [ 2 ], \"a\": 1 }".getBytes(StandardCharsets.UTF_8);
		String json = RequestFingerprint.of("POST", "/api/x", "application/json;charset=UTF-8", compact);
		assertThat(json).startsWith("v2:").hasSize(3 + 64);
		assertThat(RequestFingerprint.of("POST", "/api/x", "application/json", spaced)).isEqualTo(json);
		assertThat(RequestFingerprint.of("POST", "/api/x", "application/merge-patch+json", spaced))
			.isEqualTo(json);
		assertThat(RequestFingerprint.of("POST", "/api/y", "application/json", spaced)).isNotEqualTo(json);
		assertThat(RequestFingerprint.of("POST", "/api/x", "text/plain", compact)).isNotEqualTo(json);
		assertThat(RequestFingerprint.of("POST", "/api/x", "text/plain", spaced))
			.isNotEqualTo(RequestFingerprint.of("POST", "/api/x", "text/plain", compact));
		assertThat(RequestFingerprint.of("POST", "/api/x", "not a type", compact))
			.isEqualTo(RequestFingerprint.of("POST", "/api/x", null, compact));
	}

	private static String canonical(String json) {
		return RequestFingerprint.canonicalJson(json.getBytes(StandardCharsets.UTF_8));
	}

}
