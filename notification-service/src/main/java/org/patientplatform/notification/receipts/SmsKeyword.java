package org.patientplatform.notification.receipts;

import java.util.Locale;
import java.util.Optional;
import java.util.Set;

import org.jspecify.annotations.Nullable;

/**
 * The opt-out and opt-in keywords of automated texts (the carriers' and Twilio's standard
 * set): a message that is exactly one of them, whatever its case and surrounding spaces
 * or final punctuation.
 */
enum SmsKeyword {

	/** STOP, STOPALL, UNSUBSCRIBE, CANCEL, END, QUIT, REVOKE, OPTOUT: no more texts. */
	OPT_OUT,
	/** START, UNSTOP, YES: texts again. */
	OPT_IN;

	private static final Set<String> OPT_OUT_WORDS = Set.of("STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT",
			"REVOKE", "OPTOUT");

	private static final Set<String> OPT_IN_WORDS = Set.of("START", "UNSTOP", "YES");

	static Optional<SmsKeyword> of(@Nullable String body) {
		if (body == null) {
			return Optional.empty();
		}
		String word = body.strip().replaceAll("[.!]+$", "").toUpperCase(Locale.ROOT);
		if (OPT_OUT_WORDS.contains(word)) {
			return Optional.of(OPT_OUT);
		}
		if (OPT_IN_WORDS.contains(word)) {
			return Optional.of(OPT_IN);
		}
		return Optional.empty();
	}

}
