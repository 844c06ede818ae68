package org.patientplatform.patient.lis;

import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.EnumSet;

import org.junit.jupiter.api.Test;
import org.patientplatform.kit.events.InvalidEventException;
import org.patientplatform.patient.records.PostalAddress;
import org.patientplatform.patient.records.RecordDemographics;
import org.patientplatform.patient.records.RecordDemographics.Part;
import org.patientplatform.patient.records.Sex;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.InstanceOfAssertFactories.type;
import static org.patientplatform.patient.lis.Hl7Messages.bytes;

class Hl7MessageReaderTests {

	private final Hl7MessageReader reader = new Hl7MessageReader(ZoneId.of("Europe/London"));

	@Test
	void readsRegistrationAsDemographics() {
		LisMessage message = this.reader
			.read(bytes(Hl7Messages.registration("MSG00001", "MRN-100234", "Lovelace", "Ada", "20250312143015+0100")));

		assertThat(message.header()).isEqualTo(new LisMessage.Header("MSG00001", "ADT^A04", "2.5",
				Instant.parse("2025-03-12T13:30:15Z")));
		assertThat(message).asInstanceOf(type(LisMessage.Demographics.class))
			.extracting(LisMessage.Demographics::command)
			.isEqualTo(new RecordDemographics("MRN-100234", "Ada", "Lovelace", LocalDate.of(1980, 12, 10), Sex.FEMALE,
					"+44 20 79460123", "ada@example.org",
					new PostalAddress("12 Analytical Row", "Flat 3", "London", "LDN", "N1 9GU", "GBR"),
					EnumSet.allOf(Part.class), Instant.parse("2025-03-12T13:30:15Z"), "MSG00001"));
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
		assertThat(command.birthDate()).isEqualTo(LocalDate.of(1970, 1, 1));
		assertThat(command.sex()).isEqualTo(Sex.MALE);
		assertThat(command.phone()).isEqualTo("(217)555-0100");
		assertThat(command.email()).isEqualTo("john@example.com");
		assertThat(command.address()).isEqualTo(new PostalAddress("1 Main St", null, "Springfield", "IL", "62701", "USA"));
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
	void keepsKnownMessageTypesNoFeatureHandlesYet() {
		String er7 = Hl7Messages.result("MSG5", "MRN-1", "20250401090000");

		LisMessage message = this.reader.read(bytes(er7));

		assertThat(message).isEqualTo(new LisMessage.Unhandled(
				new LisMessage.Header("MSG5", "ORU^R01", "2.5", Instant.parse("2025-04-01T08:00:00Z")), er7));
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
	void rejectsImpossibleBirthDateWithoutQuotingIt() {
		String er7 = "MSH|^~\\&|LIS|LAB|HIS|HOSP|20250401090000||ADT^A04|MSG9|P|2.5\r"
				+ "PID|1||MRN-9^^^LAB^MR||Doe^Jane||19801332\r";

		assertThatExceptionOfType(InvalidEventException.class).isThrownBy(() -> this.reader.read(bytes(er7)))
			.withMessage("HL7 message ADT^A04 (control id MSG9) has a birth date (PID-7) that is not a date");
	}

	@Test
	void leavesTheBirthDateAloneWhenOnlyTheYearIsKnown() {
		String er7 = "MSH|^~\\&|LIS|LAB|HIS|HOSP|20250401090000||ADT^A08|MSG10|P|2.5\r"
				+ "PID|1||MRN-9^^^LAB^MR||Doe^Jane||1980\r";

		RecordDemographics command = ((LisMessage.Demographics) this.reader.read(bytes(er7))).command();

		assertThat(command.stated()).containsExactly(Part.NAME);
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

}
