package org.patientplatform.dlq.capture;

/**
 * A stored payload that cannot be decrypted: its key id is not among the configured keys (a key retired
 * from {@code dlq.encryption.keys} too early), or its bytes do not decrypt with that key. The message names
 * the key id, never a byte of the payload.
 */
public class UnreadablePayloadException extends IllegalStateException {

	/** The start of every such message, which a redrive's result carries as the entry's reason. */
	public static final String PREFIX = "the stored payload cannot be decrypted: ";

	UnreadablePayloadException(String why) {
		super(PREFIX + why);
	}

	UnreadablePayloadException(String why, Throwable cause) {
		super(PREFIX + why, cause);
	}

	/** True for a redrive's reason that says the payload could not be decrypted. */
	public static boolean isReason(String reason) {
		return reason.startsWith(PREFIX);
	}

}
