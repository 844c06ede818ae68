package org.patientplatform.kit.internal;

import org.patientplatform.kit.security.PlatformSecurityProperties;
import org.patientplatform.kit.web.IdempotencyKeyFilter;
import org.patientplatform.kit.web.ProblemDetailsAdvice;
import org.patientplatform.kit.web.ProblemResponses;
import org.patientplatform.kit.web.RequestSizeLimitFilter;
import org.patientplatform.kit.web.TimeRangeModule;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.core.Ordered;
import org.springframework.jdbc.core.JdbcTemplate;

@AutoConfiguration
@EnableConfigurationProperties(PlatformHttpProperties.class)
class PlatformWebAutoConfiguration {

	@Bean
	ProblemResponses problemResponses(JsonMapper jsonMapper) {
		return new ProblemResponses(jsonMapper);
	}

	@Bean
	FilterRegistrationBean<RequestSizeLimitFilter> requestSizeLimitFilter(ProblemResponses problems,
			PlatformHttpProperties http) {
		FilterRegistrationBean<RequestSizeLimitFilter> registration = new FilterRegistrationBean<>(
				new RequestSizeLimitFilter(http.maxBodySize().toBytes(), problems));
		registration.setOrder(Ordered.HIGHEST_PRECEDENCE + 10);
		return registration;
	}

	@Bean
	FilterRegistrationBean<IdempotencyKeyFilter> idempotencyKeyFilter(JdbcTemplate jdbc, ProblemResponses problems,
			PlatformHttpProperties http, ObjectProvider<PlatformSecurityProperties> security) {
		PlatformSecurityProperties jwt = security.getIfAvailable();
		String patientIdClaim = (jwt != null) ? jwt.effectivePatientIdClaim() : "patient_id";
		FilterRegistrationBean<IdempotencyKeyFilter> registration = new FilterRegistrationBean<>(
				new IdempotencyKeyFilter(jdbc, problems, http.idempotencyKeyTtl(), patientIdClaim));
		// after Spring Security (order -100), so the key belongs to the authenticated caller
		registration.setOrder(0);
		return registration;
	}

	/** Registered with the application's JSON mapper, so event data is checked as request bodies are. */
	@Bean
	TimeRangeModule platformTimeRangeModule() {
		return new TimeRangeModule();
	}

	@Bean
	ProblemDetailsAdvice problemDetailsAdvice() {
		return new ProblemDetailsAdvice();
	}

}
