package org.patientplatform.notification.reminders;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;

import org.jspecify.annotations.Nullable;

import org.springframework.scheduling.support.CronExpression;

/**
 * When a rule's reminders fall: at each occurrence of a cron expression (six fields,
 * seconds first) read in the rule's timezone, so "9 am" stays 9 am across daylight
 * saving (and a local time the change repeats or skips fires once, unless the rule runs by
 * the hour: its hour field a wildcard); or every fixed
 * interval from the first run. Nothing after {@code endsAt}.
 */
record ReminderSchedule(@Nullable CronExpression cron, @Nullable Duration every, ZoneId zone,
		@Nullable Instant endsAt) {

	ReminderSchedule {
		if ((cron == null) == (every == null)) {
			throw new IllegalArgumentException("A schedule has either a cron expression or an interval");
		}
		if (every != null && !every.isPositive()) {
			throw new IllegalArgumentException("The interval must be positive");
		}
	}

	static ReminderSchedule of(@Nullable String cron, @Nullable Duration every, String zone, @Nullable Instant endsAt) {
		return new ReminderSchedule((cron != null) ? CronExpression.parse(cron) : null, every, ZoneId.of(zone), endsAt);
	}

	/**
	 * The first run: the first cron occurrence after {@code from}, or {@code from} plus
	 * the interval; or {@code startAt} for an interval rule that names one.
	 */
	@Nullable Instant first(Instant from, @Nullable Instant startAt) {
		if (this.every != null && startAt != null && startAt.isAfter(from)) {
			return bounded(startAt);
		}
		Instant after = (startAt != null && startAt.isAfter(from)) ? startAt.minusNanos(1) : from;
		return next(after);
	}

	/**
	 * The occurrence after {@code occurrence}; null when the schedule has ended. A cron rule
	 * keeps to the wall clock on the days clocks change, as a patient reads "1:30 am": a local
	 * time that occurs twice (clocks go back) fires once, the first time; one that does not
	 * occur (clocks go forward) fires when the clocks have gone forward, shifted by the gap as
	 * {@code java.time} shifts it (2:30 am becomes 3:30 am). Spring's {@code CronExpression}
	 * alone fired the first twice and skipped the second that day. A rule whose hour field is a
	 * wildcard runs by the hour, and fires in both passes of a repeated hour.
	 */
	@Nullable Instant next(Instant occurrence) {
		if (this.every != null) {
			return bounded(occurrence.plus(this.every));
		}
		ZonedDateTime from = occurrence.atZone(this.zone);
		ZonedDateTime next = this.cron.next(from);
		while (next != null && !everyHour(this.cron) && next.toLocalDateTime().equals(from.toLocalDateTime())) {
			// the same wall-clock time again, an hour later: the clocks went back
			next = this.cron.next(next);
		}
		// the next wall-clock occurrence, read on a clock without daylight saving: one in a gap is the one
		// CronExpression passed over
		ZonedDateTime wall = this.cron.next(from.toLocalDateTime().atZone(ZoneOffset.UTC));
		if (wall != null) {
			LocalDateTime local = wall.toLocalDateTime();
			if (this.zone.getRules().getValidOffsets(local).isEmpty()) {
				Instant shifted = ZonedDateTime.ofLocal(local, this.zone, null).toInstant();
				if (shifted.isAfter(occurrence) && (next == null || shifted.isBefore(next.toInstant()))) {
					return bounded(shifted);
				}
			}
		}
		return (next != null) ? bounded(next.toInstant()) : null;
	}

	/**
	 * True when the expression's hour field is a wildcard ({@code *} alone or with a step, or {@code @hourly}): such a
	 * rule runs by the hour, not at a time of day, so it fires in both passes of an hour the clocks repeat, as cron
	 * does for its wildcard jobs; otherwise an hourly rule would leave a two-hour gap that night.
	 */
	private static boolean everyHour(CronExpression cron) {
		String expression = cron.toString().strip();
		if (expression.startsWith("@")) {
			return expression.equalsIgnoreCase("@hourly");
		}
		String[] fields = expression.split("\\s+");
		return fields.length == 6 && fields[2].startsWith("*");
	}

	/**
	 * The shortest gap between the next few occurrences after {@code from}; null when
	 * fewer than two remain.
	 */
	@Nullable Duration shortestGap(Instant from, int occurrences) {
		Duration shortest = null;
		Instant previous = next(from);
		for (int i = 1; i < occurrences && previous != null; i++) {
			Instant following = next(previous);
			if (following == null) {
				break;
			}
			Duration gap = Duration.between(previous, following);
			shortest = (shortest == null || gap.compareTo(shortest) < 0) ? gap : shortest;
			previous = following;
		}
		return shortest;
	}

	private @Nullable Instant bounded(Instant occurrence) {
		return (this.endsAt != null && occurrence.isAfter(this.endsAt)) ? null : occurrence;
	}

}
