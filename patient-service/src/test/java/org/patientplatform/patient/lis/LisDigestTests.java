package org.patientplatform.patient.lis;

import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.List;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class LisDigestTests {

	static final String MESSAGE = "MSH|^~\\&|LABSYS|CITYLAB|PATPLAT|CITYLAB|20250312143015||ADT^A04^ADT_A01|C-1|P|2.5\r"
			+ "PID|1||MRN-1^^^CITYLAB^MR||Lovelace^Ada\r";

	@Test
	void digestsAMessageButItsMsh7() {
		assertThat(digest(MESSAGE)).hasSize(32).isEqualTo(digest(MESSAGE));
		// sent again with a new MSH-7: the same message
		assertThat(digest(MESSAGE.replace("20250312143015", "20260101000000"))).isEqualTo(digest(MESSAGE));
		// anything else differs
		assertThat(digest(MESSAGE.replace("Lovelace", "Hopper"))).isNotEqualTo(digest(MESSAGE));
		assertThat(digest(MESSAGE.replace("|C-1|", "|C-2|"))).isNotEqualTo(digest(MESSAGE));
		// in an MLLP frame, or with other separators, MSH-7 is found the same way
		assertThat(digest("\u000b" + MESSAGE.replace("20250312143015", "2030") + "\u001c\r"))
			.isEqualTo(digest("\u000b" + MESSAGE + "\u001c\r"));
		String hashes = MESSAGE.replace('|', '#');
		assertThat(digest(hashes.replace("20250312143015", "2030"))).isEqualTo(digest(hashes));
	}

	@Test
	void digestsAUtf16MessageButItsMsh7InEitherByteOrder() {
		// read since the reader takes UTF-16 whose MSH-18 says so: its MSH was not found in single bytes, and a message
		// sent again with a new MSH-7 digested as another one
		for (Charset utf16 : List.of(StandardCharsets.UTF_16LE, StandardCharsets.UTF_16BE, StandardCharsets.UTF_16)) {
			assertThat(LisDigest.of(MESSAGE.replace("20250312143015", "20260101000000").getBytes(utf16))).as("%s", utf16)
				.isEqualTo(LisDigest.of(MESSAGE.getBytes(utf16)));
			assertThat(LisDigest.of(MESSAGE.replace("Lovelace", "Hopper").getBytes(utf16))).as("%s", utf16)
				.isNotEqualTo(LisDigest.of(MESSAGE.getBytes(utf16)));
		}
		String shortHeader = "MSH|^~\\&|A|B|C|D|20250312\rPID|1\r";
		assertThat(LisDigest.msh7(shortHeader.getBytes(StandardCharsets.UTF_16LE))).containsExactly(34, 50);
		// with its byte order mark (FE FF) first
		assertThat(LisDigest.msh7(shortHeader.getBytes(StandardCharsets.UTF_16))).containsExactly(36, 52);
	}

	@Test
	void findsMsh7AtTheEndOfItsSegmentOrNotAtAll() {
		String shortHeader = "MSH|^~\\&|A|B|C|D|20250312\rPID|1\r";
		assertThat(LisDigest.msh7(bytes(shortHeader))).containsExactly(17, 25);
		assertThat(digest(shortHeader.replace("20250312", "1999"))).isEqualTo(digest(shortHeader));
		assertThat(LisDigest.msh7(bytes("no header"))).containsExactly(9, 9);
		assertThat(digest("no header")).isNotEqualTo(digest("no header!"));
	}

	private static String digest(String text) {
		return LisDigest.of(bytes(text));
	}

	private static byte[] bytes(String text) {
		return text.getBytes(StandardCharsets.UTF_8);
	}

}
