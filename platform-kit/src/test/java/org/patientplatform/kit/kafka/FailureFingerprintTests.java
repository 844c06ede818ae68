package org.patientplatform.kit.kafka;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class FailureFingerprintTests {

	@Test
	void isTheSameForTheSameFailureFromTheSamePlace() {
		assertThat(FailureFingerprint.of(fail("a"), "org.patientplatform"))
			.isEqualTo(FailureFingerprint.of(fail("another message"), "org.patientplatform"));
	}

	@Test
	void differsForAnotherExceptionClass() {
		assertThat(FailureFingerprint.of(new IllegalArgumentException("x"), "org.patientplatform"))
			.isNotEqualTo(FailureFingerprint.of(new IllegalStateException("x"), "org.patientplatform"));
	}

	@Test
	void ignoresLineNumbersAndWrappers() {
		RuntimeException original = fail("x");
		RuntimeException moved = fail("x");
		StackTraceElement[] frames = moved.getStackTrace();
		frames[0] = new StackTraceElement(frames[0].getClassName(), frames[0].getMethodName(), frames[0].getFileName(),
				frames[0].getLineNumber() + 40);
		moved.setStackTrace(frames);
		assertThat(FailureFingerprint.of(new RuntimeException("wrapper", moved), "org.patientplatform"))
			.isEqualTo(FailureFingerprint.of(original, "org.patientplatform"));
	}

	private static RuntimeException fail(String message) {
		return new IllegalStateException(message);
	}

}
