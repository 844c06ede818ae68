package org.patientplatform.kit.roles;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks a service's {@code @SpringBootApplication} class. The kit then loads the service's own
 * configuration file ({@code <name>.yml}, so several services can share one classpath in the local run)
 * and knows the service's deployment roles.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@Documented
public @interface PlatformService {

	/** The service name, e.g. {@code dlq-service}; also the name of its configuration file. */
	String name();

	/** Every deployment role of the service, exactly as the seeds name them. */
	String[] roles();

}
