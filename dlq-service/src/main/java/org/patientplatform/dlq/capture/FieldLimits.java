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

	/**
	 * What a name may hold: anything but a control character (U+0000 to U+001F, U+007F to U+009F), anchored so a
	 * JSON Schema validator, which matches a pattern anywhere in the value, reads it as Java does.
	 */
	public static final String NAME_TEXT = "^[^\\u0000-\\u001F\\u007F-\\u009F]*$";

	/** What a validation error says of a name holding a control character. */
	public static final String NAME_RULE = "must not hold a control character (such as NUL, a tab or a line break)";

	private FieldLimits() {
	}

	/**
	 * Where the name's first control character is ({@link #NAME_TEXT}: {@link Character#isISOControl}), or -1 when it
	 * holds none.
	 * @param name the name
	 * @return the index of its first control character, or -1
	 */
	static int firstControl(String name) {
		for (int i = 0; i < name.length(); i++) {
			if (Character.isISOControl(name.charAt(i))) {
				return i;
			}
		}
		return -1;
	}

}
