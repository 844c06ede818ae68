package org.patientplatform.kit.web;

import org.apache.tomcat.util.http.InvalidParameterException;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class UnreadableParameterDetailTests {

	@Test
	void tellsARequestWithMoreParametersThanTomcatReadsSo() {
		// Tomcat's own message for its connector's maxParameterCount; a new-user probe's 1,000 well-formed parameters
		// had been told that one was not validly percent-encoded
		InvalidParameterException tooMany = new InvalidParameterException("More than the maximum number of request "
				+ "parameters (GET plus POST) for a single request ([1,000]) were detected. Any parameters beyond this "
				+ "limit have been ignored. To change this limit, set the maxParameterCount attribute on the Connector.");
		assertThat(ProblemDetailsAdvice.unreadableParameterDetail(tooMany))
			.isEqualTo("The request has more parameters than this service reads (at most 1,000).");
		assertThat(ProblemDetailsAdvice.unreadableParameterDetail(new IllegalStateException("wrapped", tooMany)))
			.isEqualTo("The request has more parameters than this service reads (at most 1,000).");
	}

	@Test
	void tellsAParameterThatDoesNotDecodeWithoutItsValue() {
		InvalidParameterException badlyEncoded = new InvalidParameterException(
				"Character decoding failed. Parameter [name] with value [Ada%zz] has been ignored.");
		assertThat(ProblemDetailsAdvice.unreadableParameterDetail(badlyEncoded))
			.isEqualTo(ProblemDetailsAdvice.BADLY_ENCODED_PARAMETER)
			.doesNotContain("Ada");
	}

}
