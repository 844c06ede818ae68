package org.patientplatform.standins;

import java.time.Instant;

import org.jspecify.annotations.Nullable;

/**
 * A simulated message from a phone and what the application's webhook did with it.
 *
 * @param sid the message SID
 * @param from the phone it came from
 * @param to the stand-in's number
 * @param body the text
 * @param webhookStatus the HTTP status the inbound webhook answered; -1 when it could not
 * be reached, 0 when no webhook is configured
 * @param reply the text of the TwiML {@code <Message>} replies, or null when none
 * @param optOutChange {@code opted-out} or {@code opted-in} when the text was a Twilio
 * opt-out or opt-in keyword, null otherwise
 * @param at when it arrived
 */
public record InboundSms(String sid, String from, String to, String body, int webhookStatus, @Nullable String reply,
		@Nullable String optOutChange, Instant at) {

	@Override
	public String toString() {
		return "InboundSms[" + this.sid + ", webhook " + this.webhookStatus + "]";
	}

}
