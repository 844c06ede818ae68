package org.patientplatform.kit.internal;

import org.patientplatform.kit.web.ProblemDetailsAdvice;
import org.patientplatform.kit.web.ProblemResponses;
import tools.jackson.databind.json.JsonMapper;

import org.patientplatform.kit.web.RequestSizeLimitFilter;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.core.Ordered;
import org.springframework.util.unit.DataSize;
import org.springframework.context.annotation.Bean;

@AutoConfiguration
class PlatformWebAutoConfiguration {

	@Bean
	ProblemResponses problemResponses(JsonMapper jsonMapper) {
		return new ProblemResponses(jsonMapper);
	}

	@Bean
	FilterRegistrationBean<RequestSizeLimitFilter> requestSizeLimitFilter(ProblemResponses problems,
			@Value("${platform.http.max-body-size:1MB}") DataSize maxBodySize) {
		FilterRegistrationBean<RequestSizeLimitFilter> registration = new FilterRegistrationBean<>(
				new RequestSizeLimitFilter(maxBodySize.toBytes(), problems));
		registration.setOrder(Ordered.HIGHEST_PRECEDENCE + 10);
		return registration;
	}

	@Bean
	ProblemDetailsAdvice problemDetailsAdvice() {
		return new ProblemDetailsAdvice();
	}

}
