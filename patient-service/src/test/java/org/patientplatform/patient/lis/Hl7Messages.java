package org.patientplatform.patient.lis;

import java.nio.charset.StandardCharsets;

/** HL7 v2 ER7 messages as an LIS sends them: segments end in a carriage return. */
final class Hl7Messages {

	private Hl7Messages() {
	}

	/** An ADT^A04 (register) v2.5 with every field this service reads. */
	static String registration(String controlId, String mrn, String family, String given, String sentAt) {
		return String.join("\r",
				"MSH|^~\\&|LABSYS|CITYLAB|PATPLAT|CITYLAB|" + sentAt + "||ADT^A04^ADT_A01|" + controlId
						+ "|P|2.5|||AL|NE||UNICODE UTF-8",
				"EVN|A04|" + sentAt,
				"PID|1||" + mrn + "^^^CITYLAB^MR~998877665^^^NHS^NH||" + family + "^" + given
						+ "^Augusta^^^^L~Byron^Ada^^^^^M||19801210|F|||12 Analytical Row^Flat 3^London^LDN^N1 9GU^GBR^H||"
						+ "^PRN^PH^^44^20^79460123~^NET^Internet^ada@example.org||en|S",
				"PV1|1|O|LAB^^^CITYLAB", "");
	}

	/** An ADT^A08 (update) v2.5 that changes the name and says nothing else but the MRN. */
	static String nameUpdate(String controlId, String mrn, String family, String given, String sentAt) {
		return String.join("\r",
				"MSH|^~\\&|LABSYS|CITYLAB|PATPLAT|CITYLAB|" + sentAt + "||ADT^A08^ADT_A01|" + controlId + "|P|2.5",
				"EVN|A08|" + sentAt, "PID|1||" + mrn + "^^^CITYLAB^MR||" + family + "^" + given, "PV1|1|O", "");
	}

	/** An ORU^R01 result: a type the LIS sends that no feature handles yet. */
	static String result(String controlId, String mrn, String sentAt) {
		return String.join("\r",
				"MSH|^~\\&|LABSYS|CITYLAB|PATPLAT|CITYLAB|" + sentAt + "||ORU^R01^ORU_R01|" + controlId + "|P|2.5",
				"PID|1||" + mrn + "^^^CITYLAB^MR||Lovelace^Ada", "OBR|1|ORD-1|FIL-1|2345-7^Glucose^LN",
				"OBX|1|NM|2345-7^Glucose^LN||5.4|mmol/L|3.9-5.5|N|||F", "");
	}

	static byte[] bytes(String er7) {
		return er7.getBytes(StandardCharsets.UTF_8);
	}

}
