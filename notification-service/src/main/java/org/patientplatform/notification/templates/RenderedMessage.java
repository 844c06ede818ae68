package org.patientplatform.notification.templates;

import org.jspecify.annotations.Nullable;

/**
 * A template rendered for one channel and language.
 *
 * @param subject the email subject or push title; null for SMS
 * @param text the plain text: the SMS body, the email text part, the push body
 * @param html the email HTML part; null for SMS and push
 * @param language the language actually used (the requested one, or the fallback)
 * @param smsSegments for SMS, how many segments the text takes (GSM-7 or UCS-2); 0 otherwise
 */
public record RenderedMessage(@Nullable String subject, String text, @Nullable String html, String language,
		int smsSegments) {

}
