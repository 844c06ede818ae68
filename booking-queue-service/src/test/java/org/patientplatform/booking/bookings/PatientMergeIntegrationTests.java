package org.patientplatform.booking.bookings;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;

import io.cloudevents.CloudEvent;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.patientplatform.booking.BookingQueueIntegrationTest;
import org.patientplatform.booking.TestClients;
import org.patientplatform.kit.events.PlatformEvents;
import org.patientplatform.local.infra.LocalSigningKey;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.core.ParameterizedTypeReference;
import org.springframework.http.MediaType;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.web.client.RestClient;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A PatientMerged on patient.events.v1 (real Kafka, real PostgreSQL) gives the merged patient's bookings to the
 * survivor; before, the booking service did not read it, and one person held a place under each id in one slot.
 */
@BookingQueueIntegrationTest
class PatientMergeIntegrationTests {

	private static final String PATIENT_EVENTS = "patient.events.v1";

	private static final AtomicInteger minutes = new AtomicInteger();

	private static final ParameterizedTypeReference<Map<String, Object>> MAP = new ParameterizedTypeReference<>() {
	};

	@Autowired
	PlatformEvents events;

	@Autowired
	LocalSigningKey signingKey;

	@Autowired
	JdbcTemplate jdbc;

	@Value("${spring.kafka.bootstrap-servers}")
	String bootstrapServers;

	@LocalServerPort
	int port;

	KafkaProducer<byte[], byte[]> producer;

	RestClient staff;

	@BeforeEach
	void setUp() {
		this.producer = TestClients.producer(this.bootstrapServers);
		this.staff = TestClients.api(this.port, TestClients.staff(this.signingKey));
	}

	@AfterEach
	void tearDown() {
		this.producer.close();
	}

	@Test
	void givesTheMergedPatientsBookingsToTheSurvivorKeepingOnePlacePerSlot() throws Exception {
		String merged = UUID.randomUUID().toString();
		String survivor = UUID.randomUUID().toString();
		UUID onlyMerged = newSlot(2);
		UUID both = newSlot(2);
		UUID mergedFurther = newSlot(2);
		String mergedAlone = book(onlyMerged, merged);
		String mergedTwice = book(both, merged);
		String survivorTwice = book(both, survivor);
		String mergedCheckedIn = book(mergedFurther, merged);
		String survivorConfirmed = book(mergedFurther, survivor);
		this.jdbc.update("UPDATE booking SET status = 'CHECKED_IN' WHERE id = ?::uuid", mergedCheckedIn);

		// another type of the topic, the notification service's: skipped
		send(survivor, "patient.PatientUpdated.v1", Map.of("patientId", survivor));
		ProducerRecord<byte[], byte[]> merge = record(survivor, PatientMerged.TYPE,
				Map.of("patientId", survivor, "mergedPatientId", merged.toUpperCase(java.util.Locale.ROOT),
						"mergedMrn", "MRN-7", "mergedAt", "2026-03-01T10:00:00Z"));
		this.producer.send(merge).get();

		await().atMost(Duration.ofSeconds(30))
			.untilAsserted(() -> assertThat(booking(mergedAlone)).containsEntry("patientId", survivor));
		// one person, one place per slot: the less advanced of the two is given back, with the reason
		assertThat(booking(mergedTwice)).containsEntry("status", "CANCELLED")
			.containsEntry("patientId", survivor)
			.containsEntry("reason", "The patient was merged into patient " + survivor
					+ ", who holds another place in this slot.");
		assertThat(booking(survivorTwice)).containsEntry("status", "CONFIRMED");
		assertThat(booking(mergedCheckedIn)).containsEntry("status", "CHECKED_IN").containsEntry("patientId", survivor);
		assertThat(booking(survivorConfirmed)).containsEntry("status", "CANCELLED");
		// nothing told to the patient about the place given back: they hold the other
		assertThat(this.jdbc.queryForObject("SELECT count(*) FROM outbox_event WHERE event_type LIKE '%Cancel%' "
				+ "AND (convert_from(data, 'UTF8') LIKE ? OR convert_from(data, 'UTF8') LIKE ?)", Integer.class,
				"%" + mergedTwice + "%", "%" + survivorConfirmed + "%")).isZero();

		// the merged id's token is the survivor: it reads the survivor's bookings, and books as the survivor
		RestClient mergedToken = TestClients.api(this.port, TestClients.patient(this.signingKey, merged));
		Map<String, Object> listed = mergedToken.get()
			.uri("/api/v1/patients/{id}/bookings?status=CONFIRMED", merged)
			.retrieve()
			.body(MAP);
		assertThat(ids(listed)).contains(mergedAlone, survivorTwice);
		String later = book(mergedToken, newSlot(1), merged);
		assertThat(booking(later)).containsEntry("patientId", survivor);
		// and holds no second place in a slot under the other id
		assertThat(book(mergedToken, onlyMerged, merged, 409)).contains("REJECTED_ALREADY_BOOKED");

		// the same record again changes nothing
		this.producer.send(merge).get();
		String marker = UUID.randomUUID().toString();
		send(marker, "patient.PatientUpdated.v1", Map.of("patientId", marker));
		String eventId = new String(merge.headers().lastHeader("ce_id").value(), StandardCharsets.UTF_8);
		await().atMost(Duration.ofSeconds(30))
			.untilAsserted(() -> assertThat(this.jdbc.queryForObject(
					"SELECT count(*) FROM processed_message WHERE event_id = ? AND consumer_group = "
							+ "'booking-queue-service.spc-booking-topic--consumer.patients'",
					Integer.class, eventId)).isEqualTo(1));
		assertThat(this.jdbc.queryForObject("SELECT count(*) FROM booking WHERE patient_id = ?", Integer.class, merged))
			.isZero();
	}

	@Test
	void readsAChainOfMergesAsItsLastSurvivor() throws Exception {
		String first = "P-chain-a-" + UUID.randomUUID();
		String second = "P-chain-b-" + UUID.randomUUID();
		String last = "P-chain-c-" + UUID.randomUUID();
		String booked = book(newSlot(1), first);

		send(second, PatientMerged.TYPE, Map.of("patientId", second, "mergedPatientId", first));
		await().atMost(Duration.ofSeconds(30))
			.untilAsserted(() -> assertThat(booking(booked)).containsEntry("patientId", second));
		send(last, PatientMerged.TYPE, Map.of("patientId", last, "mergedPatientId", second));
		await().atMost(Duration.ofSeconds(30))
			.untilAsserted(() -> assertThat(booking(booked)).containsEntry("patientId", last));

		RestClient firstToken = TestClients.api(this.port, TestClients.patient(this.signingKey, first));
		assertThat(firstToken.get().uri("/api/v1/bookings/{id}", booked).retrieve().body(MAP))
			.containsEntry("patientId", last);
	}

	private String book(UUID slotId, String patientId) {
		return book(this.staff, slotId, patientId);
	}

	private String book(RestClient client, UUID slotId, String patientId) {
		Map<String, Object> created = client.post()
			.uri("/api/v1/bookings")
			.contentType(MediaType.APPLICATION_JSON)
			.body(Map.of("slotId", slotId.toString(), "patientId", patientId))
			.retrieve()
			.body(MAP);
		return (String) created.get("id");
	}

	private String book(RestClient client, UUID slotId, String patientId, int status) {
		var response = client.post()
			.uri("/api/v1/bookings")
			.contentType(MediaType.APPLICATION_JSON)
			.body(Map.of("slotId", slotId.toString(), "patientId", patientId))
			.retrieve()
			.toEntity(String.class);
		assertThat(response.getStatusCode().value()).isEqualTo(status);
		return response.getBody();
	}

	private Map<String, Object> booking(String id) {
		return this.staff.get().uri("/api/v1/bookings/{id}", id).retrieve().body(MAP);
	}

	@SuppressWarnings("unchecked")
	private static List<String> ids(Map<String, Object> page) {
		return ((List<Map<String, Object>>) page.get("items")).stream().map((b) -> (String) b.get("id")).toList();
	}

	private void send(String key, String type, Object data) throws Exception {
		this.producer.send(record(key, type, data)).get();
	}

	private ProducerRecord<byte[], byte[]> record(String key, String type, Object data) {
		CloudEvent event = this.events.create(type, key, data);
		RecordHeaders headers = new RecordHeaders();
		byte[] value = this.events.serialize(PATIENT_EVENTS, event, headers);
		return new ProducerRecord<>(PATIENT_EVENTS, null, key.getBytes(StandardCharsets.UTF_8), value, headers);
	}

	private UUID newSlot(int capacity) {
		Instant startsAt = Instant.parse("2033-01-01T08:00:00Z").plusSeconds(60L * minutes.incrementAndGet());
		return TestClients.createSlot(this.staff, "site-merge", startsAt, capacity);
	}

}
