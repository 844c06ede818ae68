package org.patientplatform.patient.lis;

import java.nio.charset.StandardCharsets;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.patientplatform.kit.events.InvalidEventException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

class Hl7BatchTests {

	private static final String FIRST = "MSH|^~\\&|LAB|CITY|PAT|CITY|20250312143015||ADT^A04|B-1|P|2.5\rPID|1||M-1^^^CITY^MR||Doe^Jane";

	private static final String SECOND = "MSH|^~\\&|LAB|CITY|PAT|CITY|20250312143016||ADT^A08|B-2|P|2.5\rPID|1||M-2^^^CITY^MR||Roe^Rick";

	@Test
	void leavesARecordOfOneMessageWhole() {
		assertThat(Hl7Batch.messages(bytes(FIRST + "\r"))).isNull();
		assertThat(Hl7Batch.messages(bytes("\u000b" + FIRST + "\r\u001c\r"))).as("in its MLLP frame").isNull();
		assertThat(Hl7Batch.messages(bytes("not HL7 at all"))).isNull();
		assertThat(Hl7Batch.messages(new byte[0])).isNull();
		assertThat(Hl7Batch.messages(null)).isNull();
		// a segment that merely holds the letters MSH is no message
		assertThat(Hl7Batch.messages(bytes(FIRST + "\rOBX||||MSH||||MSH\r"))).isNull();
	}

	@Test
	void cutsABatchIntoItsMessagesWithoutItsEnvelope() {
		String batch = String.join("\r", "FHS|^~\\&|LAB|CITY", "BHS|^~\\&|LAB|CITY", FIRST, SECOND, "BTS|2", "FTS|1", "");
		assertThat(text(Hl7Batch.messages(bytes(batch)))).containsExactly(FIRST, SECOND);
		// line feeds, or CRLF, as a file written on another system has them
		assertThat(text(Hl7Batch.messages(bytes(batch.replace("\r", "\n"))))).containsExactly(
				FIRST.replace("\r", "\n"), SECOND.replace("\r", "\n"));
		assertThat(text(Hl7Batch.messages(bytes(batch.replace("\r", "\r\n"))))).containsExactly(
				FIRST.replace("\r", "\r\n"), SECOND.replace("\r", "\r\n"));
		// one message in a batch is a batch still
		assertThat(text(Hl7Batch.messages(bytes(String.join("\r", "BHS|^~\\&", FIRST, "BTS|1")))))
			.containsExactly(FIRST);
		// no message: an empty batch, as a LIS sends to say it has nothing
		assertThat(Hl7Batch.messages(bytes("FHS|^~\\&\rBHS|^~\\&\rBTS|0\rFTS|1\r"))).isEmpty();
	}

	@Test
	void cutsMessagesOneAfterAnotherWithoutBatchSegmentsOrEachInItsOwnFrame() {
		assertThat(text(Hl7Batch.messages(bytes(FIRST + "\r" + SECOND + "\r")))).containsExactly(FIRST, SECOND);
		assertThat(text(Hl7Batch.messages(bytes("\u000b" + FIRST + "\r\u001c\r\u000b" + SECOND + "\r\u001c\r"))))
			.containsExactly(FIRST, SECOND);
		// after UTF-8's byte order mark
		assertThat(text(Hl7Batch.messages(bytes("\ufeff" + FIRST + "\r" + SECOND)))).containsExactly(FIRST, SECOND);
	}

	@Test
	void keepsEachMessagesBytesAsTheyWereSoEachIsDecodedInItsOwnCharacterSet() {
		byte[] latin1 = ("MSH|^~\\&|LAB|CITY|PAT|CITY|20250312143015||ADT^A04|B-3|P|2.5|||||||8859/1\rPID|1||M-3||M\u00fcller")
			.getBytes(StandardCharsets.ISO_8859_1);
		byte[] record = concat(bytes("BHS|^~\\&\r"), latin1, bytes("\r" + SECOND + "\rBTS|2\r"));
		List<byte[]> messages = Hl7Batch.messages(record);
		assertThat(messages).hasSize(2);
		assertThat(messages.get(0)).isEqualTo(latin1);
	}

	@Test
	void refusesABatchWhoseTrailerCountsOtherThanItHolds() {
		String cutShort = String.join("\r", "BHS|^~\\&", FIRST, "BTS|3", "");
		assertThatExceptionOfType(InvalidEventException.class).isThrownBy(() -> Hl7Batch.messages(bytes(cutShort)))
			.withMessage("LIS record is an HL7 batch whose trailer (BTS-1) counts 3 messages where the batch holds 1; "
					+ "nothing of it was applied (a batch cut short, or two run together)");
		// each batch of a file is counted on its own; an empty or unreadable count is none (BTS-1 is optional)
		String twoBatches = String.join("\r", "FHS|^~\\&", "BHS|^~\\&", FIRST, "BTS|1", "BHS|^~\\&", SECOND, FIRST,
				"BTS|2|comment", "BHS|^~\\&", SECOND, "BTS||", "BHS|^~\\&", SECOND, "BTS|x", "FTS|4");
		assertThat(Hl7Batch.messages(bytes(twoBatches))).hasSize(5);
		String miscounted = String.join("\r", "BHS|^~\\&", FIRST, "BTS|1", "BHS|^~\\&", SECOND, FIRST, "BTS|1");
		assertThatExceptionOfType(InvalidEventException.class).isThrownBy(() -> Hl7Batch.messages(bytes(miscounted)))
			.withMessageContaining("counts 1 messages where the batch holds 2");
	}

	@Test
	void refusesSegmentsOutsideEveryMessageRatherThanLoseThem() {
		for (String stray : List.of("PID|1||M-0^^^CITY^MR||Poe^Pat\r" + FIRST + "\r" + SECOND,
				String.join("\r", "BHS|^~\\&", FIRST, "BTS|1", "NTE|1||a comment", "BHS|^~\\&", SECOND, "BTS|1"),
				String.join("\r", "FHS|^~\\&", "PID|1||M-0", "BHS|^~\\&", FIRST, "BTS|1", "FTS|1"))) {
			assertThatExceptionOfType(InvalidEventException.class).isThrownBy(() -> Hl7Batch.messages(bytes(stray)))
				.as(stray)
				.withMessage("LIS record holds several HL7 messages and segments outside any of them (before its first "
						+ "MSH, or after a BTS or FTS); nothing of it was applied");
		}
		// blank lines and frames between them are no segments
		assertThat(Hl7Batch.messages(bytes("\r\n" + String.join("\r\n\r\n", "BHS|^~\\&", FIRST, "BTS|1", " ", "")))).hasSize(1);
	}

	private static byte[] bytes(String text) {
		return text.getBytes(StandardCharsets.UTF_8);
	}

	private static List<String> text(List<byte[]> messages) {
		assertThat(messages).isNotNull();
		return messages.stream().map((message) -> new String(message, StandardCharsets.UTF_8)).toList();
	}

	private static byte[] concat(byte[]... parts) {
		int length = 0;
		for (byte[] part : parts) {
			length += part.length;
		}
		byte[] all = new byte[length];
		int at = 0;
		for (byte[] part : parts) {
			System.arraycopy(part, 0, all, at, part.length);
			at += part.length;
		}
		return all;
	}

}
