package org.patientplatform.notification.contacts;

import jakarta.validation.constraints.NotNull;

/**
 * Which channels the patient agreed to be reached on.
 */
public record ChannelPreferences(@NotNull Boolean sms, @NotNull Boolean email, @NotNull Boolean push) {
}
