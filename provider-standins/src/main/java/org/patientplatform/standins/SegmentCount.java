package org.patientplatform.standins;

/**
 * How many SMS segments Twilio bills a text as: GSM-7 (160 septets alone, 153 per part;
 * extension characters take two) unless a character is outside it, then UCS-2 (70 code
 * units alone, 67 per part).
 */
final class SegmentCount {

	private static final String GSM_BASIC = "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
			+ "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà";

	private static final String GSM_EXTENSION = "\f^{}\\[~]|€";

	private SegmentCount() {
	}

	static int of(String text) {
		int septets = 0;
		for (int i = 0; i < text.length(); i++) {
			char c = text.charAt(i);
			if (GSM_BASIC.indexOf(c) >= 0) {
				septets++;
			}
			else if (GSM_EXTENSION.indexOf(c) >= 0) {
				septets += 2;
			}
			else {
				int units = text.length();
				return (units <= 70) ? 1 : (units + 66) / 67;
			}
		}
		return (septets <= 160) ? 1 : (septets + 152) / 153;
	}

}
