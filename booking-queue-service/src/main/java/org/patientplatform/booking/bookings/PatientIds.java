package org.patientplatform.booking.bookings;

import java.util.Locale;
import java.util.regex.Pattern;

import org.jspecify.annotations.Nullable;

/**
 * A patient id as this service keeps it: the patient service's ids are UUIDs, which a client may write in capitals
 * ({@code CB5AB1DA-…}); written so, the same patient held a second place in a slot and could not read the booking
 * with their own token. A UUID is kept in its canonical lower case; any other id as given. Both without the spaces
 * around it (as the notification service reads ids): {@code " P-1"} had been another patient than {@code P-1}, whose
 * token could not read the booking, while the notices about it reached {@code P-1}.
 */
public final class PatientIds {

	private static final Pattern UUID = Pattern
		.compile("[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");

	/**
	 * What a patient id may hold once stripped (a JSON Schema pattern too): no space or control character, which no
	 * id of the patient service has ({@code "a\nb"} had been booked as a patient).
	 */
	public static final String FORM = "[^\\x00-\\x20\\x7F]*";

	/** What a patient id of another form is told. */
	public static final String RULE = "must be a patient id, without spaces or control characters";

	private PatientIds() {
	}

	/** The id in the form this service stores and compares (stripped; a UUID in lower case), null for null. */
	public static @Nullable String canonical(@Nullable String patientId) {
		if (patientId == null) {
			return null;
		}
		String stripped = patientId.strip();
		return UUID.matcher(stripped).matches() ? stripped.toLowerCase(Locale.ROOT) : stripped;
	}

}
