package org.patientplatform.dlq.capture;

import org.jspecify.annotations.Nullable;

/** Kafka's rule for a topic's name: what a record's coordinates and an operator's target may name. */
public final class TopicNames {

	/**
	 * Letters, digits, {@code .}, {@code _} and {@code -}; 1 to 249 characters, but not {@code .} or {@code ..}
	 * alone (Kafka's {@code Topic.validate}, as {@link #isLegal}).
	 */
	public static final String PATTERN = "(?!\\.{1,2}$)[a-zA-Z0-9._-]{1,249}";

	/** What a validation error says of a name that breaks the rule. */
	public static final String RULE = "must be a Kafka topic name: 1 to 249 letters, digits, '.', '_' or '-', "
			+ "and not '.' or '..'";

	private TopicNames() {
	}

	/**
	 * True when Kafka accepts the name ({@code .} and {@code ..} it refuses too). A loop, not the pattern:
	 * the capture asks it of every record.
	 */
	public static boolean isLegal(@Nullable String name) {
		if (name == null || name.isEmpty() || name.length() > 249 || name.equals(".") || name.equals("..")) {
			return false;
		}
		for (int i = 0; i < name.length(); i++) {
			char c = name.charAt(i);
			if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '_'
					|| c == '-')) {
				return false;
			}
		}
		return true;
	}

}
