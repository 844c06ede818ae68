package org.patientplatform.patient.records;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDate;

import javax.xml.parsers.DocumentBuilderFactory;

import ca.uhn.fhir.context.FhirContext;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

class FhirPatientsTests {

	private static final FhirContext FHIR = FhirContext.forR4Cached();

	@Test
	void servesWellFormedXmlForTextStoredWithControlCharacters() {
		// stored before the LIS reader kept control characters out of what it stores (an escape such as \X1B\)
		Patient patient = new Patient(PatientId.random(), "MRN-1", "Ada\u0000", "Love\u001Blace", BirthDate.of(LocalDate.of(1980, 12, 10)),
				Sex.FEMALE, "+44 20\t7946 0123", "ada@example.org\r\n", new PostalAddress("1 Main St\r\nApt 2",
						"\u0007", "London\uD800", null, "N1 9GU", "GBR"), "en", Instant.EPOCH, Instant.EPOCH, null);

		org.hl7.fhir.r4.model.Patient resource = FhirPatients.of(patient, "urn:patient-platform:mrn");
		String xml = FHIR.newXmlParser().encodeResourceToString(resource);

		assertThatCode(() -> DocumentBuilderFactory.newInstance()
			.newDocumentBuilder()
			.parse(new ByteArrayInputStream(xml.getBytes(StandardCharsets.UTF_8)))).doesNotThrowAnyException();
		assertThat(resource.getNameFirstRep().getFamily()).isEqualTo("Lovelace");
		assertThat(resource.getNameFirstRep().getGivenAsSingleString()).isEqualTo("Ada");
		assertThat(resource.getTelecom()).extracting((telecom) -> telecom.getValue())
			.containsExactly("+44 20 7946 0123", "ada@example.org");
		assertThat(resource.getAddressFirstRep().getLine()).extracting((line) -> line.getValue())
			.containsExactly("1 Main St Apt 2");
		assertThat(resource.getAddressFirstRep().getCity()).isEqualTo("London");
	}

}
