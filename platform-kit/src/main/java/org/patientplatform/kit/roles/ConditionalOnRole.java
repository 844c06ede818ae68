package org.patientplatform.kit.roles;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

import org.springframework.context.annotation.Conditional;

/**
 * Registers the annotated bean or configuration only when at least one of the given roles is enabled
 * in this process (see {@link PlatformRoles}). Listeners, workers, schedules and controllers carry it, so
 * a role that is off starts none of them.
 */
@Target({ ElementType.TYPE, ElementType.METHOD })
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Conditional(OnRoleCondition.class)
public @interface ConditionalOnRole {

	/** The roles; the bean is registered when any of them is enabled. */
	String[] value();

}
