package org.patientplatform.standins;

import java.time.Instant;

import org.jspecify.annotations.Nullable;

/**
 * One message of the stand-ins' common listing.
 *
 * @param channel {@code sms}, {@code push}, {@code email} or {@code webhook}
 * @param id the provider's id (SMS SID, FCM message name, Message-ID)
 * @param direction {@code outbound}, {@code inbound} or {@code reply}
 * @param from the sender, when the channel has one
 * @param to the recipient (number, token or addresses)
 * @param subject the email subject or push title
 * @param body the text
 * @param status the provider's status of it
 * @param at when it was taken
 */
public record ListedMessage(String channel, String id, String direction, @Nullable String from, String to,
		@Nullable String subject, @Nullable String body, String status, Instant at) {

}
