package org.patientplatform.notification.contacts;

import java.time.Instant;

import org.jspecify.annotations.Nullable;

/**
 * A patient's preferences as the API shows them.
 *
 * @param contactKnown true once the patient's record (phone, email) has arrived
 * @param pushDevices how many devices can receive push messages
 * @param updatedAt when the preferences or the devices last changed; null while they are the defaults
 */
record PreferencesView(String patientId, ChannelPreferences channels, @Nullable QuietHours quietHours,
		@Nullable String language, @Nullable String timezone, boolean contactKnown, int pushDevices,
		@Nullable Instant updatedAt) {

	static PreferencesView of(Contact contact) {
		return new PreferencesView(contact.patientId(), contact.channels(), contact.quietHours(), contact.language(),
				contact.timezone(), contact.isKnown(), contact.pushTokens().size(),
				latest(contact.preferencesAt(), contact.pushTokensAt()));
	}

	private static @Nullable Instant latest(@Nullable Instant preferencesAt, @Nullable Instant pushTokensAt) {
		if (preferencesAt == null || pushTokensAt == null) {
			return (preferencesAt != null) ? preferencesAt : pushTokensAt;
		}
		return pushTokensAt.isAfter(preferencesAt) ? pushTokensAt : preferencesAt;
	}

}
