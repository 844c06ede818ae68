package org.patientplatform.patient.records;

import java.util.Arrays;
import java.util.Locale;

/** Administrative sex, the values of HL7 table 0001. */
public enum Sex {

	FEMALE("F"), MALE("M"), OTHER("O"), UNKNOWN("U"), AMBIGUOUS("A"), NOT_APPLICABLE("N");

	private final String code;

	Sex(String code) {
		this.code = code;
	}

	/** The HL7 table 0001 code. */
	public String code() {
		return this.code;
	}

	/** True when the code is one of HL7 table 0001's (any case, blanks around it ignored). */
	public static boolean isCode(String code) {
		String normalized = code.trim().toUpperCase(Locale.ROOT);
		return Arrays.stream(values()).anyMatch((sex) -> sex.code.equals(normalized));
	}

	/** The sex for an HL7 table 0001 code; a code outside the table is {@link #UNKNOWN}. */
	public static Sex ofCode(String code) {
		String normalized = code.trim().toUpperCase(Locale.ROOT);
		return Arrays.stream(values()).filter((sex) -> sex.code.equals(normalized)).findFirst().orElse(UNKNOWN);
	}

}
