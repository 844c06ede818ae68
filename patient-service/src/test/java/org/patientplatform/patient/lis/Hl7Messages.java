package org.patientplatform.patient.lis;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

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

	/** An ORU^R01 with one final glucose result (value 5.4) for order ORD-1, released at MSH-7. */
	static String result(String controlId, String mrn, String sentAt) {
		return String.join("\r",
				"MSH|^~\\&|LABSYS|CITYLAB|PATPLAT|CITYLAB|" + sentAt + "||ORU^R01^ORU_R01|" + controlId + "|P|2.5",
				"PID|1||" + mrn + "^^^CITYLAB^MR||Lovelace^Ada", "OBR|1|ORD-1|FIL-1|2345-7^Glucose^LN",
				"OBX|1|NM|2345-7^Glucose^LN||5.4|mmol/L|3.9-5.5|N|||F", "");
	}

	/**
	 * An ORU^R01 v2.5 reporting one order per {@link Obr}, each with an OBX carrying {@code value}, an
	 * NTE with a clinical comment, and the test's name in OBR-4.2.
	 */
	static String labResult(String controlId, String mrn, String sentAt, String value, Obr... orders) {
		StringBuilder er7 = new StringBuilder();
		er7.append("MSH|^~\\&|LABSYS|CITYLAB|PATPLAT|CITYLAB|")
			.append(sentAt)
			.append("||ORU^R01^ORU_R01|")
			.append(controlId)
			.append("|P|2.5\r");
		er7.append("PID|1||").append(mrn).append("^^^CITYLAB^MR||Lovelace^Ada||19801210|F\r");
		int set = 1;
		for (Obr order : orders) {
			er7.append("ORC|RE|").append(order.orderId()).append("|FIL-").append(order.orderId()).append('\r');
			er7.append(obr(set++, order)).append('\r');
			er7.append("OBX|1|NM|").append(order.testCode()).append("^Glucose^LN||").append(value)
				.append("|mmol/L|3.9-5.5|H|||F\r");
			er7.append("NTE|1||Suggests diabetes mellitus\r");
		}
		return er7.toString();
	}

	/**
	 * An OBR of a result.
	 *
	 * @param observedAt OBR-7
	 * @param releasedAt OBR-22
	 * @param status OBR-25
	 */
	record Obr(String orderId, String testCode, String observedAt, String releasedAt, String status) {
	}

	private static String obr(int set, Obr order) {
		String[] fields = new String[26];
		Arrays.fill(fields, "");
		fields[0] = "OBR";
		fields[1] = Integer.toString(set);
		fields[2] = order.orderId();
		fields[3] = "FIL-" + order.orderId();
		fields[4] = order.testCode() + "^Glucose^LN";
		fields[7] = order.observedAt();
		fields[22] = order.releasedAt();
		fields[25] = order.status();
		return String.join("|", fields);
	}

	/** An ORM^O01 v2.5 placing (ORC-1 NW) or cancelling (CA) one order. */
	static String order(String controlId, String mrn, String sentAt, String control, String orderId, String testCode) {
		return String.join("\r",
				"MSH|^~\\&|LABSYS|CITYLAB|PATPLAT|CITYLAB|" + sentAt + "||ORM^O01^ORM_O01|" + controlId + "|P|2.5",
				"PID|1||" + mrn + "^^^CITYLAB^MR||Lovelace^Ada", "PV1|1|O",
				"ORC|" + control + "|" + orderId + "|||||||" + sentAt,
				"OBR|1|" + orderId + "||" + testCode + "^Glucose^LN|||" + sentAt, "");
	}

	/** An ADT^A03 (discharge): an event of the ADT feed that no feature handles, kept. */
	static String discharge(String controlId, String mrn, String sentAt) {
		return String.join("\r",
				"MSH|^~\\&|LABSYS|CITYLAB|PATPLAT|CITYLAB|" + sentAt + "||ADT^A03^ADT_A03|" + controlId + "|P|2.5",
				"EVN|A03|" + sentAt, "PID|1||" + mrn + "^^^CITYLAB^MR||Lovelace^Ada", "PV1|1|O", "");
	}

	/**
	 * An ADT^A24 (link patient information) or ADT^A37 (unlink) v2.5, as a registration system sends it: two PIDs,
	 * each with its visit, the first the patient linked to (or unlinked from) the second; both PIDs carry names that
	 * are not the ones the patients were registered with, so that a message read as demographics would show.
	 */
	static String link(String trigger, String controlId, String mrn, String otherMrn, String sentAt) {
		return String.join("\r",
				"MSH|^~\\&|REGADT|CITYHOSP|PATPLAT|CITYLAB|" + sentAt + "||ADT^" + trigger + "^ADT_" + trigger + "|"
						+ controlId + "|P|2.5",
				"EVN|" + trigger + "|" + sentAt,
				"PID|1||" + mrn + "^^^CITYLAB^MR||Linked^First||19801210|F|||1 Link Lane^^London^^N1 1AA^GBR^H",
				"PV1|1|O|LAB^^^CITYLAB", "PID|2||" + otherMrn + "^^^CITYLAB^MR||Linked^Second||19801210|F",
				"PV1|2|O|LAB^^^CITYLAB", "");
	}

	/** An ADT^A40: the patient of {@code priorMrn} merged into the patient of {@code mrn}. */
	static String merge(String controlId, String mrn, String priorMrn, String sentAt) {
		return String.join("\r",
				"MSH|^~\\&|LABSYS|CITYLAB|PATPLAT|CITYLAB|" + sentAt + "||ADT^A40^ADT_A39|" + controlId + "|P|2.5",
				"EVN|A40|" + sentAt, "PID|1||" + mrn + "^^^CITYLAB^MR||Lovelace^Ada",
				"MRG|" + priorMrn + "^^^CITYLAB^MR", "");
	}

	static byte[] bytes(String er7) {
		return er7.getBytes(StandardCharsets.UTF_8);
	}

}
