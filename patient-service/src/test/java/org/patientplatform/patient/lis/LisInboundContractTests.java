package org.patientplatform.patient.lis;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.EnumSet;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.patientplatform.patient.records.BirthDate;
import org.patientplatform.patient.orders.RecordTestResults;
import org.patientplatform.patient.orders.TestOrderStatus;
import org.patientplatform.patient.records.NameParts;
import org.patientplatform.patient.records.PostalAddress;
import org.patientplatform.patient.records.RecordDemographics;
import org.patientplatform.patient.records.RecordDemographics.Part;
import org.patientplatform.patient.records.Sex;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The documented examples of {@code lis.inbound.v1} (ER7 text, not CloudEvents; kept with LF line ends
 * for reading, sent with CR as HL7 requires) read as the demographics, results and merges this service records.
 */
class LisInboundContractTests {

	private final Hl7MessageReader reader = new Hl7MessageReader(ZoneOffset.UTC);

	@Test
	void readsTheDocumentedRegistration() throws IOException {
		LisMessage message = this.reader.read(example("lis.inbound.v1.ADT_A04.hl7"));

		assertThat(message.header()).isEqualTo(new LisMessage.Header("MSG00001", "LABSYS^CITYLAB", "ADT^A04", "2.5",
				Instant.parse("2025-03-12T13:30:15Z")));
		assertThat(((LisMessage.Demographics) message).command()).isEqualTo(new RecordDemographics("MRN-100234", "Ada",
				"Lovelace", BirthDate.of(LocalDate.of(1980, 12, 10)), Sex.FEMALE, "+44 20 79460123", "ada@example.org",
				new PostalAddress("12 Analytical Row", "Flat 3", "London", "LDN", "N1 9GU", "GBR"), "en",
				EnumSet.allOf(Part.class), Instant.parse("2025-03-12T13:30:15Z"), "MSG00001",
				new NameParts("Augusta", null, null)));
	}

	@Test
	void readsTheDocumentedUpdate() throws IOException {
		LisMessage message = this.reader.read(example("lis.inbound.v1.ADT_A08.hl7"));

		assertThat(message.header().type()).isEqualTo("ADT^A08");
		RecordDemographics command = ((LisMessage.Demographics) message).command();
		assertThat(command.mrn()).isEqualTo("MRN-100234");
		assertThat(command.familyName()).isEqualTo("King");
		assertThat(command.phone()).isEqualTo("+44 7700 900123");
		assertThat(command.email()).isEqualTo("ada.king@example.org");
		assertThat(command.asOf()).isEqualTo(Instant.parse("2025-04-01T08:00:00Z"));
	}

	@Test
	void readsTheDocumentedResult() throws IOException {
		LisMessage message = this.reader.read(example("lis.inbound.v1.ORU_R01.hl7"));

		assertThat(message.header()).isEqualTo(new LisMessage.Header("MSG00003", "LABSYS^CITYLAB", "ORU^R01", "2.5",
				Instant.parse("2025-04-02T09:15:00Z")));
		RecordTestResults command = ((LisMessage.Results) message).command();
		assertThat(command).isEqualTo(new RecordTestResults(List.of(new RecordTestResults.Result("MRN-100234",
				"ORD-2025-0000457", "2345-7", TestOrderStatus.RESULTED, Instant.parse("2025-04-02T07:20:00Z"),
				Instant.parse("2025-04-02T09:10:00Z"))), Instant.parse("2025-04-02T09:15:00Z"), "MSG00003"));
		assertThat(command.toString()).doesNotContain("7.91").doesNotContain("Glucose");
	}

	@Test
	void readsTheDocumentedMerge() throws IOException {
		LisMessage message = this.reader.read(example("lis.inbound.v1.ADT_A40.hl7"));

		assertThat(message.header()).isEqualTo(new LisMessage.Header("MSG00004", "LABSYS^CITYLAB", "ADT^A40", "2.5",
				Instant.parse("2025-04-03T09:00:00Z")));
		assertThat(((LisMessage.Merge) message).merges()).singleElement().satisfies((merged) -> {
			assertThat(merged.priorMrn()).isEqualTo("MRN-100199");
			assertThat(merged.survivor().mrn()).isEqualTo("MRN-100234");
			assertThat(merged.survivor().familyName()).isEqualTo("King");
		});
	}

	private static byte[] example(String name) throws IOException {
		String text = Files.readString(Path.of("..", "docs", "events", name), StandardCharsets.UTF_8);
		return text.replace("\r\n", "\n").replace('\n', '\r').getBytes(StandardCharsets.UTF_8);
	}

}
