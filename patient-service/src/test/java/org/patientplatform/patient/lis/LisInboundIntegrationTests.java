package org.patientplatform.patient.lis;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import io.micrometer.core.instrument.MeterRegistry;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.assertj.core.api.InstanceOfAssertFactories;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.patientplatform.kit.events.InvalidEventException;
import org.patientplatform.kit.kafka.DeadLetterHeaders;
import org.patientplatform.local.infra.LocalSigningKey;
import org.patientplatform.patient.PatientIntegrationTest;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.ResponseEntity;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.web.client.RestClient;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

@PatientIntegrationTest
@ExtendWith(OutputCaptureExtension.class)
class LisInboundIntegrationTests {

	private static final String TOPIC = "lis.inbound.v1";

	private static final String GROUP = "patient-service.consumer-lis-patient";

	@Autowired
	LocalSigningKey signingKey;

	@Autowired
	JdbcTemplate jdbc;

	@Autowired
	JsonMapper json;

	@Autowired
	MeterRegistry meters;

	@Autowired
	KeptMessageRetention retention;

	@Autowired
	LisInbox inbox;

	@Value("${spring.kafka.bootstrap-servers}")
	String bootstrapServers;

	@LocalServerPort
	int port;

	KafkaProducer<byte[], byte[]> producer;

	RestClient api;

	@BeforeEach
	void setUp() {
		this.producer = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, this.bootstrapServers,
				ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class,
				ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class));
		String staff = this.signingKey.mint("staff-1", List.of("staff"), null, Duration.ofMinutes(5));
		this.api = RestClient.builder()
			.baseUrl("http://127.0.0.1:" + this.port)
			.defaultHeader("Authorization", "Bearer " + staff)
			.defaultStatusHandler(HttpStatusCode::isError, (request, response) -> {
			})
			.build();
	}

	@AfterEach
	void tearDown() {
		this.producer.close();
	}

	@Test
	void registersPatientFromAdtA04AndServesItToStaff(CapturedOutput output) throws Exception {
		send("MRN-SKEL-1", Hl7Messages.registration("SKEL-0001", "MRN-SKEL-1", "Lovelace", "Ada", "20250312143015+0100"));

		Map<String, Object> found = awaitPatient("MRN-SKEL-1");
		ResponseEntity<String> response = this.api.get()
			.uri("/api/v1/patients/{id}", found.get("id"))
			.retrieve()
			.toEntity(String.class);

		assertThat(response.getStatusCode().value()).isEqualTo(200);
		Map<String, Object> patient = map(response.getBody());
		assertThat(patient).containsEntry("id", found.get("id"))
			.containsEntry("mrn", "MRN-SKEL-1")
			.containsEntry("givenName", "Ada")
			.containsEntry("middleNames", "Augusta")
			.containsEntry("familyName", "Lovelace")
			.containsEntry("birthDate", "1980-12-10")
			.containsEntry("sex", "FEMALE")
			.containsEntry("phone", "+44 20 79460123")
			.containsEntry("email", "ada@example.org")
			.containsKeys("createdAt", "updatedAt");
		assertThat(UUID.fromString((String) patient.get("id"))).isNotNull();
		assertThat(this.jdbc.queryForList(
				"SELECT actor || ' ' || action || ' ' || outcome || ' ' || reason FROM audit_log WHERE resource_id = ? "
						+ "AND action LIKE 'lis-%'",
				String.class, found.get("id")))
			.containsExactly("system lis-registered OK HL7 SKEL-0001");
		assertThat(output.getAll()).contains("ADT^A04 SKEL-0001")
			.doesNotContain("Lovelace")
			.doesNotContain("ada@example.org")
			.doesNotContain("79460123")
			.doesNotContain("MRN-SKEL-1");
	}

	@Test
	void aControlIdIsUniquePerSenderSoTwoLabsMayUseTheSameOne() throws Exception {
		// MSH-10 is unique per sending application and facility; a second LIS reusing a control id was taken
		// for a redelivery and its patient silently not registered
		String other = "MSH|^~\\&|OTHERLIS|NORTHLAB|";
		send("MRN-TWO-1", Hl7Messages.registration("TWO-0001", "MRN-TWO-1", "Lovelace", "Ada", "20250312143015"));
		send("MRN-TWO-2", Hl7Messages.registration("TWO-0001", "MRN-TWO-2", "Hopper", "Grace", "20250312143015")
			.replace("MSH|^~\\&|LABSYS|CITYLAB|", other));
		assertThat(awaitPatient("MRN-TWO-1")).containsEntry("familyName", "Lovelace");
		assertThat(awaitPatient("MRN-TWO-2")).containsEntry("familyName", "Hopper");
		// kept messages too: two discharges with one control id, one from each sender
		send("MRN-TWO-1", Hl7Messages.discharge("TWO-0002", "MRN-TWO-1", "20250313100000"));
		send("MRN-TWO-2", Hl7Messages.discharge("TWO-0002", "MRN-TWO-2", "20250313100000")
			.replace("MSH|^~\\&|LABSYS|CITYLAB|", other));
		await().atMost(Duration.ofSeconds(30))
			.untilAsserted(() -> assertThat(this.jdbc.queryForList(
					"SELECT sender FROM lis_unhandled_message WHERE message_control_id = 'TWO-0002' ORDER BY 1",
					String.class)).containsExactly("LABSYS^CITYLAB", "OTHERLIS^NORTHLAB"));
		// and each is still applied once: the first sender's registration delivered again changes nothing
		send("MRN-TWO-1", Hl7Messages.registration("TWO-0001", "MRN-TWO-1", "Lovelace", "Ada", "20250312143015"));
		send("MRN-TWO-1", Hl7Messages.discharge("TWO-0003", "MRN-TWO-1", "20250313100000"));
		awaitKept("TWO-0003");
		assertThat(this.jdbc.queryForList("SELECT source FROM processed_message WHERE consumer_group = ? "
				+ "AND event_id LIKE 'TWO-0001#%' ORDER BY 1", String.class, GROUP))
			.containsExactly("LABSYS^CITYLAB", "OTHERLIS^NORTHLAB");
		assertThat(this.jdbc.queryForObject("SELECT count(*) FROM audit_log WHERE action LIKE 'lis-%' "
				+ "AND reason = 'HL7 TWO-0001'", Integer.class)).isEqualTo(2);
	}

	@Test
	void refusesAnotherAuthoritysPatientWithTheSameMrnAndLeavesTheFirstOnesRecordAsItWas() throws Exception {
		// two labs may each have an MRN-5003 (PID-3.4 names who assigned it): the second lab's registration made the
		// first one's patient "Totally Stranger", and would have sent her result notices to the stranger's phone
		String mrn = "MRN-AUTH-1";
		send(mrn, Hl7Messages.registration("AUTH-0001", mrn, "Lovelace", "Ada", "20250312143015"));
		assertThat(awaitPatient(mrn)).containsEntry("familyName", "Lovelace");
		String otherLab = "MSH|^~\\&|LIS2|OTHERLAB|";
		String reason = "names a patient identifier assigned by OTHERLAB (CX-4), which this service's patient has "
				+ "from CITYLAB: another authority's patient is not applied to them";

		RecordMetadata registration = send(mrn,
				Hl7Messages.registration("AUTH-0002", mrn, "Stranger", "Totally", "20250313100000")
					.replace("MSH|^~\\&|LABSYS|CITYLAB|", otherLab)
					.replace(mrn + "^^^CITYLAB^MR", mrn + "^^^OTHERLAB^MR"));
		ConsumerRecord<byte[], byte[]> refused = awaitDeadLetter(registration);
		assertThat(text(refused, DeadLetterHeaders.EXCEPTION_MESSAGE))
			.isEqualTo("HL7 message ADT^A04 (control id AUTH-0002) " + reason);
		assertThat(text(refused, DeadLetterHeaders.NON_RETRYABLE)).isEqualTo("true");
		// nor are the other lab's results for its patient recorded as hers
		RecordMetadata result = send(mrn, Hl7Messages.result("AUTH-0003", mrn, "20250313110000")
			.replace(mrn + "^^^CITYLAB^MR", mrn + "^^^otherlab^MR"));
		assertThat(text(awaitDeadLetter(result), DeadLetterHeaders.EXCEPTION_MESSAGE))
			.isEqualTo("HL7 message ORU^R01 (control id AUTH-0003) " + reason.replace("by OTHERLAB", "by otherlab"));

		// her own lab's update applies, and so does one that names no authority (as before authorities were kept)
		send(mrn, Hl7Messages.nameUpdate("AUTH-0004", mrn, "Byron", "Ada", "20250314100000")
			.replace(mrn + "^^^CITYLAB^MR", mrn + "^^^citylab^MR"));
		send(mrn, Hl7Messages.nameUpdate("AUTH-0005", mrn, "King", "Ada", "20250315100000")
			.replace(mrn + "^^^CITYLAB^MR", mrn));
		send(mrn, Hl7Messages.discharge("AUTH-0006", mrn, "20250316100000"));
		awaitKept("AUTH-0006");
		assertThat(awaitPatient(mrn)).containsEntry("familyName", "King")
			.containsEntry("givenName", "Ada")
			.containsEntry("birthDate", "1980-12-10");
		assertThat(this.jdbc.queryForObject("SELECT mrn_authority FROM patient WHERE mrn = ?", String.class, mrn))
			.isEqualTo("CITYLAB");
		assertThat(this.jdbc.queryForObject("SELECT count(*) FROM test_order t JOIN patient p ON p.id = t.patient_id "
				+ "WHERE p.mrn = ?", Integer.class, mrn)).isZero();
	}

	@Test
	void takesOneAuthorityNamedByItsNamespaceIdItsUniversalIdOrBothAsOne() throws Exception {
		// a lab names its authority by both ids in its ADT (an ELR feed's PID-3.4, CITYLAB&2.16.840.1.113883.19.4.6&ISO)
		// and by its OID alone, or its namespace id alone, in its other messages: the OID alone was refused as another
		// authority's patient, the authority being kept by its namespace id
		String mrn = "MRN-AUTH-2";
		String oid = "2.16.840.1.113883.19.4.6";
		send(mrn, Hl7Messages.registration("AUTHU-0001", mrn, "Lovelace", "Ada", "20250312143015")
			.replace(mrn + "^^^CITYLAB^MR", mrn + "^^^CITYLAB&" + oid + "&ISO^MR"));
		assertThat(awaitPatient(mrn)).containsEntry("familyName", "Lovelace");
		send(mrn, Hl7Messages.nameUpdate("AUTHU-0002", mrn, "Byron", "Ada", "20250313100000")
			.replace(mrn + "^^^CITYLAB^MR", mrn + "^^^&" + oid + "&ISO^MR"));
		send(mrn, Hl7Messages.result("AUTHU-0003", mrn, "20250313110000")
			.replace(mrn + "^^^CITYLAB^MR", mrn + "^^^citylab^MR")
			.replace("|ORD-1|", "|ORD-AUTHU-3|"));
		// another OID under the same namespace id is another authority, and the refusal tells the two apart; it comes
		// after the two above on their partition, so they were applied when it is dead-lettered
		RecordMetadata otherOid = send(mrn, Hl7Messages.nameUpdate("AUTHU-0004", mrn, "Stranger", "Totally",
				"20250314100000")
			.replace(mrn + "^^^CITYLAB^MR", mrn + "^^^CITYLAB&" + oid + "9&ISO^MR"));
		assertThat(text(awaitDeadLetter(otherOid), DeadLetterHeaders.EXCEPTION_MESSAGE))
			.isEqualTo("HL7 message ADT^A08 (control id AUTHU-0004) names a patient identifier assigned by CITYLAB&"
					+ oid + "9 (CX-4), which this service's patient has from CITYLAB&" + oid
					+ ": another authority's patient is not applied to them");
		assertThat(awaitPatient(mrn)).containsEntry("familyName", "Byron");
		assertThat(this.jdbc.queryForObject("SELECT count(*) FROM test_order t JOIN patient p ON p.id = t.patient_id "
				+ "WHERE p.mrn = ? AND t.status = 'RESULTED'", Integer.class, mrn)).isOne();
		assertThat(this.jdbc.queryForMap("SELECT mrn_authority, mrn_authority_universal_id FROM patient WHERE mrn = ?",
				mrn)).containsExactlyInAnyOrderEntriesOf(Map.of("mrn_authority", "CITYLAB",
						"mrn_authority_universal_id", oid));
	}

	@Test
	void choosesTheMrIdentifierOfAStoredPatientAmongSeveralWhateverTheirOrder() throws Exception {
		// an HIE's PID-3 repeats the MRNs of several authorities: the first was taken, and the same person listed in
		// another order was registered a second time
		String city = "MRN-HIE-1";
		String state = "HIE-77-1";
		String cityFirst = city + "^^^CITYLAB^MR~" + state + "^^^STATEHIE^MR";
		String stateFirst = state + "^^^STATEHIE^MR~" + city + "^^^CITYLAB^MR";
		send(city, Hl7Messages.registration("HIE-0001", city, "Lovelace", "Ada", "20250312143015")
			.replace(city + "^^^CITYLAB^MR", cityFirst));
		String id = (String) awaitPatient(city).get("id");
		// keyed by the MRN it lists first, as a LIS keys its records: perhaps another partition
		send(state, Hl7Messages.nameUpdate("HIE-0002", state, "Byron", "Ada", "20250313100000")
			.replace(state + "^^^CITYLAB^MR", stateFirst));
		send(state, Hl7Messages.result("HIE-0003", state, "20250313110000")
			.replace(state + "^^^CITYLAB^MR", stateFirst)
			.replace("|ORD-1|", "|ORD-HIE-3|"));
		await().atMost(Duration.ofSeconds(30))
			.untilAsserted(() -> assertThat(this.jdbc.queryForList("SELECT t.order_id FROM test_order t "
					+ "JOIN patient p ON p.id = t.patient_id WHERE p.mrn = ? AND t.status = 'RESULTED'", String.class,
					city)).containsExactly("ORD-HIE-3"));
		assertThat(awaitPatient(city)).containsEntry("id", id).containsEntry("familyName", "Byron");
		assertThat(this.jdbc.queryForObject("SELECT count(*) FROM patient WHERE mrn IN (?, ?)", Integer.class, city,
				state)).isOne();

		// a result before its patient's registration waits for any of its MR identifiers: registered under the one
		// the registration lists first (none was stored), the result is applied to her
		String city2 = "MRN-HIE-2";
		String state2 = "HIE-77-2";
		send(city2, Hl7Messages.result("HIE-0004", city2, "20250313110000")
			.replace(city2 + "^^^CITYLAB^MR", city2 + "^^^CITYLAB^MR~" + state2 + "^^^STATEHIE^MR")
			.replace("|ORD-1|", "|ORD-HIE-4|"));
		awaitKept("HIE-0004");
		send(state2, Hl7Messages.registration("HIE-0005", state2, "Hopper", "Grace", "20250313120000")
			.replace(state2 + "^^^CITYLAB^MR", state2 + "^^^STATEHIE^MR~" + city2 + "^^^CITYLAB^MR"));
		String id2 = (String) awaitPatient(state2).get("id");
		await().atMost(Duration.ofSeconds(30))
			.untilAsserted(() -> assertThat(this.jdbc.queryForList(
					"SELECT patient_id::text FROM test_order WHERE order_id = 'ORD-HIE-4'", String.class))
				.containsExactly(id2));
		assertThat(this.jdbc.queryForObject("SELECT count(*) FROM lis_unhandled_message WHERE message_control_id = ?",
				Integer.class, "HIE-0004")).isZero();

		// MR identifiers naming two patients of this service: which one is meant cannot be told, and nothing applied
		RecordMetadata both = send(city, Hl7Messages.nameUpdate("HIE-0006", city, "Stranger", "Totally",
				"20250314100000")
			.replace(city + "^^^CITYLAB^MR", city + "^^^CITYLAB^MR~" + state2 + "^^^STATEHIE^MR"));
		ConsumerRecord<byte[], byte[]> refused = awaitDeadLetter(both);
		assertThat(text(refused, DeadLetterHeaders.EXCEPTION_MESSAGE))
			.isEqualTo("HL7 message ADT^A08 (control id HIE-0006) names two patients of this service in the MR "
					+ "identifiers of its PID-3: which one it means cannot be told");
		assertThat(text(refused, DeadLetterHeaders.NON_RETRYABLE)).isEqualTo("true");
		assertThat(awaitPatient(city)).containsEntry("familyName", "Byron");
		assertThat(awaitPatient(state2)).containsEntry("familyName", "Hopper");

		// a message read before a patient was registered under another of its MR identifiers (on another partition)
		// chooses again under their locks: it is retried, to be read again, rather than register her a second time
		String er7 = Hl7Messages.nameUpdate("HIE-0007", "MRN-HIE-9", "Hopper", "Grace", "20250315100000")
			.replace("MRN-HIE-9^^^CITYLAB^MR", "MRN-HIE-9^^^CITYLAB^MR~" + state2 + "^^^STATEHIE^MR");
		LisMessage readBefore = new Hl7MessageReader(ZoneOffset.UTC).read(Hl7Messages.bytes(er7));
		assertThat(((LisMessage.Demographics) readBefore).command().mrn()).isEqualTo("MRN-HIE-9");
		assertThatExceptionOfType(LisInbox.MrnChoiceChangedException.class)
			.isThrownBy(() -> this.inbox.accept(readBefore, Hl7Messages.bytes(er7),
					new ConsumerRecord<>(TOPIC, 0, 0L, new byte[0], new byte[0])))
			.withMessage("HL7 message ADT^A08 (control id HIE-0007) names in its PID-3 a patient registered under "
					+ "another of its MR identifiers while it was read: read again");
		assertThat(this.jdbc.queryForObject("SELECT count(*) FROM patient WHERE mrn = 'MRN-HIE-9'", Integer.class))
			.isZero();
		assertThat(this.jdbc.queryForObject("SELECT count(*) FROM processed_message WHERE event_id LIKE 'HIE-0007#%'",
				Integer.class)).isZero();
	}

	@Test
	void takesNamesAsLongAsTheReaderTakesAndRefusesLongerOnesWithTheirReason() throws Exception {
		// 250 characters of four bytes each in the family and the given name fit the name search's index (its entry
		// holds both); a 9,000-character name did not, and was dead-lettered with an SQL statement as its reason
		String mrn = "MRN-NLEN-1";
		String longest = "\uD835\uDD04".repeat(250);
		send(mrn, Hl7Messages.registration("NLEN-0001", mrn, longest, longest, "20250312143015"));
		assertThat(awaitPatient(mrn)).containsEntry("familyName", longest).containsEntry("givenName", longest);
		RecordMetadata tooLong = send(mrn, Hl7Messages.nameUpdate("NLEN-0002", mrn, "A".repeat(9000), "Ada",
				"20250313100000"));
		assertThat(text(awaitDeadLetter(tooLong), DeadLetterHeaders.EXCEPTION_MESSAGE)).isEqualTo(
				"HL7 message ADT^A08 (control id NLEN-0002) has a family name (PID-5.1) longer than 250 characters");
	}

	@Test
	void appliesMessagesWhoseControlIdIsAnyPrintableTextOnceAndFindsTheirAuditByIt(CapturedOutput output)
			throws Exception {
		// MSH-10 is HL7's ST: these were dead-lettered as "not 1 to 64 letters, digits or . _ -"
		String run = UUID.randomUUID().toString().substring(0, 8);
		String colons = "LAB:2026:" + run;
		String mrn = "MRN-CID-" + run;
		send(mrn, Hl7Messages.registration(colons, mrn, "Lovelace", "Ada", "20250312143015"));
		assertThat(awaitPatient(mrn)).containsEntry("familyName", "Lovelace");
		// a result for a patient not registered yet, parked and replayed with her: audited under its control id
		String odd = "R 0002#/?=%+" + run;
		String parked = "MRN-CID-P-" + run;
		send(parked, Hl7Messages.result(odd, parked, "20250312143015"));
		awaitKept(odd);
		send(parked, Hl7Messages.registration("A04#0003-" + run, parked, "Hopper", "Grace", "20250312143016"));
		assertThat(awaitPatient(parked)).containsEntry("familyName", "Hopper");
		// sent again, each is the same message (its control id and what it says), applied once
		send(mrn, Hl7Messages.registration(colons, mrn, "Lovelace", "Ada", "20250312143015"));
		send(mrn, Hl7Messages.discharge("CID-END-" + run, mrn, "20250313100000"));
		awaitKept("CID-END-" + run);
		assertThat(this.jdbc.queryForList("SELECT action FROM audit_log WHERE reason = ?", String.class, "HL7 " + colons))
			.containsExactly("lis-registered");
		assertThat(output.getAll()).contains("ADT^A04 " + colons + " at ");
		// the control id is the audit record's id: ops find it by it, URL-encoded in the query
		String ops = this.signingKey.mint("ops-1", List.of("ops"), null, Duration.ofMinutes(5));
		ResponseEntity<String> audit = this.api.get()
			.uri(java.net.URI.create("http://127.0.0.1:" + this.port + "/api/v1/ops/audit?resourceType=lis-message"
					+ "&resourceId=" + java.net.URLEncoder.encode(odd, StandardCharsets.UTF_8)))
			.header("Authorization", "Bearer " + ops)
			.retrieve()
			.toEntity(String.class);
		assertThat(audit.getStatusCode().value()).as(audit.getBody()).isEqualTo(200);
		assertThat((List<?>) map(audit.getBody()).get("items")).singleElement()
			.asInstanceOf(InstanceOfAssertFactories.MAP)
			.containsEntry("action", "lis-replayed")
			.containsEntry("resourceId", odd);

		// a control id holding a # is not taken for another message's claim (its control id, #, its digest): the
		// claim of a message from before V7, by its control id alone, is looked for only under a control id of then
		String claim = this.jdbc.queryForObject("SELECT event_id FROM processed_message WHERE event_id LIKE ?",
				String.class, colons + "#%");
		String other = "MRN-CID-O-" + run;
		send(other, Hl7Messages.registration(claim, other, "Byron", "Augusta", "20250312143017"));
		assertThat(awaitPatient(other)).containsEntry("familyName", "Byron");
	}

	@Test
	void deadLettersAControlIdThatIsNoPrintableTextOrTooLongStatingTheRule() throws Exception {
		String rule = "HL7 message ADT^A04 has a message control id (MSH-10) that is not 1 to 199 printable characters: ";
		RecordMetadata tooLong = send("MRN-CIDX-1",
				Hl7Messages.registration("L".repeat(200), "MRN-CIDX-1", "Lovelace", "Ada", "20250312143015"));
		ConsumerRecord<byte[], byte[]> refused = awaitDeadLetter(tooLong);
		assertThat(text(refused, DeadLetterHeaders.EXCEPTION_MESSAGE)).isEqualTo(rule + "it is 200 characters long");
		assertThat(text(refused, DeadLetterHeaders.NON_RETRYABLE)).isEqualTo("true");
		RecordMetadata lineBreak = send("MRN-CIDX-2",
				Hl7Messages.registration("CIDX\\X0A\\2", "MRN-CIDX-2", "Lovelace", "Ada", "20250312143015"));
		assertThat(text(awaitDeadLetter(lineBreak), DeadLetterHeaders.EXCEPTION_MESSAGE))
			.isEqualTo(rule + "it holds a control or format character");
		assertThat(this.jdbc.queryForObject("SELECT count(*) FROM patient WHERE mrn LIKE 'MRN-CIDX-%'", Integer.class))
			.isZero();
	}

	@Test
	void deadLettersARecordWhoseMsh18HoldsANameWithAReasonThatDoesNotQuoteIt() throws Exception {
		// a sender whose segments are not separated by CR runs its PID into the MSH: the reason, shown in the DLQ's
		// lists and console, quoted MSH-18 ("... this service does not read: DOE^JOHN^^^^")
		RecordMetadata runTogether = send("MRN-CS-9", Hl7Messages
			.registration("CS-0009", "MRN-CS-9", "Lovelace", "Ada", "20250312143015")
			.replace("UNICODE UTF-8", "DOE^JOHN^^^^"));
		ConsumerRecord<byte[], byte[]> deadLetter = awaitDeadLetter(runTogether);
		assertThat(text(deadLetter, DeadLetterHeaders.EXCEPTION_MESSAGE))
			.isEqualTo("LIS record names a character set (MSH-18) this service does not read")
			.doesNotContain("DOE")
			.doesNotContain("JOHN");
		assertThat(text(deadLetter, DeadLetterHeaders.NON_RETRYABLE)).isEqualTo("true");
	}

	@Test
	void deadLettersAMergeOfAPatientIntoItselfCountedAsARejectedMerge() throws Exception {
		// it was applied: nothing merged, no dead letter, counted as merged and logged "0 patients merged"
		String mrn = "MRN-SELF-1";
		send(mrn, Hl7Messages.registration("SELF-0001", mrn, "Lovelace", "Ada", "20250312143015"));
		Map<String, Object> patient = awaitPatient(mrn);
		double merged = this.meters.get("patient.lis.messages").tag("type", "merges").tag("outcome", "merged")
			.counter().count();
		double rejected = this.meters.get("patient.lis.messages").tag("type", "merges").tag("outcome", "rejected")
			.counter().count();

		RecordMetadata self = send(mrn, Hl7Messages.merge("SELF-0002", mrn, mrn, "20250313100000"));

		ConsumerRecord<byte[], byte[]> deadLetter = awaitDeadLetter(self);
		assertThat(text(deadLetter, DeadLetterHeaders.EXCEPTION_MESSAGE)).isEqualTo("HL7 message ADT^A40 (control id "
				+ "SELF-0002) merges a patient into itself: its MRG-1 names the patient of its PID-3");
		assertThat(text(deadLetter, DeadLetterHeaders.EXCEPTION_FQCN)).isEqualTo(InvalidEventException.class.getName());
		assertThat(text(deadLetter, DeadLetterHeaders.NON_RETRYABLE)).isEqualTo("true");
		assertThat(this.meters.get("patient.lis.messages").tag("type", "merges").tag("outcome", "rejected")
			.counter().count()).isEqualTo(rejected + 1);
		assertThat(this.meters.get("patient.lis.messages").tag("type", "merges").tag("outcome", "merged")
			.counter().count()).isEqualTo(merged);
		assertThat(awaitPatient(mrn)).containsEntry("id", patient.get("id")).containsEntry("mergedInto", null);
		assertThat(this.jdbc.queryForObject("SELECT count(*) FROM processed_message WHERE event_id LIKE 'SELF-0002#%'",
				Integer.class)).isZero();
	}

	@Test
	void keepsABirthYearAloneAndServesItAsAYearOverRestAndFhir() throws Exception {
		// PID-7 "1975", what an LIS sends when the day is not known, was dropped as if nothing had been said
		String mrn = "MRN-YEAR-1";
		send(mrn, Hl7Messages.registration("YEAR-0001", mrn, "Lovelace", "Ada", "20250312143015")
			.replace("||19801210|", "||1975|"));
		Map<String, Object> patient = awaitPatient(mrn);
		assertThat(patient).containsEntry("birthDate", "1975");
		String id = (String) patient.get("id");
		Map<String, Object> fhir = map(this.api.get().uri("/api/fhir/r4/Patient/{id}", id).retrieve().body(String.class));
		assertThat(fhir).containsEntry("birthDate", "1975");
		// the middle name (XPN-3) is a further given name in FHIR
		assertThat(fhir.get("name").toString()).contains("given=[Ada, Augusta]");
		// found by its year, and not by a day of it: FHIR's eq wants the whole of the patient's range inside the day
		assertThat((List<?>) map(this.api.get().uri("/api/fhir/r4/Patient?identifier={mrn}&birthdate=1975", mrn)
			.retrieve()
			.body(String.class)).get("entry")).hasSize(1);
		assertThat(map(this.api.get().uri("/api/fhir/r4/Patient?identifier={mrn}&birthdate=1975-06-12", mrn)
			.retrieve()
			.body(String.class)).get("entry")).isNull();
		// an update to the day makes it a day
		send(mrn, Hl7Messages.registration("YEAR-0002", mrn, "Lovelace", "Ada", "20250313143015")
			.replace("||19801210|", "||19750612|"));
		await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(awaitPatient(mrn))
			.containsEntry("birthDate", "1975-06-12"));
	}

	@Test
	void appliesAnotherMessageUnderAControlIdItsLisUsedBeforeButNotTheSameOneSentAgain() throws Exception {
		// a LIS whose control ids count from 1 again after a restart: the second patient was dropped as a duplicate
		send("MRN-RST-1", Hl7Messages.registration("RST-0001", "MRN-RST-1", "Lovelace", "Ada", "20250312143015"));
		assertThat(awaitPatient("MRN-RST-1")).containsEntry("familyName", "Lovelace");
		send("MRN-RST-2", Hl7Messages.registration("RST-0001", "MRN-RST-2", "Hopper", "Grace", "20250314090000"));
		assertThat(awaitPatient("MRN-RST-2")).containsEntry("familyName", "Hopper");
		// kept messages too: two different discharges under one control id are both kept
		send("MRN-RST-1", Hl7Messages.discharge("RST-0002", "MRN-RST-1", "20250313100000"));
		send("MRN-RST-2", Hl7Messages.discharge("RST-0002", "MRN-RST-2", "20250315100000"));
		await().atMost(Duration.ofSeconds(30))
			.untilAsserted(() -> assertThat(this.jdbc.queryForObject(
					"SELECT count(DISTINCT content_digest) FROM lis_unhandled_message WHERE message_control_id = 'RST-0002'",
					Integer.class)).isEqualTo(2));

		// the first registration sent again, its MSH-7 stamped anew by the interface engine: the same message
		String again = Hl7Messages.registration("RST-0001", "MRN-RST-1", "Lovelace", "Ada", "20250312143015")
			.replace("|CITYLAB|20250312143015||", "|CITYLAB|20250316120000||");
		send("MRN-RST-1", again);
		send("MRN-RST-1", Hl7Messages.discharge("RST-0003", "MRN-RST-1", "20250313100000"));
		awaitKept("RST-0003");
		assertThat(this.jdbc.queryForList("SELECT outcome || ' ' || resource_id FROM audit_log WHERE action LIKE 'lis-%' "
				+ "AND reason = 'HL7 RST-0001' ORDER BY id", String.class)).hasSize(2);
	}

	@Test
	void deletesKeptMessagesOfUnhandledTypesAfterTheirRetentionButNotThoseStillToApply() throws Exception {
		// a discharge no feature handles, and an order for a patient not registered yet, both a year and more old
		send("MRN-RET-1", Hl7Messages.discharge("RET-0001", "MRN-RET-1", "20250313100000"));
		send("MRN-RET-2", Hl7Messages.order("RET-0002", "MRN-RET-2", "20250313100000", "NW", "ORD-RET-2", "2345-7"));
		awaitKept("RET-0001");
		awaitKept("RET-0002");
		this.jdbc.update("UPDATE lis_unhandled_message SET received_at = now() - interval '400 days' "
				+ "WHERE message_control_id IN ('RET-0001', 'RET-0002')");

		// before: kept for good, with the patient data of their ER7 text
		assertThat(this.retention.purge()).isPositive();

		assertThat(this.jdbc.queryForList("SELECT message_control_id || ' ' || reason FROM lis_unhandled_message "
				+ "WHERE message_control_id IN ('RET-0001', 'RET-0002')", String.class))
			.containsExactly("RET-0002 unknown patient");
		assertThat(this.jdbc.queryForList("SELECT action FROM audit_log WHERE action = 'lis-kept-purged'",
				String.class)).isNotEmpty();
	}

	@Test
	void appliesEachMessageOnceAndUpdatesTheNameOnAdtA08() throws Exception {
		String mrn = "MRN-IDEM-1";
		String registration = Hl7Messages.registration("IDEM-0001", mrn, "Lovelace", "Ada", "20250312143015");
		Map<String, Double> before = lisMessages();
		send(mrn, registration);
		send(mrn, registration);
		assertThat(awaitPatient(mrn)).containsEntry("familyName", "Lovelace");

		send(mrn, Hl7Messages.nameUpdate("IDEM-0002", mrn, "King", "Ada", "20250313090000"));
		// the registration again, as a redelivery after the update would bring it
		send(mrn, registration);
		send(mrn, Hl7Messages.discharge("IDEM-0003", mrn, "20250313100000"));
		awaitKept("IDEM-0003");

		assertThat(this.jdbc.queryForObject("SELECT count(*) FROM patient WHERE mrn = ?", Integer.class, mrn))
			.isEqualTo(1);
		Map<String, Object> patient = map(
				this.api.get().uri("/api/v1/patients?mrn={mrn}", mrn).retrieve().toEntity(String.class).getBody());
		assertThat(patient).containsEntry("familyName", "King")
			.containsEntry("givenName", "Ada")
			.containsEntry("birthDate", "1980-12-10")
			.containsEntry("email", "ada@example.org");
		assertThat(this.jdbc.queryForList(
				"SELECT split_part(event_id, '#', 1) FROM processed_message WHERE consumer_group = ? "
						+ "AND event_id LIKE 'IDEM-%' ORDER BY 1",
				String.class, GROUP))
			.containsExactly("IDEM-0001", "IDEM-0002", "IDEM-0003");
		// what the seed's "LIS sync status" and "registration success rates" are read from
		Map<String, Double> after = lisMessages();
		after.replaceAll((series, count) -> count - before.getOrDefault(series, 0.0));
		after.values().removeIf((count) -> count == 0);
		assertThat(after).containsExactlyInAnyOrderEntriesOf(Map.of("demographics registered", 1.0,
				"demographics duplicate", 2.0, "demographics updated", 1.0, "unhandled kept", 1.0));
	}

	/** {@code patient.lis.messages} by "type outcome". */
	private Map<String, Double> lisMessages() {
		Map<String, Double> counts = new HashMap<>();
		this.meters.get("patient.lis.messages").counters().forEach((counter) -> counts
			.put(counter.getId().getTag("type") + " " + counter.getId().getTag("outcome"), counter.count()));
		return counts;
	}

	@Test
	void ignoresAnUpdateOlderThanTheStoredDemographics() throws Exception {
		String mrn = "MRN-STALE-1";
		send(mrn, Hl7Messages.registration("STALE-0001", mrn, "Lovelace", "Ada", "20250312143015"));
		send(mrn, Hl7Messages.nameUpdate("STALE-0002", mrn, "King", "Ada", "20250314090000"));
		send(mrn, Hl7Messages.nameUpdate("STALE-0003", mrn, "Byron", "Ada", "20250313090000"));
		send(mrn, Hl7Messages.discharge("STALE-0004", mrn, "20250314100000"));
		awaitKept("STALE-0004");

		assertThat(this.jdbc.queryForObject("SELECT family_name FROM patient WHERE mrn = ?", String.class, mrn))
			.isEqualTo("King");
	}

	@Test
	void deadLettersGarbageAndProcessesTheNextMessageOfThePartition(CapturedOutput output) throws Exception {
		String mrn = "MRN-POISON-1";
		byte[] garbage = "PID|1||MRN-POISON-1^^^LAB^MR||Doe^Jane||19900101|F\r".getBytes(StandardCharsets.UTF_8);
		double rejected = this.meters.get("patient.lis.messages").tag("type", "unreadable").tag("outcome", "rejected")
			.counter().count();
		RecordMetadata poison = send(mrn, garbage);
		RecordMetadata good = send(mrn,
				Hl7Messages.bytes(Hl7Messages.registration("POISON-0002", mrn, "Hopper", "Grace", "20250312143015")));
		assertThat(good.partition()).isEqualTo(poison.partition());

		assertThat(awaitPatient(mrn)).containsEntry("familyName", "Hopper");

		ConsumerRecord<byte[], byte[]> deadLetter = awaitDeadLetter(poison);
		assertThat(deadLetter.key()).isEqualTo(mrn.getBytes(StandardCharsets.UTF_8));
		assertThat(deadLetter.value()).isEqualTo(garbage);
		assertThat(ByteBuffer.wrap(header(deadLetter, DeadLetterHeaders.ORIGINAL_PARTITION)).getInt())
			.isEqualTo(poison.partition());
		assertThat(text(deadLetter, DeadLetterHeaders.ORIGINAL_CONSUMER_GROUP)).isEqualTo(GROUP);
		assertThat(text(deadLetter, DeadLetterHeaders.EXCEPTION_FQCN)).isEqualTo(InvalidEventException.class.getName());
		assertThat(text(deadLetter, DeadLetterHeaders.NON_RETRYABLE)).isEqualTo("true");
		assertThat(text(deadLetter, DeadLetterHeaders.SOURCE_SERVICE)).isEqualTo("patient-service");
		assertThat(text(deadLetter, DeadLetterHeaders.SOURCE_ROLE)).isEqualTo("consumer-lis-patient");
		assertThat(text(deadLetter, DeadLetterHeaders.EXCEPTION_MESSAGE))
			.startsWith("LIS record is not a parseable HL7 v2 message")
			.doesNotContain("Doe")
			.doesNotContain("MRN-POISON-1");
		assertThat(text(deadLetter, DeadLetterHeaders.EXCEPTION_STACKTRACE)).doesNotContain("Doe");
		assertThat(this.jdbc.queryForObject("SELECT count(*) FROM patient WHERE family_name = 'Doe'", Integer.class))
			.isZero();
		assertThat(output.getAll()).doesNotContain("Doe").doesNotContain("Hopper");
		assertThat(this.meters.get("patient.lis.messages").tag("type", "unreadable").tag("outcome", "rejected")
			.counter().count()).isEqualTo(rejected + 1);
	}

	@Test
	void deadLettersUnsupportedMessageTypeNamingTypeAndControlId() throws Exception {
		String er7 = "MSH|^~\\&|LABSYS|CITYLAB|PATPLAT|CITYLAB|20250312143015||SIU^S12|UNSUP-0001|P|2.5\r"
				+ "PID|1||MRN-UNSUP-1^^^CITYLAB^MR||Doe^Jane\r";
		RecordMetadata sent = send("MRN-UNSUP-1", er7);

		ConsumerRecord<byte[], byte[]> deadLetter = awaitDeadLetter(sent);

		assertThat(deadLetter.value()).isEqualTo(Hl7Messages.bytes(er7));
		assertThat(text(deadLetter, DeadLetterHeaders.EXCEPTION_MESSAGE))
			.isEqualTo("Unsupported HL7 message type SIU^S12 (control id UNSUP-0001)");
		assertThat(this.jdbc.queryForObject(
				"SELECT count(*) FROM processed_message WHERE split_part(event_id, '#', 1) = 'UNSUP-0001'",
				Integer.class))
			.isZero();
	}

	@Test
	void storesAndPublishesTextWithoutTheControlCharactersHl7EscapesDecodeTo() throws Exception {
		// \X0D\\X0A\ was stored as a line break, \X1B\ as ESC (served, published); \X00\ reached PostgreSQL, which
		// cannot store a NUL in text
		String er7 = Hl7Messages.registration("CTRL-0001", "MRN-CTRL-1", "O\\X0D\\\\X0A\\Brien", "Ada\\X00\\",
				"20250312143015").replace("12 Analytical Row", "12 Analytical\\X1B\\ Row");
		send("MRN-CTRL-1", er7);

		Map<String, Object> patient = awaitPatient("MRN-CTRL-1");

		assertThat(patient).containsEntry("familyName", "O Brien").containsEntry("givenName", "Ada");
		assertThat(patient.get("address")).asInstanceOf(InstanceOfAssertFactories.MAP)
			.containsEntry("street", "12 Analytical Row");
		String event = this.jdbc.queryForObject("SELECT convert_from(data, 'UTF8') FROM outbox_event WHERE "
				+ "event_type = 'patient.PatientRegistered.v1' AND position('MRN-CTRL-1' IN convert_from(data, 'UTF8')) > 0",
				String.class);
		assertThat(event).contains("\"familyName\":\"O Brien\"").doesNotContain("\\u").doesNotContain("\\r");
	}

	@Test
	void storesAndPublishesTheWindowsQuotesOfTextLabelledIso88591AndRefusesAByteNeitherSetHas() throws Exception {
		// a Windows LIS labels its text 8859/1: its apostrophe (0x92, or the escape \X92\) was read as a C1 control and
		// dropped, the patient stored and published as "OBrien"
		String er7 = Hl7Messages.registration("W1252-0001", "MRN-W1252-1", "O\u2019Brien", "Zo\u00eb\\X96\\Ann",
				"20250312143015").replace("UNICODE UTF-8", "8859/1");
		send("MRN-W1252-1", er7.getBytes("windows-1252"));

		Map<String, Object> patient = awaitPatient("MRN-W1252-1");

		assertThat(patient).containsEntry("familyName", "O\u2019Brien").containsEntry("givenName", "Zo\u00eb\u2013Ann");
		String event = this.jdbc.queryForObject("SELECT convert_from(data, 'UTF8') FROM outbox_event WHERE "
				+ "event_type = 'patient.PatientRegistered.v1' AND position('MRN-W1252-1' IN convert_from(data, 'UTF8')) > 0",
				String.class);
		assertThat(event).contains("\"familyName\":\"O\u2019Brien\"").contains("\"givenName\":\"Zo\u00eb\u2013Ann\"");
		// a byte windows-1252 leaves undefined (0x8D: a Czech LIS's T with caron, windows-1250) is dead-lettered naming it
		byte[] tupa = er7.replace("W1252-0001", "W1252-0002").replace("MRN-W1252-1", "MRN-W1252-2")
			.replace("O\u2019Brien", "\u0164upa")
			.getBytes("windows-1250");
		RecordMetadata sent = send("MRN-W1252-2", tupa);

		ConsumerRecord<byte[], byte[]> deadLetter = awaitDeadLetter(sent);

		assertThat(deadLetter.value()).isEqualTo(tupa);
		assertThat(text(deadLetter, DeadLetterHeaders.EXCEPTION_MESSAGE)).isEqualTo("LIS record is not valid in the "
				+ "character set its MSH-18 names (8859/1): byte 0x8D is no character in ISO 8859-1 (a C1 control) nor "
				+ "in windows-1252");
	}

	@Test
	void readsUtf16MessagesThatSaySoInEitherByteOrderAndKnowsOneSentAgainWithANewMsh7() throws Exception {
		// MSH-18 UNICODE UTF-16 was dead-lettered as a set this service does not read
		String registration = Hl7Messages.registration("U16-0001", "MRN-U16-1", "M\u00fcller", "J\u00fcrgen",
				"20250312143015").replace("UNICODE UTF-8", "UNICODE UTF-16");
		send("MRN-U16-1", registration.getBytes(StandardCharsets.UTF_16));
		assertThat(awaitPatient("MRN-U16-1")).containsEntry("familyName", "M\u00fcller");
		// sent again with only a new MSH-7 (found in UTF-16 too): a duplicate, not an update; then an update, big-endian
		// without a byte order mark, after it on the partition
		send("MRN-U16-1", registration.replace("|CITYLAB|20250312143015||", "|CITYLAB|20250312150000||")
			.getBytes(StandardCharsets.UTF_16));
		send("MRN-U16-1", Hl7Messages.nameUpdate("U16-0002", "MRN-U16-1", "M\u00f6ller", "J\u00f6rg", "20250312160000")
			.replace("|P|2.5", "|P|2.5||||||UNICODE UTF-16")
			.getBytes(StandardCharsets.UTF_16BE));

		await().atMost(Duration.ofSeconds(30))
			.until(() -> awaitPatient("MRN-U16-1").get("familyName"), "M\u00f6ller"::equals);
		assertThat(awaitPatient("MRN-U16-1")).containsEntry("givenName", "J\u00f6rg");
		List<String> events = this.jdbc.queryForList("SELECT event_type || ' ' || convert_from(data, 'UTF8') FROM "
				+ "outbox_event WHERE position('MRN-U16-1' IN convert_from(data, 'UTF8')) > 0 ORDER BY id", String.class);
		assertThat(events).hasSize(2);
		assertThat(events.get(0)).startsWith("patient.PatientRegistered.v1 ").contains("\"familyName\":\"M\u00fcller\"");
		assertThat(events.get(1)).startsWith("patient.PatientUpdated.v1 ").contains("\"familyName\":\"M\u00f6ller\"");
	}

	@Test
	void keepsAParkedMessageTheReaderNowRefusesAndRegistersItsPatient() throws Exception {
		// parked before the reader refused an order number holding a control character (\X0D\): replayed, its refusal
		// rolled the registration back and dead-lettered it
		String result = Hl7Messages.result("PARKED-CTRL-1", "MRN-PCTRL-1", "20250312143015").replace("|ORD-1|",
				"|ORD\\X0D\\1|");
		this.jdbc.update("""
				INSERT INTO lis_unhandled_message (id, consumer_group, sender, message_control_id, message_type,
				    source_topic, source_partition, source_offset, er7, reason, mrns)
				VALUES (?, ?, 'LABSYS^CITYLAB', 'PARKED-CTRL-1', 'ORU^R01', ?, 0, 0, ?, 'unknown patient', ARRAY['MRN-PCTRL-1'])
				""", UUID.randomUUID(), GROUP, TOPIC, result);

		send("MRN-PCTRL-1", Hl7Messages.registration("PCTRL-0001", "MRN-PCTRL-1", "Lovelace", "Ada", "20250312143016"));

		assertThat(awaitPatient("MRN-PCTRL-1")).containsEntry("familyName", "Lovelace");
		assertThat(this.jdbc.queryForObject(
				"SELECT reason FROM lis_unhandled_message WHERE message_control_id = 'PARKED-CTRL-1'", String.class))
			.isEqualTo("refused on replay");
	}

	@Test
	void deadLettersARegistrationWithAnUnreadableOrFutureBirthDateCountedAsARejectedRegistration() throws Exception {
		// it parses and is a registration: a field breaks a rule, as an order of another patient does; it was counted
		// as a record that could not be read as HL7 (type unreadable)
		String er7 = "MSH|^~\\&|LABSYS|CITYLAB|PATPLAT|CITYLAB|20250312143015||ADT^A04|BADDOB-0001|P|2.5\r"
				+ "PID|1||MRN-BADDOB-1^^^CITYLAB^MR||Doe^Jane||19801332|F\r";
		double registrations = this.meters.get("patient.lis.messages").tag("type", "demographics")
			.tag("outcome", "rejected").counter().count();
		double unreadable = this.meters.get("patient.lis.messages").tag("type", "unreadable")
			.tag("outcome", "rejected").counter().count();
		RecordMetadata sent = send("MRN-BADDOB-1", er7);

		ConsumerRecord<byte[], byte[]> deadLetter = awaitDeadLetter(sent);

		assertThat(text(deadLetter, DeadLetterHeaders.EXCEPTION_MESSAGE))
			.isEqualTo("HL7 message ADT^A04 (control id BADDOB-0001) has a birth date (PID-7) that is not a date");
		assertThat(text(deadLetter, DeadLetterHeaders.EXCEPTION_FQCN)).isEqualTo(InvalidEventException.class.getName());
		assertThat(text(deadLetter, DeadLetterHeaders.NON_RETRYABLE)).isEqualTo("true");
		assertThat(this.meters.get("patient.lis.messages").tag("type", "demographics").tag("outcome", "rejected")
			.counter().count()).isEqualTo(registrations + 1);
		assertThat(this.meters.get("patient.lis.messages").tag("type", "unreadable").tag("outcome", "rejected")
			.counter().count()).isEqualTo(unreadable);
		assertThat(this.jdbc.queryForObject("SELECT count(*) FROM patient WHERE mrn = 'MRN-BADDOB-1'", Integer.class))
			.isZero();

		// a birth date after the day the message was sent (mistyped: 2099) is refused the same way; it was served
		RecordMetadata future = send("MRN-BADDOB-2", er7.replace("BADDOB-0001", "BADDOB-0002")
			.replace("MRN-BADDOB-1", "MRN-BADDOB-2")
			.replace("19801332", "20990505"));
		ConsumerRecord<byte[], byte[]> unborn = awaitDeadLetter(future);
		assertThat(text(unborn, DeadLetterHeaders.EXCEPTION_MESSAGE)).isEqualTo("HL7 message ADT^A04 (control id "
				+ "BADDOB-0002) has a birth date (PID-7) after the day it was sent (MSH-7)");
		assertThat(text(unborn, DeadLetterHeaders.NON_RETRYABLE)).isEqualTo("true");
		assertThat(this.meters.get("patient.lis.messages").tag("type", "demographics").tag("outcome", "rejected")
			.counter().count()).isEqualTo(registrations + 2);
		assertThat(this.jdbc.queryForObject("SELECT count(*) FROM patient WHERE mrn = 'MRN-BADDOB-2'", Integer.class))
			.isZero();
	}

	@Test
	void appliesEachMessageOfABatchOnceAndDeadLettersTheBatchNamingTheMessagesItRefused() throws Exception {
		// a batch file as a LIS writes one: an order for a patient not registered yet, a registration whose birth date
		// is no date, and the order's patient's registration. Before, the whole record was refused as a batch.
		String mrn = "MRN-BATCH-1";
		String bad = "MSH|^~\\&|LABSYS|CITYLAB|PATPLAT|CITYLAB|20250312143015||ADT^A04|BATCH-0002|P|2.5\r"
				+ "PID|1||MRN-BATCH-9^^^CITYLAB^MR||Doe^Jane||19801332|F\r";
		String batch = "FHS|^~\\&|LABSYS|CITYLAB\rBHS|^~\\&|LABSYS|CITYLAB\r"
				+ Hl7Messages.order("BATCH-0001", mrn, "20250312143000", "NW", "ORD-BATCH-1", "2345-7") + bad
				+ Hl7Messages.registration("BATCH-0003", mrn, "Lovelace", "Ada", "20250312143015") + "BTS|3\rFTS|1\r";
		Map<String, Double> before = lisMessages();
		RecordMetadata sent = send(mrn, batch);

		ConsumerRecord<byte[], byte[]> deadLetter = awaitDeadLetter(sent);
		String reason = "LIS record is an HL7 batch of 3 messages; 1 refused, the others applied (sent again, the batch "
				+ "applies only what was refused): message 2: HL7 message ADT^A04 (control id BATCH-0002) has a birth "
				+ "date (PID-7) that is not a date";
		assertThat(text(deadLetter, DeadLetterHeaders.EXCEPTION_MESSAGE)).isEqualTo(reason);
		assertThat(text(deadLetter, DeadLetterHeaders.NON_RETRYABLE)).isEqualTo("true");
		assertThat(deadLetter.value()).isEqualTo(Hl7Messages.bytes(batch));
		// the others applied, in their order: the order parked for its patient, then linked when she was registered
		assertThat(awaitPatient(mrn)).containsEntry("familyName", "Lovelace");
		assertThat(this.jdbc.queryForList("SELECT o.status FROM test_order o JOIN patient p ON p.id = o.patient_id "
				+ "WHERE p.mrn = ? AND o.order_id = 'ORD-BATCH-1'", String.class, mrn)).containsExactly("ORDERED");
		assertThat(this.jdbc.queryForObject("SELECT count(*) FROM patient WHERE mrn = 'MRN-BATCH-9'", Integer.class))
			.isZero();

		// sent again (a redrive of its dead letter): nothing applied twice, the refused message refused again
		RecordMetadata again = send(mrn, batch);
		assertThat(text(awaitDeadLetter(again), DeadLetterHeaders.EXCEPTION_MESSAGE)).isEqualTo(reason);
		assertThat(this.jdbc.queryForList("SELECT split_part(event_id, '#', 1) FROM processed_message "
				+ "WHERE consumer_group = ? AND event_id LIKE 'BATCH-%' ORDER BY 1", String.class, GROUP))
			.containsExactly("BATCH-0001", "BATCH-0003");
		Map<String, Double> after = lisMessages();
		after.replaceAll((series, count) -> count - before.getOrDefault(series, 0.0));
		after.values().removeIf((count) -> count == 0);
		assertThat(after).containsExactlyInAnyOrderEntriesOf(Map.of("orders parked", 1.0, "demographics rejected", 2.0,
				"demographics registered", 1.0, "orders duplicate", 1.0, "demographics duplicate", 1.0));

		// a batch whose trailer counts other than it holds is refused whole: nothing of it applied
		RecordMetadata cutShort = send("MRN-BATCH-2", "BHS|^~\\&|LABSYS|CITYLAB\r"
				+ Hl7Messages.registration("BATCH-0004", "MRN-BATCH-2", "Hopper", "Grace", "20250312143015") + "BTS|2\r");
		assertThat(text(awaitDeadLetter(cutShort), DeadLetterHeaders.EXCEPTION_MESSAGE))
			.isEqualTo("LIS record is an HL7 batch whose trailer (BTS-1) counts 2 messages where the batch holds 1; "
					+ "nothing of it was applied (a batch cut short, or two run together)");
		assertThat(this.jdbc.queryForObject("SELECT count(*) FROM patient WHERE mrn = 'MRN-BATCH-2'", Integer.class))
			.isZero();
	}

	@Test
	void keepsKnownMessageTypesNoFeatureHandlesYet() throws Exception {
		String er7 = Hl7Messages.discharge("KEPT-0001", "MRN-KEPT-1", "20250312143015");
		RecordMetadata sent = send("MRN-KEPT-1", er7);

		awaitKept("KEPT-0001");

		assertThat(this.jdbc.queryForMap(
				"SELECT message_type, hl7_version, source_topic, source_partition, source_offset, er7, reason "
						+ "FROM lis_unhandled_message WHERE message_control_id = 'KEPT-0001'"))
			.containsEntry("message_type", "ADT^A03")
			.containsEntry("reason", "unhandled type")
			.containsEntry("hl7_version", "2.5")
			.containsEntry("source_topic", TOPIC)
			.containsEntry("source_partition", sent.partition())
			.containsEntry("source_offset", sent.offset())
			.containsEntry("er7", er7);
		assertThat(this.jdbc.queryForObject("SELECT count(*) FROM patient WHERE mrn = 'MRN-KEPT-1'", Integer.class))
			.isZero();
		// kept messages are visible: the gauge reads the table (at most every ten seconds)
		await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(
				this.meters.get("patient.lis.kept").tag("reason", "unhandled type").gauge().value())
			.isEqualTo(this.jdbc.queryForObject(
					"SELECT count(*) FROM lis_unhandled_message WHERE reason = 'unhandled type'", Double.class))
			.isGreaterThanOrEqualTo(1.0));
		assertThat(this.meters.get("patient.lis.kept").tag("reason", "order of another patient").gauge().value())
			.isNotNaN();
	}

	@Test
	void keepsALinkAndAnUnlinkOfTwoPatientsWithoutChangingEither() throws Exception {
		// ADT^A24 and A37 (link, unlink patient information): this service keeps no links between records, so an
		// unlink has nothing to undo; both are kept as unhandled types, not dead-lettered, and neither PID is applied
		send("MRN-LINK-1", Hl7Messages.registration("LINK-0001", "MRN-LINK-1", "Lovelace", "Ada", "20250312143015"));
		send("MRN-LINK-2", Hl7Messages.registration("LINK-0002", "MRN-LINK-2", "Hopper", "Grace", "20250312143015"));
		Map<String, Object> first = awaitPatient("MRN-LINK-1");
		Map<String, Object> second = awaitPatient("MRN-LINK-2");

		send("MRN-LINK-1", Hl7Messages.link("A24", "LINK-0003", "MRN-LINK-1", "MRN-LINK-2", "20250313100000"));
		send("MRN-LINK-1", Hl7Messages.link("A37", "LINK-0004", "MRN-LINK-1", "MRN-LINK-2", "20250314100000"));
		awaitKept("LINK-0003");
		awaitKept("LINK-0004");

		assertThat(this.jdbc.queryForList("SELECT message_type || ' ' || reason FROM lis_unhandled_message "
				+ "WHERE message_control_id IN ('LINK-0003', 'LINK-0004') ORDER BY message_control_id", String.class))
			.containsExactly("ADT^A24 unhandled type", "ADT^A37 unhandled type");
		// newer than the registrations, yet neither patient took the names, address or time of their PIDs
		assertThat(awaitPatient("MRN-LINK-1")).isEqualTo(first).containsEntry("familyName", "Lovelace");
		assertThat(awaitPatient("MRN-LINK-2")).isEqualTo(second).containsEntry("familyName", "Hopper");
	}

	private RecordMetadata send(String mrn, String er7) throws Exception {
		return send(mrn, Hl7Messages.bytes(er7));
	}

	private RecordMetadata send(String mrn, byte[] value) throws Exception {
		return this.producer.send(new ProducerRecord<>(TOPIC, mrn.getBytes(StandardCharsets.UTF_8), value)).get();
	}

	private Map<String, Object> awaitPatient(String mrn) {
		ResponseEntity<String> response = await().atMost(Duration.ofSeconds(30))
			.until(() -> this.api.get().uri("/api/v1/patients?mrn={mrn}", mrn).retrieve().toEntity(String.class),
					(r) -> r.getStatusCode().value() == 200);
		return map(response.getBody());
	}

	private void awaitKept(String controlId) {
		await().atMost(Duration.ofSeconds(30))
			.until(() -> this.jdbc.queryForObject(
					"SELECT count(*) FROM lis_unhandled_message WHERE message_control_id = ?", Integer.class,
					controlId), (count) -> count == 1);
	}

	private ConsumerRecord<byte[], byte[]> awaitDeadLetter(RecordMetadata original) {
		List<ConsumerRecord<byte[], byte[]>> seen = new ArrayList<>();
		try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(Map.of(
				ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, this.bootstrapServers, ConsumerConfig.GROUP_ID_CONFIG,
				"test-" + UUID.randomUUID(), ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
				ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class,
				ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class))) {
			consumer.subscribe(List.of("dlq.messages.v1"));
			return await().atMost(Duration.ofSeconds(30)).until(() -> {
				consumer.poll(Duration.ofMillis(200)).forEach(seen::add);
				return seen.stream().filter((record) -> isDeadLetterOf(record, original)).findFirst().orElse(null);
			}, (found) -> found != null);
		}
	}

	private static boolean isDeadLetterOf(ConsumerRecord<byte[], byte[]> record, RecordMetadata original) {
		byte[] offset = record.headers().lastHeader(DeadLetterHeaders.ORIGINAL_OFFSET) != null
				? header(record, DeadLetterHeaders.ORIGINAL_OFFSET) : null;
		return TOPIC.equals(text(record, DeadLetterHeaders.ORIGINAL_TOPIC)) && offset != null && offset.length == 8
				&& ByteBuffer.wrap(offset).getLong() == original.offset()
				&& ByteBuffer.wrap(header(record, DeadLetterHeaders.ORIGINAL_PARTITION)).getInt() == original
					.partition();
	}

	private static byte[] header(ConsumerRecord<byte[], byte[]> record, String name) {
		Header header = record.headers().lastHeader(name);
		assertThat(header).as("header %s", name).isNotNull();
		return header.value();
	}

	private static @Nullable String text(ConsumerRecord<byte[], byte[]> record, String name) {
		Header header = record.headers().lastHeader(name);
		return (header != null) ? new String(header.value(), StandardCharsets.UTF_8) : null;
	}

	@SuppressWarnings("unchecked")
	private Map<String, Object> map(@Nullable String body) {
		return this.json.readValue(body, Map.class);
	}

}
