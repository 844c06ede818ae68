package org.patientplatform.booking.slots;

import org.patientplatform.kit.roles.ConditionalOnRole;

import org.springframework.context.annotation.Configuration;
import org.springframework.format.FormatterRegistry;
import org.springframework.web.servlet.config.annotation.WebMvcConfigurer;

/**
 * Reads an instant of a query ({@code @DateTimeFormat}) only as written ({@link TimesAsWritten.InstantFormat}):
 * registered after Spring's own, so it is the one used.
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnRole("app")
class SlotsWebConfiguration implements WebMvcConfigurer {

	@Override
	public void addFormatters(FormatterRegistry registry) {
		registry.addFormatterForFieldAnnotation(new TimesAsWritten.InstantFormat());
	}

}
