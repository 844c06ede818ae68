package org.patientplatform.patient.lis;

import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.patientplatform.kit.kafka.DeadLetterHeaders;
import org.patientplatform.local.infra.KafkaBroker;
import org.patientplatform.local.infra.testing.RealInfrastructureInitializer;
import org.patientplatform.patient.PatientIntegrationTest;
import org.patientplatform.patient.TopicReader;
import org.patientplatform.patient.lis.Hl7Messages.Obr;
import org.patientplatform.patient.orders.TestResultReady;
import org.patientplatform.patient.records.PatientRegistered;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.kafka.config.KafkaListenerEndpointRegistry;
import org.springframework.kafka.listener.MessageListenerContainer;
import org.springframework.test.context.TestPropertySource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.patientplatform.patient.TopicReader.header;

/**
 * The LIS feed under one fault at a time, at volume: a registration (ADT^A04) and a result (ORU^R01) per patient
 * (every other patient's two in one record, an HL7 batch) arrive at a steady pace on lis.inbound.v1 while the broker stops and comes back, the database refuses
 * connections and accepts them again, or the listener container is stopped and started again. Each message
 * must be applied once (one patient, one resulted order, one processed mark, one outbox row per event) and
 * each event published at least once (duplicates on the topics share their ce_id, which consumers
 * de-duplicate by); nothing goes to the DLQ.
 */
@PatientIntegrationTest
// a pool that waits 2 s for a connection (as the DLQ service's outage test has it), not 30: the outage outlasts
// the listener's quick retries, as a longer one does with the default
@TestPropertySource(properties = "spring.datasource.hikari.connection-timeout=2000")
class LisFaultIntegrationTests {

	static final String LIS = "lis.inbound.v1";

	static final String PATIENT_EVENTS = "patient.events.v1";

	static final String TEST_RESULTS = "lab.test-results.v1";

	static final int PATIENTS = 400;

	static final Duration PACE = Duration.ofSeconds(10);

	@Autowired
	JdbcTemplate jdbc;

	@Autowired
	KafkaBroker broker;

	@Autowired
	KafkaListenerEndpointRegistry listeners;

	@Value("${spring.kafka.bootstrap-servers}")
	String bootstrapServers;

	@Value("${platform.test.database}")
	String database;

	KafkaProducer<byte[], byte[]> producer;

	@BeforeEach
	void setUp() {
		// the LIS bridge: idempotent, waits out a broker outage; one request in flight, since the topic is made by
		// its first record here: a CI run saw the first batch to a partition refused (NOT_LEADER_OR_FOLLOWER, the
		// partition's leader not yet known), the next ones appended as the producer's first, and the first batch's
		// retry refused as out of order until its delivery timeout (the broker takes a producer's first append at
		// any sequence), so the run waited for records that never came
		this.producer = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, this.bootstrapServers,
				ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class,
				ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class, ProducerConfig.ACKS_CONFIG,
				"all", ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true, ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG,
				300_000, ProducerConfig.MAX_BLOCK_MS_CONFIG, 300_000,
				ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, 1));
	}

	@AfterEach
	void tearDown() throws SQLException {
		this.broker.restart();
		RealInfrastructureInitializer.postgres().acceptConnections(this.database, true);
		MessageListenerContainer container = this.listeners.getListenerContainer("lis-patient");
		if (container != null && !container.isRunning()) {
			container.start();
		}
		this.producer.close(Duration.ofSeconds(30));
	}

	@Test
	void appliesEachMessageOnceAndPublishesEachEventWhenTheBrokerStopsMidFlow() throws Exception {
		runWithFault(() -> {
			this.broker.stop();
			Thread.sleep(8_000);
			this.broker.restart();
		});
	}

	@Test
	void appliesEachMessageOnceAndPublishesEachEventWhenTheDatabaseRefusesConnectionsMidFlow() throws Exception {
		runWithFault(() -> {
			RealInfrastructureInitializer.postgres().acceptConnections(this.database, false);
			try {
				Thread.sleep(8_000);
			}
			finally {
				RealInfrastructureInitializer.postgres().acceptConnections(this.database, true);
			}
		});
	}

	@Test
	void appliesEachMessageOnceAndPublishesEachEventWhenTheListenerContainerIsRestartedMidFlow() throws Exception {
		runWithFault(() -> {
			MessageListenerContainer container = this.listeners.getListenerContainer("lis-patient");
			assertThat(container).isNotNull();
			container.stop();
			Thread.sleep(3_000);
			container.start();
			Thread.sleep(2_000);
			container.stop();
			container.start();
		});
	}

	interface Fault {

		void inject() throws Exception;

	}

	private void runWithFault(Fault fault) throws Exception {
		String run = UUID.randomUUID().toString().substring(0, 8);
		AtomicInteger published = new AtomicInteger();
		CompletableFuture<Void> publishing = CompletableFuture.runAsync(() -> publish(run, published));
		String controlPattern = "%-" + run + "-%";
		// mid-flow: a part of the messages is applied, most are not
		await().atMost(Duration.ofSeconds(60))
			.pollInterval(Duration.ofMillis(50))
			.until(() -> this.jdbc.queryForObject("SELECT count(*) FROM processed_message WHERE event_id LIKE ?",
					Integer.class, controlPattern) >= PATIENTS / 2);
		mark("fault starts");
		fault.inject();
		mark("fault over");
		publishing.get();
		this.producer.flush();

		String mrnPattern = "MRN-" + run + "-%";
		await().atMost(Duration.ofSeconds(180))
			.pollInterval(Duration.ofSeconds(1))
			.ignoreExceptions()
			.until(() -> this.jdbc.queryForObject(
					"SELECT count(*) FROM outbox_event WHERE published_at IS NULL", Integer.class) == 0
					&& this.jdbc.queryForObject("SELECT count(*) FROM test_order o JOIN patient p ON p.id = o.patient_id "
							+ "WHERE p.mrn LIKE ?", Integer.class, mrnPattern) == PATIENTS);
		mark("all applied");
		// late duplicates have time to show
		Thread.sleep(3_000);

		assertThat(this.jdbc.queryForObject("SELECT count(*) FROM patient WHERE mrn LIKE ?", Integer.class,
				mrnPattern)).isEqualTo(PATIENTS);
		assertThat(this.jdbc.queryForObject("SELECT count(DISTINCT mrn) FROM patient WHERE mrn LIKE ?",
				Integer.class, mrnPattern)).isEqualTo(PATIENTS);
		assertThat(this.jdbc.queryForList("SELECT o.status FROM test_order o JOIN patient p ON p.id = o.patient_id "
				+ "WHERE p.mrn LIKE ?", String.class, mrnPattern)).hasSize(PATIENTS).containsOnly("RESULTED");
		assertThat(this.jdbc.queryForObject("SELECT count(*) FROM processed_message WHERE event_id LIKE ?",
				Integer.class, controlPattern)).isEqualTo(2 * PATIENTS);
		assertThat(this.jdbc.queryForObject("SELECT count(*) FROM lis_unhandled_message", Integer.class)).isZero();

		Map<String, String> patientIds = new HashMap<>();
		this.jdbc.query("SELECT id::text, mrn FROM patient WHERE mrn LIKE ?",
				(rs) -> {
					patientIds.put(rs.getString(1), rs.getString(2));
				}, mrnPattern);
		Map<String, Integer> outbox = new HashMap<>();
		Set<String> outboxIds = new HashSet<>();
		this.jdbc.query("SELECT event_id, event_type, subject FROM outbox_event", (rs) -> {
			if (patientIds.containsKey(rs.getString(3))) {
				outbox.merge(rs.getString(2), 1, Integer::sum);
				outboxIds.add(rs.getString(1));
			}
		});
		System.out.println("FAULT-TEST outbox rows by type: " + outbox);
		assertThat(outbox).containsOnly(Map.entry(PatientRegistered.TYPE, PATIENTS),
				Map.entry(TestResultReady.TYPE, PATIENTS));

		try (TopicReader topics = new TopicReader(this.bootstrapServers, PATIENT_EVENTS, TEST_RESULTS,
				"dlq.messages.v1")) {
			List<ConsumerRecord<byte[], byte[]>> ours = topics.awaitRecords(
					(record) -> patientIds.containsKey(TopicReader.key(record)) || "dlq.messages.v1".equals(record.topic()),
					(seen) -> seen.stream().map((r) -> header(r, "ce_id")).filter(outboxIds::contains).distinct().count()
							== outboxIds.size());
			Map<String, Integer> copies = new HashMap<>();
			ours.stream()
				.filter((r) -> !"dlq.messages.v1".equals(r.topic()))
				.forEach((r) -> copies.merge(header(r, "ce_id"), 1, Integer::sum));
			long duplicated = copies.values().stream().filter((n) -> n > 1).count();
			System.out.println("FAULT-TEST records on the topics: " + copies.values().stream().mapToInt(Integer::intValue).sum()
					+ ", distinct ce_ids: " + copies.size() + ", ids sent more than once: " + duplicated);
			assertThat(copies.keySet()).containsExactlyInAnyOrderElementsOf(outboxIds);
			List<String> deadLettered = ours.stream()
				.filter((r) -> "dlq.messages.v1".equals(r.topic()))
				.map((r) -> header(r, DeadLetterHeaders.EXCEPTION_FQCN))
				.toList();
			System.out.println("FAULT-TEST dead-lettered: " + deadLettered);
			// a message whose database was away is held and applied when it is back, never dead-lettered
			assertThat(deadLettered).as("LIS messages dead-lettered").isEmpty();
			// one event per patient and topic (its copies share the ce_id)
			Map<String, Set<String>> idsByKeyAndTopic = new HashMap<>();
			ours.forEach((r) -> idsByKeyAndTopic.computeIfAbsent(TopicReader.key(r) + " " + r.topic(), (k) -> new HashSet<>())
				.add(header(r, "ce_id")));
			assertThat(idsByKeyAndTopic).hasSize(2 * PATIENTS);
			idsByKeyAndTopic.values().forEach((ids) -> assertThat(ids).hasSize(1));
		}
	}

	private static void mark(String what) {
		System.out.println("FAULT-TEST " + Instant.now() + " " + what);
	}

	/** A registration and then a result per patient, at a steady pace over {@link #PACE}, keyed by MRN. */
	private void publish(String run, AtomicInteger published) {
		long start = System.nanoTime();
		for (int i = 0; i < PATIENTS; i++) {
			long due = start + PACE.toNanos() * i / PATIENTS;
			long wait = due - System.nanoTime();
			if (wait > 0) {
				try {
					Thread.sleep(Duration.ofNanos(wait));
				}
				catch (InterruptedException ex) {
					Thread.currentThread().interrupt();
					throw new IllegalStateException(ex);
				}
			}
			String mrn = "MRN-" + run + "-" + i;
			String registration = Hl7Messages.registration("REG-" + run + "-" + i, mrn, "Lovelace", "Ada",
					"20250312143015");
			String result = Hl7Messages.labResult("RES-" + run + "-" + i, mrn, "20250314100000", "5.4",
					new Obr("ORD-" + run + "-" + i, "2345-7", "20250314073000", "20250314095500", "F"));
			if (i % 2 == 0) {
				send(mrn, registration);
				send(mrn, result);
			}
			else {
				// every other patient's two messages in one record, an HL7 batch: a fault between them (or during
				// either) applies each once all the same
				send(mrn, "BHS|^~\\&|LABSYS|CITYLAB\r" + registration + result + "BTS|2\r");
			}
			published.incrementAndGet();
		}
	}

	private void send(String mrn, String er7) {
		this.producer.send(new ProducerRecord<>(LIS, mrn.getBytes(StandardCharsets.UTF_8),
				er7.getBytes(StandardCharsets.UTF_8)));
	}

}
