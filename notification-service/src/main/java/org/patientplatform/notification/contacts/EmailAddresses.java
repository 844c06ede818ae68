package org.patientplatform.notification.contacts;

import java.util.regex.Pattern;

import org.jspecify.annotations.Nullable;

/**
 * A plausibility check of email addresses: one {@code @}, a dotted domain, no spaces, at
 * most 254 characters. Whether the mailbox exists only the mail relay can say.
 */
final class EmailAddresses {

	private static final Pattern PLAUSIBLE = Pattern.compile("^[^@\\s]+@[^@\\s.]+(\\.[^@\\s.]+)+$");

	private EmailAddresses() {
	}

	/**
	 * The trimmed address and no problem, or no address and the reason; both null for
	 * none given.
	 */
	static Checked check(@Nullable String raw) {
		if (raw == null || raw.isBlank()) {
			return new Checked(null, null);
		}
		String address = raw.strip();
		if (address.length() > 254 || !PLAUSIBLE.matcher(address).matches()) {
			return new Checked(null, "The email address is not a valid address");
		}
		return new Checked(address, null);
	}

	record Checked(@Nullable String address, @Nullable String problem) {
	}

}
