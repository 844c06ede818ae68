package org.patientplatform.patient;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.function.Consumer;

import org.junit.jupiter.api.Test;
import org.patientplatform.patient.orders.TestResultReady;
import org.patientplatform.patient.records.PatientRegistered;
import org.patientplatform.patient.records.PatientMerged;
import org.patientplatform.patient.records.PatientUpdated;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.jackson.autoconfigure.JacksonAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The events this service publishes match their documented examples in docs/events, which the
 * notification service reads too: each example maps to the record and back to the same JSON with
 * Spring's JsonMapper (the one the outbox writes with), and a record as this service produces it, with
 * its unknown parts null, still writes exactly the documented fields.
 */
class EventContractTests {

	private final ApplicationContextRunner context = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(JacksonAutoConfiguration.class));

	@Test
	void writesPatientRegisteredAsDocumented() {
		withJson((json) -> {
			PatientRegistered example = roundTrip(json, PatientRegistered.TYPE, PatientRegistered.class);
			assertThat(example.givenName()).isEqualTo("Ada");
			assertThat(json.readTree(json.writeValueAsString(new PatientRegistered(
					"5b0c1f0e-7d3a-4a55-9a8e-2f4b6c8d0e1f", "MRN-1", null, null, null, null, null, null)))
				.propertyNames()).containsExactlyInAnyOrderElementsOf(documented(json, PatientRegistered.TYPE)
					.propertyNames());
		});
	}

	@Test
	void writesPatientUpdatedAsDocumented() {
		withJson((json) -> {
			PatientUpdated example = roundTrip(json, PatientUpdated.TYPE, PatientUpdated.class);
			assertThat(example.familyName()).isEqualTo("King");
			assertThat(json.readTree(json.writeValueAsString(new PatientUpdated(
					"5b0c1f0e-7d3a-4a55-9a8e-2f4b6c8d0e1f", "MRN-1", "Ada", null, null, null, null, null)))
				.propertyNames()).containsExactlyInAnyOrderElementsOf(documented(json, PatientUpdated.TYPE)
					.propertyNames());
		});
	}

	@Test
	void writesPatientMergedAsDocumented() {
		withJson((json) -> {
			PatientMerged example = roundTrip(json, PatientMerged.TYPE, PatientMerged.class);
			assertThat(example.mergedAt()).isEqualTo(Instant.parse("2026-03-08T10:15:42.318Z"));
			assertThat(documented(json, PatientMerged.TYPE).propertyNames())
				.containsExactlyInAnyOrder("patientId", "mergedPatientId", "mergedMrn", "mergedAt");
		});
	}

	@Test
	void writesTestResultReadyAsDocumentedWithoutAnyResultValue() {
		withJson((json) -> {
			TestResultReady example = roundTrip(json, TestResultReady.TYPE, TestResultReady.class);
			assertThat(example.releasedAt()).isEqualTo(Instant.parse("2026-03-07T15:05:00Z"));
			assertThat(documented(json, TestResultReady.TYPE).propertyNames())
				.containsExactlyInAnyOrder("patientId", "orderId", "testCode", "performedAt", "releasedAt");
			assertThat(json.readTree(json.writeValueAsString(new TestResultReady(
					"5b0c1f0e-7d3a-4a55-9a8e-2f4b6c8d0e1f", "ORD-1", "2345-7", null, Instant.now())))
				.propertyNames()).containsExactlyInAnyOrderElementsOf(documented(json, TestResultReady.TYPE)
					.propertyNames());
		});
	}

	private void withJson(Consumer<JsonMapper> test) {
		this.context.run((context) -> test.accept(context.getBean(JsonMapper.class)));
	}

	private static <T> T roundTrip(JsonMapper json, String type, Class<T> recordType) {
		JsonNode example = documented(json, type);
		T event = json.treeToValue(example, recordType);
		assertThat(json.readTree(json.writeValueAsString(event))).isEqualTo(example);
		JsonNode headers = json.readTree(read(type + ".headers.json"));
		assertThat(headers.path("ce_type").asString()).isEqualTo(type);
		assertThat(headers.path("ce_source").asString()).isEqualTo("urn:patient-platform:patient-service");
		assertThat(headers.path("ce_subject").asString()).isEqualTo(example.path("patientId").asString());
		return event;
	}

	private static JsonNode documented(JsonMapper json, String type) {
		return json.readTree(read(type + ".json"));
	}

	private static String read(String name) {
		try {
			return Files.readString(Path.of("..", "docs", "events", name));
		}
		catch (IOException ex) {
			throw new IllegalStateException(ex);
		}
	}

}
