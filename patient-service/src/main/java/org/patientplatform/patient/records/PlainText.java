package org.patientplatform.patient.records;

import java.util.regex.Pattern;

/**
 * A patient's text as this service stores, serves and publishes it: one line of characters, without control
 * characters. The LIS reader keeps them out of what it stores (HL7's hexadecimal escapes decode to any, {@code \X0D\},
 * {@code \X00\}, {@code \X1B\}…); the FHIR resources are built through it too, for rows stored before it did, since
 * XML 1.0 cannot hold most of them (HAPI FHIR refused to write such a resource, an error for the client).
 */
public final class PlainText {

	/** Line breaks and tabs: TAB, LF, VT, FF, CR, NEL, and Unicode's line and paragraph separators. */
	private static final String BREAK = "\\t\\n\\u000B\\f\\r\\u0085\\u2028\\u2029";

	/** Line breaks and tabs with the spaces around them: they separate what is on their two sides. */
	private static final Pattern BREAKS = Pattern.compile("[ " + BREAK + "]*[" + BREAK + "][ " + BREAK + "]*");

	/**
	 * What no text keeps: the other C0 and C1 control characters and DEL (PostgreSQL cannot store a NUL, XML 1.0
	 * holds no C0 character but the breaks), a surrogate without its pair (no character), and U+FFFE and U+FFFF.
	 */
	private static final Pattern UNSTORABLE = Pattern.compile("[\\p{Cc}\\p{Cs}\\uFFFE\\uFFFF]");

	private PlainText() {
	}

	/** The text with each line break or tab, and the spaces around it, as one space, and no other control character. */
	public static String of(String text) {
		return UNSTORABLE.matcher(BREAKS.matcher(text).replaceAll(" ")).replaceAll("");
	}

}
