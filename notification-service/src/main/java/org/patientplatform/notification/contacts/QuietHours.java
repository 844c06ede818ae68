package org.patientplatform.notification.contacts;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.time.LocalTime;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.annotation.JsonFormat;
import com.fasterxml.jackson.annotation.JsonIgnore;
import io.swagger.v3.oas.annotations.media.Schema;
import jakarta.validation.Constraint;
import jakarta.validation.ConstraintValidator;
import jakarta.validation.ConstraintValidatorContext;
import jakarta.validation.Payload;
import jakarta.validation.constraints.AssertTrue;
import jakarta.validation.constraints.NotNull;
import org.jspecify.annotations.Nullable;
import org.patientplatform.kit.web.ReportedOn;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.databind.DeserializationContext;
import tools.jackson.databind.ValueDeserializer;
import tools.jackson.databind.annotation.JsonDeserialize;

/**
 * The patient's quiet hours in their own timezone, to the minute; {@code start} after {@code end} spans midnight
 * (21:00 to 08:00). A start equal to its end is refused: it could mean no quiet hours or the whole day (it was taken
 * as none, silently); no quiet hours are sent as none.
 * <p>
 * Each time is read as an RFC 3339 partial-time, {@code HH:mm:ss} with an optional fraction, or without its seconds,
 * {@code HH:mm} ({@link PartialTime}), from the API and from {@code ContactPreferencesChanged} alike; the OpenAPI
 * document called it {@code time-local}, but only {@code HH:mm} was read, so {@code 21:00:00} was refused (400, or
 * the event dead-lettered). Quiet hours are kept to the minute (a {@code time} column, written back as
 * {@code HH:mm}): seconds other than zero are refused ({@link WholeMinute}), not cut off unseen.
 */
public record QuietHours(
		@NotNull @WholeMinute @JsonDeserialize(using = PartialTime.class) @JsonFormat(pattern = "HH:mm") @Schema(
				type = "string", format = "time-local", pattern = PartialTime.SCHEMA_PATTERN, example = "21:00",
				description = PartialTime.DESCRIPTION) LocalTime start,
		@NotNull @WholeMinute @JsonDeserialize(using = PartialTime.class) @JsonFormat(pattern = "HH:mm") @Schema(
				type = "string", format = "time-local", pattern = PartialTime.SCHEMA_PATTERN, example = "08:00",
				description = PartialTime.DESCRIPTION) LocalTime end) {

	@ReportedOn("end")
	@AssertTrue(message = "must differ from start (the same time is no quiet hours or the whole day; for none, "
			+ "send quietHours null)")
	@JsonIgnore
	@Schema(hidden = true)
	public boolean isSpan() {
		return this.start == null || this.end == null || !this.start.equals(this.end);
	}

	/**
	 * Reads a time of day as an RFC 3339 partial-time ({@code 21:00:00}, {@code 21:00:00.000}) or without its
	 * seconds ({@code 21:00}). Anything else (a date-time, an offset, hour 24, a leap second, a number) is a field
	 * of the wrong form, named with the kit's message for a time of day; seconds are kept, for {@link WholeMinute}
	 * to refuse with its own message.
	 */
	public static final class PartialTime extends ValueDeserializer<LocalTime> {

		/** What the schema says each time takes: what this reads and {@link WholeMinute} lets through. */
		static final String SCHEMA_PATTERN = "^([01][0-9]|2[0-3]):[0-5][0-9](:00(\\.0+)?)?$";

		static final String DESCRIPTION = "A time of day in the patient's timezone, to the minute: HH:mm, or an "
				+ "RFC 3339 partial-time with zero seconds (HH:mm:00, HH:mm:00.000). Answered as HH:mm.";

		private static final Pattern FORM = Pattern
			.compile("([01][0-9]|2[0-3]):([0-5][0-9])(?::([0-5][0-9])(?:\\.([0-9]+))?)?");

		@Override
		public @Nullable LocalTime deserialize(JsonParser parser, DeserializationContext context)
				throws JacksonException {
			if (parser.currentToken() != JsonToken.VALUE_STRING) {
				return (LocalTime) context.handleUnexpectedToken(LocalTime.class, parser);
			}
			String text = parser.getString();
			Matcher form = FORM.matcher(text);
			if (!form.matches()) {
				// never the value in the message: the kit names the field and the form it takes
				return (LocalTime) context.handleWeirdStringValue(LocalTime.class, text,
						"not a time of day as HH:mm, HH:mm:ss or HH:mm:ss.fraction");
			}
			int seconds = (form.group(3) != null) ? Integer.parseInt(form.group(3)) : 0;
			return LocalTime.of(Integer.parseInt(form.group(1)), Integer.parseInt(form.group(2)), seconds,
					nanos(form.group(4)));
		}

		/** The fraction's nanoseconds; digits past the ninth are not dropped when they are not zero (one then). */
		private static int nanos(@Nullable String fraction) {
			if (fraction == null) {
				return 0;
			}
			String nine = (fraction.length() > 9) ? fraction.substring(0, 9) : fraction;
			int nanos = Integer.parseInt(nine + "0".repeat(9 - nine.length()));
			boolean finer = fraction.length() > 9 && fraction.substring(9).chars().anyMatch((digit) -> digit != '0');
			return (nanos == 0 && finer) ? 1 : nanos;
		}

	}

	/** A time of quiet hours has no seconds: they are kept to the minute. Null is left to {@code @NotNull}. */
	@Target({ ElementType.FIELD, ElementType.PARAMETER, ElementType.METHOD, ElementType.RECORD_COMPONENT })
	@Retention(RetentionPolicy.RUNTIME)
	@Documented
	@Constraint(validatedBy = WholeMinute.Validator.class)
	public @interface WholeMinute {

		String message() default "must be a whole minute: quiet hours are kept to the minute (21:00 or 21:00:00, "
				+ "not 21:00:30)";

		Class<?>[] groups() default {};

		Class<? extends Payload>[] payload() default {};

		/** No seconds and no fraction of one. */
		class Validator implements ConstraintValidator<WholeMinute, LocalTime> {

			@Override
			public boolean isValid(@Nullable LocalTime value, ConstraintValidatorContext context) {
				return value == null || (value.getSecond() == 0 && value.getNano() == 0);
			}

		}

	}

}
