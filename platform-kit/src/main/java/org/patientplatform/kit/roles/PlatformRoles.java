package org.patientplatform.kit.roles;

import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

import org.springframework.core.env.Environment;

/**
 * The deployment roles of this service and which of them are enabled in this process.
 * {@code PLATFORM_ROLES} (property {@code platform.roles}, a comma list) selects roles; when it is empty
 * every role of the service runs.
 *
 * @param service the service name
 * @param known every role of the service
 * @param enabled the roles running in this process, never empty
 */
public record PlatformRoles(String service, Set<String> known, Set<String> enabled) {

	/** Property listing the service's known roles; written by the kit from {@link PlatformService}. */
	public static final String KNOWN_ROLES_PROPERTY = "platform.service.roles";

	/** Property naming the service; written by the kit from {@link PlatformService}. */
	public static final String SERVICE_NAME_PROPERTY = "platform.service.name";

	/** Property selecting roles; bound from the environment variable {@code PLATFORM_ROLES}. */
	public static final String ENABLED_ROLES_PROPERTY = "platform.roles";

	public static final String APP = "app";

	public PlatformRoles {
		known = Set.copyOf(known);
		enabled = Set.copyOf(enabled);
	}

	/**
	 * Reads the roles from the environment.
	 * @throws IllegalStateException naming the unknown roles when {@code PLATFORM_ROLES} names a role the
	 * service does not have
	 */
	public static PlatformRoles from(Environment environment) {
		String service = environment.getProperty(SERVICE_NAME_PROPERTY, "unknown-service");
		Set<String> known = split(environment.getProperty(KNOWN_ROLES_PROPERTY, ""));
		Set<String> requested = split(environment.getProperty(ENABLED_ROLES_PROPERTY, ""));
		if (requested.isEmpty()) {
			return new PlatformRoles(service, known, known);
		}
		List<String> unknown = requested.stream().filter((role) -> !known.contains(role)).toList();
		if (!unknown.isEmpty()) {
			throw new IllegalStateException("PLATFORM_ROLES names roles that " + service + " does not have: " + unknown
					+ "; its roles are " + known);
		}
		return new PlatformRoles(service, known, requested);
	}

	private static Set<String> split(String value) {
		Set<String> roles = new LinkedHashSet<>();
		Arrays.stream(value.split(",")).map(String::trim).filter((role) -> !role.isEmpty()).forEach(roles::add);
		return roles;
	}

	public boolean isEnabled(String role) {
		return this.enabled.contains(role);
	}

	/** True when the given role is one of this process's roles. */
	public boolean anyEnabled(String... roles) {
		return Arrays.stream(roles).anyMatch(this::isEnabled);
	}

}
