package org.patientplatform.patient.records;

import java.time.LocalDate;

import com.fasterxml.jackson.annotation.JsonValue;
import org.jspecify.annotations.Nullable;

/**
 * A birth date as precise as the LIS knows it: a day, a month or only a year (HL7 PID-7 {@code 1975}, {@code 197503};
 * FHIR's {@code birthDate} takes the same three). A year or a month alone was dropped before, as if the LIS had said
 * nothing; it is what an LIS sends for a patient whose day of birth is not known.
 *
 * @param first the first day of the period (the day itself for a {@link Precision#DAY})
 * @param precision how much of it the LIS stated
 */
public record BirthDate(LocalDate first, Precision precision) {

	public BirthDate {
		if ((precision != Precision.DAY && first.getDayOfMonth() != 1)
				|| (precision == Precision.YEAR && first.getMonthValue() != 1)) {
			throw new IllegalArgumentException("A " + precision + " begins on its first day");
		}
	}

	/** A known day of birth. */
	public static BirthDate of(LocalDate day) {
		return new BirthDate(day, Precision.DAY);
	}

	/** The stored date and precision (null: a day, as every birth date was before precision was kept). */
	static @Nullable BirthDate stored(@Nullable LocalDate first, @Nullable String precision) {
		return (first != null) ? new BirthDate(first, (precision != null) ? Precision.valueOf(precision) : Precision.DAY)
				: null;
	}

	/** The precision as stored: null for a day. */
	@Nullable String storedPrecision() {
		return (this.precision != Precision.DAY) ? this.precision.name() : null;
	}

	/** ISO 8601 to its precision, as FHIR writes it: {@code 1975}, {@code 1975-03} or {@code 1975-03-12}. */
	@Override
	@JsonValue
	public String toString() {
		return switch (this.precision) {
			case YEAR -> String.format("%04d", this.first.getYear());
			case MONTH -> String.format("%04d-%02d", this.first.getYear(), this.first.getMonthValue());
			case DAY -> this.first.toString();
		};
	}

	public enum Precision {

		YEAR, MONTH, DAY

	}

}
