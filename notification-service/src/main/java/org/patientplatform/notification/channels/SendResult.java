package org.patientplatform.notification.channels;

import java.time.Duration;

import org.jspecify.annotations.Nullable;

/** What a provider said to one send. */
public sealed interface SendResult {

	/** The provider took the message under its own id. */
	record Accepted(String providerMessageId) implements SendResult {
	}

	/**
	 * The provider did not take the message and says so (5xx, 429, connection refused
	 * before anything was sent): safe to try again, not before {@code retryAfter} when the
	 * provider gave one.
	 */
	record RetryLater(String reason, @Nullable Duration retryAfter) implements SendResult {
	}

	/**
	 * The provider refused the message for good (4xx other than 429).
	 * @param recipientInvalid the address or token itself is unusable (invalid number,
	 * FCM {@code UNREGISTERED}): the contact should stop using it
	 * @param recipientOptedOut the recipient told the provider to send them nothing more (Twilio 21610: the number
	 * texted STOP, and the provider blocks it): the patient's opt-out, to record as an inbound STOP is
	 */
	record Rejected(String reason, boolean recipientInvalid, boolean recipientOptedOut) implements SendResult {

		/** A refusal that is not the recipient's opt-out. */
		public Rejected(String reason, boolean recipientInvalid) {
			this(reason, recipientInvalid, false);
		}

	}

	/**
	 * The request may have reached the provider but no answer came (read timeout, reset
	 * after the request was written): never resend before {@link ChannelSender#lookup}
	 * says it did not arrive.
	 */
	record Unknown(String reason) implements SendResult {
	}

}
