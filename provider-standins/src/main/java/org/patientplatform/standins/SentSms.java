package org.patientplatform.standins;

import java.time.Instant;

import org.jspecify.annotations.Nullable;

/**
 * A message resource of the SMS stand-in as it is now.
 *
 * @param sid the message SID ({@code SM} and 32 hex digits)
 * @param direction {@code outbound-api} (sent through the API), {@code inbound} (a
 * simulated message from a phone) or {@code outbound-reply} (a TwiML reply to one)
 * @param from the sending number
 * @param to the receiving number
 * @param body the text
 * @param numSegments the segments the text takes (GSM-7 or UCS-2)
 * @param status {@code queued}, {@code accepted}, {@code sent}, {@code delivered},
 * {@code undelivered}, {@code failed}, {@code canceled} or {@code received}
 * @param errorCode the error code of an undelivered or failed message
 * @param statusCallback the callback URL given with the message
 * @param dateCreated when the stand-in took it
 * @param dateSent when it was sent, or null while queued
 */
public record SentSms(String sid, String direction, @Nullable String from, String to, String body, int numSegments,
		String status, @Nullable Integer errorCode, @Nullable String statusCallback, Instant dateCreated,
		@Nullable Instant dateSent) {

	@Override
	public String toString() {
		return "SentSms[" + this.sid + ", " + this.direction + ", " + this.status + "]";
	}

}
