package org.patientplatform.booking.slots;

import java.text.ParseException;
import java.time.Instant;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

import org.springframework.format.AnnotationFormatterFactory;
import org.springframework.format.Parser;
import org.springframework.format.Printer;
import org.springframework.format.annotation.DateTimeFormat;
import org.springframework.format.datetime.standard.Jsr310DateTimeFormatAnnotationFormatterFactory;

/**
 * Date-times read only as written. java.time's instant reader (what a body's date-time, and a query's after Spring's
 * strict ISO form fails, are read with) takes hour 24 as the next day's midnight ({@code 2026-12-20T24:00:00Z} is
 * 2026-12-21T00:00:00Z) and a leap second, 23:59:60, as 23:59:59: a time the caller did not write. Such text is
 * refused as any date-time that does not read.
 */
final class TimesAsWritten {

	/** The hour after the date's {@code T}: an instant has no other {@code T}. */
	private static final Pattern HOUR_24 = Pattern.compile("[Tt]24");

	/** A second 60 (another minute's second 60 is refused by the reader itself). */
	private static final Pattern SECOND_60 = Pattern.compile("[Tt]\\d{2}:\\d{2}:60");

	private TimesAsWritten() {
	}

	/** True when the text holds hour 24 or second 60, which java.time would read as another time. */
	static boolean readAsAnotherTime(String text) {
		return HOUR_24.matcher(text).find() || SECOND_60.matcher(text).find();
	}

	/**
	 * {@code @DateTimeFormat} for an {@link Instant} query parameter, as Spring reads it but for the text
	 * {@link #readAsAnotherTime}: {@code ?from=2026-12-20T24:00:00Z} listed the next day's slots. Such a value is
	 * refused as one that does not convert (a 400 naming the parameter and the form it takes).
	 */
	static final class InstantFormat implements AnnotationFormatterFactory<DateTimeFormat> {

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
			return (String text, Locale locale) -> {
				if (readAsAnotherTime(text)) {
					// never the value in the message: the answer names the parameter and the form it takes
					throw new ParseException("Hour 24 and second 60 are read as another time", 0);
				}
				return parser.parse(text, locale);
			};
		}

	}

}
