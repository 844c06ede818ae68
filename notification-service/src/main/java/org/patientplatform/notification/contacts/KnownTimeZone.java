package org.patientplatform.notification.contacts;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

import jakarta.validation.Constraint;
import jakarta.validation.ConstraintValidator;
import jakarta.validation.ConstraintValidatorContext;
import jakarta.validation.Payload;
import org.jspecify.annotations.Nullable;

/**
 * The value is null or a timezone id the JVM knows ({@code Europe/Madrid},
 * {@code America/Chicago}).
 */
@Target({ ElementType.FIELD, ElementType.PARAMETER, ElementType.METHOD, ElementType.RECORD_COMPONENT })
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Constraint(validatedBy = KnownTimeZone.Validator.class)
public @interface KnownTimeZone {

	String message() default "must be an IANA timezone id such as America/Chicago";

	Class<?>[] groups() default {};

	Class<? extends Payload>[] payload() default {};

	/** Checks the value with {@link java.time.ZoneId#of}. */
	class Validator implements ConstraintValidator<KnownTimeZone, String> {

		@Override
		public boolean isValid(@Nullable String value, ConstraintValidatorContext context) {
			return value == null || ContactProjection.timezone(value) != null;
		}

	}

}
