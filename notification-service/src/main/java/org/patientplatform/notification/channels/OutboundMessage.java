package org.patientplatform.notification.channels;

import java.util.Map;

import org.jspecify.annotations.Nullable;
import org.patientplatform.notification.delivery.Channel;

/**
 * One message to one recipient on one channel, rendered and ready for a provider.
 *
 * @param deliveryId the delivery it belongs to; providers get it as a reference (SMTP
 * Message-ID, Twilio status callback, FCM data) so receipts and lookups find it
 * @param notificationId the notification the delivery belongs to
 * @param channel the channel
 * @param recipient an E.164 phone number, an email address or a push token
 * @param subject the email subject or push title, when the channel has one
 * @param text the plain text (the SMS body, the email text part, the push body)
 * @param html the email HTML part, when there is one
 * @param data extra key-value pairs for push messages (never PHI)
 */
public record OutboundMessage(String deliveryId, String notificationId, Channel channel, String recipient,
		@Nullable String subject, String text, @Nullable String html, Map<String, String> data) {

	public OutboundMessage {
		data = Map.copyOf(data);
	}

	@Override
	public String toString() {
		// never the recipient or the text: both can identify the patient
		return "OutboundMessage[delivery=" + this.deliveryId + ", channel=" + this.channel + "]";
	}

}
