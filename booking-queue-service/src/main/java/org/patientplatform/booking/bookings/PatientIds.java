package org.patientplatform.booking.bookings;

import java.util.Locale;
import java.util.regex.Pattern;

import org.jspecify.annotations.Nullable;

/**
 * A patient id as this service keeps it: the patient service's ids are UUIDs, which a client may write in capitals
 * ({@code CB5AB1DA-…}); written so, the same patient held a second place in a slot and could not read the booking
 * with their own token. A UUID is kept in its canonical lower case; any other id as given.
 */
public final class PatientIds {

	private static final Pattern UUID = Pattern
		.compile("[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");

	private PatientIds() {
	}

	/** The id in the form this service stores and compares, null for null. */
	public static @Nullable String canonical(@Nullable String patientId) {
		if (patientId == null) {
			return null;
		}
		return UUID.matcher(patientId).matches() ? patientId.toLowerCase(Locale.ROOT) : patientId;
	}

}
