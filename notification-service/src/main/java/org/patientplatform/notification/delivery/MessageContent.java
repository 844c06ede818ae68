package org.patientplatform.notification.delivery;

import org.jspecify.annotations.Nullable;

/**
 * What a delivery's attempt sends, as rendered when the attempt started: kept so staff can
 * see what went out, and so an attempt whose outcome is unknown is looked up at the
 * provider as it was sent.
 *
 * @param recipient the E.164 phone number, email address or push token it went to
 * @param subject the email subject or push title, when the channel has one
 * @param text the plain text
 */
public record MessageContent(String recipient, @Nullable String subject, String text) {

	@Override
	public String toString() {
		// the recipient and the text identify the patient
		return "MessageContent[redacted]";
	}

}
