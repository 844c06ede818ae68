package org.patientplatform.patient.records;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.hl7.fhir.r4.model.OperationOutcome.IssueType;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

class FhirPatientSearchTests {

	private static final String MRN_SYSTEM = "urn:patient-platform:mrn";

	@Test
	void readsFhirsEscapesInEveryValueAfterCuttingItAtTheUnescapedSeparators() {
		// FHIR's "Escaping Search Parameters": \, \$ \| and \\ are , $ | and \ that separate nothing. Only \, was read:
		// C\|D was cut at its bar (system C, MRN D), and E\\G searched for E\\G, not E\G
		assertThat(bound("identifier", "C\\|D")).containsExactly("C|D");
		assertThat(bound("identifier", "urn:patient-platform:mrn|C\\|D")).containsExactly("C|D");
		assertThat(bound("identifier", "E\\\\G")).containsExactly("E\\G");
		assertThat(bound("identifier", "A\\,B")).containsExactly("A,B");
		assertThat(bound("identifier", "A\\$B")).containsExactly("A$B");
		// the system too is unescaped, and a value after the first unescaped bar keeps its other bars
		assertThat(bound("identifier", "urn:a\\|b|X")).isEmpty();
		assertThat(bound("identifier", MRN_SYSTEM + "|X|Y")).containsExactly("X|Y");
		// an escaped backslash before a comma escapes the backslash, not the comma: two values
		assertThat(bound("family", "x\\\\,d\\\\angelo")).containsExactly("x\\", "d\\angelo");
		assertThat(bound("family", "d\\\\angelo")).containsExactly("d\\angelo");
		assertThat(bound("given", "a\\,b,c")).containsExactly("a,b", "c");
		assertThat(bound("name", "o\\|brien")).containsExactly("o|brien");
		assertThat(bound("_id", "7d3f6c1e-0000-4000-8000-000000000001\\,x"))
			.as("one value, which is no UUID").isEmpty();
		assertThat(bound("gender", "http://hl7.org/fhir/administrative-gender|female,male")).containsExactly("F", "M");
		// an empty value is ignored, an escaped comma is not empty
		assertThat(bound("family", "a,,\\,")).containsExactly("a", ",");
	}

	@Test
	void refusesABackslashThatEscapesNothingRatherThanKeepItOrDropIt() {
		// E\G found the MRN E\G, which FHIR writes E\\G: a backslash before any other character means nothing
		for (Map.Entry<String, String> refused : List.of(Map.entry("identifier", "E\\G"),
				Map.entry("identifier", "urn:patient-platform:mrn|E\\G"), Map.entry("identifier", "ABC\\"),
				Map.entry("family", "d\\angelo"), Map.entry("birthdate", "1815\\-12"), Map.entry("gender", "\\female"),
				Map.entry("_id", "\\x"))) {
			assertThatExceptionOfType(FhirPatientSearch.Invalid.class)
				.isThrownBy(() -> FhirPatientSearch.of(Map.of(refused.getKey(), new String[] { refused.getValue() }),
						MRN_SYSTEM))
				.as(refused.toString())
				.satisfies((ex) -> {
					assertThat(ex.type()).isEqualTo(IssueType.INVALID);
					assertThat(ex.getMessage()).startsWith(refused.getKey() + " holds a backslash that escapes nothing")
						.doesNotContain(refused.getValue());
				});
		}
	}

	/** The values the search binds, in order: what it matches the patients against. */
	private static List<Object> bound(String name, String value) {
		Map<String, String[]> parameters = new LinkedHashMap<>();
		parameters.put(name, new String[] { value });
		PatientSearch criteria = FhirPatientSearch.of(parameters, MRN_SYSTEM).criteria();
		return criteria.params()
			.entrySet()
			.stream()
			.sorted(Map.Entry.comparingByKey((a, b) -> Integer.compare(Integer.parseInt(a.substring(1)),
					Integer.parseInt(b.substring(1)))))
			.map(Map.Entry::getValue)
			.map((bound) -> (Object) bound)
			.toList();
	}

}
