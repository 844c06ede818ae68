package org.patientplatform.notification;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.Set;

import jakarta.validation.ConstraintViolation;
import jakarta.validation.Validation;
import jakarta.validation.Validator;
import jakarta.validation.ValidatorFactory;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.patientplatform.kit.events.IncomingEvent;
import org.patientplatform.kit.events.PlatformEvents;
import org.patientplatform.notification.contacts.ContactPreferencesChanged;
import org.patientplatform.notification.contacts.PatientMerged;
import org.patientplatform.notification.contacts.PatientRegistered;
import org.patientplatform.notification.contacts.PatientUpdated;
import org.patientplatform.notification.delivery.Channel;
import org.patientplatform.notification.delivery.Priority;
import org.patientplatform.notification.delivery.ReceiptStatus;
import org.patientplatform.notification.receipts.DeliveryStatusReported;
import org.patientplatform.notification.requests.NotificationCancelled;
import org.patientplatform.notification.requests.NotificationRequested;
import org.patientplatform.notification.results.TestResultReady;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The events this service consumes, as documented in docs/events: each example maps to
 * its record, is valid, and maps back to the same JSON. A renamed or retyped field breaks
 * the build here first.
 */
class EventContractTests {

	static ValidatorFactory validation;

	static Validator validator;

	final JsonMapper json = JsonMapper.builder().build();

	@BeforeAll
	static void startValidation() {
		validation = Validation.buildDefaultValidatorFactory();
		validator = validation.getValidator();
	}

	@AfterAll
	static void stopValidation() {
		validation.close();
	}

	@Test
	void readsAndWritesPatientRegistered() throws IOException {
		PatientRegistered event = roundTrip(PatientRegistered.TYPE, PatientRegistered.class);
		assertThat(event.patientId()).isEqualTo("5b0c1f0e-7d3a-4a55-9a8e-2f4b6c8d0e1f");
		assertThat(event.phone()).isNotBlank();
	}

	@Test
	void readsAndWritesPatientUpdated() throws IOException {
		PatientUpdated event = roundTrip(PatientUpdated.TYPE, PatientUpdated.class);
		assertThat(event.email()).isNotBlank();
	}

	@Test
	void readsAndWritesContactPreferencesChanged() throws IOException {
		ContactPreferencesChanged event = roundTrip(ContactPreferencesChanged.TYPE, ContactPreferencesChanged.class);
		assertThat(event.quietHours()).isNotNull();
		assertThat(event.pushTokens()).isNotEmpty();
	}

	@Test
	void readsAndWritesPatientMerged() throws IOException {
		PatientMerged event = roundTrip(PatientMerged.TYPE, PatientMerged.class);
		assertThat(event.mergedPatientId()).isNotBlank().isNotEqualTo(event.patientId());
		assertThat(event.mergedAt()).isNotNull();
	}

	@Test
	void readsAndWritesTestResultReadyWithoutAnyResultValue() throws IOException {
		TestResultReady event = roundTrip(TestResultReady.TYPE, TestResultReady.class);
		assertThat(event.releasedAt()).isNotNull();
		assertThat(this.json.readTree(example(TestResultReady.TYPE)).propertyNames())
			.containsExactlyInAnyOrder("patientId", "orderId", "testCode", "performedAt", "releasedAt");
	}

	@Test
	void readsAndWritesNotificationRequested() throws IOException {
		NotificationRequested event = roundTrip(NotificationRequested.TYPE, NotificationRequested.class);
		assertThat(event.channels()).containsExactly(Channel.SMS, Channel.EMAIL);
		assertThat(event.priority()).isEqualTo(Priority.NORMAL);
		assertThat(event.notBefore()).isNotNull();
		assertThat(event.idempotencyKey()).startsWith("booking:");
	}

	@Test
	void readsTheStructuredModeExampleAsTheSameEventAsTheBinaryOne() throws IOException {
		// docs/events/*.structured.json: the same event as the binary example (its headers and its data), in the
		// JSON event format a producer writes as the value with content-type application/cloudevents+json
		PlatformEvents events = new PlatformEvents(this.json, validator, "contract");
		byte[] structured = Files
			.readAllBytes(Path.of("..", "docs", "events", NotificationRequested.TYPE + ".structured.json"));
		RecordHeaders structuredHeaders = new RecordHeaders();
		structuredHeaders.add("content-type", "application/cloudevents+json; charset=UTF-8".getBytes(UTF_8));
		RecordHeaders binaryHeaders = new RecordHeaders();
		this.json.readTree(Files.readString(Path.of("..", "docs", "events", NotificationRequested.TYPE + ".headers.json")))
			.properties()
			.forEach((header) -> binaryHeaders.add(header.getKey(), header.getValue().asString().getBytes(UTF_8)));

		IncomingEvent<NotificationRequested> fromStructured = events.read(record(structuredHeaders, structured),
				NotificationRequested.TYPE, NotificationRequested.class);
		IncomingEvent<NotificationRequested> fromBinary = events.read(
				record(binaryHeaders, example(NotificationRequested.TYPE).getBytes(UTF_8)), NotificationRequested.TYPE,
				NotificationRequested.class);
		assertThat(fromStructured).isEqualTo(fromBinary);
		assertThat(fromStructured.source()).isEqualTo("urn:patient-platform:booking-queue-service");
	}

	private static ConsumerRecord<byte[], byte[]> record(RecordHeaders headers, byte[] value) {
		return new ConsumerRecord<>("notification.requests.v1", 0, 0L, ConsumerRecord.NO_TIMESTAMP,
				TimestampType.NO_TIMESTAMP_TYPE, ConsumerRecord.NULL_SIZE, ConsumerRecord.NULL_SIZE,
				"P-000123".getBytes(UTF_8), value, headers, Optional.empty());
	}

	@Test
	void readsTheDlqServicesOpsAlertRequest() throws IOException {
		String example = Files
			.readString(Path.of("..", "docs", "events", NotificationRequested.TYPE + ".ops-alert.json"));
		NotificationRequested event = this.json.readValue(example, NotificationRequested.class);
		assertThat(validator.validate(event)).isEmpty();
		assertThat(this.json.readTree(example).propertyNames()).containsExactlyInAnyOrder("patientId", "type",
				"parameters", "channels", "priority", "idempotencyKey");
		assertThat(event.patientId()).isEqualTo("ops-oncall");
		assertThat(event.type()).isEqualTo("dlq-ops-alert");
		assertThat(event.parameters()).containsKeys("alertType", "summary", "consoleUrl");
		assertThat(event.channels()).containsExactly(Channel.EMAIL);
		assertThat(event.priority()).isEqualTo(Priority.URGENT);
		assertThat(event.notBefore()).isNull();
		assertThat(event.idempotencyKey()).startsWith("dlq-alert:PERMANENT_FAILURE:");
	}

	@Test
	void readsAndWritesNotificationCancelled() throws IOException {
		NotificationCancelled event = roundTrip(NotificationCancelled.TYPE, NotificationCancelled.class);
		assertThat(event.idempotencyKey()).isEqualTo("booking:B-2026-0042:reminder-24h");
	}

	@Test
	void readsAndWritesDeliveryStatusReportedKeyedByNotification() throws IOException {
		DeliveryStatusReported event = roundTrip(DeliveryStatusReported.TYPE, DeliveryStatusReported.class,
				"notificationId");
		assertThat(event.status()).isEqualTo(ReceiptStatus.DELIVERED);
		assertThat(event.channel()).isEqualTo(Channel.SMS);
	}

	private <T> T roundTrip(String type, Class<T> recordType) throws IOException {
		return roundTrip(type, recordType, "patientId");
	}

	private <T> T roundTrip(String type, Class<T> recordType, String subjectField) throws IOException {
		String example = example(type);
		T event = this.json.readValue(example, recordType);
		Set<ConstraintViolation<T>> violations = validator.validate(event);
		assertThat(violations).as("violations of " + type).isEmpty();
		JsonNode written = this.json.readTree(this.json.writeValueAsString(event));
		assertThat(written).isEqualTo(this.json.readTree(example));
		JsonNode headers = this.json
			.readTree(Files.readString(Path.of("..", "docs", "events", type + ".headers.json")));
		assertThat(headers.path("ce_type").asString()).isEqualTo(type);
		assertThat(headers.path("ce_subject").asString()).isEqualTo(written.path(subjectField).asString());
		return event;
	}

	private static String example(String type) throws IOException {
		return Files.readString(Path.of("..", "docs", "events", type + ".json"));
	}

}
