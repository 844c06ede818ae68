package org.patientplatform.dlq.console;

import org.patientplatform.kit.roles.ConditionalOnRole;

import org.springframework.context.annotation.Configuration;
import org.springframework.web.servlet.config.annotation.ResourceHandlerRegistry;
import org.springframework.web.servlet.config.annotation.ViewControllerRegistry;
import org.springframework.web.servlet.config.annotation.WebMvcConfigurer;

/**
 * Serves the ops console's static page from {@code classpath:/dlq-console/} at {@code /console/}. Not from Boot's
 * {@code /static}: the local run puts every service on one class path, and only the DLQ serves its console. The
 * page itself is public (it holds nothing); every call it makes is to {@code /api/v1/dlq/**} with the operator's
 * bearer token, so the API's roles and audit apply as to any client.
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnRole("app")
class ConsoleConfiguration implements WebMvcConfigurer {

	@Override
	public void addResourceHandlers(ResourceHandlerRegistry registry) {
		registry.addResourceHandler("/console/**").addResourceLocations("classpath:/dlq-console/");
	}

	@Override
	public void addViewControllers(ViewControllerRegistry registry) {
		registry.addRedirectViewController("/console", "/console/");
		registry.addViewController("/console/").setViewName("forward:/console/index.html");
	}

}
