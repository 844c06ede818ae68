package org.patientplatform.dlq.capture;

/**
 * How long what a failed record says may be, wherever it arrives: reported over HTTP ({@link FailedMessage}, a 400
 * naming the field), read from {@code dlq.messages.v1} (a raw entry naming the header), or asked for in a search. A
 * topic's name has Kafka's own limit ({@link TopicNames}).
 */
public final class FieldLimits {

	/**
	 * A name: the failing service and role, the consumer group, an exception's class, a fingerprint, a header's name.
	 * Names are indexed (a btree entry must stay well under 2.7 kB) and become metric labels.
	 */
	public static final int NAME = 255;

	/** A text: an error message, a stack trace, a key as text (a longer one is cut to this on capture). */
	public static final int TEXT = 16_384;

	private FieldLimits() {
	}

}
