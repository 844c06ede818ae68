package org.patientplatform.patient.lis;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Collection;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.patientplatform.kit.kafka.DeadLetterHeaders;
import org.patientplatform.patient.PatientIntegrationTest;
import org.patientplatform.patient.TopicReader;
import org.patientplatform.patient.lis.Hl7Messages.Obr;
import org.patientplatform.patient.orders.TestResultReady;
import org.patientplatform.patient.records.PatientMerged;
import org.patientplatform.patient.records.PatientRegistered;
import org.patientplatform.patient.records.PatientUpdated;
import org.patientplatform.patient.records.Patients;
import org.patientplatform.patient.records.RecordDemographics;
import org.patientplatform.patient.records.RecordDemographics.Part;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.transaction.support.TransactionTemplate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.patientplatform.patient.TopicReader.header;
import static org.patientplatform.patient.TopicReader.keyed;
import static org.patientplatform.patient.TopicReader.ofType;
import static org.patientplatform.patient.TopicReader.value;

/**
 * The events the LIS feed publishes through the outbox, read back from the real broker as another
 * service would: once per change, keyed by patient id, CloudEvents binary mode, in the documented
 * shape, never with a result value, and never for a change that was rolled back.
 */
@PatientIntegrationTest
class PublishedEventsIntegrationTests {

	private static final String LIS = "lis.inbound.v1";

	private static final String PATIENT_EVENTS = "patient.events.v1";

	private static final String TEST_RESULTS = "lab.test-results.v1";

	/** The OBX value of the test results: three digits before the point, so no timestamp can contain it. */
	private static final String RESULT_VALUE = "482.5173";

	@Autowired
	JdbcTemplate jdbc;

	@Autowired
	JsonMapper json;

	@Autowired
	Patients patients;

	@Autowired
	TransactionTemplate transactions;

	@Autowired
	LisInbox inbox;

	@Autowired
	Hl7MessageReader reader;

	@Value("${spring.kafka.bootstrap-servers}")
	String bootstrapServers;

	KafkaProducer<byte[], byte[]> producer;

	TopicReader topics;

	@BeforeEach
	void setUp() {
		this.producer = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, this.bootstrapServers,
				ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class,
				ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class));
		this.topics = new TopicReader(this.bootstrapServers, PATIENT_EVENTS, TEST_RESULTS, "dlq.messages.v1");
	}

	@AfterEach
	void tearDown() {
		this.producer.close();
		this.topics.close();
	}

	@Test
	void publishesOnePatientRegisteredPerRegistrationEvenWhenRedelivered() throws Exception {
		String mrn = "MRN-EV-REG";
		String registration = Hl7Messages.registration("EV-REG-1", mrn, "Lovelace", "Ada", "20250312143015");
		send(mrn, registration);
		send(mrn, registration);
		// the update comes after both on the same partition: once its event is there, so is everything before
		send(mrn, Hl7Messages.nameUpdate("EV-REG-2", mrn, "King", "Ada", "20250313090000"));
		String patientId = awaitPatientId(mrn);

		List<ConsumerRecord<byte[], byte[]>> events = this.topics.awaitRecords(keyed(PATIENT_EVENTS, patientId),
				(seen) -> seen.stream().anyMatch(ofType(PatientUpdated.TYPE)));

		assertThat(events).extracting((record) -> header(record, "ce_type"))
			.containsExactly(PatientRegistered.TYPE, PatientUpdated.TYPE);
		ConsumerRecord<byte[], byte[]> registered = events.get(0);
		assertThat(header(registered, "ce_specversion")).isEqualTo("1.0");
		assertThat(header(registered, "ce_source")).isEqualTo("urn:patient-platform:patient-service");
		assertThat(header(registered, "ce_subject")).isEqualTo(patientId);
		assertThat(UUID.fromString(header(registered, "ce_id"))).isNotNull();
		assertThat(header(registered, "content-type")).isEqualTo("application/json");
		JsonNode data = this.json.readTree(registered.value());
		assertThat(data.propertyNames()).containsExactlyInAnyOrderElementsOf(documentedFields(PatientRegistered.TYPE));
		assertThat(data.path("patientId").asString()).isEqualTo(patientId);
		assertThat(data.path("mrn").asString()).isEqualTo(mrn);
		assertThat(data.path("givenName").asString()).isEqualTo("Ada");
		assertThat(data.path("familyName").asString()).isEqualTo("Lovelace");
		assertThat(data.path("phone").asString()).isEqualTo("+44 20 79460123");
		assertThat(data.path("email").asString()).isEqualTo("ada@example.org");
		assertThat(data.path("language").asString()).isEqualTo("en");
		assertThat(data.path("timezone").isNull()).isTrue();

		JsonNode updated = this.json.readTree(events.get(1).value());
		assertThat(updated.propertyNames()).containsExactlyInAnyOrderElementsOf(documentedFields(PatientUpdated.TYPE));
		assertThat(updated.path("familyName").asString()).isEqualTo("King");
		assertThat(updated.path("email").asString()).as("the whole record, not a diff").isEqualTo("ada@example.org");
		assertThat(this.jdbc.queryForObject("SELECT count(*) FROM outbox_event WHERE record_key = ? AND event_type = ?",
				Integer.class, patientId, PatientRegistered.TYPE))
			.isOne();
	}

	@Test
	void publishesNoUpdateForAnUpdateOlderThanTheStoredDemographics() throws Exception {
		String mrn = "MRN-EV-STALE";
		send(mrn, Hl7Messages.registration("EV-STALE-1", mrn, "Lovelace", "Ada", "20250312143015"));
		send(mrn, Hl7Messages.nameUpdate("EV-STALE-2", mrn, "King", "Ada", "20250314090000"));
		send(mrn, Hl7Messages.nameUpdate("EV-STALE-3", mrn, "Byron", "Ada", "20250313090000"));
		send(mrn, Hl7Messages.nameUpdate("EV-STALE-4", mrn, "Lovelace-King", "Ada", "20250315090000"));
		String patientId = awaitPatientId(mrn);

		List<ConsumerRecord<byte[], byte[]>> events = this.topics.awaitRecords(keyed(PATIENT_EVENTS, patientId),
				(seen) -> seen.stream().anyMatch((record) -> value(record).contains("Lovelace-King")));

		assertThat(events).extracting((record) -> this.json.readTree(record.value()).path("familyName").asString())
			.containsExactly("Lovelace", "King", "Lovelace-King");
	}

	@Test
	void publishesTestResultReadyWithoutAnyResultValue() throws Exception {
		String mrn = "MRN-EV-RES";
		send(mrn, Hl7Messages.registration("EV-RES-1", mrn, "Lovelace", "Ada", "20250312143015"));
		send(mrn, Hl7Messages.order("EV-RES-2", mrn, "20250314070000", "NW", "ORD-EV-1", "2345-7"));
		String result = Hl7Messages.labResult("EV-RES-3", mrn, "20250314100000", RESULT_VALUE,
				new Obr("ORD-EV-1", "2345-7", "20250314073000", "20250314095500", "F"));
		send(mrn, result);
		send(mrn, result);
		// the LIS sends the same result again under a new control id: no second notice
		send(mrn, result.replace("|EV-RES-3|", "|EV-RES-4|"));
		send(mrn, Hl7Messages.labResult("EV-RES-5", mrn, "20250314110000", RESULT_VALUE,
				new Obr("ORD-EV-2", "4548-4", "20250314073000", "20250314105500", "F")));
		String patientId = awaitPatientId(mrn);

		List<ConsumerRecord<byte[], byte[]>> events = this.topics.awaitRecords(keyed(TEST_RESULTS, patientId),
				(seen) -> seen.stream().anyMatch((record) -> value(record).contains("ORD-EV-2")));

		assertThat(events).hasSize(2);
		ConsumerRecord<byte[], byte[]> ready = events.get(0);
		assertThat(header(ready, "ce_type")).isEqualTo(TestResultReady.TYPE);
		assertThat(header(ready, "ce_subject")).isEqualTo(patientId);
		assertThat(this.json.readTree(ready.value())).isEqualTo(this.json.readTree("""
				{"patientId": "%s", "orderId": "ORD-EV-1", "testCode": "2345-7",
				 "performedAt": "2025-03-14T07:30:00Z", "releasedAt": "2025-03-14T09:55:00Z"}
				""".formatted(patientId)));
		for (ConsumerRecord<byte[], byte[]> record : events) {
			assertThat(value(record)).doesNotContain(RESULT_VALUE)
				.doesNotContain("Glucose")
				.doesNotContain("mmol")
				.doesNotContain("diabetes");
			for (Header header : record.headers()) {
				assertThat(new String(header.value(), StandardCharsets.UTF_8)).doesNotContain(RESULT_VALUE);
			}
		}
		assertThat(this.jdbc.queryForMap(
				"SELECT patient_id::text AS patient, test_code, status, ordered_at, performed_at, released_at "
						+ "FROM test_order WHERE order_id = 'ORD-EV-1'"))
			.containsEntry("patient", patientId)
			.containsEntry("test_code", "2345-7")
			.containsEntry("status", "RESULTED")
			.containsEntry("ordered_at", Timestamp.from(Instant.parse("2025-03-14T07:00:00Z")))
			.containsEntry("released_at", Timestamp.from(Instant.parse("2025-03-14T09:55:00Z")));
		assertThat(kept("EV-RES-%"))
			.isZero();
	}

	@Test
	void aFinalResultResentWithoutItsReleaseTimeOrAfterAPreliminaryOneIsAnnouncedOnceAndACorrectionAgain()
			throws Exception {
		String mrn = "MRN-EV-RESEND";
		send(mrn, Hl7Messages.registration("EV-RR-1", mrn, "Lovelace", "Ada", "20250312143015"));
		// no OBR-22: released at the message's MSH-7
		send(mrn, Hl7Messages.labResult("EV-RR-2", mrn, "20250410120000", RESULT_VALUE,
				new Obr("ORD-RR-1", "2345-7", "20250410113000", "", "F")));
		// the LIS resends it an hour later under a new control id and MSH-7: the same result, no notice
		send(mrn, Hl7Messages.labResult("EV-RR-3", mrn, "20250410130000", RESULT_VALUE,
				new Obr("ORD-RR-1", "2345-7", "20250410113000", "", "F")));
		// a preliminary status after the final one, then the final again: still the same result
		send(mrn, Hl7Messages.labResult("EV-RR-4", mrn, "20250410140000", RESULT_VALUE,
				new Obr("ORD-RR-1", "2345-7", "20250410113000", "", "P")));
		assertThat(awaitStatus("ORD-RR-1", "20250410140000")).isEqualTo("RESULTED");
		send(mrn, Hl7Messages.labResult("EV-RR-5", mrn, "20250410150000", RESULT_VALUE,
				new Obr("ORD-RR-1", "2345-7", "20250410113000", "", "F")));
		// a correction with its own status change time (OBR-22) is released again
		send(mrn, Hl7Messages.labResult("EV-RR-6", mrn, "20250410160000", RESULT_VALUE,
				new Obr("ORD-RR-1", "2345-7", "20250410113000", "20250410155500", "C")));
		send(mrn, Hl7Messages.labResult("EV-RR-7", mrn, "20250410170000", RESULT_VALUE,
				new Obr("ORD-RR-2", "4548-4", "20250410113000", "20250410165500", "F")));
		String patientId = awaitPatientId(mrn);

		List<ConsumerRecord<byte[], byte[]>> events = this.topics.awaitRecords(keyed(TEST_RESULTS, patientId),
				(seen) -> seen.stream().anyMatch((record) -> value(record).contains("ORD-RR-2")));

		assertThat(fields(events, "orderId", "releasedAt")).containsExactly("ORD-RR-1 2025-04-10T12:00:00Z", "ORD-RR-1 2025-04-10T15:55:00Z",
					"ORD-RR-2 2025-04-10T16:55:00Z");
	}

	@Test
	void aResultDatedBeforeItsOrderMessageIsStillRecordedAndAnnounced() throws Exception {
		String mrn = "MRN-EV-SKEW";
		send(mrn, Hl7Messages.registration("EV-SK-1", mrn, "Lovelace", "Ada", "20250312143015"));
		// the order comes from the ordering system, whose clock runs three minutes fast (or states local time
		// without an offset); the lab's result, a minute after the order really was placed, is dated before it
		send(mrn, Hl7Messages.order("EV-SK-2", mrn, "20250410120300", "NW", "ORD-SK-1", "2345-7"));
		assertThat(awaitStatus("ORD-SK-1", "20250410120300")).isEqualTo("ORDERED");
		send(mrn, Hl7Messages.labResult("EV-SK-3", mrn, "20250410120100", RESULT_VALUE,
				new Obr("ORD-SK-1", "2345-7", "20250410120030", "20250410120100", "F")));
		// and a preliminary result dated before the final one stays behind it, as before
		send(mrn, Hl7Messages.labResult("EV-SK-4", mrn, "20250410120000", RESULT_VALUE,
				new Obr("ORD-SK-1", "2345-7", "20250410120030", "", "P")));
		send(mrn, Hl7Messages.labResult("EV-SK-5", mrn, "20250410130000", RESULT_VALUE,
				new Obr("ORD-SK-2", "2345-7", "20250410123000", "20250410125500", "F")));
		String patientId = awaitPatientId(mrn);

		// before: the result was taken for older than the order, skipped, and the patient never told
		List<ConsumerRecord<byte[], byte[]>> events = this.topics.awaitRecords(keyed(TEST_RESULTS, patientId),
				(seen) -> seen.stream().anyMatch((record) -> value(record).contains("ORD-SK-2")));
		assertThat(fields(events, "orderId", "releasedAt")).containsExactly("ORD-SK-1 2025-04-10T12:01:00Z",
				"ORD-SK-2 2025-04-10T12:55:00Z");
		assertThat(this.jdbc.queryForMap("SELECT status, ordered_at, performed_at, released_at, lis_message_time "
				+ "FROM test_order WHERE order_id = 'ORD-SK-1'"))
			.containsEntry("status", "RESULTED")
			.containsEntry("ordered_at", Timestamp.from(Instant.parse("2025-04-10T12:03:00Z")))
			.containsEntry("performed_at", Timestamp.from(Instant.parse("2025-04-10T12:00:30Z")))
			.containsEntry("released_at", Timestamp.from(Instant.parse("2025-04-10T12:01:00Z")))
			.containsEntry("lis_message_time", Timestamp.from(Instant.parse("2025-04-10T12:03:00Z")));
	}

	@Test
	void announcesEachFinalTestOfAnAccessionWhoseOrbsShareOneOrderNumber() throws Exception {
		String mrn = "MRN-EV-PANEL";
		send(mrn, Hl7Messages.registration("EV-PN-1", mrn, "Lovelace", "Ada", "20250312143015"));
		// one accession, three tests, one order number (before: each OBR overwrote the one before, the second
		// final result was never announced)
		send(mrn, Hl7Messages.labResult("EV-PN-2", mrn, "20250410120000", RESULT_VALUE,
				new Obr("ACC-777", "2345-7", "20250410113000", "20250410115500", "F"),
				new Obr("ACC-777", "2160-0", "20250410113000", "20250410115500", "F"),
				new Obr("ACC-777", "1975-2", "20250410113000", "", "P")));
		send(mrn, Hl7Messages.labResult("EV-PN-3", mrn, "20250410130000", RESULT_VALUE,
				new Obr("ACC-777", "1975-2", "20250410113000", "20250410125500", "F")));
		String patientId = awaitPatientId(mrn);

		List<ConsumerRecord<byte[], byte[]>> events = this.topics.awaitRecords(keyed(TEST_RESULTS, patientId),
				(seen) -> seen.stream().anyMatch((record) -> value(record).contains("1975-2")));

		assertThat(fields(events, "orderId", "testCode")).containsExactly("ACC-777 2345-7", "ACC-777 2160-0", "ACC-777 1975-2");
		assertThat(this.jdbc.queryForList("SELECT test_code || ' ' || status FROM test_order WHERE order_id = 'ACC-777' "
				+ "ORDER BY test_code", String.class))
			.containsExactly("1975-2 RESULTED", "2160-0 RESULTED", "2345-7 RESULTED");
	}

	/** Each event's data fields, joined by a space. */
	private List<String> fields(List<ConsumerRecord<byte[], byte[]>> events, String... names) {
		return events.stream().map((record) -> {
			JsonNode data = this.json.readTree(record.value());
			return Arrays.stream(names).map((name) -> data.get(name).asString()).collect(Collectors.joining(" "));
		}).toList();
	}

	/** The order's status once a message sent at {@code sentAt} (MSH-7, UTC) has been applied to it. */
	private String awaitStatus(String orderId, String sentAt) {
		Timestamp asOf = Timestamp.from(Instant.parse(sentAt.replaceFirst(
				"(\\d{4})(\\d{2})(\\d{2})(\\d{2})(\\d{2})(\\d{2})", "$1-$2-$3T$4:$5:$6Z")));
		await().atMost(Duration.ofSeconds(30)).until(() -> this.jdbc.queryForObject(
				"SELECT count(*) FROM test_order WHERE order_id = ? AND lis_message_time = ?", Integer.class, orderId,
				asOf) == 1);
		return this.jdbc.queryForObject("SELECT status FROM test_order WHERE order_id = ?", String.class, orderId);
	}

	@Test
	void keepsAResultOfAnUnknownPatientAndPublishesNothing() throws Exception {
		String mrn = "MRN-EV-UNKNOWN";
		send(mrn, Hl7Messages.labResult("EV-UNK-1", mrn, "20250314100000", RESULT_VALUE,
				new Obr("ORD-EV-UNK", "2345-7", "20250314073000", "20250314095500", "F")));

		awaitKept("EV-UNK-1", "unknown patient");

		assertThat(this.jdbc.queryForObject("SELECT count(*) FROM test_order WHERE order_id = 'ORD-EV-UNK'",
				Integer.class))
			.isZero();
		assertThat(outboxRowsMentioning("ORD-EV-UNK")).isZero();
		// and on the topic: a later result of a known patient is published, this one never was
		String known = "MRN-EV-KNOWN";
		send(known, Hl7Messages.registration("EV-UNK-2", known, "Hopper", "Grace", "20250312143015"));
		send(known, Hl7Messages.labResult("EV-UNK-3", known, "20250314110000", RESULT_VALUE,
				new Obr("ORD-EV-KNOWN", "2345-7", "20250314073000", "20250314105500", "F")));
		String patientId = awaitPatientId(known);
		this.topics.awaitRecords(keyed(TEST_RESULTS, patientId), (seen) -> !seen.isEmpty());
		assertThat(this.topics.seen((record) -> value(record).contains("ORD-EV-UNK"))).isEmpty();
	}

	@Test
	void replaysTheOrderAndResultThatCameBeforeTheirPatientsRegistration() throws Exception {
		String mrn = "MRN-EV-EARLY";
		send(mrn, Hl7Messages.order("EV-EARLY-1", mrn, "20250314070000", "NW", "ORD-EV-EARLY", "2345-7"));
		send(mrn, Hl7Messages.labResult("EV-EARLY-2", mrn, "20250314100000", RESULT_VALUE,
				new Obr("ORD-EV-EARLY", "2345-7", "20250314073000", "20250314095500", "F")));
		await().atMost(Duration.ofSeconds(30))
			.until(() -> this.jdbc.queryForList("SELECT reason FROM lis_unhandled_message "
					+ "WHERE message_control_id LIKE 'EV-EARLY-%' ORDER BY message_control_id", String.class),
					(reasons) -> reasons.equals(List.of("unknown patient", "unknown patient")));
		assertThat(outboxRowsMentioning("ORD-EV-EARLY")).isZero();

		send(mrn, Hl7Messages.registration("EV-EARLY-3", mrn, "Hopper", "Grace", "20250312143015"));
		String patientId = awaitPatientId(mrn);

		List<ConsumerRecord<byte[], byte[]>> results = this.topics.awaitRecords(keyed(TEST_RESULTS, patientId),
				(seen) -> !seen.isEmpty());
		assertThat(results).hasSize(1);
		JsonNode ready = this.json.readTree(results.getFirst().value());
		assertThat(ready.path("patientId").asString()).isEqualTo(patientId);
		assertThat(ready.path("orderId").asString()).isEqualTo("ORD-EV-EARLY");
		assertThat(ready.path("releasedAt").asString()).isEqualTo("2025-03-14T09:55:00Z");
		assertThat(value(results.getFirst())).doesNotContain(RESULT_VALUE);
		assertThat(this.jdbc.queryForMap("SELECT patient_id::text AS patient, status, ordered_at, released_at "
				+ "FROM test_order WHERE order_id = 'ORD-EV-EARLY'"))
			.containsEntry("patient", patientId)
			.containsEntry("status", "RESULTED")
			.containsEntry("ordered_at", Timestamp.from(Instant.parse("2025-03-14T07:00:00Z")))
			.containsEntry("released_at", Timestamp.from(Instant.parse("2025-03-14T09:55:00Z")));
		// applied messages are not kept (their text has the result values), and each replay is audited
		assertThat(kept("EV-EARLY-%"))
			.isZero();
		assertThat(this.jdbc.queryForList("SELECT resource_id FROM audit_log WHERE action = 'lis-replayed' "
				+ "AND resource_id LIKE 'EV-EARLY-%' ORDER BY resource_id", String.class))
			.containsExactly("EV-EARLY-1", "EV-EARLY-2");

		// a later update of the patient replays nothing again: still one event for the result
		send(mrn, Hl7Messages.nameUpdate("EV-EARLY-4", mrn, "King", "Grace", "20250315090000"));
		this.topics.awaitRecords(keyed(PATIENT_EVENTS, patientId),
				(seen) -> seen.stream().anyMatch(ofType(PatientUpdated.TYPE)));
		assertThat(this.topics.seen(keyed(TEST_RESULTS, patientId))).hasSize(1);
		assertThat(outboxRowsMentioning("ORD-EV-EARLY")).isEqualTo(1);
	}

	@Test
	void aResultParkedWhileItsPatientIsBeingRegisteredIsStillReplayed() throws Exception {
		String mrn = "MRN-EV-RACE";
		LisMessage result = this.reader.read(Hl7Messages.labResult("EV-RACE-1", mrn, "20250314100000", RESULT_VALUE,
				new Obr("ORD-EV-RACE", "2345-7", "20250314073000", "20250314095500", "F")).getBytes(StandardCharsets.UTF_8));
		LisMessage registration = this.reader.read(Hl7Messages.registration("EV-RACE-2", mrn, "Hopper", "Grace",
				"20250312143015").getBytes(StandardCharsets.UTF_8));
		Thread[] registering = new Thread[1];
		// the result's transaction (its record on one partition) parks it, and before it commits the
		// registration (on another partition) is handled
		this.transactions.executeWithoutResult((status) -> {
			assertThat(this.inbox.accept(result, new byte[0], record(1, 1))).isInstanceOf(LisInbox.Outcome.Kept.class);
			registering[0] = Thread.ofPlatform().start(() -> this.inbox.accept(registration, new byte[0], record(2, 1)));
			// the registration waits for the parked result's transaction, or, were it not to, has finished
			await().pollDelay(Duration.ofMillis(200))
				.atMost(Duration.ofSeconds(10))
				.until(() -> !registering[0].isAlive() || this.jdbc.queryForObject(
						"SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted", Integer.class) > 0);
		});
		registering[0].join(Duration.ofSeconds(30));

		String patientId = awaitPatientId(mrn);
		assertThat(this.jdbc.queryForMap("SELECT patient_id::text AS patient, status FROM test_order "
				+ "WHERE order_id = 'ORD-EV-RACE'"))
			.containsEntry("patient", patientId)
			.containsEntry("status", "RESULTED");
		assertThat(outboxRowsMentioning("ORD-EV-RACE")).isEqualTo(1);
		assertThat(kept("EV-RACE-1"))
			.isZero();
	}

	/** How many messages whose control id is like the pattern are kept in lis_unhandled_message. */
	private int kept(String controlIdPattern) {
		return this.jdbc.queryForObject("SELECT count(*) FROM lis_unhandled_message WHERE message_control_id LIKE ?",
				Integer.class, controlIdPattern);
	}

	/** Waits until the message is kept in lis_unhandled_message, for that reason only. */
	private void awaitKept(String controlId, String reason) {
		await().atMost(Duration.ofSeconds(30))
			.until(() -> this.jdbc.queryForList("SELECT reason FROM lis_unhandled_message WHERE message_control_id = ?",
					String.class, controlId), (reasons) -> reasons.equals(List.of(reason)));
	}

	private static ConsumerRecord<byte[], byte[]> record(int partition, long offset) {
		return new ConsumerRecord<>(LIS, partition, offset, new byte[0], new byte[0]);
	}

	@Test
	void aParkedResultNamingAnotherPatientsOrderStaysParkedAndTheRegistrationHolds() throws Exception {
		String ada = "MRN-EV-CF-ADA";
		String grace = "MRN-EV-CF-GRACE";
		send(ada, Hl7Messages.registration("EV-CF-1", ada, "Lovelace", "Ada", "20250312143015"));
		send(ada, Hl7Messages.labResult("EV-CF-2", ada, "20250314100000", RESULT_VALUE,
				new Obr("ORD-EV-CF-ADA", "2345-7", "20250314073000", "20250314095500", "F")));
		String adaId = awaitPatientId(ada);
		// Grace is not registered yet: her result, which also names Ada's order, is parked
		send(grace, Hl7Messages.labResult("EV-CF-3", grace, "20250314110000", RESULT_VALUE,
				new Obr("ORD-EV-CF-GRACE", "2345-7", "20250314073000", "20250314105500", "F"),
				// another test of Ada's order is still Ada's order
				new Obr("ORD-EV-CF-ADA", "4548-4", "20250314073000", "20250314105500", "F")));
		awaitKept("EV-CF-3", "unknown patient");

		send(grace, Hl7Messages.registration("EV-CF-4", grace, "Hopper", "Grace", "20250312143015"));
		String graceId = awaitPatientId(grace);

		this.topics.awaitRecords(keyed(PATIENT_EVENTS, graceId), (seen) -> seen.stream().anyMatch(ofType(PatientRegistered.TYPE)));
		awaitKept("EV-CF-3", "order of another patient");
		// nothing of the parked message was applied: its savepoint rolled back, the registration did not
		assertThat(this.jdbc.queryForObject("SELECT count(*) FROM test_order WHERE order_id = 'ORD-EV-CF-GRACE'",
				Integer.class))
			.isZero();
		assertThat(this.jdbc.queryForObject("SELECT patient_id::text FROM test_order WHERE order_id = 'ORD-EV-CF-ADA'",
				String.class))
			.isEqualTo(adaId);
		assertThat(outboxRowsMentioning("ORD-EV-CF-GRACE")).isZero();
		assertThat(this.jdbc.queryForObject(
				"SELECT count(*) FROM processed_message WHERE split_part(event_id, '#', 1) = 'EV-CF-4'",
				Integer.class))
			.isEqualTo(1);
	}

	@Test
	void publishesNothingOfAResultMessageThatRollsBack() throws Exception {
		String ada = "MRN-EV-ADA";
		String grace = "MRN-EV-GRACE";
		send(ada, Hl7Messages.registration("EV-RB-1", ada, "Lovelace", "Ada", "20250312143015"));
		send(grace, Hl7Messages.registration("EV-RB-2", grace, "Hopper", "Grace", "20250312143015"));
		send(ada, Hl7Messages.labResult("EV-RB-3", ada, "20250314100000", RESULT_VALUE,
				new Obr("ORD-EV-ADA", "2345-7", "20250314073000", "20250314095500", "F")));
		// Grace's first order is fine, her second is Ada's: the whole message rolls back and is dead-lettered
		String contradictory = Hl7Messages.labResult("EV-RB-4", grace, "20250314110000", RESULT_VALUE,
				new Obr("ORD-EV-GRACE-1", "2345-7", "20250314073000", "20250314105500", "F"),
				new Obr("ORD-EV-ADA", "2345-7", "20250314073000", "20250314105500", "F"));
		send(grace, contradictory);
		send(grace, Hl7Messages.labResult("EV-RB-5", grace, "20250314120000", RESULT_VALUE,
				new Obr("ORD-EV-GRACE-2", "2345-7", "20250314073000", "20250314115500", "F")));
		String graceId = awaitPatientId(grace);
		String adaId = awaitPatientId(ada);

		List<ConsumerRecord<byte[], byte[]>> graces = this.topics.awaitRecords(keyed(TEST_RESULTS, graceId),
				(seen) -> seen.stream().anyMatch((record) -> value(record).contains("ORD-EV-GRACE-2")));

		assertThat(graces).extracting((record) -> this.json.readTree(record.value()).path("orderId").asString())
			.containsExactly("ORD-EV-GRACE-2");
		assertThat(outboxRowsMentioning("ORD-EV-GRACE-1")).isZero();
		assertThat(this.jdbc.queryForObject("SELECT count(*) FROM test_order WHERE order_id = 'ORD-EV-GRACE-1'",
				Integer.class))
			.isZero();
		assertThat(this.jdbc.queryForObject("SELECT patient_id::text FROM test_order WHERE order_id = 'ORD-EV-ADA'",
				String.class))
			.isEqualTo(adaId);
		assertThat(this.jdbc.queryForObject(
				"SELECT count(*) FROM processed_message WHERE split_part(event_id, '#', 1) = 'EV-RB-4'",
				Integer.class))
			.isZero();
		ConsumerRecord<byte[], byte[]> deadLetter = this.topics
			.awaitRecords((record) -> "dlq.messages.v1".equals(record.topic())
					&& value(record).contains("|EV-RB-4|"), (seen) -> !seen.isEmpty())
			.get(0);
		assertThat(deadLetter.value()).isEqualTo(Hl7Messages.bytes(contradictory));
		assertThat(header(deadLetter, DeadLetterHeaders.EXCEPTION_MESSAGE))
			.isEqualTo("HL7 message ORU^R01 (control id EV-RB-4) names an order that is linked to another patient");
		assertThat(header(deadLetter, DeadLetterHeaders.NON_RETRYABLE)).isEqualTo("true");
	}

	@Test
	void mergesAPatientIntoAnotherOnAdtA40WithTheirTestsAndReadsTheOldMrnAsTheSurvivors() throws Exception {
		String prior = "MRN-EV-MRG-0";
		String survivor = "MRN-EV-MRG-1";
		send(prior, Hl7Messages.registration("EV-MRG-1", prior, "Lovelace", "Ada", "20250312143015"));
		send(survivor, Hl7Messages.registration("EV-MRG-2", survivor, "Lovelace", "Ada", "20250312143015"));
		send(prior, Hl7Messages.labResult("EV-MRG-3", prior, "20250314100000", RESULT_VALUE,
				new Obr("ORD-EV-MRG-1", "2345-7", "20250314073000", "20250314095500", "F")));
		String priorId = awaitPatientId(prior);
		String survivorId = awaitPatientId(survivor);
		this.topics.awaitRecords(keyed(TEST_RESULTS, priorId), (seen) -> !seen.isEmpty());

		send(survivor, Hl7Messages.merge("EV-MRG-4", survivor, prior, "20250315090000"));
		List<ConsumerRecord<byte[], byte[]>> merged = this.topics.awaitRecords(keyed(PATIENT_EVENTS, survivorId),
				(seen) -> seen.stream().anyMatch(ofType(PatientMerged.TYPE)));
		JsonNode event = this.json.readTree(merged.stream().filter(ofType(PatientMerged.TYPE)).findFirst().orElseThrow()
			.value());
		assertThat(event.path("patientId").asString()).isEqualTo(survivorId);
		assertThat(event.path("mergedPatientId").asString()).isEqualTo(priorId);
		assertThat(event.path("mergedMrn").asString()).isEqualTo(prior);
		assertThat(this.jdbc.queryForObject("SELECT merged_into::text FROM patient WHERE id = ?::uuid", String.class,
				priorId)).isEqualTo(survivorId);
		// the prior patient's tests are the survivor's now
		assertThat(this.jdbc.queryForObject("SELECT patient_id::text FROM test_order WHERE order_id = 'ORD-EV-MRG-1'",
				String.class))
			.isEqualTo(survivorId);
		assertThat(this.jdbc.queryForList("SELECT action || ' ' || resource_id FROM audit_log WHERE action = "
				+ "'lis-merged'", String.class)).contains("lis-merged " + priorId);

		// a result naming the old MRN is the survivor's, and so is its notice
		send(prior, Hl7Messages.labResult("EV-MRG-5", prior, "20250316100000", RESULT_VALUE,
				new Obr("ORD-EV-MRG-2", "2345-7", "20250316073000", "20250316095500", "F")));
		this.topics.awaitRecords(keyed(TEST_RESULTS, survivorId),
				(seen) -> seen.stream().anyMatch((record) -> value(record).contains("ORD-EV-MRG-2")));
		assertThat(this.jdbc.queryForObject("SELECT patient_id::text FROM test_order WHERE order_id = 'ORD-EV-MRG-2'",
				String.class))
			.isEqualTo(survivorId);
		// demographics of the old MRN are refused, not applied to a record no longer used
		String update = Hl7Messages.nameUpdate("EV-MRG-6", prior, "King", "Ada", "20250316120000");
		send(prior, update);
		ConsumerRecord<byte[], byte[]> deadLetter = this.topics
			.awaitRecords((record) -> "dlq.messages.v1".equals(record.topic()) && value(record).contains("|EV-MRG-6|"),
					(seen) -> !seen.isEmpty())
			.get(0);
		assertThat(header(deadLetter, DeadLetterHeaders.EXCEPTION_MESSAGE)).isEqualTo("Patient " + priorId
				+ " was merged into patient " + survivorId + "; its MRN is no longer used (send the surviving "
				+ "patient's MRN)");
		assertThat(header(deadLetter, DeadLetterHeaders.NON_RETRYABLE)).isEqualTo("true");
		assertThat(this.jdbc.queryForObject("SELECT family_name FROM patient WHERE id = ?::uuid", String.class,
				priorId)).isEqualTo("Lovelace");

		// the merge sent again, and a merge of the survivor into the merged patient, change nothing
		send(survivor, Hl7Messages.merge("EV-MRG-4", survivor, prior, "20250315090000"));
		String backwards = Hl7Messages.merge("EV-MRG-7", prior, survivor, "20250317090000");
		send(prior, backwards);
		this.topics.awaitRecords((record) -> "dlq.messages.v1".equals(record.topic())
				&& value(record).contains("|EV-MRG-7|"), (seen) -> !seen.isEmpty());
		assertThat(this.jdbc.queryForObject("SELECT merged_into IS NULL FROM patient WHERE id = ?::uuid",
				Boolean.class, survivorId)).isTrue();
		assertThat(this.topics.seen(keyed(PATIENT_EVENTS, survivorId)).stream().filter(ofType(PatientMerged.TYPE)))
			.hasSize(1);

		// a result parked for an MRN this service never registered, merged into the survivor: the survivor's
		String unknown = "MRN-EV-MRG-8";
		send(unknown, Hl7Messages.labResult("EV-MRG-8", unknown, "20250317100000", RESULT_VALUE,
				new Obr("ORD-EV-MRG-8", "2345-7", "20250317073000", "20250317095500", "F")));
		awaitKept("EV-MRG-8", "unknown patient");
		send(survivor, Hl7Messages.merge("EV-MRG-9", survivor, unknown, "20250318090000"));
		this.topics.awaitRecords(keyed(TEST_RESULTS, survivorId),
				(seen) -> seen.stream().anyMatch((record) -> value(record).contains("ORD-EV-MRG-8")));
		assertThat(kept("EV-MRG-8")).isZero();
		assertThat(this.jdbc.queryForObject("SELECT merged_into::text FROM patient WHERE mrn = ?", String.class,
				unknown)).isEqualTo(survivorId);
	}

	@Test
	void appliesTheMergesKeptBeforeThisServiceHandledThem() {
		String prior = "MRN-EV-KMG-0";
		String survivor = "MRN-EV-KMG-1";
		String priorId = this.patients.record(demographics(prior, "Lovelace", "EV-KMG-1")).patientId().toString();
		String survivorId = this.patients.record(demographics(survivor, "Lovelace", "EV-KMG-2")).patientId()
			.toString();
		// kept as an unhandled type by the service before, as it stored them
		keepAsUnhandled("EV-KMG-3", Hl7Messages.merge("EV-KMG-3", survivor, prior, "20250315090000"));
		// and one it cannot apply now: its survivor is the patient merged by the one before
		keepAsUnhandled("EV-KMG-4", Hl7Messages.merge("EV-KMG-4", prior, "MRN-EV-KMG-9", "20250316090000"));

		assertThat(this.inbox.replayKeptMerges()).isEqualTo(1);

		assertThat(this.jdbc.queryForObject("SELECT merged_into::text FROM patient WHERE id = ?::uuid", String.class,
				priorId)).isEqualTo(survivorId);
		this.topics.awaitRecords(keyed(PATIENT_EVENTS, survivorId),
				(seen) -> seen.stream().anyMatch(ofType(PatientMerged.TYPE)));
		assertThat(this.jdbc.queryForList("SELECT message_control_id || ' ' || reason FROM lis_unhandled_message "
				+ "WHERE message_control_id LIKE 'EV-KMG-%' ORDER BY 1", String.class))
			.containsExactly("EV-KMG-4 refused on replay");
		assertThat(this.inbox.replayKeptMerges()).isZero();
	}

	private void keepAsUnhandled(String controlId, String er7) {
		this.jdbc.update("""
				INSERT INTO lis_unhandled_message (id, consumer_group, sender, message_control_id, content_digest,
				    message_type, hl7_version, message_time, source_topic, source_partition, source_offset, er7, reason)
				VALUES (gen_random_uuid(), 'patient-service.consumer-lis-patient', 'LABSYS^CITYLAB', ?, ?, 'ADT^A40',
				    '2.5', now(), ?, 0, 0, ?, 'unhandled type')
				""", controlId, LisDigest.of(Hl7Messages.bytes(er7)), LIS, er7);
	}

	@Test
	void publishesNothingWhenTheRecordingTransactionRollsBack() {
		String mrn = "MRN-EV-TX";
		this.transactions.executeWithoutResult((status) -> {
			this.patients.record(demographics(mrn, "Rolled", "EV-TX-1"));
			status.setRollbackOnly();
		});
		assertThat(this.patients.findByMrn(mrn)).isEmpty();
		assertThat(outboxRowsMentioning(mrn)).isZero();

		String patientId = this.patients.record(demographics(mrn, "Committed", "EV-TX-2")).patientId().toString();

		List<ConsumerRecord<byte[], byte[]>> events = this.topics.awaitRecords(keyed(PATIENT_EVENTS, patientId),
				(seen) -> !seen.isEmpty());
		assertThat(events).hasSize(1);
		assertThat(this.topics.seen((record) -> value(record).contains(mrn))).hasSize(1)
			.allSatisfy((record) -> assertThat(value(record)).contains("Committed").doesNotContain("Rolled"));
	}

	private RecordDemographics demographics(String mrn, String family, String controlId) {
		return new RecordDemographics(mrn, "Ada", family, null, null, null, null, null, null,
				EnumSet.of(Part.NAME), Instant.now(), controlId);
	}

	private int outboxRowsMentioning(String text) {
		Integer rows = this.jdbc.queryForObject(
				"SELECT count(*) FROM outbox_event WHERE position(? IN convert_from(data, 'UTF8')) > 0", Integer.class,
				text);
		return (rows != null) ? rows : 0;
	}

	private Collection<String> documentedFields(String type) throws Exception {
		return this.json.readTree(Files.readString(Path.of("..", "docs", "events", type + ".json"))).propertyNames();
	}

	private String awaitPatientId(String mrn) {
		return await().atMost(Duration.ofSeconds(30))
			.until(() -> this.jdbc.queryForList("SELECT id::text FROM patient WHERE mrn = ?", String.class, mrn),
					(ids) -> ids.size() == 1)
			.get(0);
	}

	private void send(String mrn, String er7) throws Exception {
		this.producer.send(new ProducerRecord<>(LIS, mrn.getBytes(StandardCharsets.UTF_8), Hl7Messages.bytes(er7)))
			.get();
	}

}
