package org.patientplatform.patient.lis;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

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
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.patientplatform.kit.events.InvalidEventException;
import org.patientplatform.kit.kafka.DeadLetterHeaders;
import org.patientplatform.patient.PatientIntegrationTest;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.jdbc.core.JdbcTemplate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Public HL7 v2 samples ({@code src/test/resources/hl7/public-samples}, their origin and licences in its README), and
 * messages written after the real-world ones they stand for, sent as they are to {@code lis.inbound.v1}: what is
 * stored, kept or dead-lettered, and why.
 */
@PatientIntegrationTest
class LisPublicSamplesIntegrationTests {

	private static final String TOPIC = "lis.inbound.v1";

	@Autowired
	JdbcTemplate jdbc;

	@Value("${spring.kafka.bootstrap-servers}")
	String bootstrapServers;

	KafkaProducer<byte[], byte[]> producer;

	@BeforeEach
	void setUp() {
		this.producer = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, this.bootstrapServers,
				ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class,
				ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class));
	}

	@AfterEach
	void tearDown() {
		this.producer.close();
	}

	@Test
	void registersThePatientsOfPublicAdtSamples() throws Exception {
		// ADT^A04 v2.5 from an Epic feed: PID-3 untyped, PV1-3 with repetitions it does not have in the standard
		send("454721", sample("simple-hl7-3.3.0/adt.hl7"));
		// ADT^A01 v2.4: CRLF segment ends (one LF alone), PID-3 typed EPI, NK1, insurance, a Z-segment
		send("4019060", sample("hl7-standard-1.0.4/message.hl7"));

		assertThat(awaitPatient("454721")).containsEntry("given_name", "JOHN")
			.containsEntry("family_name", "DOE")
			.containsEntry("birth_date", java.sql.Date.valueOf("1948-02-03"))
			.containsEntry("sex", "M")
			.containsEntry("phone", "(216)123-4567")
			.containsEntry("address_street", "254 MYSTREET AVE")
			.containsEntry("address_city", "MYTOWN")
			.containsEntry("address_postal_code", "44123")
			.containsEntry("address_country", "USA");
		assertThat(awaitPatient("4019060")).containsEntry("given_name", "Jane")
			.containsEntry("family_name", "MotherToBe")
			.containsEntry("birth_date", java.sql.Date.valueOf("1965-06-01"))
			.containsEntry("sex", "F")
			.containsEntry("phone", "(555)555-1234")
			.containsEntry("address_city", "Pittsburgh");
	}

	@Test
	void parksPublicOrderAndResultSamplesUntilTheirPatientIsRegistered() throws Exception {
		// ORM^O01 v2.3, ORU^R01 v2.3 with CR only and an OBR-3 with repetitions, ORU^R01 v2.3 whose MSH-2 is "^~ &"
		send("12001", sample("simple-hl7-3.3.0/orm.hl7"));
		send("94000000000", sample("simple-hl7-3.3.0/oru.hl7"));
		send("151615161", sample("hl7-standard-1.0.4/input.hl7"));
		for (String controlId : List.of("MSGID20060307110114", "Q335939501T337311002", "201103290820062979")) {
			await().atMost(Duration.ofSeconds(30))
				.untilAsserted(() -> assertThat(this.jdbc.queryForList(
						"SELECT reason FROM lis_unhandled_message WHERE message_control_id = ?", String.class,
						controlId)).as(controlId).containsExactly("unknown patient"));
		}

		// the order's patient registered (a v2.3 A04 as the same HIS would send it): the order is linked
		send("12001", String.join("\r",
				"MSH|^~\\&|HIS|MedCenter|LIS|MedCenter|20060307110000||ADT^A04|MSGID20060307110000|P|2.3",
				"EVN|A04|20060307110000", "PID|||12001||Jones^John^^^Mr.||19670824|M|||123 West St.^^Denver^CO^80020^USA",
				"PV1||O|OP^PAREG^", ""));
		await().atMost(Duration.ofSeconds(30))
			.untilAsserted(() -> assertThat(this.jdbc.queryForList(
					"SELECT o.test_code || ' ' || o.status FROM test_order o JOIN patient p ON p.id = o.patient_id "
							+ "WHERE p.mrn = '12001' AND o.order_id = '20060307110114'",
					String.class)).containsExactly("003038 ORDERED"));
		assertThat(this.jdbc.queryForObject("SELECT count(*) FROM lis_unhandled_message "
				+ "WHERE message_control_id = 'MSGID20060307110114'", Integer.class)).isZero();
	}

	@Test
	void deadLettersPublicSamplesItCannotApplySayingWhy() throws Exception {
		Map<String, String> reasons = Map.of(
				// a VAERS report as ORU^R01: its OBRs carry no order number
				"simple-hl7-3.3.0/oru-imm.hl7",
				"HL7 message ORU^R01 (control id 20010422GA03) has an OBR without an order number (OBR-2, OBR-3)",
				// a batch file of an ADT^A01 and an RSP^K11 (a query's answer, no LIS feed message): the first is
				// applied, the second refused (before, the whole record was refused as "holds 2 HL7 messages")
				"hl7-standard-1.0.4/batch.hl7",
				"LIS record is an HL7 batch of 2 messages; 1 refused, the others applied (sent again, the batch applies "
						+ "only what was refused): message 2: Unsupported HL7 message type RSP^K11 (control id "
						+ "20171023134421)",
				"hl7-standard-1.0.4/message2.hl7", "Unsupported HL7 message type ACK^V01 (control id 5465156441.100178620)");
		int applied24553Before = appliedAs24553();
		for (Map.Entry<String, String> sample : reasons.entrySet()) {
			byte[] value = sample(sample.getKey());
			RecordMetadata sent = send("MRN-PUB-DLQ", value);
			ConsumerRecord<byte[], byte[]> deadLetter = awaitDeadLetter(sent);
			assertThat(deadLetter.value()).as(sample.getKey()).isEqualTo(value);
			assertThat(text(deadLetter, DeadLetterHeaders.EXCEPTION_FQCN)).isEqualTo(InvalidEventException.class.getName());
			assertThat(text(deadLetter, DeadLetterHeaders.EXCEPTION_MESSAGE)).as(sample.getKey())
				.isEqualTo(sample.getValue());
		}
		// the batch's ADT^A01 applied (its patient and control id are also another sample's, whose bytes differ)
		assertThat(awaitPatient("4019060")).containsEntry("family_name", "MotherToBe");
		assertThat(appliedAs24553()).isEqualTo(applied24553Before + 1);
		// a batch file of one message, after a Victorian health department's published sample: at first "not a
		// parseable HL7 v2 message (EncodingNotSupportedException)", then refused as a batch; now its message is
		// applied as if it had come alone
		send("0000112234", String.join("\r",
				"FHS|^~\\&||ABCHS||AUSDHSV|20070101123401|||abchs20070101123401.hl7|",
				"BHS|^~\\&||ABCHS||AUSDHSV|20070101123401||||abchs20070101123401-1",
				"MSH|^~\\&||ABCHS||AUSDHSV|20070101112951||ADT^A04^ADT_A01|12334456778890|P|2.5|||NE|NE|AU|ASCII",
				"EVN|A04|20060705000000", "PID|1||0000112234^^^100^A||XXXXXXXXXX^^^^^^S||10131113|1", "BTS|1", "FTS|1",
				"").getBytes(StandardCharsets.US_ASCII));
		assertThat(awaitPatient("0000112234")).containsEntry("family_name", "XXXXXXXXXX");
		// and the partition goes on
		send("MRN-PUB-DLQ", Hl7Messages.registration("PUB-DLQ-1", "MRN-PUB-DLQ", "Hopper", "Grace", "20250312143015"));
		assertThat(awaitPatient("MRN-PUB-DLQ")).containsEntry("family_name", "Hopper");
	}

	@Test
	void registersAPatientOfAnOlderFeedThatNamesItsTextUnicodeAndItsLanguageInIso6392() throws Exception {
		// v2.4, MSH-18 "UNICODE" (before: dead-lettered as a character set not read), PID-15 "FRE" (before: stored
		// as "fre", no BCP 47 tag)
		send("MRN-PUB-FR", String.join("\r",
				"MSH|^~\\&|LABSYS|CITYLAB|PATPLAT|CITYLAB|20250312143015||ADT^A08|PUB-FR-1|P|2.4|||AL|NE||UNICODE",
				"EVN|A08|20250312143015",
				"PID|1||MRN-PUB-FR^^^CITYLAB^MR||L\u00e9vesque^Ren\u00e9e||19800101|F|||||||FRE^French^ISO639", "")
			.getBytes(StandardCharsets.UTF_8));

		assertThat(awaitPatient("MRN-PUB-FR")).containsEntry("family_name", "L\u00e9vesque")
			.containsEntry("given_name", "Ren\u00e9e")
			.containsEntry("language", "fr");
	}

	/** How many messages of control id 24553 were applied (the samples' ADT^A01). */
	private int appliedAs24553() {
		return this.jdbc.queryForObject(
				"SELECT count(*) FROM audit_log WHERE action LIKE 'lis-%' AND reason = 'HL7 24553'", Integer.class);
	}

	private static byte[] sample(String name) throws IOException {
		try (InputStream in = LisPublicSamplesIntegrationTests.class.getResourceAsStream("/hl7/public-samples/" + name)) {
			assertThat(in).as(name).isNotNull();
			return in.readAllBytes();
		}
	}

	private RecordMetadata send(String key, String er7) throws Exception {
		return send(key, er7.getBytes(StandardCharsets.UTF_8));
	}

	private RecordMetadata send(String key, byte[] value) throws Exception {
		return this.producer.send(new ProducerRecord<>(TOPIC, key.getBytes(StandardCharsets.UTF_8), value)).get();
	}

	private Map<String, Object> awaitPatient(String mrn) {
		return await().atMost(Duration.ofSeconds(30))
			.until(() -> this.jdbc.queryForList("SELECT * FROM patient WHERE mrn = ?", mrn), (rows) -> rows.size() == 1)
			.get(0);
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
		Header offset = record.headers().lastHeader(DeadLetterHeaders.ORIGINAL_OFFSET);
		Header partition = record.headers().lastHeader(DeadLetterHeaders.ORIGINAL_PARTITION);
		return TOPIC.equals(text(record, DeadLetterHeaders.ORIGINAL_TOPIC)) && offset != null
				&& offset.value().length == 8 && ByteBuffer.wrap(offset.value()).getLong() == original.offset()
				&& partition != null && ByteBuffer.wrap(partition.value()).getInt() == original.partition();
	}

	private static String text(ConsumerRecord<byte[], byte[]> record, String name) {
		Header header = record.headers().lastHeader(name);
		assertThat(header).as("header %s", name).isNotNull();
		return new String(header.value(), StandardCharsets.UTF_8);
	}

}
