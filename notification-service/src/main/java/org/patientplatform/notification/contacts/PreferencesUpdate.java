package org.patientplatform.notification.contacts;

import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * A patient's preferences as set through the API.
 *
 * @param channels opt-in per channel
 * @param quietHours none when null
 * @param language a BCP 47 tag ({@code en}, {@code es-US}); unchanged when null
 * @param timezone an IANA timezone id; unchanged when null
 */
record PreferencesUpdate(@NotNull @Valid ChannelPreferences channels, @Valid @Nullable QuietHours quietHours,
		@Nullable @Pattern(regexp = "^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$",
				message = "must be a BCP 47 language tag such as en or es-US") String language,
		@Nullable @KnownTimeZone String timezone) {
}
