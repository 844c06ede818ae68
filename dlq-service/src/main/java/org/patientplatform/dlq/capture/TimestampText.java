package org.patientplatform.dlq.capture;

import java.time.Instant;

/**
 * An instant as PostgreSQL reads a {@code timestamptz} from text. {@link Instant#toString()} writes a year past
 * 9999 with a sign ({@code +58904-02-21T…Z}), which PostgreSQL takes for a time zone displacement and refuses
 * (SQL state 22009), although it stores years up to 294276: a failed record whose original timestamp was in
 * microseconds, read as milliseconds, was made raw for it. Without the sign it is stored; a date PostgreSQL
 * cannot store (before the year 1, after 294276) is still refused.
 */
final class TimestampText {

	private TimestampText() {
	}

	static String of(Instant instant) {
		String text = instant.toString();
		return text.startsWith("+") ? text.substring(1) : text;
	}

}
