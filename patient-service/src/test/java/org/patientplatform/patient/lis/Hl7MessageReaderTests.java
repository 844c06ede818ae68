package org.patientplatform.patient.lis;

import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.patientplatform.patient.records.AssigningAuthority;
import org.patientplatform.patient.records.BirthDate;
import org.patientplatform.kit.events.InvalidEventException;
import org.patientplatform.patient.orders.LinkTestOrders;
import org.patientplatform.patient.orders.RecordTestResults;
import org.patientplatform.patient.orders.TestOrderStatus;
import org.patientplatform.patient.records.NameParts;
import org.patientplatform.patient.records.Patient;
import org.patientplatform.patient.records.PatientId;
import org.patientplatform.patient.records.PostalAddress;
import org.patientplatform.patient.records.RecordDemographics;
import org.patientplatform.patient.records.RecordDemographics.Part;
import org.patientplatform.patient.records.Sex;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.InstanceOfAssertFactories.type;
import static org.patientplatform.patient.lis.Hl7Messages.bytes;

class Hl7MessageReaderTests {

	private final Hl7MessageReader reader = new Hl7MessageReader(ZoneId.of("Europe/London"));

	@Test
	void readsRegistrationAsDemographics() {
		LisMessage message = this.reader
			.read(bytes(Hl7Messages.registration("MSG00001", "MRN-100234", "Lovelace", "Ada", "20250312143015+0100")));

		assertThat(message.header()).isEqualTo(new LisMessage.Header("MSG00001", "LABSYS^CITYLAB", "ADT^A04", "2.5",
				Instant.parse("2025-03-12T13:30:15Z")));
		assertThat(message).asInstanceOf(type(LisMessage.Demographics.class))
			.extracting(LisMessage.Demographics::command)
			.isEqualTo(new RecordDemographics("MRN-100234", "Ada", "Lovelace", BirthDate.of(LocalDate.of(1980, 12, 10)), Sex.FEMALE,
					"+44 20 79460123", "ada@example.org",
					new PostalAddress("12 Analytical Row", "Flat 3", "London", "LDN", "N1 9GU", "GBR"), "en",
					EnumSet.allOf(Part.class), Instant.parse("2025-03-12T13:30:15Z"), "MSG00001",
					new NameParts("Augusta", null, null)));
	}

	@Test
	void readsTheNamesMiddleNamesPrefixAndSuffix() {
		// they were dropped: José María was served as José, and Dr. lost
		String er7 = Hl7Messages.nameUpdate("NAME-1", "MRN-1", "Müller", "José^María^III^Dr.^^L", "20250401090000");
		RecordDemographics command = ((LisMessage.Demographics) this.reader.read(bytes(er7))).command();
		assertThat(command.givenName()).isEqualTo("José");
		assertThat(command.familyName()).isEqualTo("Müller");
		assertThat(command.otherNames()).isEqualTo(new NameParts("María", "Dr.", "III"));
		// a name of two parts has none
		assertThat(((LisMessage.Demographics) this.reader
			.read(bytes(Hl7Messages.nameUpdate("NAME-2", "MRN-1", "King", "Ada", "20250401090000")))).command()
			.otherNames()).isNull();
	}

	@Test
	void readsTheNamesComposedWhenTheyArriveDecomposed() {
		// PID-5 in UTF-8 with each accented letter a letter and its combining mark (NFD) was stored as sent, and a
		// search for belanger or b\u00e9langer found nothing
		String er7 = Hl7Messages.nameUpdate("NFD-1", "MRN-1", "Be\u0301langer",
				"Zoe\u0301^Ame\u0301lie^Ai\u0302ne\u0301^Pe\u0300re^^L", "20250401090000");
		RecordDemographics command = ((LisMessage.Demographics) this.reader.read(bytes(er7))).command();
		assertThat(command.familyName()).isEqualTo("B\u00e9langer");
		assertThat(command.givenName()).isEqualTo("Zo\u00e9");
		assertThat(command.otherNames()).isEqualTo(new NameParts("Am\u00e9lie", "P\u00e8re", "A\u00een\u00e9"));
	}

	@Test
	void readsTheMessageInTheCharacterSetItsMsh18NamesAndRefusesBytesNotValidInIt() {
		String er7 = Hl7Messages.registration("L1", "MRN-402", "M\u00fcller", "J\u00fcrgen", "20261205120003");
		// a LIS that sends Latin-1 and says so
		RecordDemographics latin1 = ((LisMessage.Demographics) this.reader
			.read(er7.replace("UNICODE UTF-8", "8859/1").getBytes(StandardCharsets.ISO_8859_1))).command();
		assertThat(latin1.familyName()).isEqualTo("M\u00fcller");
		assertThat(latin1.givenName()).isEqualTo("J\u00fcrgen");
		// kept as text and read again (a result parked until its patient is registered): its MSH-18 named the
		// set of its bytes, not of the text
		assertThat(((LisMessage.Demographics) this.reader.readText(er7.replace("UNICODE UTF-8", "8859/1"))).command()
			.familyName()).isEqualTo("M\u00fcller");
		// UTF-8 labelled 8859/1 (an interface engine that re-encoded the text and kept its label): before, stored as
		// "M\u00c3\u00bcller"
		RecordDemographics mislabelled = ((LisMessage.Demographics) this.reader
			.read(er7.replace("UNICODE UTF-8", "8859/1").getBytes(StandardCharsets.UTF_8))).command();
		assertThat(mislabelled.familyName()).isEqualTo("M\u00fcller");
		assertThat(mislabelled.givenName()).isEqualTo("J\u00fcrgen");
		// and one that does not: before, stored as "M\ufffdller"
		for (String named : List.of("UNICODE UTF-8", "")) {
			assertThatExceptionOfType(InvalidEventException.class).as(named)
				.isThrownBy(() -> this.reader.read(er7.replace("UNICODE UTF-8", named).getBytes(StandardCharsets.ISO_8859_1)))
				.withMessageContaining("not valid")
				.withMessageNotContaining("ller");
		}
		assertThat(((LisMessage.Demographics) this.reader.read(bytes(er7))).command().familyName())
			.isEqualTo("M\u00fcller");
		assertThatExceptionOfType(InvalidEventException.class)
			.isThrownBy(() -> this.reader.read(bytes(er7.replace("UNICODE UTF-8", "EBCDIC"))))
			.withMessage("LIS record names a character set (MSH-18) this service does not read");
	}

	@Test
	void readsTheCharacterSetMsh18NamesInAnyCase() {
		// a feed's utf-8 was dead-lettered as "a character set (MSH-18) this service does not read", though UTF-8 is read
		String er7 = Hl7Messages.registration("CASE-1", "MRN-CASE-1", "M\u00fcller", "J\u00fcrgen", "20250312143015");
		for (String named : List.of("utf-8", "Unicode UTF-8", " unicode utf-8 ", "utf8")) {
			assertThat(((LisMessage.Demographics) this.reader.read(bytes(er7.replace("UNICODE UTF-8", named))))
				.command()
				.familyName()).as(named).isEqualTo("M\u00fcller");
		}
		assertThat(((LisMessage.Demographics) this.reader
			.read(er7.replace("UNICODE UTF-8", "8859/1").getBytes(StandardCharsets.ISO_8859_1))).command()
			.givenName()).isEqualTo("J\u00fcrgen");
		assertThat(((LisMessage.Demographics) this.reader
			.read(er7.replace("UNICODE UTF-8", "unicode utf-16").getBytes(StandardCharsets.UTF_16LE))).command()
			.familyName()).isEqualTo("M\u00fcller");
		// a set it does not read is still refused, named as table 0211 writes it
		assertThatExceptionOfType(InvalidEventException.class)
			.isThrownBy(() -> this.reader.read(bytes(er7.replace("UNICODE UTF-8", "cns 11643-1992"))))
			.withMessage("LIS record names a character set (MSH-18) this service does not read: CNS 11643-1992");
	}

	@Test
	void namesNoValueOfMsh18ThatIsNoCharacterSetOfHl7InARefusal() {
		// a sender whose segments are not separated by CR runs its PID into the MSH: MSH-18 held the patient's name,
		// and the refusal, a dead letter's reason, quoted it ("... does not read: DOE^JOHN^^^^")
		String er7 = Hl7Messages.registration("CS-1", "MRN-CS-1", "Lovelace", "Ada", "20250312143015");
		for (String held : List.of("DOE^JOHN^^^^", "JONES", "94000000000^^^Priority Health", "EBCDIC")) {
			assertThatExceptionOfType(InvalidEventException.class).as(held)
				.isThrownBy(() -> this.reader.read(bytes(er7.replace("UNICODE UTF-8", held))))
				.withMessage("LIS record names a character set (MSH-18) this service does not read");
			// nor when the record is UTF-16, nor as a repetition of an ISO 2022 message's sets
			assertThatExceptionOfType(InvalidEventException.class).as(held)
				.isThrownBy(
						() -> this.reader.read(er7.replace("UNICODE UTF-8", held).getBytes(StandardCharsets.UTF_16LE)))
				.withMessage("LIS record is UTF-16 text (little-endian), not in the character set its MSH-18 names");
			assertThatExceptionOfType(InvalidEventException.class).as(held)
				.isThrownBy(() -> this.reader.read(er7.replace("UNICODE UTF-8", "~ISO IR87~" + held)
					.replace("Lovelace", "\u5C71\u7530")
					.getBytes(Charset.forName("Shift_JIS"))))
				.withMessage("LIS record is not valid in the character set its MSH-18 names");
		}
		// a code of table 0211 it does not read is named: no patient's data
		assertThatExceptionOfType(InvalidEventException.class)
			.isThrownBy(() -> this.reader.read(bytes(er7.replace("UNICODE UTF-8", "CNS 11643-1992"))))
			.withMessage("LIS record names a character set (MSH-18) this service does not read: CNS 11643-1992");
	}

	@Test
	void namesNoValueOfMsh12ThatIsNoVersionIdInARefusal() {
		// segments run together put a name where the version id is: it was quoted when it looked like a token
		String er7 = Hl7Messages.registration("VS-1", "MRN-VS-1", "Lovelace", "Ada", "20250312143015");
		assertThatExceptionOfType(InvalidEventException.class)
			.isThrownBy(() -> this.reader.read(bytes(er7.replace("|P|2.5|", "|P|JONES|"))))
			.withMessage("HL7 message ADT^A04^ADT_A01 (control id VS-1) names a version (MSH-12) that is not an HL7 v2 "
					+ "version");
		assertThatExceptionOfType(InvalidEventException.class)
			.isThrownBy(() -> this.reader.read(bytes(er7.replace("|P|2.5|", "|P|1.7|"))))
			.withMessage("HL7 message ADT^A04^ADT_A01 (control id VS-1) names a version (MSH-12) that is not an HL7 v2 "
					+ "version: 1.7");
	}

	@Test
	void readsTextLabelledIso88591AsWindows1252SoItsQuotesDashesAndEuroAreKept() throws Exception {
		// LIS and interface engines label Windows text 8859/1: its quotes, dashes and euro sign at 0x80-0x9F are C1
		// controls in ISO 8859-1, and were dropped ("O'Brien" with 0x92 was stored "OBrien")
		String er7 = Hl7Messages.registration("W1252-1", "MRN-406", "O\u2019Brien", "Zo\u00eb \u201eZ\u201c", "20261205120003")
			.replace("UNICODE UTF-8", "8859/1")
			.replace("12 Analytical Row", "12 Analytical Row \u2013 \u20ac5");
		RecordDemographics command = ((LisMessage.Demographics) this.reader.read(er7.getBytes("windows-1252")))
			.command();
		assertThat(command.familyName()).isEqualTo("O\u2019Brien");
		assertThat(command.givenName()).isEqualTo("Zo\u00eb \u201eZ\u201c");
		assertThat(command.address().street()).isEqualTo("12 Analytical Row \u2013 \u20ac5");
		// and so is a hexadecimal escape whose bytes are not UTF-8, whatever MSH-18 names (none: UTF-8)
		for (String named : List.of("8859/1", "")) {
			String escaped = Hl7Messages.registration("W1252-2", "MRN-406", "O\\X92\\Brien", "Ada\\X96\\Zo\\XEB\\",
					"20261205120003")
				.replace("UNICODE UTF-8", named);
			RecordDemographics read = ((LisMessage.Demographics) this.reader
				.read(escaped.getBytes(StandardCharsets.ISO_8859_1))).command();
			assertThat(read.familyName()).as(named).isEqualTo("O\u2019Brien");
			assertThat(read.givenName()).as(named).isEqualTo("Ada\u2013Zo\u00eb");
		}
		// a record that names no set is UTF-8, and a Windows byte is not: refused, as it was
		assertThatExceptionOfType(InvalidEventException.class)
			.isThrownBy(() -> this.reader.read(er7.replace("8859/1", "").getBytes("windows-1252")))
			.withMessage("LIS record is not valid UTF-8 (MSH-18 names no character set)");
		// the five bytes windows-1252 leaves undefined are no character in either set, and letters in other Windows code
		// pages (0x8D is windows-1250's T with caron): refused naming the byte, in the record and in an escape
		byte[] tupa = er7.replace("O\u2019Brien", "\u0164upa").getBytes("windows-1250");
		assertThatExceptionOfType(InvalidEventException.class).isThrownBy(() -> this.reader.read(tupa))
			.withMessage("LIS record is not valid in the character set its MSH-18 names (8859/1): byte 0x8D is no "
					+ "character in ISO 8859-1 (a C1 control) nor in windows-1252");
		String escaped = Hl7Messages.nameUpdate("W1252-3", "MRN-406", "\\X8D\\upa", "Ada", "20261205120003");
		assertThatExceptionOfType(InvalidEventException.class).isThrownBy(() -> this.reader.read(bytes(escaped)))
			.withMessage("HL7 message ADT^A08^ADT_A01 (control id W1252-3) has a hexadecimal escape of byte 0x8D, which "
					+ "is not UTF-8 and no character in ISO 8859-1 (a C1 control) nor in windows-1252");
	}

	@Test
	void readsAHexadecimalEscapeInTheCharacterSetItsMsh18Names() throws Exception {
		// before, every escape was read as UTF-8 or windows-1252: in a Cyrillic message \XD2\ (в) was stored as "Ò"
		String cyrillic = Hl7Messages.registration("C5-1", "MRN-407", "\\XB8D2DED2\\", "\\XB0\\\\XDDDDD0\\",
				"20261205120003")
			.replace("UNICODE UTF-8", "8859/5");
		RecordDemographics read = ((LisMessage.Demographics) this.reader
			.read(cyrillic.getBytes(StandardCharsets.ISO_8859_1))).command();
		assertThat(read.familyName()).isEqualTo("\u0418\u0432\u043e\u0432");
		assertThat(read.givenName()).isEqualTo("\u0410\u043d\u043d\u0430");
		// as it reads the same name sent as bytes of that set
		String raw = Hl7Messages.registration("C5-2", "MRN-407", "\u0418\u0432\u043e\u0432", "\u0410\u043d\u043d\u0430",
				"20261205120003")
			.replace("UNICODE UTF-8", "8859/5");
		assertThat(((LisMessage.Demographics) this.reader.read(raw.getBytes("ISO-8859-5"))).command()).extracting(
				RecordDemographics::familyName, RecordDemographics::givenName)
			.containsExactly(read.familyName(), read.givenName());
		// kept as text and read again, the same
		assertThat(((LisMessage.Demographics) this.reader.readText(cyrillic)).command().familyName())
			.isEqualTo("\u0418\u0432\u043e\u0432");
		// a two-byte set: GB 18030's bytes of 张 (D5 C5); half a character is refused, naming the set
		String chinese = Hl7Messages.registration("GB-1", "MRN-408", "\\XD5C5\\", "Wei", "20261205120003")
			.replace("UNICODE UTF-8", "GB 18030-2000");
		assertThat(((LisMessage.Demographics) this.reader.read(chinese.getBytes(StandardCharsets.US_ASCII))).command()
			.familyName()).isEqualTo("\u5f20");
		assertThatExceptionOfType(InvalidEventException.class)
			.isThrownBy(() -> this.reader.read(chinese.replace("\\XD5C5\\", "\\XD5\\").getBytes(StandardCharsets.US_ASCII)))
			.withMessage("HL7 message ADT^A04^ADT_A01 (control id GB-1) has a hexadecimal escape whose bytes are no "
					+ "text in its character set (MSH-18, GB18030)");
	}

	@Test
	void rejectsAUtf16RecordSayingItIsUtf16() {
		String er7 = Hl7Messages.registration("U16", "MRN-404", "M\u00fcller", "J\u00fcrgen", "20261205120003");
		List<byte[]> utf16 = List.of(er7.getBytes(StandardCharsets.UTF_16LE), er7.getBytes(StandardCharsets.UTF_16BE),
				("\ufeff" + er7).getBytes(StandardCharsets.UTF_16LE), er7.getBytes(StandardCharsets.UTF_16),
				("\u000b" + er7 + "\u001c\r").getBytes(StandardCharsets.UTF_16LE),
				// ASCII alone: valid UTF-8, refused for the NUL of each character's other byte
				er7.replace("\u00fc", "ue").getBytes(StandardCharsets.UTF_16LE));
		for (byte[] value : utf16) {
			assertThatExceptionOfType(InvalidEventException.class).isThrownBy(() -> this.reader.read(value))
				.withMessageStartingWith("LIS record is UTF-16 text")
				.withMessageContaining("not in the character set its MSH-18 names (UNICODE UTF-8)")
				.withMessageNotContaining("ller");
		}
		// one that names no character set is read as UTF-8
		assertThatExceptionOfType(InvalidEventException.class)
			.isThrownBy(() -> this.reader.read(er7.replace("UNICODE UTF-8", "").getBytes(StandardCharsets.UTF_16LE)))
			.withMessage("LIS record is UTF-16 text (little-endian), not in the character set its MSH-18 names "
					+ "(none: UTF-8)");
		// and one that names a UTF-16 of no table, a set this service does not read
		assertThatExceptionOfType(InvalidEventException.class)
			.isThrownBy(() -> this.reader
				.read(er7.replace("UNICODE UTF-8", "UNICODE UTF-16LE").getBytes(StandardCharsets.UTF_16BE)))
			.withMessage("LIS record is UTF-16 text (big-endian), in a character set (MSH-18) this service does not "
					+ "read");
	}

	@Test
	void readsAUtf16RecordWhoseMsh18SaysSoInEitherByteOrderWithOrWithoutAByteOrderMark() {
		// table 0211's UNICODE UTF-16: every such message was dead-lettered as in a set this service does not read; its
		// delimiters are two bytes each, but HAPI parses the text, decoded first
		String er7 = Hl7Messages.registration("U16-2", "MRN-407", "M\u00fcller", "J\u00fcrgen \uD83D\uDE00", "20261205120003")
			.replace("UNICODE UTF-8", "UNICODE UTF-16");
		List<byte[]> utf16 = List.of(er7.getBytes(StandardCharsets.UTF_16LE), er7.getBytes(StandardCharsets.UTF_16BE),
				("\ufeff" + er7).getBytes(StandardCharsets.UTF_16LE), er7.getBytes(StandardCharsets.UTF_16),
				("\u000b" + er7 + "\u001c\r").getBytes(StandardCharsets.UTF_16LE),
				er7.replace("UNICODE UTF-16", "UTF-16").getBytes(StandardCharsets.UTF_16BE));
		for (byte[] value : utf16) {
			RecordDemographics command = ((LisMessage.Demographics) this.reader.read(value)).command();
			assertThat(command.mrn()).isEqualTo("MRN-407");
			assertThat(command.familyName()).isEqualTo("M\u00fcller");
			assertThat(command.givenName()).isEqualTo("J\u00fcrgen \uD83D\uDE00");
		}
		// one that says UTF-16 and is not: UTF-8 (or any set of one byte a character) is refused, not read as what it is
		assertThatExceptionOfType(InvalidEventException.class).isThrownBy(() -> this.reader.read(bytes(er7)))
			.withMessage("LIS record is not valid in the character set its MSH-18 names (UNICODE UTF-16): its MSH "
					+ "segment is one byte a character, not UTF-16");
		// and a UTF-16 one with a surrogate without its pair, or an odd last byte, is refused as not valid in it
		byte[] lone = er7.replace("\uD83D\uDE00", "\u00a7").getBytes(StandardCharsets.UTF_16LE);
		int section = new String(lone, StandardCharsets.ISO_8859_1).indexOf("\u00a7\u0000");
		// the high surrogate of U+1F600 alone, before the '^' of the next component
		lone[section] = (byte) 0x3D;
		lone[section + 1] = (byte) 0xD8;
		byte[] odd = Arrays.copyOf(er7.getBytes(StandardCharsets.UTF_16BE), er7.length() * 2 + 1);
		for (byte[] value : List.of(lone, odd)) {
			assertThatExceptionOfType(InvalidEventException.class).isThrownBy(() -> this.reader.read(value))
				.withMessage("LIS record is not valid in the character set its MSH-18 names (UNICODE UTF-16)");
		}
	}

	@Test
	void readsAJapaneseMessageInIso2022WhoseMsh18NamesIsoIr87AndIsoIr159() throws Exception {
		// an SS-MIX2 style ADT^A08, ISO-2022-JP-2 bytes written by glibc's iconv (hl7/iso-2022-jp/README.md); before,
		// its escape sequences' ESC was read as a control character, or MSH-18 ISO IR87 alone as a set not read
		byte[] value;
		try (var in = getClass().getResourceAsStream("/hl7/iso-2022-jp/adt_a08.hl7")) {
			value = in.readAllBytes();
		}

		LisMessage message = this.reader.read(value);

		assertThat(message.header().type()).isEqualTo("ADT^A08");
		RecordDemographics command = ((LisMessage.Demographics) message).command();
		assertThat(command.mrn()).isEqualTo("00012345");
		assertThat(command.familyName()).isEqualTo("\u6FF5\u7530");
		assertThat(command.givenName()).isEqualTo("\u82B1\u5B50");
		assertThat(command.birthDate()).isEqualTo(BirthDate.of(LocalDate.of(1980, 4, 12)));
		assertThat(command.address()).isEqualTo(new PostalAddress("\u767B\u5442\u4E09\u4E01\u76EE\uFF15\u756A", null,
				"\u9759\u5CA1\u5E02", "\u9759\u5CA1\u770C", "422-8033", "JPN"));
		assertThat(command.phone()).isEqualTo("054-000-0000");
		// MSH-18 naming the set alone (no ASCII default before it) reads the same
		String alone = new String(value, StandardCharsets.ISO_8859_1).replace("|~ISO IR87~ISO IR159|", "|ISO IR87|");
		assertThat(((LisMessage.Demographics) this.reader.read(alone.getBytes(StandardCharsets.ISO_8859_1))).command()
			.givenName()).isEqualTo("\u82B1\u5B50");
		// a facility (MSH-4) in kanji whose bytes hold a field separator: 奥 is 0x317C in JIS X 0208, '1' and '|'
		String okushu = new String("\u5965\u5DDE".getBytes("ISO-2022-JP"), StandardCharsets.ISO_8859_1);
		String facility = new String(value, StandardCharsets.ISO_8859_1).replace("|KANAGAWA|", "|" + okushu + "|");
		assertThat(this.reader.read(facility.getBytes(StandardCharsets.ISO_8859_1)).header().sender())
			.isEqualTo("HIS^\u5965\u5DDE");

		// bytes that are not ISO 2022 (Shift_JIS, as some Japanese systems send) are refused, never guessed
		String er7 = Hl7Messages.registration("JP-2", "MRN-405", "\u5C71\u7530", "\u82B1\u5B50", "20261205120003")
			.replace("|UNICODE UTF-8", "|~ISO IR87");
		assertThatExceptionOfType(InvalidEventException.class)
			.isThrownBy(() -> this.reader.read(er7.getBytes("Shift_JIS")))
			.withMessage("LIS record is not valid in the character set its MSH-18 names (~ISO IR87)");
		// MSH-20's scheme is no character set of table 0211: refused naming it
		assertThatExceptionOfType(InvalidEventException.class)
			.isThrownBy(() -> this.reader.read(bytes(er7.replace("|~ISO IR87", "|ISO 2022-1994"))))
			.withMessage("LIS record names a character set (MSH-18) this service does not read");
	}

	@Test
	void readsTheTable0211NamesOfUnicodeAndAsciiThatOlderFeedsSend() {
		// v2.3 and v2.4 feeds name UTF-8 text "UNICODE" (table 0211 until v2.5 split it by encoding form) and ASCII
		// "ISO IR6"; HAPI reads both (HL7Charsets): before, each message of such a feed was dead-lettered
		String er7 = Hl7Messages.registration("CS1", "MRN-403", "M\u00fcller", "J\u00fcrgen", "20261205120003")
			.replace("|P|2.5|", "|P|2.4|");
		RecordDemographics unicode = ((LisMessage.Demographics) this.reader
			.read(bytes(er7.replace("UNICODE UTF-8", "UNICODE")))).command();
		assertThat(unicode.familyName()).isEqualTo("M\u00fcller");
		RecordDemographics ascii = ((LisMessage.Demographics) this.reader
			.read(bytes(er7.replace("UNICODE UTF-8", "ISO IR6").replace("\u00fc", "ue")))).command();
		assertThat(ascii.familyName()).isEqualTo("Mueller");
		// still refused, never replaced, when the bytes are not what it names
		assertThatExceptionOfType(InvalidEventException.class)
			.isThrownBy(() -> this.reader.read(er7.replace("UNICODE UTF-8", "UNICODE").getBytes(StandardCharsets.ISO_8859_1)))
			.withMessageContaining("not valid");
	}

	@Test
	void readsTheAdmissionAndPersonMessagesOfAnAdtFeedAsDemographics() {
		// HL7's widely published ADT^A01 example (v2.5, an identifier typed PI, a non-ASCII character)
		String admission = String.join("\r",
				"MSH|^~\\&|MegaReg|XYZHospC|SuperOE|XYZImgCtr|20060529090131-0500||ADT^A01^ADT_A01|01052901|P|2.5",
				"EVN||200605290901||||200605290900",
				"PID|||56782445^^^UAReg^PI||KLEINSAMPLE^BARRY^Q^JR||19620910|M||2028-9^^HL70005^RA99113^^XYZ|"
						+ "260 GOODWIN CREST DRIVE^^BIRMINGHAM^AL^35209^^M~NICKELL\u2019S PICKLES^10000 W 100TH AVE"
						+ "^BIRMINGHAM^AL^35200^^O|||||||0105I30001^^^99DEF^AN",
				"PV1||I|W^389^1^UABH^^^^3||||12345^MORGAN^REX^J^^^MD^0010^UAMC^L||67890^GRAINGER^LUCY^X^^^MD^0010"
						+ "^UAMC^L|MED|||||A0||13579^POTTER^SHERMAN^T^^^MD^0010^UAMC^L|||||||||||||||||||||||||||"
						+ "200605290900",
				"OBX|1|NM|^Body Height||1.80|m^Meter^ISO+|||||F", "AL1|1||^ASPIRIN",
				"DG1|1||786.50^CHEST PAIN, UNSPECIFIED^I9|||A") + "\r";

		RecordDemographics admitted = ((LisMessage.Demographics) this.reader.read(bytes(admission))).command();

		assertThat(admitted.mrn()).isEqualTo("56782445");
		assertThat(admitted.familyName()).isEqualTo("KLEINSAMPLE");
		assertThat(admitted.givenName()).isEqualTo("BARRY");
		assertThat(admitted.birthDate()).isEqualTo(BirthDate.of(LocalDate.of(1962, 9, 10)));
		assertThat(admitted.sex()).isEqualTo(Sex.MALE);

		// ADT^A28 / A31 (add or update person information) and A05 (pre-admit) use the ADT_A05 structure
		for (String trigger : List.of("A28", "A31", "A05")) {
			String person = "MSH|^~\\&|LIS|LAB|HIS|HOSP|20250401090000||ADT^" + trigger + "^ADT_A05|P-" + trigger
					+ "|P|2.5\rEVN|" + trigger + "|20250401090000\rPID|1||MRN-28^^^LAB^MR||Doe^Jane||19900101|F\r";
			RecordDemographics command = ((LisMessage.Demographics) this.reader.read(bytes(person))).command();
			assertThat(command.mrn()).as(trigger).isEqualTo("MRN-28");
			assertThat(command.familyName()).as(trigger).isEqualTo("Doe");
			assertThat(command.birthDate()).as(trigger).isEqualTo(BirthDate.of(LocalDate.of(1990, 1, 1)));
		}
	}

	@Test
	void readsVersion23UpdateWithLineFeedsAndMllpFrame() {
		String er7 = "\u000bMSH|^~\\&|LIS|LAB|HIS|HOSP|200503121430||ADT^A08|CTRL-23|P|2.3\n"
				+ "EVN|A08|200503121430\n"
				+ "PID|||445566||Doe^John||19700101|M|||1 Main St^^Springfield^IL^62701^USA||(217)555-0100"
				+ "~^NET^Internet^john@example.com\n\u001c\r";

		LisMessage message = this.reader.read(bytes(er7));

		assertThat(message.header().type()).isEqualTo("ADT^A08");
		assertThat(message.header().version()).isEqualTo("2.3");
		assertThat(message.header().sentAt()).isEqualTo(Instant.parse("2005-03-12T14:30:00Z"));
		RecordDemographics command = ((LisMessage.Demographics) message).command();
		assertThat(command.mrn()).isEqualTo("445566");
		assertThat(command.familyName()).isEqualTo("Doe");
		assertThat(command.givenName()).isEqualTo("John");
		assertThat(command.birthDate()).isEqualTo(BirthDate.of(LocalDate.of(1970, 1, 1)));
		assertThat(command.sex()).isEqualTo(Sex.MALE);
		assertThat(command.phone()).isEqualTo("(217)555-0100");
		assertThat(command.email()).isEqualTo("john@example.com");
		assertThat(command.address()).isEqualTo(new PostalAddress("1 Main St", null, "Springfield", "IL", "62701", "USA"));
	}

	@Test
	void takesBothThePhoneAndTheEmailOfOneRepetitionThatHoldsThem() {
		// feeds that fill XTN-4 beside the number of a phone repetition: before, the repetition was taken for the email
		// alone and the patient's phone was dropped (no SMS)
		String er7 = "MSH|^~\\&|LIS|LAB|HIS|HOSP|20250401090000||ADT^A08|MSG-TEL2|P|2.3\r"
				+ "PID|1||MRN-TEL2^^^LAB^MR||Doe^Jane||||||||(217)555-0100^PRN^PH^jane@example.org\r";
		RecordDemographics command = ((LisMessage.Demographics) this.reader.read(bytes(er7))).command();
		assertThat(command.phone()).isEqualTo("(217)555-0100");
		assertThat(command.email()).isEqualTo("jane@example.org");
		// an Internet repetition is the email only, whatever its XTN-1 holds
		RecordDemographics internet = ((LisMessage.Demographics) this.reader
			.read(bytes(er7.replace("(217)555-0100^PRN^PH^", "jane@example.org^NET^Internet^")))).command();
		assertThat(internet.phone()).isNull();
		assertThat(internet.email()).isEqualTo("jane@example.org");
	}

	@Test
	void takesAnEmailSentAsAMailtoUriAsItsAddress() {
		// ^NET^X.400^mailto:mo@example.org was stored as mailto:mo@example.org, no address to send to
		String er7 = "MSH|^~\\&|LIS|LAB|HIS|HOSP|20250401090000||ADT^A08|MSG-MAIL|P|2.5\r"
				+ "PID|1||MRN-MAIL^^^LAB^MR||Doe^Mo||||||||^NET^X.400^mailto:mo@example.org~^PRN^PH^^1^415^5550100\r";
		RecordDemographics command = ((LisMessage.Demographics) this.reader.read(bytes(er7))).command();
		assertThat(command.email()).isEqualTo("mo@example.org");
		assertThat(command.phone()).isEqualTo("+1 415 5550100");
		// in any case, and in XTN-1 as v2.3 senders put it
		for (String telecom : List.of("^NET^Internet^MAILTO:mo@example.org", "MailTo:mo@example.org^NET^Internet")) {
			assertThat(((LisMessage.Demographics) this.reader
				.read(bytes(er7.replace("^NET^X.400^mailto:mo@example.org", telecom)))).command().email()).as(telecom)
				.isEqualTo("mo@example.org");
		}
		// a mailto: with no address is no email
		assertThat(((LisMessage.Demographics) this.reader
			.read(bytes(er7.replace("mailto:mo@example.org", "mailto:")))).command().email()).isNull();
	}

	@Test
	void readsThePhoneAndEmailOfAV27MessageInPid40WhenPid13HasNone() {
		// v2.7 keeps PID-13 for backward compatibility only and gives the patient's telecommunications in PID-40, which
		// HAPI's v2.5 model has no field for: a v2.7 feed's phone and email there were left unread, and the patient
		// was sent nothing
		String pid40 = "|".repeat(27) + "^PRN^CP^^^^^^^^^+14155550177~^NET^Internet^f\\T\\t@example.org";
		String er7 = "MSH|^~\\&#|LIS|LAB|HIS|HOSP|20250401090000||ADT^A08^ADT_A01|MSG-P40|P|2.7\r"
				+ "PID|1||MRN-P40^^^LAB^MR||Doe^Jane||||||||" + pid40 + "\r";
		RecordDemographics command = ((LisMessage.Demographics) this.reader.read(bytes(er7))).command();
		assertThat(command.phone()).isEqualTo("+14155550177");
		assertThat(command.email()).isEqualTo("f&t@example.org");
		assertThat(command.stated()).contains(Part.CONTACT);
		// PID-13, when given, is read as before, and PID-40 beside it is not
		RecordDemographics both = ((LisMessage.Demographics) this.reader
			.read(bytes(er7.replace("Doe^Jane||||||||", "Doe^Jane||||||||^PRN^PH^^1^415^5550100")))).command();
		assertThat(both.phone()).isEqualTo("+1 415 5550100");
		assertThat(both.email()).isNull();
		// neither: the contacts are not stated, and the stored ones stay
		RecordDemographics neither = ((LisMessage.Demographics) this.reader
			.read(bytes(er7.replace(pid40, "")))).command();
		assertThat(neither.stated()).doesNotContain(Part.CONTACT);
		// the HL7 null in PID-40 states that they are gone
		RecordDemographics gone = ((LisMessage.Demographics) this.reader
			.read(bytes(er7.replace(pid40, "|".repeat(27) + "\"\"")))).command();
		assertThat(gone.stated()).contains(Part.CONTACT);
		assertThat(gone.phone()).isNull();
		assertThat(gone.email()).isNull();
	}

	@Test
	void takesTheMobileForThePhoneAndNeverAFaxOrPager() {
		// the phone is the number the patient's messages are texted to: before, the first repetition was taken,
		// here the fax, and the patient's SMS went to the surgery's fax machine
		String er7 = "MSH|^~\\&|LIS|LAB|HIS|HOSP|20250401090000||ADT^A08|MSG-TEL|P|2.5\r"
				+ "PID|1||MRN-TEL^^^LAB^MR||Doe^Jane||||||||^PRN^FX^^1^555^5550000~^PRN^PH^^1^415^5550100"
				+ "~^NET^Internet^jane@example.org~^ORN^CP^^1^415^5550133\r";
		RecordDemographics command = ((LisMessage.Demographics) this.reader.read(bytes(er7))).command();
		assertThat(command.phone()).isEqualTo("+1 415 5550133");
		assertThat(command.email()).isEqualTo("jane@example.org");

		// without a mobile: the first number that is a phone, not the fax, pager or emergency contact before it
		String noMobile = er7.replace("~^ORN^CP^^1^415^5550133", "")
			.replace("^PRN^FX^^1^555^5550000~", "^PRN^FX^^1^555^5550000~^BPN^BP^^1^555^5550001~^EMR^PH^^1^555^5550002~");
		assertThat(((LisMessage.Demographics) this.reader.read(bytes(noMobile))).command().phone())
			.isEqualTo("+1 415 5550100");

		// a fax alone is no phone: the contacts are stated, and the patient has none to text
		String faxOnly = "MSH|^~\\&|LIS|LAB|HIS|HOSP|20250401090000||ADT^A08|MSG-FAX|P|2.5\r"
				+ "PID|1||MRN-TEL^^^LAB^MR||Doe^Jane||||||||^WPN^FX^^1^555^5550000\r";
		RecordDemographics fax = ((LisMessage.Demographics) this.reader.read(bytes(faxOnly))).command();
		assertThat(fax.stated()).contains(Part.CONTACT);
		assertThat(fax.phone()).isNull();
	}

	@Test
	void statesOnlyTheFieldsTheMessageCarries() {
		RecordDemographics command = ((LisMessage.Demographics) this.reader
			.read(bytes(Hl7Messages.nameUpdate("MSG2", "MRN-1", "King", "Ada", "20250401090000")))).command();

		assertThat(command.stated()).containsExactly(Part.NAME);
		assertThat(command.familyName()).isEqualTo("King");
		assertThat(command.birthDate()).isNull();
		assertThat(command.asOf()).isEqualTo(Instant.parse("2025-04-01T08:00:00Z"));
	}

	@Test
	void leavesTheStoredSexAloneForACodeOutsideHl7Table0001() {
		for (String code : List.of("X", "Female", "9")) {
			String er7 = "MSH|^~\\&|LIS|LAB|HIS|HOSP|20250401090000||ADT^A08|MSG4|P|2.5.1\r"
					+ "PID|1||MRN-1^^^LAB^MR||King^Ada||19801210|" + code + "\r";
			RecordDemographics command = ((LisMessage.Demographics) this.reader.read(bytes(er7))).command();
			// before: stated as UNKNOWN, over the sex the record held
			assertThat(command.stated()).as(code).containsExactlyInAnyOrder(Part.NAME, Part.BIRTH_DATE);
			assertThat(command.sex()).as(code).isNull();
		}
		String female = "MSH|^~\\&|LIS|LAB|HIS|HOSP|20250401090000||ADT^A08|MSG5|P|2.5.1\r"
				+ "PID|1||MRN-1^^^LAB^MR||King^Ada||19801210|f\r";
		RecordDemographics command = ((LisMessage.Demographics) this.reader.read(bytes(female))).command();
		assertThat(command.stated()).contains(Part.SEX);
		assertThat(command.sex()).isEqualTo(Sex.FEMALE);
	}

	@Test
	void statesFieldsSentAsHl7NullAsCleared() {
		String er7 = "MSH|^~\\&|LIS|LAB|HIS|HOSP|20250401090000||ADT^A08|MSG3|P|2.5.1\r"
				+ "PID|1||MRN-1^^^LAB^MR||King^Ada||\"\"||||||\"\"\r";

		RecordDemographics command = ((LisMessage.Demographics) this.reader.read(bytes(er7))).command();

		assertThat(command.stated()).containsExactlyInAnyOrder(Part.NAME, Part.BIRTH_DATE, Part.CONTACT);
		assertThat(command.birthDate()).isNull();
		assertThat(command.phone()).isNull();
		assertThat(command.email()).isNull();
	}

	@Test
	void prefersTheIdentifierTypedMedicalRecordNumber() {
		String er7 = "MSH|^~\\&|LIS|LAB|HIS|HOSP|20250401090000||ADT^A04|MSG4|P|2.4\r"
				+ "PID|1||123-45-6789^^^SSA^SS~MRN-77^^^LAB^MR||Doe^Jane\r";

		assertThat(((LisMessage.Demographics) this.reader.read(bytes(er7))).command().mrn()).isEqualTo("MRN-77");
	}

	@Test
	void readsAMergeAsTheSurvivorsDemographicsAndTheMrnMergedIntoThem() {
		String er7 = Hl7Messages.merge("MSG6", "MRN-1", "MRN-0", "20250401090000");

		LisMessage.Merge merge = (LisMessage.Merge) this.reader.read(bytes(er7));

		assertThat(merge.header().type()).isEqualTo("ADT^A40");
		assertThat(merge.merges()).singleElement().satisfies((merged) -> {
			assertThat(merged.priorMrn()).isEqualTo("MRN-0");
			assertThat(merged.survivor().mrn()).isEqualTo("MRN-1");
			assertThat(merged.survivor().familyName()).isEqualTo("Lovelace");
			assertThat(merged.survivor().messageControlId()).isEqualTo("MSG6");
		});
		// two merges in one message (v2.3, a prior MRN typed MR after another identifier), in their order
		String two = "MSH|^~\\&|LIS|LAB|HIS|HOSP|20250401090000||ADT^A40|MSG7|P|2.3\r"
				+ "EVN|A40|20250401090000\rPID|1||MRN-5^^^LAB^MR||Doe^Jane\rMRG|999^^^SSA^SS~MRN-4^^^LAB^MR\r"
				+ "PID|1||MRN-7^^^LAB^MR||Roe^Richard\rMRG|MRN-6\r";
		assertThat(((LisMessage.Merge) this.reader.read(bytes(two))).merges())
			.extracting((merged) -> merged.survivor().mrn() + "<-" + merged.priorMrn())
			.containsExactly("MRN-5<-MRN-4", "MRN-7<-MRN-6");
		// a merge that names no patient to merge is refused, saying so
		assertThatThrownBy(() -> this.reader.read(bytes(er7.replace("MRG|MRN-0^^^CITYLAB^MR\r", ""))))
			.isInstanceOf(InvalidEventException.class)
			.hasMessage("HL7 message ADT^A40 (control id MSG6) has no MRG segment");
		assertThatThrownBy(() -> this.reader.read(bytes(er7.replace("MRG|MRN-0^^^CITYLAB^MR", "MRG|^^^CITYLAB^MR"))))
			.isInstanceOf(InvalidEventException.class)
			.hasMessage("HL7 message ADT^A40 (control id MSG6) has an MRG without a prior patient identifier (MRG-1)");
	}

	@Test
	void refusesAMergeOfAPatientIntoItself() {
		// applied, it merged nothing and was counted as merged ("0 patients merged"), the LIS's mistake unseen
		String self = Hl7Messages.merge("SELF-1", "MRN-1", "MRN-1", "20250401090000");
		assertThatExceptionOfType(InvalidEventException.class).isThrownBy(() -> this.reader.read(bytes(self)))
			.withMessage("HL7 message ADT^A40 (control id SELF-1) merges a patient into itself: its MRG-1 names the "
					+ "patient of its PID-3");
		// with the authority on one side only, or as an identifier typed MR after another one, it is the same MRN
		assertThatExceptionOfType(InvalidEventException.class)
			.isThrownBy(() -> this.reader.read(bytes(self.replace("MRG|MRN-1^^^CITYLAB^MR",
					"MRG|999^^^SSA^SS~MRN-1^^^^MR"))))
			.withMessageContaining("merges a patient into itself");
		// the second pair of a message too, the first one applied with it
		String second = "MSH|^~\\&|LIS|LAB|HIS|HOSP|20250401090000||ADT^A40|SELF-2|P|2.5\r"
				+ "EVN|A40|20250401090000\rPID|1||MRN-5^^^LAB^MR||Doe^Jane\rMRG|MRN-4^^^LAB^MR\r"
				+ "PID|1||MRN-7^^^LAB^MR||Roe^Richard\rMRG|MRN-7\r";
		assertThatExceptionOfType(InvalidEventException.class).isThrownBy(() -> this.reader.read(bytes(second)))
			.withMessageContaining("(control id SELF-2) merges a patient into itself");
		// an MRN merged into another whose MRN differs only in case is another patient's (MRNs match exactly)
		assertThat(((LisMessage.Merge) this.reader
			.read(bytes(Hl7Messages.merge("SELF-3", "MRN-A", "mrn-a", "20250401090000")))).merges()).hasSize(1);
	}

	@Test
	void keepsKnownMessageTypesNoFeatureHandlesYet() {
		String er7 = Hl7Messages.discharge("MSG5", "MRN-1", "20250401090000");

		LisMessage message = this.reader.read(bytes(er7));

		assertThat(message).isEqualTo(new LisMessage.Unhandled(
				new LisMessage.Header("MSG5", "LABSYS^CITYLAB", "ADT^A03", "2.5", Instant.parse("2025-04-01T08:00:00Z")), er7));
	}

	@Test
	void keepsTheAdtEventsOfAFeedThatNoFeatureHandlesInsteadOfDeadLetteringThem() {
		// a real ADT feed sends transfers, discharges, cancellations… all day: legitimate traffic, not errors
		for (String trigger : List.of("A02", "A03", "A11", "A13")) {
			String er7 = Hl7Messages.nameUpdate("MSG-" + trigger, "MRN-1", "Lovelace", "Ada", "20250401090000")
				.replace("ADT^A08^ADT_A01", "ADT^" + trigger + "^ADT_A01");
			assertThat(this.reader.read(bytes(er7))).as(trigger).isInstanceOf(LisMessage.Unhandled.class);
		}
	}

	@Test
	void keepsALinkAndAnUnlinkOfPatientInformationAsTypesNoFeatureHandles() {
		// this service keeps no links between records, so an A37 has nothing to unlink: both are kept as the other
		// ADT events no feature handles, never read as the demographics of either PID nor as a merge
		for (String trigger : List.of("A24", "A37")) {
			String er7 = Hl7Messages.link(trigger, "LINK-" + trigger, "MRN-1", "MRN-2", "20250401090000");
			assertThat(this.reader.read(bytes(er7))).as(trigger)
				.isEqualTo(new LisMessage.Unhandled(new LisMessage.Header("LINK-" + trigger, "REGADT^CITYHOSP",
						"ADT^" + trigger, "2.5", Instant.parse("2025-04-01T08:00:00Z")), er7));
		}
	}

	@Test
	void rejectsATextThatHoldsTwoMessagesInsteadOfLosingTheSecond() {
		// the listener cuts a record of several messages first (Hl7Batch); the reader, given two, never reads the
		// second as a segment of the first
		String two = Hl7Messages.registration("TWO-1", "MRN-702", "Lovelace", "Ada", "20250401090000")
				+ Hl7Messages.registration("TWO-2", "MRN-703", "Hopper", "Grace", "20250401090000");

		assertThatExceptionOfType(InvalidEventException.class).isThrownBy(() -> this.reader.read(bytes(two)))
			.withMessage("LIS record holds 2 HL7 messages ADT^A04^ADT_A01 (control id TWO-1) that the feed could not "
					+ "cut apart (it cuts a text of one byte a character or UTF-8, not UTF-16)")
			.withMessageNotContaining("MRN-70");
	}

	@Test
	void rejectsABatchFileSayingSoAndNamingItsMessage() {
		// a batch file (FHS, BHS, the message, BTS, FTS) given to the reader whole (the listener cuts one first,
		// Hl7Batch, unless it is in UTF-16): before, "not a parseable HL7 v2 message (EncodingNotSupportedException)",
		// which pointed the LIS's team at the encoding
		String batch = String.join("\r", "FHS|^~\\&||ABCHS||AUSDHSV|20070101123401|||abchs20070101123401.hl7|",
				"BHS|^~\\&||ABCHS||AUSDHSV|20070101123401||||abchs20070101123401-1",
				"MSH|^~\\&||ABCHS||AUSDHSV|20070101112951||ADT^A04^ADT_A01|12334456778890|P|2.5|||NE|NE|AU|ASCII",
				"EVN|A04|20060705000000", "PID|1||0000112234^^^100^A||Doe^Jane||19700101|F", "BTS|1", "FTS|1", "");

		assertThatExceptionOfType(InvalidEventException.class).isThrownBy(() -> this.reader.read(bytes(batch)))
			.withMessage("LIS record ADT^A04^ADT_A01 (control id 12334456778890) is an HL7 batch (FHS, BHS "
					+ "segments) that the feed could not cut apart (it cuts a text of one byte a character or UTF-8, "
					+ "not UTF-16)")
			.withMessageNotContaining("0000112234")
			.withNoCause();
	}

	@Test
	void rejectsAControlCharacterWithAClearReasonAndReadsPastAByteOrderMark() {
		String er7 = Hl7Messages.registration("NUL-1", "MRN-1", "Do\u0000e", "John", "20250401090000");

		assertThatExceptionOfType(InvalidEventException.class).isThrownBy(() -> this.reader.read(bytes(er7)))
			.withMessage("LIS record ADT^A04^ADT_A01 (control id NUL-1) holds a control character (U+0000), which "
					+ "HL7 text never carries");
		String withBom = "\ufeff" + Hl7Messages.registration("BOM-1", "MRN-1", "Lovelace", "Ada", "20250401090000");
		assertThat(((LisMessage.Demographics) this.reader.read(bytes(withBom))).command().familyName())
			.isEqualTo("Lovelace");
	}

	@Test
	void decodesHexadecimalEscapesAndDropsHighlightingInNames() {
		String er7 = Hl7Messages.nameUpdate("ESC-1", "MRN-1", "Ren\\XE9\\e", "\\H\\Ren\\N\\\\XC3A9\\", "20250401090000");

		RecordDemographics command = ((LisMessage.Demographics) this.reader.read(bytes(er7))).command();

		assertThat(command.familyName()).isEqualTo("Ren\u00e9e");
		assertThat(command.givenName()).isEqualTo("Ren\u00e9");
		// a formatting escape separates what is on its two sides: a line break in an address is not the words run
		// together ("1 Main StApt 2" was stored)
		assertThat(Hl7MessageReader.unescape("1 Main St\\.br\\Apt 2")).isEqualTo("1 Main St Apt 2");
		assertThat(Hl7MessageReader.unescape("Line one \\.sp2\\ line two\\.br\\")).isEqualTo("Line one line two ");
		assertThat(Hl7MessageReader.unescape("\\H\\Smith\\N\\")).isEqualTo("Smith");
	}

	@Test
	void readsLineBreaksAndTabsOfEscapesAsOneSpaceAndDropsOtherControlCharacters() {
		// \X0D\ \X0A\ \X09\ (and a raw tab, which the record may hold) decoded to CR, LF and TAB, and \X00\ \X1B\
		// \X7F\ and C1 controls to themselves: stored, served (FHIR XML cannot hold most of them) and published
		String er7 = String.join("\r",
				"MSH|^~\\&|LABSYS|CITYLAB|PATPLAT|CITYLAB|20250401090000||ADT^A04^ADT_A01|CTL-1|P|2.5|||AL|NE||8859/1",
				"PID|1||MRN-7^^^CITYLAB^MR||O\\X0D\\\\X0A\\Brien^Mary \\X09\\\tAnn^^^^^L||19801210|F|||"
						+ "1 Main St\\X0D0A\\ \\X0D0A\\Apt 2^Fl\\X00\\oor 3^Lon\\X1B\\do\\XC280\\n^LD\\XC285\\N^N1\\X7F\\ 9GU^GBR^H||"
						+ "+44 20\\X09\\7946 0123^PRN^PH~^NET^Internet^ada\\X00\\@example.org||en\\X0A\\|S",
				"");

		RecordDemographics command = ((LisMessage.Demographics) this.reader
			.read(er7.getBytes(StandardCharsets.ISO_8859_1))).command();

		assertThat(command.familyName()).isEqualTo("O Brien");
		assertThat(command.givenName()).isEqualTo("Mary Ann");
		assertThat(command.address()).isEqualTo(new PostalAddress("1 Main St Apt 2", "Floor 3", "London", "LD N",
				"N1 9GU", "GBR"));
		assertThat(command.phone()).isEqualTo("+44 20 7946 0123");
		assertThat(command.email()).isEqualTo("ada@example.org");
		assertThat(command.language()).isEqualTo("en");
		// what a value of kept text could hold too: a lone surrogate (not a character) goes, a pair stays
		assertThat(Hl7MessageReader.clean("A\uD800B\uDFFF\uFFFE")).isEqualTo("AB");
		assertThat(Hl7MessageReader.clean("Ren\uD83D\uDE00e\u2028Smith")).isEqualTo("Ren\uD83D\uDE00e Smith");
	}

	@Test
	void rejectsAValueOfNothingButControlCharactersNamingItsField() {
		String er7 = Hl7Messages.nameUpdate("CTL-2", "MRN-1", "\\X00\\\\X1B\\", "Ada", "20250401090000");

		assertThatExceptionOfType(InvalidEventException.class).isThrownBy(() -> this.reader.read(bytes(er7)))
			.withMessage("HL7 message ADT^A08 (control id CTL-2) has a value in PID-5 that is nothing but control "
					+ "characters (from escapes such as \\X00\\)");
	}

	@Test
	void rejectsAnIdentifierHoldingAControlCharacterInsteadOfChangingIt() {
		String registration = Hl7Messages.nameUpdate("CTL-3", "MRN\\X0D\\7", "Lovelace", "Ada", "20250401090000");
		assertThatExceptionOfType(InvalidEventException.class).isThrownBy(() -> this.reader.read(bytes(registration)))
			.withMessage("HL7 message ADT^A08 (control id CTL-3) has a patient identifier (PID-3) that holds a control "
					+ "character");

		String result = Hl7Messages.result("CTL-4", "MRN-1", "20250401090000").replace("|ORD-1|", "|ORD\\X09\\1|");
		assertThatExceptionOfType(InvalidEventException.class).isThrownBy(() -> this.reader.read(bytes(result)))
			.withMessage("HL7 message ORU^R01 (control id CTL-4) has an order number (OBR-2, OBR-3) that holds a "
					+ "control character");
		// only the identifier read: a control character in another (the filler number beside a placer number, an NHS
		// number beside the MRN) is not stored
		String other = Hl7Messages.result("CTL-6", "MRN-1", "20250401090000").replace("|FIL-1|", "|FIL\\X0D\\1|")
			.replace("MRN-1^^^CITYLAB^MR", "MRN-1^^^CITYLAB^MR~99\\X09\\8^^^NHS^NH");
		assertThat(((LisMessage.Results) this.reader.read(bytes(other))).command().results())
			.extracting(RecordTestResults.Result::orderId).containsExactly("ORD-1");
		String code = Hl7Messages.result("CTL-5", "MRN-1", "20250401090000").replace("|2345-7^", "|2345\\X00\\-7^");
		assertThatExceptionOfType(InvalidEventException.class).isThrownBy(() -> this.reader.read(bytes(code)))
			.withMessage("HL7 message ORU^R01 (control id CTL-5) has a test code (OBR-4) that holds a control character");
	}

	@Test
	void rejectsAnIdentifierLongerThanTheApiTakesNamingItsField() {
		// a 9,000-character MRN was refused by the database's index, and the dead letter's reason was an SQL statement
		String mrn = "M".repeat(251);
		assertThatExceptionOfType(InvalidEventException.class)
			.isThrownBy(() -> this.reader.read(bytes(Hl7Messages.nameUpdate("LEN-1", mrn, "King", "Ada", "20250401090000"))))
			.withMessage("HL7 message ADT^A08 (control id LEN-1) has a patient identifier (PID-3) longer than 250 "
					+ "characters");
		String order = Hl7Messages.result("LEN-2", "MRN-1", "20250401090000").replace("|ORD-1|", "|" + mrn + "|");
		assertThatExceptionOfType(InvalidEventException.class).isThrownBy(() -> this.reader.read(bytes(order)))
			.withMessage("HL7 message ORU^R01 (control id LEN-2) has an order number (OBR-2, OBR-3) longer than 250 "
					+ "characters");
		assertThat(((LisMessage.Demographics) this.reader
			.read(bytes(Hl7Messages.nameUpdate("LEN-3", "M".repeat(250), "King", "Ada", "20250401090000")))).command()
			.mrn()).hasSize(250);
	}

	@Test
	void rejectsAPartOfTheNameLongerThanTheIndexesTakeNamingIt() {
		// a 9,000-character family name was refused by the name search's index, and the dead letter's reason was an SQL
		// statement cut before the database's own reason
		String long251 = "A".repeat(251);
		assertThatExceptionOfType(InvalidEventException.class)
			.isThrownBy(() -> this.reader.read(bytes(Hl7Messages.nameUpdate("NLEN-1", "MRN-1", long251, "Ada",
					"20250401090000"))))
			.withMessage("HL7 message ADT^A08 (control id NLEN-1) has a family name (PID-5.1) longer than 250 characters");
		assertThatExceptionOfType(InvalidEventException.class)
			.isThrownBy(() -> this.reader.read(bytes(Hl7Messages.nameUpdate("NLEN-2", "MRN-1", "King", long251,
					"20250401090000"))))
			.withMessage("HL7 message ADT^A08 (control id NLEN-2) has a given name (PID-5.2) longer than 250 characters");
		assertThatExceptionOfType(InvalidEventException.class)
			.isThrownBy(() -> this.reader.read(bytes(Hl7Messages.nameUpdate("NLEN-3", "MRN-1", "King", "Ada^" + long251,
					"20250401090000"))))
			.withMessage("HL7 message ADT^A08 (control id NLEN-3) has middle names (PID-5.3) longer than 250 characters");
		RecordDemographics taken = ((LisMessage.Demographics) this.reader.read(bytes(Hl7Messages.nameUpdate("NLEN-4",
				"MRN-1", "A".repeat(250), "B".repeat(250), "20250401090000")))).command();
		assertThat(taken.familyName()).hasSize(250);
		assertThat(taken.givenName()).hasSize(250);
	}

	@Test
	void readsTheOlderMergesA34AndA36AsMerges() {
		// kept as unhandled before: the LIS's merge was never applied
		for (String trigger : List.of("A34^ADT_A30", "A36^ADT_A30", "A34")) {
			String er7 = Hl7Messages.merge("M34-1", "MRN-1", "MRN-2", "20250401090000")
				.replace("ADT^A40^ADT_A39", "ADT^" + trigger)
				.replace("EVN|A40|", "EVN|" + trigger.substring(0, 3) + "|");
			LisMessage message = this.reader.read(bytes(er7));
			assertThat(message).as(trigger).isInstanceOf(LisMessage.Merge.class);
			assertThat(((LisMessage.Merge) message).merges()).as(trigger)
				.extracting((merged) -> merged.survivor().mrn() + " <- " + merged.priorMrn())
				.containsExactly("MRN-1 <- MRN-2");
		}
	}

	@Test
	void readsEachMrnsAssigningAuthorityAndRefusesOneMrnGivenTwo() {
		LisMessage merge = this.reader.read(bytes(Hl7Messages.merge("AA-1", "MRN-1", "MRN-2", "20250401090000")
			.replace("MRN-2^^^CITYLAB^MR", "MRN-2^^^&1.2.3.4&ISO^MR")));
		// the namespace id and the universal id; an MRN given none has none
		assertThat(merge.authorities()).containsExactlyInAnyOrderEntriesOf(Map.of("MRN-1",
				new AssigningAuthority("CITYLAB", null), "MRN-2", new AssigningAuthority(null, "1.2.3.4")));
		assertThat(merge.authorities().get("MRN-2").name()).isEqualTo("1.2.3.4");
		assertThat(this.reader.read(bytes(Hl7Messages.nameUpdate("AA-2", "MRN-3", "King", "Ada", "20250401090000")
			.replace("MRN-3^^^CITYLAB^MR", "MRN-3"))).authorities()).isEmpty();
		// one authority named by its namespace id and universal id, then by its universal id alone, is one
		LisMessage named = this.reader.read(bytes(Hl7Messages.result("AA-4", "MRN-1", "20250401090000")
			.replace("MRN-1^^^CITYLAB^MR", "MRN-1^^^CITYLAB&1.2.3.4&ISO^MR")
			.replace("OBX|1|NM", "PID|2||MRN-1^^^&1.2.3.4&ISO^MR||Lovelace^Ada\rOBR|1|ORD-2|FIL-2|2345-7^Glucose^LN\r"
					+ "OBX|1|NM")));
		assertThat(named.authorities()).containsEntry("MRN-1", new AssigningAuthority("CITYLAB", "1.2.3.4"));
		String twice = Hl7Messages.merge("AA-3", "MRN-1", "MRN-1", "20250401090000")
			.replace("MRG|MRN-1^^^CITYLAB^MR", "MRG|MRN-1^^^OTHERLAB^MR");
		assertThatExceptionOfType(InvalidEventException.class).isThrownBy(() -> this.reader.read(bytes(twice)))
			.withMessage("HL7 message ADT^A40 (control id AA-3) names one patient identifier with two assigning "
					+ "authorities (CX-4)");
	}

	@Test
	void takesAMessageSentInTheFutureAsSentNowSoItCannotFreezeTheRecord() {
		Instant now = Instant.parse("2026-12-05T12:00:00Z");
		Hl7MessageReader reader = new Hl7MessageReader(ZoneOffset.UTC, Clock.fixed(now, ZoneOffset.UTC));

		assertThat(reader.read(bytes(Hl7Messages.nameUpdate("F-1", "MRN-1", "Typo", "Future", "20990101090000")))
			.header()
			.sentAt()).isEqualTo(now);
		// a clock a few minutes fast is the LIS's to keep
		assertThat(reader.read(bytes(Hl7Messages.nameUpdate("F-2", "MRN-1", "King", "Ada", "20261205121000")))
			.header()
			.sentAt()).isEqualTo(Instant.parse("2026-12-05T12:10:00Z"));
	}

	@Test
	void takesAReleaseTimeInTheFutureAsNotStated() {
		Instant now = Instant.parse("2026-12-05T12:00:00Z");
		Hl7MessageReader reader = new Hl7MessageReader(ZoneOffset.UTC, Clock.fixed(now, ZoneOffset.UTC));
		String er7 = Hl7Messages.labResult("REL-1", "MRN-1", "20261205115500", "5.4",
				new Hl7Messages.Obr("ORD-1", "2345-7", "20261205073000", "20991205095500", "F"),
				new Hl7Messages.Obr("ORD-2", "2345-7", "20261205073000", "20261205121000", "F"));

		List<RecordTestResults.Result> results = ((LisMessage.Results) reader.read(bytes(er7))).command().results();
		// before: released in 2099, which the patient's notice carried
		assertThat(results.get(0).releasedAt()).isNull();
		// a clock a few minutes fast is the LIS's to keep
		assertThat(results.get(1).releasedAt()).isEqualTo(Instant.parse("2026-12-05T12:10:00Z"));
	}

	@Test
	void readsResultsAsOrderCodesStatusesAndTimesWithoutAnyResultValue() {
		String er7 = Hl7Messages.labResult("RES1", "MRN-1", "20250401100000", "7.9123",
				new Hl7Messages.Obr("ORD-1", "2345-7", "20250401073000", "20250401095500", "F"),
				new Hl7Messages.Obr("ORD-2", "4548-4", "20250401073000", "", "P"));

		LisMessage message = this.reader.read(bytes(er7));

		assertThat(message.header()).isEqualTo(
				new LisMessage.Header("RES1", "LABSYS^CITYLAB", "ORU^R01", "2.5", Instant.parse("2025-04-01T09:00:00Z")));
		RecordTestResults command = ((LisMessage.Results) message).command();
		assertThat(command).isEqualTo(new RecordTestResults(List.of(
				new RecordTestResults.Result("MRN-1", "ORD-1", "2345-7", TestOrderStatus.RESULTED,
						Instant.parse("2025-04-01T06:30:00Z"), Instant.parse("2025-04-01T08:55:00Z")),
				new RecordTestResults.Result("MRN-1", "ORD-2", "4548-4", TestOrderStatus.IN_PROGRESS,
						Instant.parse("2025-04-01T06:30:00Z"), null)),
				Instant.parse("2025-04-01T09:00:00Z"), "RES1"));
		assertThat(command.toString()).doesNotContain("7.9123").doesNotContain("Glucose").doesNotContain("diabetes");
	}

	@Test
	void readsResultStatusesOfObr25() {
		String er7 = Hl7Messages.labResult("RES2", "MRN-1", "20250401100000", "1",
				new Hl7Messages.Obr("ORD-C", "1", "", "", "C"), new Hl7Messages.Obr("ORD-X", "2", "", "", "X"),
				new Hl7Messages.Obr("ORD-NONE", "3", "", "", ""), new Hl7Messages.Obr("ORD-A", "4", "", "", "A"));

		RecordTestResults command = ((LisMessage.Results) this.reader.read(bytes(er7))).command();

		assertThat(command.results()).extracting(RecordTestResults.Result::status)
			.containsExactly(TestOrderStatus.RESULTED, TestOrderStatus.CANCELLED, TestOrderStatus.RESULTED,
					TestOrderStatus.IN_PROGRESS);
		assertThat(command.results()).extracting(RecordTestResults.Result::performedAt).containsOnlyNulls();
	}

	@Test
	void readsTheFillerOrderNumberOfAVersion23ResultWithoutPlacerNumber() {
		String er7 = "MSH|^~\\&|LIS|LAB|HIS|HOSP|200503121430||ORU^R01|CTRL-R23|P|2.3\n"
				+ "PID|||445566||Doe^John\n" + "OBR|1||F-778|GLU^Glucose^L|||200503120800\n"
				+ "OBX|1|NM|GLU^Glucose^L||6.1|mmol/L||||F\n";

		RecordTestResults command = ((LisMessage.Results) this.reader.read(bytes(er7))).command();

		assertThat(command.results()).containsExactly(new RecordTestResults.Result("445566", "F-778", "GLU",
				TestOrderStatus.RESULTED, Instant.parse("2005-03-12T08:00:00Z"), null));
	}

	@Test
	void readsAResultWhoseObxValueTypeIsMissingOrNotHl7s() {
		// OBX-2 names the type of the result value, which this service never reads: before, HAPI refused the
		// message over it (an OBX-5 without an OBX-2, or a type it does not know) and the final result was
		// dead-lettered as unparseable, never announced
		for (String valueType : List.of("", "nm", "NUM", "TX ", "XYZ")) {
			String er7 = "MSH|^~\\&|LIS|LAB|HIS|HOSP|20250401100000||ORU^R01^ORU_R01|CTRL-OBX|P|2.5.1\r"
					+ "PID|1||MRN-1^^^LAB^MR||Doe^John\r"
					+ "OBR|1|ORD-OBX||2823-3^Potassium^LN|||20250401080000|||||||||||||||20250401095500|||F\r"
					+ "OBX|1|" + valueType + "|2823-3^Potassium^LN||4.1|mmol/L|3.5-5.1|N|||F\r";

			RecordTestResults command = ((LisMessage.Results) this.reader.read(bytes(er7))).command();

			assertThat(command.results()).as("OBX-2 '%s'", valueType)
				.containsExactly(new RecordTestResults.Result("MRN-1", "ORD-OBX", "2823-3", TestOrderStatus.RESULTED,
						Instant.parse("2025-04-01T07:00:00Z"), Instant.parse("2025-04-01T08:55:00Z")));
		}
	}

	@Test
	void readsOrdersPlacedAndCancelled() {
		LisMessage placed = this.reader
			.read(bytes(Hl7Messages.order("ORM1", "MRN-1", "20250401090000", "NW", "ORD-9", "2345-7")));
		LisMessage cancelled = this.reader
			.read(bytes(Hl7Messages.order("ORM2", "MRN-1", "20250401100000", "CA", "ORD-9", "2345-7")));

		assertThat(((LisMessage.Orders) placed).command()).isEqualTo(new LinkTestOrders(
				List.of(new LinkTestOrders.Order("MRN-1", "ORD-9", "2345-7", TestOrderStatus.ORDERED,
						Instant.parse("2025-04-01T08:00:00Z"))),
				Instant.parse("2025-04-01T08:00:00Z"), "ORM1"));
		assertThat(((LisMessage.Orders) cancelled).command().orders()).extracting(LinkTestOrders.Order::status)
			.containsExactly(TestOrderStatus.CANCELLED);
	}

	@Test
	void takesAnOrdersTimeFromMsh7WhenNeitherOrc9NorObr6StatesIt() {
		// an EHR's ORM^O01 as sent (v2.3): the first order states no time of its own (ORC-9 and OBR-6 empty), the
		// second does; the first was stored without one, where the message was sent as it was placed
		String er7 = String.join("\r", "MSH|^~\\&|EPIC|NWHOSP|LIS|CITYLAB|20250401093015-0500||ORM^O01|ORD000123|P|2.3",
				"PID|1||MRN-77^^^NWH^MR||Doe^Jane^Q||19700512|F|||100 Main St^^Springfield^IL^62701||(217)555-0100",
				"PV1|1|O|CLINIC^^^NWH||||1234^Welby^Marcus^^^^MD",
				"ORC|NW|PL-0042^EPIC|||||^^^^^R|||||1234^Welby^Marcus^^^^MD",
				"OBR|1|PL-0042^EPIC||80053^Comprehensive metabolic panel^C4|R|||||||||||1234^Welby^Marcus^^^^MD",
				"DG1|1|I10|E11.9^Type 2 diabetes mellitus without complications^I10",
				"ORC|NW|PL-0043^EPIC|||||^^^^^R||20250401091000-0500|||1234^Welby^Marcus^^^^MD",
				"OBR|2|PL-0043^EPIC||83036^Hemoglobin A1c^C4|R|||||||||||1234^Welby^Marcus^^^^MD", "");

		LinkTestOrders command = ((LisMessage.Orders) this.reader.read(bytes(er7))).command();

		assertThat(command.orders()).containsExactly(
				new LinkTestOrders.Order("MRN-77", "PL-0042", "80053", TestOrderStatus.ORDERED,
						Instant.parse("2025-04-01T14:30:15Z")),
				new LinkTestOrders.Order("MRN-77", "PL-0043", "83036", TestOrderStatus.ORDERED,
						Instant.parse("2025-04-01T14:10:00Z")));
		// OBR-6 still comes before MSH-7
		String requested = er7.replace("80053^Comprehensive metabolic panel^C4|R|", "80053^Comprehensive metabolic panel^C4|R|20250401090500-0500");
		assertThat(((LisMessage.Orders) this.reader.read(bytes(requested))).command().orders().get(0).orderedAt())
			.isEqualTo(Instant.parse("2025-04-01T14:05:00Z"));
		// a cancellation's MSH-7 is when the order was cancelled, not placed: its time stays unstated
		String cancelled = er7.replace("ORC|NW|PL-0042", "ORC|CA|PL-0042");
		assertThat(((LisMessage.Orders) this.reader.read(bytes(cancelled))).command().orders().get(0))
			.satisfies((order) -> {
				assertThat(order.status()).isEqualTo(TestOrderStatus.CANCELLED);
				assertThat(order.orderedAt()).isNull();
			});
		// nor is there a time when MSH-7 gives none
		String unsent = er7.replace("|20250401093015-0500|", "||");
		assertThat(((LisMessage.Orders) this.reader.read(bytes(unsent))).command().orders().get(0).orderedAt())
			.isNull();
	}

	@Test
	void readsLaboratoryOrderOml21() {
		String er7 = "MSH|^~\\&|LIS|LAB|HIS|HOSP|20250401090000||OML^O21^OML_O21|OML1|P|2.5\r"
				+ "PID|1||MRN-5^^^LAB^MR||Doe^Jane\r" + "ORC|NW|PL-9|||||||20250401085500\r" + "TQ1|1\r"
				+ "OBR|1|PL-9||718-7^Hemoglobin^LN|||20250401085000\r";

		LisMessage message = this.reader.read(bytes(er7));

		assertThat(message.header().type()).isEqualTo("OML^O21");
		assertThat(((LisMessage.Orders) message).command().orders()).containsExactly(new LinkTestOrders.Order(
				"MRN-5", "PL-9", "718-7", TestOrderStatus.ORDERED, Instant.parse("2025-04-01T07:55:00Z")));
	}

	@Test
	void rejectsResultWithoutOrderNumberNamingOnlyTypeAndControlId() {
		String er7 = "MSH|^~\\&|LIS|LAB|HIS|HOSP|20250401090000||ORU^R01|RES3|P|2.5\r"
				+ "PID|1||MRN-9^^^LAB^MR||Doe^Jane\r" + "OBR|1|||2345-7^Glucose^LN\r" + "OBX|1|NM|2345-7||5.4\r";

		assertThatExceptionOfType(InvalidEventException.class).isThrownBy(() -> this.reader.read(bytes(er7)))
			.withMessage("HL7 message ORU^R01 (control id RES3) has an OBR without an order number (OBR-2, OBR-3)");
	}

	@Test
	void rejectsResultWithoutTestCode() {
		String er7 = "MSH|^~\\&|LIS|LAB|HIS|HOSP|20250401090000||ORU^R01|RES4|P|2.5\r"
				+ "PID|1||MRN-9^^^LAB^MR||Doe^Jane\r" + "OBR|1|ORD-1||^Glucose\r";

		assertThatExceptionOfType(InvalidEventException.class).isThrownBy(() -> this.reader.read(bytes(er7)))
			.withMessage("HL7 message ORU^R01 (control id RES4) has an OBR without a test code (OBR-4)");
	}

	@Test
	void rejectsResultWithoutPatientOrOrder() {
		String noPatient = "MSH|^~\\&|LIS|LAB|HIS|HOSP|20250401090000||ORU^R01|RES5|P|2.5\r"
				+ "OBR|1|ORD-1||2345-7^Glucose^LN\r";
		String noOrder = "MSH|^~\\&|LIS|LAB|HIS|HOSP|20250401090000||ORU^R01|RES6|P|2.5\r"
				+ "PID|1||MRN-9^^^LAB^MR||Doe^Jane\r";

		assertThatExceptionOfType(InvalidEventException.class).isThrownBy(() -> this.reader.read(bytes(noPatient)))
			.withMessage("HL7 message ORU^R01 (control id RES5) has no PID segment before its OBR");
		assertThatExceptionOfType(InvalidEventException.class).isThrownBy(() -> this.reader.read(bytes(noOrder)))
			.withMessage("HL7 message ORU^R01 (control id RES6) has no OBR segment");
	}

	@Test
	void readsThePrimaryLanguageAsBcp47Tag() {
		assertThat(Hl7MessageReader.languageTag("en")).isEqualTo("en");
		assertThat(Hl7MessageReader.languageTag("ENG")).isEqualTo("en");
		assertThat(Hl7MessageReader.languageTag("spa")).isEqualTo("es");
		assertThat(Hl7MessageReader.languageTag("en_gb")).isEqualTo("en-GB");
		assertThat(Hl7MessageReader.languageTag("English")).isNull();
		assertThat(Hl7MessageReader.languageTag("e")).isNull();
		assertThat(Hl7MessageReader.languageTag("en gb")).isNull();
	}

	@Test
	void readsTheBibliographicIso6392CodesFeedsSendForTheirLanguage() {
		// PID-15 of many feeds is ISO 639-2's bibliographic code (FRE, GER, CHI): before, stored as "fre", which is
		// no BCP 47 tag, so the FHIR Patient's communication.language was invalid and no French message matched
		assertThat(Hl7MessageReader.languageTag("FRE")).isEqualTo("fr");
		assertThat(Hl7MessageReader.languageTag("ger")).isEqualTo("de");
		assertThat(Hl7MessageReader.languageTag("CHI")).isEqualTo("zh");
		assertThat(Hl7MessageReader.languageTag("dut")).isEqualTo("nl");
		assertThat(Hl7MessageReader.languageTag("WEL")).isEqualTo("cy");
		assertThat(Hl7MessageReader.languageTag("fre_CA")).isEqualTo("fr-CA");
		// a 639-2 code with no two-letter one stays as it is, which BCP 47 takes
		assertThat(Hl7MessageReader.languageTag("haw")).isEqualTo("haw");
	}

	@Test
	void leavesTheLanguageAloneWhenItIsNotACode() {
		String er7 = "MSH|^~\\&|LIS|LAB|HIS|HOSP|20250401090000||ADT^A08|MSG11|P|2.5\r"
				+ "PID|1||MRN-9^^^LAB^MR||Doe^Jane||||||||||English\r";

		RecordDemographics command = ((LisMessage.Demographics) this.reader.read(bytes(er7))).command();

		assertThat(command.stated()).containsExactly(Part.NAME);
		assertThat(command.language()).isNull();
	}

	@Test
	void rejectsTextThatIsNotHl7WithoutQuotingIt() {
		assertThatExceptionOfType(InvalidEventException.class)
			.isThrownBy(() -> this.reader.read(bytes("PID|1||MRN-9^^^LAB^MR||Doe^Jane||19900101|F")))
			.withMessageStartingWith("LIS record is not a parseable HL7 v2 message (ca.uhn.hl7v2.")
			.withMessageNotContaining("Doe")
			.withMessageNotContaining("MRN-9")
			.withNoCause();
	}

	@Test
	void rejectsAVersionHapiDoesNotKnowSayingSo() {
		// before: "not a parseable HL7 v2 message ... (ca.uhn.hl7v2.HL7Exception)", for a message whose only fault is
		// how its MSH-12 spells the version
		for (String msh12 : List.of("2.3.0", "2.4 ", "V2.5")) {
			String er7 = "MSH|^~\\&|LIS|LAB|HIS|HOSP|20250401090000||ADT^A08|MSG-VER|P|" + msh12
					+ "\rPID|1||MRN-9^^^LAB^MR||Doe^Jane||19900101|F\r";

			assertThatExceptionOfType(InvalidEventException.class).as("MSH-12 '%s'", msh12)
				.isThrownBy(() -> this.reader.read(bytes(er7)))
				.withMessage("HL7 message ADT^A08 (control id MSG-VER) names a version (MSH-12) that is not an HL7 "
						+ "v2 version: " + msh12.strip())
				.withNoCause();
		}
		// a version with its internationalization components is read
		String international = "MSH|^~\\&|LIS|LAB|HIS|HOSP|20250401090000||ADT^A08|MSG-VER|P|2.4^AUS\r"
				+ "PID|1||MRN-9^^^LAB^MR||Doe^Jane||19900101|F\r";
		assertThat(this.reader.read(bytes(international)).header().version()).isEqualTo("2.4");
	}

	@Test
	void readsTheVersionsPublishedAfterHapisLatestAsItsLatest() {
		// 2.8.2, 2.9 and 2.9.1 keep what 2.8.1 has: they were refused as "not an HL7 v2 version"
		for (String msh12 : List.of("2.8.2", "2.9", "2.9.1^DEU")) {
			String er7 = "MSH|^~\\&|LIS|LAB|HIS|HOSP|20250401090000||ADT^A08^ADT_A01|MSG-V29|P|" + msh12
					+ "\rPID|1||MRN-9^^^LAB^MR||Doe^Jane||19900101|F\r";
			LisMessage message = this.reader.read(bytes(er7));
			assertThat(message.header().version()).as(msh12).isEqualTo(msh12.split("\\^")[0]);
			assertThat(((LisMessage.Demographics) message).command().familyName()).as(msh12).isEqualTo("Doe");
			assertThat(((LisMessage.Demographics) message).command().birthDate()).as(msh12).hasToString("1990-01-01");
		}
		// and a version after those is not one
		String er7 = "MSH|^~\\&|LIS|LAB|HIS|HOSP|20250401090000||ADT^A08|MSG-V3|P|2.10\rPID|1||MRN-9^^^LAB^MR\r";
		assertThatExceptionOfType(InvalidEventException.class).isThrownBy(() -> this.reader.read(bytes(er7)))
			.withMessage("HL7 message ADT^A08 (control id MSG-V3) names a version (MSH-12) that is not an HL7 v2 "
					+ "version: 2.10");
	}

	@Test
	void rejectsBrokenMessageNamingOnlyItsTypeAndControlId() {
		String er7 = "MSH|^~\\&|LIS|LAB|HIS|HOSP|20250401090000||ADT^A04|MSG6|P|9.9\rPID|1||MRN-9||Doe^Jane\r";

		assertThatExceptionOfType(InvalidEventException.class).isThrownBy(() -> this.reader.read(bytes(er7)))
			.withMessageContaining("ADT^A04")
			.withMessageContaining("MSG6")
			.withMessageNotContaining("Doe")
			.withMessageNotContaining("MRN-9")
			.withNoCause();
	}

	@Test
	void rejectsMessageWithoutVersionSayingSo() {
		// before: "not a parseable HL7 v2 message ... (ca.uhn.hl7v2.HL7Exception)", which told the LIS's team nothing
		for (String msh12 : List.of("", "  ", "\"\"")) {
			String er7 = "MSH|^~\\&|LIS|LAB|HIS|HOSP|20250401090000||ADT^A04^ADT_A01|MSG-NOVER|P|" + msh12
					+ "\rPID|1||MRN-9^^^LAB^MR||Doe^Jane||19900101|F\r";

			assertThatExceptionOfType(InvalidEventException.class).as("MSH-12 '%s'", msh12)
				.isThrownBy(() -> this.reader.read(bytes(er7)))
				.withMessage("HL7 message ADT^A04^ADT_A01 (control id MSG-NOVER) has no version id (MSH-12)")
				.withNoCause();
		}
	}

	@Test
	void rejectsUnsupportedMessageTypeNamingOnlyTypeAndControlId() {
		String er7 = "MSH|^~\\&|LIS|LAB|HIS|HOSP|20250401090000||SIU^S12|MSG7|P|2.5\rPID|1||MRN-9||Doe^Jane\r";

		assertThatExceptionOfType(InvalidEventException.class).isThrownBy(() -> this.reader.read(bytes(er7)))
			.withMessage("Unsupported HL7 message type SIU^S12 (control id MSG7)");
	}

	@Test
	void rejectsMessageWithoutPatientIdentifier() {
		String er7 = "MSH|^~\\&|LIS|LAB|HIS|HOSP|20250401090000||ADT^A04|MSG8|P|2.5\rPID|1||||Doe^Jane\r";

		assertThatExceptionOfType(InvalidEventException.class).isThrownBy(() -> this.reader.read(bytes(er7)))
			.withMessage("HL7 message ADT^A04 (control id MSG8) has no patient identifier (PID-3)");
	}

	@Test
	void rejectsMessageWithoutControlId() {
		String er7 = "MSH|^~\\&|LIS|LAB|HIS|HOSP|20250401090000||ADT^A04||P|2.5\rPID|1||MRN-9||Doe^Jane\r";

		assertThatExceptionOfType(InvalidEventException.class).isThrownBy(() -> this.reader.read(bytes(er7)))
			.withMessage("HL7 message ADT^A04 has no message control id (MSH-10)");
	}

	@Test
	void takesAnyPrintableControlIdOfUpTo199CharactersAsHl7sStTypeHasIt() {
		// MSH-10 is ST, any printable text (v2.5: 199 characters): these were dead-lettered as "not 1 to 64 letters,
		// digits or . _ -"
		String longest = "L".repeat(198) + "\u00c9";
		for (String controlId : List.of("LAB:2026:0001", "MSG 0002", "A04#0003", "Z/1?x=%41;y", "N\u00ba-\u00e9", longest)) {
			LisMessage message = this.reader
				.read(bytes(Hl7Messages.nameUpdate(controlId, "MRN-1", "King", "Ada", "20250401090000")));
			assertThat(message.header().controlId()).isEqualTo(controlId);
			assertThat(((LisMessage.Demographics) message).command().messageControlId()).isEqualTo(controlId);
		}
		// HL7's escapes are read, and the spaces around it are not its
		assertThat(this.reader
			.read(bytes(Hl7Messages.nameUpdate(" A\\F\\B\\S\\C ", "MRN-1", "King", "Ada", "20250401090000")))
			.header()
			.controlId()).isEqualTo("A|B^C");
	}

	@Test
	void refusesAControlIdLongerThan199CharactersOrHoldingAControlCharacterStatingTheRule() {
		String rule = "HL7 message ADT^A08 has a message control id (MSH-10) that is not 1 to 199 printable characters: ";
		assertThatExceptionOfType(InvalidEventException.class)
			.isThrownBy(() -> this.reader
				.read(bytes(Hl7Messages.nameUpdate("L".repeat(200), "MRN-1", "King", "Ada", "20250401090000"))))
			.withMessage(rule + "it is 200 characters long");
		// a line break would forge a log line; a bidirectional override would show it as another text
		for (String controlId : List.of("A\\X0A\\B", "A\\X09\\B", "A\\X1B\\B", "A\tB", "A\u202eB", "A\u2028B", "A\u0085B")) {
			assertThatExceptionOfType(InvalidEventException.class)
				.isThrownBy(() -> this.reader
					.read(bytes(Hl7Messages.nameUpdate(controlId, "MRN-1", "King", "Ada", "20250401090000"))))
				.as(controlId)
				.withMessage(rule + "it holds a control or format character");
		}
	}

	@Test
	void rejectsImpossibleBirthDateWithoutQuotingIt() {
		String er7 = "MSH|^~\\&|LIS|LAB|HIS|HOSP|20250401090000||ADT^A04|MSG9|P|2.5\r"
				+ "PID|1||MRN-9^^^LAB^MR||Doe^Jane||19801332\r";

		assertThatExceptionOfType(InvalidEventException.class).isThrownBy(() -> this.reader.read(bytes(er7)))
			.withMessage("HL7 message ADT^A04 (control id MSG9) has a birth date (PID-7) that is not a date");
	}

	@Test
	void rejectsABirthDateAfterTheDayTheMessageWasSentAsOneThatIsNoDate() {
		// 20990505 was accepted and served: a patient not born yet
		String er7 = "MSH|^~\\&|LIS|LAB|HIS|HOSP|20250401090000||ADT^A04|MSG11|P|2.5\r"
				+ "PID|1||MRN-9^^^LAB^MR||Doe^Jane||20990505\r";
		assertThatExceptionOfType(InvalidEventException.class).isThrownBy(() -> this.reader.read(bytes(er7)))
			.withMessage("HL7 message ADT^A04 (control id MSG11) has a birth date (PID-7) after the day it was sent "
					+ "(MSH-7)");
		// its time is MSH-7's, not the reader's: a day, a month or a year after it is refused; a newborn's day, or the
		// next (the sender's day east of UTC), is not
		for (String later : List.of("20250403", "202505", "2026")) {
			assertThatExceptionOfType(InvalidEventException.class).as(later)
				.isThrownBy(() -> this.reader.read(bytes(er7.replace("20990505", later))))
				.withMessageContaining("(PID-7) after the day it was sent");
		}
		for (String day : List.of("20250401", "20250402", "202504", "2025")) {
			assertThat(((LisMessage.Demographics) this.reader.read(bytes(er7.replace("20990505", day)))).command()
				.birthDate()).as(day).isNotNull();
		}
		// without an MSH-7, the time it is read
		Hl7MessageReader reader = new Hl7MessageReader(ZoneId.of("UTC"),
				Clock.fixed(Instant.parse("2025-04-01T09:00:00Z"), ZoneOffset.UTC));
		String unsent = er7.replace("|20250401090000|", "||");
		assertThatExceptionOfType(InvalidEventException.class)
			.isThrownBy(() -> reader.read(bytes(unsent.replace("20990505", "20250403"))))
			.withMessage("HL7 message ADT^A04 (control id MSG11) has a birth date (PID-7) in the future (it states no "
					+ "time sent, MSH-7)");
		assertThat(((LisMessage.Demographics) reader.read(bytes(unsent.replace("20990505", "20250402")))).command()
			.birthDate()).isEqualTo(BirthDate.of(LocalDate.of(2025, 4, 2)));
	}

	@Test
	void keepsABirthDateOfAYearOrAMonthAloneToItsPrecision() {
		// before: dropped, as if the LIS had said nothing (FHIR's birthDate takes a year or a month too)
		String er7 = "MSH|^~\\&|LIS|LAB|HIS|HOSP|20250401090000||ADT^A08|MSG10|P|2.5\r"
				+ "PID|1||MRN-9^^^LAB^MR||Doe^Jane||1980\r";
		RecordDemographics year = ((LisMessage.Demographics) this.reader.read(bytes(er7))).command();
		assertThat(year.stated()).containsExactlyInAnyOrder(Part.NAME, Part.BIRTH_DATE);
		assertThat(year.birthDate()).isEqualTo(new BirthDate(LocalDate.of(1980, 1, 1), BirthDate.Precision.YEAR));
		assertThat(year.birthDate()).hasToString("1980");

		RecordDemographics month = ((LisMessage.Demographics) this.reader.read(bytes(er7.replace("||1980\r",
				"||198002\r")))).command();
		assertThat(month.birthDate()).isEqualTo(new BirthDate(LocalDate.of(1980, 2, 1), BirthDate.Precision.MONTH));
		assertThat(month.birthDate()).hasToString("1980-02");
		// a time of birth is more than a birth date holds: the day
		assertThat(((LisMessage.Demographics) this.reader.read(bytes(er7.replace("||1980\r", "||198002290815\r"))))
			.command()
			.birthDate()).hasToString("1980-02-29");
		assertThatExceptionOfType(InvalidEventException.class)
			.isThrownBy(() -> this.reader.read(bytes(er7.replace("||1980\r", "||198013\r"))))
			.withMessage("HL7 message ADT^A08 (control id MSG10) has a birth date (PID-7) that is not a date");
	}

	@Test
	void rejectsRecordWithoutValue() {
		assertThatExceptionOfType(InvalidEventException.class).isThrownBy(() -> this.reader.read(null))
			.withMessage("LIS record has no HL7 message");
		assertThatExceptionOfType(InvalidEventException.class).isThrownBy(() -> this.reader.read(new byte[0]));
	}

	@Test
	void readsTimestampsWithoutOffsetInTheLisZone() {
		assertThat(this.reader.instant("20250115093000")).isEqualTo(Instant.parse("2025-01-15T09:30:00Z"));
		assertThat(this.reader.instant("20250715093000")).isEqualTo(Instant.parse("2025-07-15T08:30:00Z"));
		assertThat(this.reader.instant("20250715093000.25-0500")).isEqualTo(Instant.parse("2025-07-15T14:30:00.25Z"));
		assertThat(this.reader.instant("202507")).isEqualTo(Instant.parse("2025-06-30T23:00:00Z"));
	}

	@Test
	void readsAMessagesTimesWithoutOffsetAtTheOffsetItsMsh7StatesWhenTheLisZoneSaysOtherwise() {
		Hl7Messages.Obr obr = new Hl7Messages.Obr("ORD-1", "2345-7", "20250401080000", "20250401085000", "F");
		// a sender at +0200 while the configured zone (London) is at +0100: its 08:00 is 06:00Z (was read as 07:00Z)
		LisMessage.Results abroad = (LisMessage.Results) this.reader
			.read(bytes(Hl7Messages.labResult("OFF-1", "MRN-1", "20250401090000+0200", "5.4", obr)));
		assertThat(abroad.command().results().getFirst().performedAt()).isEqualTo(Instant.parse("2025-04-01T06:00:00Z"));
		assertThat(abroad.command().results().getFirst().releasedAt()).isEqualTo(Instant.parse("2025-04-01T06:50:00Z"));
		// one whose MSH-7 agrees with the zone, or states no offset, is read in the zone (its summer time included)
		for (String sentAt : java.util.List.of("20250401090000+0100", "20250401090000")) {
			LisMessage.Results home = (LisMessage.Results) this.reader
				.read(bytes(Hl7Messages.labResult("OFF-2", "MRN-1", sentAt, "5.4", obr)));
			assertThat(home.command().results().getFirst().performedAt()).as(sentAt)
				.isEqualTo(Instant.parse("2025-04-01T07:00:00Z"));
		}
		// and the offset is the message's only: the next message read is in the zone again
		assertThat(this.reader.instant("20250401080000")).isEqualTo(Instant.parse("2025-04-01T07:00:00Z"));
	}

	@Test
	void readsTheIanaNamesOfTheCharacterSetsItReadsInMsh18AsTheirTable0211Codes() {
		// interface engines send ISO-8859-1 or LATIN1 where table 0211 has 8859/1: they were refused as a character set
		// (MSH-18) this service does not read
		String er7 = Hl7Messages.registration("IANA-1", "MRN-IANA-1", "M\u00fcller", "J\u00fcrgen", "20250312143015");
		for (String named : List.of("ISO-8859-1", "ISO8859-1", "ISO_8859-1", "LATIN1", "iso-8859-1", "Latin1",
				"ISO8859_1")) {
			byte[] latin1 = er7.replace("UNICODE UTF-8", named).getBytes(StandardCharsets.ISO_8859_1);
			RecordDemographics command = ((LisMessage.Demographics) this.reader.read(latin1)).command();
			assertThat(command.familyName()).as(named).isEqualTo("M\u00fcller");
			assertThat(command.givenName()).as(named).isEqualTo("J\u00fcrgen");
			// read as 8859/1 is: windows-1252's quotes at 0x80-0x9F, UTF-8 under the label as UTF-8
			assertThat(((LisMessage.Demographics) this.reader.read(er7.replace("UNICODE UTF-8", named)
				.replace("M\u00fcller", "O\u2019Brien")
				.getBytes(Charset.forName("windows-1252"))))
				.command()
				.familyName()).as(named).isEqualTo("O\u2019Brien");
			assertThat(((LisMessage.Demographics) this.reader.read(bytes(er7.replace("UNICODE UTF-8", named)))).command()
				.familyName()).as(named).isEqualTo("M\u00fcller");
		}
		// the other sets it reads, by their IANA names: ISO 8859-2's bytes of a Polish name, ISO 8859-5's of a Russian
		String polish = er7.replace("M\u00fcller", "\u017b\u00f3\u0142kiewska");
		for (String named : List.of("ISO-8859-2", "LATIN2", "8859/2")) {
			assertThat(((LisMessage.Demographics) this.reader
				.read(polish.replace("UNICODE UTF-8", named).getBytes(Charset.forName("ISO-8859-2"))))
				.command()
				.familyName()).as(named).isEqualTo("\u017b\u00f3\u0142kiewska");
		}
		// and a hexadecimal escape is read in the set so named: \XB8D2DED2\ is \u0418\u0432\u043e\u0432 in ISO 8859-5
		assertThat(((LisMessage.Demographics) this.reader
			.read(bytes(er7.replace("UNICODE UTF-8", "ISO-8859-5").replace("M\u00fcller", "\\XB8D2DED2\\")
				.replace("J\u00fcrgen", "Ivan"))))
			.command()
			.familyName()).isEqualTo("\u0418\u0432\u043e\u0432");
		// a set it does not read is still refused, and a name of no table not quoted
		assertThatExceptionOfType(InvalidEventException.class)
			.isThrownBy(() -> this.reader.read(bytes(er7.replace("UNICODE UTF-8", "KOI8-R"))))
			.withMessage("LIS record names a character set (MSH-18) this service does not read");
		assertThatExceptionOfType(InvalidEventException.class)
			.isThrownBy(() -> this.reader.read(bytes(er7.replace("UNICODE UTF-8", "ISO-8859-11"))))
			.withMessage("LIS record names a character set (MSH-18) this service does not read");
	}

	/** A stored patient of the fake {@link MrnChooser.StoredPatients}: its authority's name, and whom it was merged into. */
	private record Stored(String authority, PatientId id, @Nullable PatientId mergedInto) {
	}

	/** A reader whose chooser knows these patients (by MRN) and the lab's own authority, if any. */
	private static Hl7MessageReader readerKnowing(Map<String, Stored> stored, @Nullable String ownAuthority) {
		MrnChooser chooser = new MrnChooser((mrn, authority) -> {
			Stored patient = stored.get(mrn);
			if (patient == null || (authority != null && !AssigningAuthority.same(patient.authority(), null, authority))) {
				return Optional.empty();
			}
			Instant at = Instant.parse("2026-01-01T00:00:00Z");
			return Optional.of(new Patient(patient.id(), mrn, "Ada", "Lovelace", null, null, null, null, null, null, at,
					at, patient.mergedInto()));
		}, ownAuthority);
		return new Hl7MessageReader(ZoneOffset.UTC, chooser);
	}

	private static final String CITY_FIRST = "A100^^^CITYLAB^MR~778899^^^STATEHIE^MR";

	private static final String STATE_FIRST = "778899^^^STATEHIE^MR~A100^^^CITYLAB^MR";

	/** A registration whose PID-3 is {@code identifiers} (and the NHS number after them). */
	private static String registrationNaming(String identifiers) {
		return Hl7Messages.registration("HIE-1", "X", "Lovelace", "Ada", "20250312143015")
			.replace("X^^^CITYLAB^MR", identifiers);
	}

	@Test
	void readsTheFirstOfSeveralMrIdentifiersWhenNoneNamesAPatient() {
		Hl7MessageReader reader = readerKnowing(Map.of(), null);
		LisMessage.Demographics city = (LisMessage.Demographics) reader.read(bytes(registrationNaming(CITY_FIRST)));
		assertThat(city.command().mrn()).isEqualTo("A100");
		assertThat(city.authorities()).isEqualTo(Map.of("A100", new AssigningAuthority("CITYLAB", null)));
		assertThat(city.choices()).containsExactly(new MrnChooser.Choice("PID-3",
				List.of(new MrnChooser.Candidate("A100", new AssigningAuthority("CITYLAB", null)),
						new MrnChooser.Candidate("778899", new AssigningAuthority("STATEHIE", null))),
				0));
		assertThat(((LisMessage.Demographics) reader.read(bytes(registrationNaming(STATE_FIRST)))).command().mrn())
			.isEqualTo("778899");
		// one MR identifier beside others (an NHS number) is no choice
		assertThat(((LisMessage.Demographics) reader.read(bytes(registrationNaming("A100^^^CITYLAB^MR")))).choices())
			.isEmpty();
	}

	@Test
	void readsTheMrIdentifierThatNamesAPatientWhateverTheirOrder() {
		// an HIE lists the MRNs of several authorities: taking the first, the same person listed in another order was
		// registered twice
		Hl7MessageReader reader = readerKnowing(Map.of("778899", new Stored("STATEHIE", PatientId.random(), null)), null);
		for (String identifiers : List.of(CITY_FIRST, STATE_FIRST)) {
			LisMessage.Demographics message = (LisMessage.Demographics) reader.read(bytes(registrationNaming(identifiers)));
			assertThat(message.command().mrn()).as(identifiers).isEqualTo("778899");
			assertThat(message.authorities()).as(identifiers)
				.isEqualTo(Map.of("778899", new AssigningAuthority("STATEHIE", null)));
			// results and orders choose as registrations do
			String result = Hl7Messages.result("HIE-R", "X", "20250312150000").replace("X^^^CITYLAB^MR", identifiers);
			assertThat(((LisMessage.Results) reader.read(bytes(result))).command().results())
				.extracting(RecordTestResults.Result::mrn)
				.as(identifiers)
				.containsExactly("778899");
			String order = Hl7Messages.order("HIE-O", "X", "20250312150000", "NW", "ORD-9", "2345-7")
				.replace("X^^^CITYLAB^MR", identifiers);
			assertThat(((LisMessage.Orders) reader.read(bytes(order))).command().orders())
				.extracting(LinkTestOrders.Order::mrn)
				.as(identifiers)
				.containsExactly("778899");
			// and so does a merge's MRG-1
			String merge = Hl7Messages.merge("HIE-M", "B200", "X", "20250312150000").replace("X^^^CITYLAB^MR", identifiers);
			assertThat(((LisMessage.Merge) reader.read(bytes(merge))).merges())
				.extracting(LisMessage.Merge.Merged::priorMrn)
				.as(identifiers)
				.containsExactly("778899");
		}
		// a patient of the same MRN under another authority is not this one: the first is read, as when none is named
		Hl7MessageReader otherAuthority = readerKnowing(Map.of("778899", new Stored("OTHERLAB", PatientId.random(), null)),
				null);
		assertThat(((LisMessage.Demographics) otherAuthority.read(bytes(registrationNaming(CITY_FIRST)))).command().mrn())
			.isEqualTo("A100");
	}

	@Test
	void refusesSeveralMrIdentifiersThatNameTwoPatients() {
		Hl7MessageReader reader = readerKnowing(Map.of("778899", new Stored("STATEHIE", PatientId.random(), null), "A100",
				new Stored("CITYLAB", PatientId.random(), null)), null);
		assertThatExceptionOfType(InvalidEventException.class)
			.isThrownBy(() -> reader.read(bytes(registrationNaming(STATE_FIRST))))
			.withMessage("HL7 message ADT^A04 (control id HIE-1) names two patients of this service in the MR "
					+ "identifiers of its PID-3: which one it means cannot be told");
		String merge = Hl7Messages.merge("HIE-M", "B200", "X", "20250312150000").replace("X^^^CITYLAB^MR", CITY_FIRST);
		assertThatExceptionOfType(InvalidEventException.class).isThrownBy(() -> reader.read(bytes(merge)))
			.withMessage("HL7 message ADT^A40 (control id HIE-M) names two patients of this service in the MR "
					+ "identifiers of its MRG-1: which one it means cannot be told");
		// one merged into the other is one person: the record in use is read
		PatientId survivor = PatientId.random();
		Hl7MessageReader merged = readerKnowing(Map.of("778899", new Stored("STATEHIE", PatientId.random(), survivor),
				"A100", new Stored("CITYLAB", survivor, null)), null);
		for (String identifiers : List.of(CITY_FIRST, STATE_FIRST)) {
			assertThat(((LisMessage.Demographics) merged.read(bytes(registrationNaming(identifiers)))).command().mrn())
				.as(identifiers)
				.isEqualTo("A100");
		}
	}

	@Test
	void readsTheLabsOwnAuthoritysMrnWhenNoneNamesAPatientAndItIsConfigured() {
		Hl7MessageReader reader = readerKnowing(Map.of(), "citylab");
		for (String identifiers : List.of(CITY_FIRST, STATE_FIRST)) {
			assertThat(((LisMessage.Demographics) reader.read(bytes(registrationNaming(identifiers)))).command().mrn())
				.as(identifiers)
				.isEqualTo("A100");
		}
		// by its universal id too
		Hl7MessageReader byOid = readerKnowing(Map.of(), "2.16.840.1.113883.19.4.6");
		assertThat(((LisMessage.Demographics) byOid.read(bytes(registrationNaming(
				"A100^^^CITYLAB&2.16.840.1.113883.19.4.6&ISO^MR~778899^^^STATEHIE^MR"))))
			.command()
			.mrn()).isEqualTo("A100");
		assertThat(((LisMessage.Demographics) byOid.read(bytes(registrationNaming(
				"778899^^^STATEHIE^MR~A100^^^CITYLAB&2.16.840.1.113883.19.4.6&ISO^MR"))))
			.command()
			.mrn()).isEqualTo("A100");
		// a patient already registered under another of them is still chosen first
		Hl7MessageReader known = readerKnowing(Map.of("778899", new Stored("STATEHIE", PatientId.random(), null)),
				"CITYLAB");
		assertThat(((LisMessage.Demographics) known.read(bytes(registrationNaming(CITY_FIRST)))).command().mrn())
			.isEqualTo("778899");
	}

}
