package org.patientplatform.kit.internal;

import org.patientplatform.kit.web.ProblemDetailsAdvice;
import org.patientplatform.kit.web.ProblemResponses;
import tools.jackson.databind.json.JsonMapper;

import java.time.Duration;

import org.patientplatform.kit.cron.CronTask;
import org.patientplatform.kit.web.IdempotencyKeyFilter;
import org.patientplatform.kit.web.RequestSizeLimitFilter;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.core.Ordered;
import org.springframework.jdbc.core.JdbcTemplate;
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
	FilterRegistrationBean<IdempotencyKeyFilter> idempotencyKeyFilter(JdbcTemplate jdbc, ProblemResponses problems) {
		FilterRegistrationBean<IdempotencyKeyFilter> registration = new FilterRegistrationBean<>(
				new IdempotencyKeyFilter(jdbc, problems, Duration.ofHours(24)));
		// after Spring Security (order -100), so the key belongs to the authenticated caller
		registration.setOrder(0);
		return registration;
	}

	@Bean
	CronTask idempotencyKeyCleanup(JdbcTemplate jdbc) {
		return new CronTask() {
			@Override
			public String name() {
				return "idempotency-key-cleanup";
			}

			@Override
			public String cron() {
				return "0 17 * * * *";
			}

			@Override
			public void run() {
				jdbc.update("DELETE FROM idempotency_key WHERE expires_at < now()");
			}
		};
	}

	@Bean
	ProblemDetailsAdvice problemDetailsAdvice() {
		return new ProblemDetailsAdvice();
	}

}
