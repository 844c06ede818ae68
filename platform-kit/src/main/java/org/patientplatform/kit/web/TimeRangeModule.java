package org.patientplatform.kit.web;

import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;

import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonParser;
import tools.jackson.databind.BeanDescription;
import tools.jackson.databind.DeserializationConfig;
import tools.jackson.databind.DeserializationContext;
import tools.jackson.databind.ValueDeserializer;
import tools.jackson.databind.deser.ValueDeserializerModifier;
import tools.jackson.databind.deser.std.DelegatingDeserializer;
import tools.jackson.databind.exc.InvalidFormatException;
import tools.jackson.databind.module.SimpleModule;

/**
 * Dates and times read from JSON (request bodies and event data alike) must fall in the years 0001 to
 * 9999. ISO 8601 lets a year have more digits or a sign ({@code +300000-01-01T00:00:00Z}); PostgreSQL
 * cannot store most of those, and stored others as {@code -infinity}. Without this check such a value
 * got through validation and failed later: a 500 for a request, and for an event a database error that the
 * kit retried as transient, holding up the partition and finally dead-lettering the whole batch with it.
 * Now it is an invalid value where it is read: a 400 problem naming the field, or an
 * {@code InvalidEventException} that dead-letters that one record with the reason.
 */
public class TimeRangeModule extends SimpleModule {

	/** Why a date is refused. */
	public static final String MESSAGE = "must be a date between the years 0001 and 9999";

	public TimeRangeModule() {
		super("platform-time-range");
		setDeserializerModifier(new ValueDeserializerModifier() {

			@Override
			public ValueDeserializer<?> modifyDeserializer(DeserializationConfig config,
					BeanDescription.Supplier description, ValueDeserializer<?> deserializer) {
				Class<?> type = description.getBeanClass();
				boolean dated = type == Instant.class || type == OffsetDateTime.class || type == ZonedDateTime.class
						|| type == LocalDateTime.class || type == LocalDate.class;
				return dated ? new InRange(deserializer) : deserializer;
			}

		});
	}

	/** The year of a date or time, in UTC for an instant; null for anything else. */
	static Integer year(Object value) {
		return switch (value) {
			case Instant instant -> instant.atOffset(ZoneOffset.UTC).getYear();
			case OffsetDateTime time -> time.getYear();
			case ZonedDateTime time -> time.getYear();
			case LocalDateTime time -> time.getYear();
			case LocalDate date -> date.getYear();
			default -> null;
		};
	}

	private static final class InRange extends DelegatingDeserializer {

		InRange(ValueDeserializer<?> delegate) {
			super(delegate);
		}

		@Override
		protected ValueDeserializer<?> newDelegatingInstance(ValueDeserializer<?> delegate) {
			return new InRange(delegate);
		}

		@Override
		public Object deserialize(JsonParser parser, DeserializationContext context) throws JacksonException {
			Object value = super.deserialize(parser, context);
			Integer year = (value != null) ? year(value) : null;
			if (year != null && (year < 1 || year > 9999)) {
				if (BodyFieldErrors.note(parser, MESSAGE)) {
					return null;
				}
				throw InvalidFormatException.from(parser, MESSAGE, value, value.getClass());
			}
			return value;
		}

	}

}
