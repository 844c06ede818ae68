package org.patientplatform.notification.sending;

import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;

import org.jspecify.annotations.Nullable;
import org.patientplatform.notification.contacts.QuietHours;

/**
 * Quiet hours in the patient's own timezone. {@code start} after {@code end} spans
 * midnight (21:00 to 08:00); equal times mean none. Daylight-saving changes are the zone's
 * own: a window end that falls into a gap moves to the first instant after it, and one in
 * the hour the clocks repeat is its first occurrence.
 */
final class QuietHoursWindow {

	private QuietHoursWindow() {
	}

	/**
	 * When the quiet hours that {@code now} falls into end, or null when {@code now} is
	 * not in quiet hours.
	 */
	static @Nullable Instant endIfQuiet(QuietHours hours, ZoneId zone, Instant now) {
		LocalTime start = hours.start();
		LocalTime end = hours.end();
		if (start.equals(end)) {
			return null;
		}
		ZonedDateTime local = now.atZone(zone);
		LocalTime time = local.toLocalTime();
		LocalDate today = local.toLocalDate();
		if (start.isBefore(end)) {
			// e.g. 12:00-14:00 on the same day
			return (!time.isBefore(start) && time.isBefore(end)) ? future(at(today, end, zone), now) : null;
		}
		// spans midnight, e.g. 21:00-08:00
		if (!time.isBefore(start)) {
			return at(today.plusDays(1), end, zone);
		}
		if (time.isBefore(end)) {
			return future(at(today, end, zone), now);
		}
		return null;
	}

	/**
	 * The end, or null when it has passed: on the day clocks go back, a local time in the repeated hour comes
	 * twice, and the window ended the first time its end came.
	 */
	private static @Nullable Instant future(Instant end, Instant now) {
		return end.isAfter(now) ? end : null;
	}

	private static Instant at(LocalDate date, LocalTime time, ZoneId zone) {
		return ZonedDateTime.of(date, time, zone).toInstant();
	}

}
