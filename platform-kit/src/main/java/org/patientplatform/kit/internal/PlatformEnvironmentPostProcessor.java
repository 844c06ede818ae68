package org.patientplatform.kit.internal;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.Map;

import org.jspecify.annotations.Nullable;
import org.patientplatform.kit.roles.PlatformRoles;
import org.patientplatform.kit.roles.PlatformService;

import org.springframework.boot.EnvironmentPostProcessor;
import org.springframework.boot.SpringApplication;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.AnnotatedElementUtils;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.MapPropertySource;
import org.springframework.core.io.ClassPathResource;
import org.springframework.core.io.support.ResourcePropertySource;

/**
 * Runs before Spring Boot reads configuration files: names the service's own configuration file after
 * its {@link PlatformService} (so four services share one classpath in the local run), publishes its
 * roles, checks {@code PLATFORM_ROLES}, and adds the kit's defaults below everything else.
 */
class PlatformEnvironmentPostProcessor implements EnvironmentPostProcessor, Ordered {

	static final String DEFAULTS = "platform-kit-defaults.properties";

	@Override
	public int getOrder() {
		// before ConfigDataEnvironmentPostProcessor (HIGHEST_PRECEDENCE + 10) reads spring.config.name
		return Ordered.HIGHEST_PRECEDENCE + 5;
	}

	@Override
	public void postProcessEnvironment(ConfigurableEnvironment environment, SpringApplication application) {
		PlatformService service = findService(application);
		if (service == null) {
			return;
		}
		Map<String, Object> properties = new LinkedHashMap<>();
		if (!environment.containsProperty("spring.config.name")) {
			properties.put("spring.config.name", service.name());
		}
		properties.put(PlatformRoles.SERVICE_NAME_PROPERTY, service.name());
		properties.put(PlatformRoles.KNOWN_ROLES_PROPERTY, String.join(",", service.roles()));
		environment.getPropertySources().addLast(new MapPropertySource("platformService", properties));
		try {
			environment.getPropertySources()
				.addLast(new ResourcePropertySource("platformKitDefaults", new ClassPathResource(DEFAULTS)));
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		// fail fast, before any bean exists, when PLATFORM_ROLES is wrong
		PlatformRoles.from(environment);
	}

	private static @Nullable PlatformService findService(SpringApplication application) {
		for (Object source : application.getAllSources()) {
			if (source instanceof Class<?> type) {
				PlatformService service = AnnotatedElementUtils.findMergedAnnotation(type, PlatformService.class);
				if (service != null) {
					return service;
				}
			}
		}
		return null;
	}

}
