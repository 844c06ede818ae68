package org.patientplatform.booking.slots;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.time.Instant;
import java.time.Period;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;

import jakarta.validation.Constraint;
import jakarta.validation.ConstraintValidator;
import jakarta.validation.ConstraintValidatorContext;
import jakarta.validation.Payload;
import org.jspecify.annotations.Nullable;

import org.springframework.beans.factory.annotation.Autowired;

/**
 * A slot's start no further ahead than {@code booking.slots.max-ahead} (two years by default) from now: a start in
 * the year 9999, or 2062 for 2026, was created (201) and listed as bookable for decades. Null is left to
 * {@code @NotNull}; the past to {@code @Future}.
 */
@Documented
@Constraint(validatedBy = WithinSlotHorizon.Validator.class)
@Target({ ElementType.FIELD, ElementType.PARAMETER, ElementType.METHOD, ElementType.RECORD_COMPONENT })
@Retention(RetentionPolicy.RUNTIME)
public @interface WithinSlotHorizon {

	String message() default "must be at most {ahead} ahead (booking.slots.max-ahead): a start further out is "
			+ "likely a typo in its year; the latest start now is {latest}";

	Class<?>[] groups() default {};

	Class<? extends Payload>[] payload() default {};

	/** Checks against the configured horizon; outside Spring (no properties), against its default. */
	class Validator implements ConstraintValidator<WithinSlotHorizon, Instant> {

		private Period maxAhead = SlotsProperties.DEFAULT_MAX_AHEAD;

		@Autowired(required = false)
		void setProperties(@Nullable SlotsProperties properties) {
			if (properties != null && properties.maxAhead() != null) {
				this.maxAhead = properties.maxAhead();
			}
		}

		@Override
		public boolean isValid(@Nullable Instant startsAt, ConstraintValidatorContext context) {
			if (startsAt == null) {
				return true;
			}
			// the clock @Future reads too, so both bounds are of one now
			Instant now = context.getClockProvider().getClock().instant();
			Instant latest = now.atOffset(ZoneOffset.UTC).plus(this.maxAhead).toInstant();
			if (!startsAt.isAfter(latest)) {
				return true;
			}
			context.disableDefaultConstraintViolation();
			context
				.buildConstraintViolationWithTemplate(context.getDefaultConstraintMessageTemplate()
					.replace("{ahead}", spelt(this.maxAhead))
					.replace("{latest}", latest.truncatedTo(ChronoUnit.SECONDS).toString()))
				.addConstraintViolation();
			return false;
		}

		/** {@code P2Y} as "2 years", {@code P1Y6M} as "1 year 6 months". */
		static String spelt(Period period) {
			List<String> parts = new ArrayList<>();
			add(parts, period.getYears(), "year");
			add(parts, period.getMonths(), "month");
			add(parts, period.getDays(), "day");
			return parts.isEmpty() ? period.toString() : String.join(" ", parts);
		}

		private static void add(List<String> parts, int amount, String unit) {
			if (amount != 0) {
				parts.add(amount + " " + unit + ((amount == 1) ? "" : "s"));
			}
		}

	}

}
