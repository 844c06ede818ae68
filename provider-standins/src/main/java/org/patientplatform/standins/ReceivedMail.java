package org.patientplatform.standins;

import java.time.Instant;
import java.util.List;

import org.jspecify.annotations.Nullable;

/**
 * A mail GreenMail received.
 *
 * @param messageId the {@code Message-ID} header
 * @param from the {@code From} header
 * @param to the recipients
 * @param subject the subject
 * @param text the {@code text/plain} part, or null
 * @param html the {@code text/html} part, or null
 * @param contentType the top-level content type, e.g. {@code multipart/alternative; ...}
 * @param receivedAt when it was sent (its {@code Date} header) or first seen
 */
public record ReceivedMail(@Nullable String messageId, @Nullable String from, List<String> to,
		@Nullable String subject, @Nullable String text, @Nullable String html, String contentType,
		Instant receivedAt) {

	@Override
	public String toString() {
		return "ReceivedMail[" + this.messageId + "]";
	}

}
