package org.patientplatform.notification;

import java.util.Locale;
import java.util.regex.Pattern;

import org.jspecify.annotations.Nullable;

/**
 * A patient id as this service stores and compares it. The patient service's ids are UUIDs, which it and the booking
 * service read without regard to case (the booking service lower-cases them); a producer or an identity provider may
 * still write one in upper case. Read as it came, {@code 6F01F444-…} was another patient than the registered
 * {@code 6f01f444-…}: its result notice waited for a contact that never came, and the patient's token was refused
 * their own notifications. Every id this service reads (events, requests, paths, token claims) goes through
 * {@link #canonical}; ids that are not UUIDs (a staff recipient such as {@code ops-oncall}) are kept as they are,
 * stripped.
 */
public final class PatientIds {

	private static final Pattern UUID = Pattern
		.compile("[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");

	/**
	 * What a blank patient id in a path is told ({@code /patients/%20/notifications}): stripped, it named no one,
	 * and staff were answered an empty list, as if a patient had no notifications.
	 */
	public static final String BLANK = "must be a patient id, not blank";

	private PatientIds() {
	}

	/**
	 * The id without the spaces a producer may leave around it (an HL7 field copied with its padding), and in lower
	 * case when it is a UUID.
	 */
	public static String canonical(String id) {
		String stripped = id.strip();
		return UUID.matcher(stripped).matches() ? stripped.toLowerCase(Locale.ROOT) : stripped;
	}

	/** {@link #canonical}, null staying null (an event's validation then names the missing id). */
	public static @Nullable String canonicalOrNull(@Nullable String id) {
		return (id != null) ? canonical(id) : null;
	}

}
