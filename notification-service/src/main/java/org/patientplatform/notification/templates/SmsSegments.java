package org.patientplatform.notification.templates;

/**
 * How many SMS segments a text takes. A text made only of GSM 03.38 characters is sent as
 * GSM-7: 160 septets in one segment, 153 per segment when split, an extension-table
 * character ({@code ^ { } \ [ ~ ] | €} and form feed) taking two septets that are never split
 * apart. Any other character makes the whole text UCS-2: 70 UTF-16 units in one segment, 67
 * per segment when split, a surrogate pair (an emoji) never split apart.
 *
 * @param encoding the encoding the text needs
 * @param units the septets (GSM-7) or UTF-16 units (UCS-2) of the text
 * @param segments how many segments it is sent in (1 for an empty text)
 */
public record SmsSegments(Encoding encoding, int units, int segments) {

	/** An SMS text encoding. */
	public enum Encoding {

		/** The GSM 7-bit default alphabet with its extension table. */
		GSM_7,
		/** UCS-2 (UTF-16 as carriers count it). */
		UCS_2

	}

	private static final String GSM_BASIC = "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
			+ "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà";

	private static final String GSM_EXTENSION = "\f^{}\\[~]|€";

	/** Counts the segments of a text. */
	public static SmsSegments of(String text) {
		return isGsm7(text) ? gsm7(text) : ucs2(text);
	}

	/** True when every character of the text is in the GSM-7 alphabet or its extension. */
	public static boolean isGsm7(String text) {
		for (int i = 0; i < text.length(); i++) {
			char c = text.charAt(i);
			if (GSM_BASIC.indexOf(c) < 0 && GSM_EXTENSION.indexOf(c) < 0) {
				return false;
			}
		}
		return true;
	}

	private static SmsSegments gsm7(String text) {
		int[] sizes = new int[text.length()];
		int units = 0;
		for (int i = 0; i < text.length(); i++) {
			sizes[i] = (GSM_EXTENSION.indexOf(text.charAt(i)) >= 0) ? 2 : 1;
			units += sizes[i];
		}
		return new SmsSegments(Encoding.GSM_7, units, (units <= 160) ? 1 : pack(sizes, 153));
	}

	private static SmsSegments ucs2(String text) {
		int units = text.length();
		if (units <= 70) {
			return new SmsSegments(Encoding.UCS_2, units, 1);
		}
		int[] sizes = text.codePoints().map(Character::charCount).toArray();
		return new SmsSegments(Encoding.UCS_2, units, pack(sizes, 67));
	}

	/** Fills segments of {@code capacity} with items that cannot be split. */
	private static int pack(int[] sizes, int capacity) {
		int segments = 1;
		int used = 0;
		for (int size : sizes) {
			if (used + size > capacity) {
				segments++;
				used = 0;
			}
			used += size;
		}
		return segments;
	}

}
