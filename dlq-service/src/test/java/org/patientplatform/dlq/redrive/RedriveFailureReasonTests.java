package org.patientplatform.dlq.redrive;

import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.TimeoutException;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class RedriveFailureReasonTests {

	@Test
	void namesTheExceptionAndKafkasOwnMessage() {
		// before: "RecordTooLargeException", which said neither how large the record was nor the limit
		assertThat(Redriver.why(new RecordTooLargeException("The message is 9437312 bytes when serialized which is "
				+ "larger than 8388608, which is the value of the max.request.size configuration.")))
			.isEqualTo("RecordTooLargeException: The message is 9437312 bytes when serialized which is larger than "
					+ "8388608, which is the value of the max.request.size configuration.");
	}

	@Test
	void keepsTheReasonOnOneLineAndBounded() {
		String why = Redriver.why(new TimeoutException("Expiration of 1 record(s)\r\nfor orders.v1-0:\u0000 "
				+ "x".repeat(1_000)));
		assertThat(why).startsWith("TimeoutException: Expiration of 1 record(s) for orders.v1-0: xxx")
			.hasSize(Redriver.MAX_WHY)
			.endsWith("\u2026")
			.doesNotContain("\r", "\n", "\u0000");
	}

	@Test
	void leavesOutTheMessageOfAnExceptionThatIsNotKafkas() {
		// a serializer or an interceptor of any library could quote the record it was given
		assertThat(Redriver.why(new IllegalStateException("cannot send {\"patient\":\"Jane Doe\"}")))
			.isEqualTo("IllegalStateException");
		assertThat(Redriver.why(new RecordTooLargeException((String) null))).isEqualTo("RecordTooLargeException");
	}

}
