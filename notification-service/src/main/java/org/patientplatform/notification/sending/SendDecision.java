package org.patientplatform.notification.sending;

import java.time.Instant;

import org.patientplatform.notification.channels.OutboundMessage;
import org.patientplatform.notification.delivery.MessageContent;

/** What policy decides for a claimed delivery, with the contact as it is now. */
sealed interface SendDecision {

	/** Send it now: this is the message. */
	record Send(MessageContent content, OutboundMessage message) implements SendDecision {
	}

	/** Not yet: hold it until {@code at} (not-before, quiet hours). */
	record Hold(Instant at, String reason) implements SendDecision {
	}

	/** Never, by policy (opt-out, frequency cap). */
	record Suppress(String reason) implements SendDecision {
	}

	/** It cannot go on this channel (no contact, no address, no template). */
	record Undeliverable(String reason) implements SendDecision {
	}

}
