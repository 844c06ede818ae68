package org.patientplatform.notification.channels;

import java.time.Instant;

import org.patientplatform.notification.delivery.Channel;

/**
 * A provider for one channel. Implementations are thread-safe, never throw for a
 * provider's answer (every answer is a {@link SendResult}) and never log the recipient or
 * the text.
 */
public interface ChannelSender {

	Channel channel();

	/** The provider's name, for metrics and rate limits, e.g. {@code twilio}. */
	String provider();

	/** Sends one message; blocks until the provider answers or the call times out. */
	SendResult send(OutboundMessage message);

	/**
	 * Asks the provider whether a message whose send had an unknown outcome arrived, e.g.
	 * after the process died during the call.
	 * @param message the message as it was sent
	 * @param attemptStartedAt when the attempt began (the delivery went to SENDING)
	 */
	LookupResult lookup(OutboundMessage message, Instant attemptStartedAt);

	/**
	 * Asks the provider what became of a message it accepted under {@code providerMessageId}: how a final status
	 * whose callback never came is learnt. Only Twilio has such a lookup; the others answer
	 * {@link MessageStatus.Unavailable}.
	 */
	default MessageStatus status(String providerMessageId) {
		return new MessageStatus.Unavailable(provider() + " has no status lookup");
	}

}
