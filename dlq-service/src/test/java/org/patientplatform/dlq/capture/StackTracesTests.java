package org.patientplatform.dlq.capture;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class StackTracesTests {

	@Test
	void givesEqualTracesOneDigestAndDifferentTracesAnother() throws Exception {
		StackTraces traces = new StackTraces();
		String trace = "java.lang.IllegalStateException: no patient\n\tat org.example.Listener.on(Listener.java:42)\n";

		byte[] first = traces.digest(trace.getBytes(StandardCharsets.UTF_8));
		byte[] again = traces.digest(trace.getBytes(StandardCharsets.UTF_8));
		byte[] other = traces.digest((trace + "\tat org.example.Other.on(Other.java:7)\n").getBytes(StandardCharsets.UTF_8));

		assertThat(first).isEqualTo(sha256(trace)).isSameAs(again);
		assertThat(other).hasSize(32).isNotEqualTo(first);
		assertThat(traces.digest(null)).isNull();
	}

	@Test
	void digestsTheTextTheEntryShowsForALongOrMalformedTrace() throws Exception {
		StackTraces traces = new StackTraces();
		String longTrace = "x".repeat(20_000);
		byte[] malformed = { 'a', (byte) 0xC3, 'b' };

		assertThat(traces.digest(longTrace.getBytes(StandardCharsets.UTF_8))).isEqualTo(sha256("x".repeat(16_384)));
		// as PostgreSQL's sha256(convert_to(text, 'UTF8')) of the stored text, with the replacement character
		assertThat(traces.digest(malformed)).isEqualTo(sha256("a\uFFFDb"));
	}

	private static byte[] sha256(String text) throws Exception {
		return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
	}

}
