package org.patientplatform.kit.events;

import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class PlatformEventsTests {

	@Test
	void findsTheEscapeOfANulButNotAnEscapedBackslashBeforeU0000() {
		assertThat(holdsNul("{\"value\": \"a\\u0000b\"}")).isTrue();
		// an escaped backslash, then the text u0000
		assertThat(holdsNul("{\"value\": \"a\\\\u0000b\"}")).isFalse();
		// an escaped backslash, then the escape of a NUL
		assertThat(holdsNul("{\"value\": \"a\\\\\\u0000b\"}")).isTrue();
		assertThat(holdsNul("{\"value\": \"a\\u00001\"}")).isTrue();
		assertThat(holdsNul("{\"value\": \"a\\u0001\"}")).isFalse();
		assertThat(holdsNul("{\"value\": \"u0000\"}")).isFalse();
		assertThat(holdsNul("\\u000")).isFalse();
	}

	private static boolean holdsNul(String json) {
		return PlatformEvents.holdsNul(json.getBytes(StandardCharsets.UTF_8));
	}

}
