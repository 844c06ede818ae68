package org.patientplatform.dlq.capture;

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

import org.springframework.beans.factory.annotation.Autowired;

/**
 * A topic an operator or a service names that is not one of the DLQ's own ({@code dlq.messages.v1},
 * {@code dlq.retry-outcomes.v1}): a record redriven to the first is captured again as a new, raw entry
 * while the entry it came from waits for an outcome that never comes; the second carries the outcomes of
 * redrives, not failed records; and no record fails on either in another service's consumer. Null is valid.
 */
@Documented
@Constraint(validatedBy = NotOwnTopic.Validator.class)
@Target({ ElementType.FIELD, ElementType.PARAMETER, ElementType.RECORD_COMPONENT, ElementType.TYPE_USE })
@Retention(RetentionPolicy.RUNTIME)
public @interface NotOwnTopic {

	String message() default "must not be one of the DLQ's own topics ({topics}): a record sent there is not a "
			+ "failed record of another service";

	Class<?>[] groups() default {};

	Class<? extends Payload>[] payload() default {};

	/** Checks against the configured topics; outside Spring (no properties), against their defaults. */
	class Validator implements ConstraintValidator<NotOwnTopic, String> {

		private String messages = "dlq.messages.v1";

		private String retryOutcomes = "dlq.retry-outcomes.v1";

		@Autowired(required = false)
		void setProperties(@Nullable DlqProperties properties) {
			if (properties != null && properties.topics() != null) {
				this.messages = properties.topics().messages();
				this.retryOutcomes = properties.topics().retryOutcomes();
			}
		}

		@Override
		public boolean isValid(@Nullable String topic, ConstraintValidatorContext context) {
			if (topic == null || !(topic.equals(this.messages) || topic.equals(this.retryOutcomes))) {
				return true;
			}
			context.disableDefaultConstraintViolation();
			context
				.buildConstraintViolationWithTemplate(context.getDefaultConstraintMessageTemplate()
					.replace("{topics}", this.messages + ", " + this.retryOutcomes))
				.addConstraintViolation();
			return false;
		}

	}

}
