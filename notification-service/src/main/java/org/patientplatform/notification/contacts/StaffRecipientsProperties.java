package org.patientplatform.notification.contacts;

import java.util.Map;

import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Size;
import org.jspecify.annotations.Nullable;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * Recipients who are not patients ({@link StaffRecipients}).
 *
 * @param staffRecipients by recipient id (never a patient id), e.g. {@code ops-oncall}: the id
 * other services name as {@code patientId} in their notification requests
 */
@ConfigurationProperties("notification")
@Validated
record StaffRecipientsProperties(
		@DefaultValue Map<@NotBlank @Size(max = 100) String, @Valid Recipient> staffRecipients) {

	/**
	 * How to reach one staff recipient.
	 *
	 * @param email the email address
	 * @param phone a phone number (E.164, or national in the contacts' default region); SMS is
	 * opted in only with one
	 * @param language a BCP 47 language tag; English without one
	 * @param timezone an IANA timezone id
	 */
	record Recipient(@NotBlank @Size(max = 254) String email, @Nullable String phone, @Nullable String language,
			@Nullable String timezone) {
	}

}
