package org.patientplatform.kit.web;

import java.text.ParseException;
import java.time.Instant;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.databind.BeanDescription;
import tools.jackson.databind.DeserializationConfig;
import tools.jackson.databind.DeserializationContext;
import tools.jackson.databind.JacksonModule;
import tools.jackson.databind.ValueDeserializer;
import tools.jackson.databind.deser.ValueDeserializerModifier;
import tools.jackson.databind.deser.std.DelegatingDeserializer;
import tools.jackson.databind.module.SimpleModule;

import org.springframework.format.AnnotationFormatterFactory;
import org.springframework.format.Formatter;
import org.springframework.format.FormatterRegistry;
import org.springframework.format.Parser;
import org.springframework.format.Printer;
import org.springframework.format.annotation.DateTimeFormat;
import org.springframework.format.datetime.standard.InstantFormatter;
import org.springframework.format.datetime.standard.Jsr310DateTimeFormatAnnotationFormatterFactory;

/**
 * An instant is read only as written, in a request body, in event data, and in a query parameter or path variable.
 * java.time's instant reader, which Jackson reads an {@link Instant} with and Spring falls back to when its strict
 * ISO form of a {@code @DateTimeFormat} parameter fails, takes hour 24 as the next day's midnight
 * ({@code 2026-12-20T24:00:00Z} is 2026-12-21T00:00:00Z) and a leap second, 23:59:60, as 23:59:59: a time the
 * caller did not write, and a search, a slot or an event about another day. Such text is refused as any date-time
 * that does not read: a 400 naming the field or parameter and the form it takes ("must be a date-time with its
 * offset, …"), never the value; in event data an invalid event that names the field.
 * <p>
 * Only {@link Instant} needs this: an {@code OffsetDateTime}, a {@code ZonedDateTime} and the local date-times are
 * read by strict formatters, which refuse hour 24 and second 60 themselves.
 */
public final class TimesAsWritten {

	/** The hour after the date's {@code T}: an instant has no other {@code T}. */
	private static final Pattern HOUR_24 = Pattern.compile("[Tt]24");

	/** A second 60 (another minute's second 60 is refused by the reader itself). */
	private static final Pattern SECOND_60 = Pattern.compile("[Tt]\\d{2}:\\d{2}:60");

	/** Why such text is refused: kept out of the answers, which name the field and the form it takes. */
	private static final String REASON = "hour 24 and second 60 are read as another time";

	private TimesAsWritten() {
	}

	/** True when the text holds hour 24 or second 60, which java.time would read as another time. */
	static boolean readAsAnotherTime(String text) {
		return HOUR_24.matcher(text).find() || SECOND_60.matcher(text).find();
	}

	/**
	 * The rule for JSON: registered with the application's mapper, it applies to request bodies and to event data
	 * alike ({@code PlatformEvents} reads with that mapper).
	 */
	public static JacksonModule module() {
		return new SimpleModule("platform-times-as-written") {

			@Override
			public void setupModule(SetupContext context) {
				super.setupModule(context);
				context.addDeserializerModifier(new ValueDeserializerModifier() {

					@Override
					public ValueDeserializer<?> modifyDeserializer(DeserializationConfig config,
							BeanDescription.Supplier description, ValueDeserializer<?> deserializer) {
						return (description.getBeanClass() == Instant.class) ? new AsWritten(deserializer)
								: deserializer;
					}

				});
			}

		};
	}

	/**
	 * The rule for query parameters and path variables: an {@link Instant}, with {@code @DateTimeFormat} or without.
	 * Registered after Spring's own formatters, so these are the ones used.
	 */
	public static void addFormatters(FormatterRegistry registry) {
		// the plain one first: a later converter is tried first, and the plain one would take annotated values too
		registry.addFormatterForFieldType(Instant.class, new PlainInstant());
		registry.addFormatterForFieldAnnotation(new AnnotatedInstant());
	}

	private static Instant refuse() throws ParseException {
		// never the value in the message: the answer names the parameter and the form it takes
		throw new ParseException(REASON, 0);
	}

	/**
	 * A JSON instant as Jackson reads it, but for the text {@link #readAsAnotherTime}: refused as a string that does
	 * not read, which a request body and event data note with the field's expected form ({@code BodyFieldErrors}).
	 */
	private static final class AsWritten extends DelegatingDeserializer {

		AsWritten(ValueDeserializer<?> delegate) {
			super(delegate);
		}

		@Override
		protected ValueDeserializer<?> newDelegatingInstance(ValueDeserializer<?> delegate) {
			return new AsWritten(delegate);
		}

		@Override
		public Object deserialize(JsonParser parser, DeserializationContext context) throws JacksonException {
			if (parser.currentToken() == JsonToken.VALUE_STRING && readAsAnotherTime(parser.getString())) {
				return context.handleWeirdStringValue(Instant.class, parser.getString(), REASON);
			}
			return super.deserialize(parser, context);
		}

	}

	/** An instant parameter without {@code @DateTimeFormat}, read as Spring reads it, but as written. */
	private static final class PlainInstant implements Formatter<Instant> {

		private final InstantFormatter standard = new InstantFormatter();

		@Override
		public Instant parse(String text, Locale locale) throws ParseException {
			return readAsAnotherTime(text) ? refuse() : this.standard.parse(text, locale);
		}

		@Override
		public String print(Instant instant, Locale locale) {
			return this.standard.print(instant, locale);
		}

	}

	/** An instant parameter with {@code @DateTimeFormat}, read as Spring reads it, but as written. */
	private static final class AnnotatedInstant implements AnnotationFormatterFactory<DateTimeFormat> {

		private final Jsr310DateTimeFormatAnnotationFormatterFactory standard = //
				new Jsr310DateTimeFormatAnnotationFormatterFactory();

		@Override
		public Set<Class<?>> getFieldTypes() {
			return Set.of(Instant.class);
		}

		@Override
		public Printer<?> getPrinter(DateTimeFormat annotation, Class<?> fieldType) {
			return this.standard.getPrinter(annotation, fieldType);
		}

		@Override
		public Parser<?> getParser(DateTimeFormat annotation, Class<?> fieldType) {
			Parser<?> parser = this.standard.getParser(annotation, fieldType);
			return (String text, Locale locale) -> readAsAnotherTime(text) ? refuse() : parser.parse(text, locale);
		}

	}

}
