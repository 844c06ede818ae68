package org.patientplatform.notification.channels;

import org.jspecify.annotations.Nullable;

/**
 * What a provider says of a message it accepted, asked by its id ({@link ChannelSender#status}): how the
 * notification service learns a final status whose callback never came.
 */
public sealed interface MessageStatus {

	/**
	 * The provider has the message in this status.
	 *
	 * @param status the provider's own word for it, e.g. Twilio's {@code queued}, {@code sent},
	 * {@code delivered}, {@code undelivered}, {@code failed}, {@code canceled}
	 * @param errorCode the provider's error code of a message that failed or was undelivered
	 * @param errorMessage the provider's description of that error
	 */
	record Known(String status, @Nullable String errorCode, @Nullable String errorMessage) implements MessageStatus {
	}

	/** The provider has no message by that id (Twilio's 404, code 20404). */
	record NotFound() implements MessageStatus {
	}

	/**
	 * The provider could not be asked or gave no usable answer (unreachable, a timeout, 5xx, a body it could not
	 * read), or it has no status lookup at all; {@code reason} says which.
	 */
	record Unavailable(String reason) implements MessageStatus {
	}

}
