package org.patientplatform.notification.results;

import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.stream.Collectors;

import io.cloudevents.CloudEvent;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.patientplatform.kit.events.PlatformEvents;
import org.patientplatform.local.infra.KafkaBroker;
import org.patientplatform.local.infra.testing.RealInfrastructureInitializer;
import org.patientplatform.notification.NotificationIntegrationTest;
import org.patientplatform.notification.TestPatients;
import org.patientplatform.notification.TestPatients.Patient;
import org.patientplatform.notification.TestProviders;
import org.patientplatform.standins.ReceivedMail;
import org.patientplatform.standins.SentPush;
import org.patientplatform.standins.SentSms;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.SmartLifecycle;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.kafka.config.KafkaListenerEndpointRegistry;
import org.springframework.kafka.listener.MessageListenerContainer;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.context.TestPropertySource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The result-ready path under one fault at a time, at volume: TestResultReady events for patients reachable by
 * SMS and email (a third of them by push too) are published at a steady pace while the broker stops and comes
 * back, the database refuses connections and accepts them again, or the listener container is stopped and
 * started again. Each notice must reach each patient exactly once per channel at the stand-ins, and be stored
 * once.
 */
@NotificationIntegrationTest
@TestPropertySource(properties = { "notification.sending.poll-interval=100ms",
		"notification.sending.rate-limits.twilio=1000", "notification.sending.rate-limits.smtp=1000",
		"notification.sending.rate-limits.fcm=1000", "notification.sending.default-timezone=UTC",
		// an SMS whose answer the database outage kept from being recorded is reconciled by a lookup at the
		// provider: after 20 s here, not the 2 minutes of the service's default, which took the database test to
		// within a minute of its wait on CI
		"notification.sending.send-timeout=12s", "notification.sending.reconcile-after=20s",
		"notification.sending.reconcile-interval=2s" })
class ResultNoticeFaultIntegrationTests {

	static final String RESULTS = "lab.test-results.v1";

	static final int EVENTS = 600;

	static final Duration PACE = Duration.ofSeconds(10);

	static final TestProviders providers = TestProviders.start();

	@DynamicPropertySource
	static void providers(DynamicPropertyRegistry registry) {
		providers.register(registry);
		// the service's own read timeout, not the 1 s of the other tests: on a busy machine a slower answer left an
		// SMS unknown until reconciliation (minutes later), which is not what these tests are about
		registry.add("notification.channels.sms.read-timeout", () -> "10s");
	}

	@AfterAll
	static void stopProviders() {
		providers.close();
	}

	@Autowired
	PlatformEvents events;

	@Autowired
	JdbcTemplate jdbc;

	@Autowired
	KafkaBroker broker;

	@Autowired
	KafkaListenerEndpointRegistry listeners;

	@Autowired
	@Qualifier("deliveryPoller")
	SmartLifecycle senders;

	@Value("${spring.kafka.bootstrap-servers}")
	String bootstrapServers;

	@Value("${platform.test.database}")
	String database;

	TestPatients patients;

	KafkaProducer<byte[], byte[]> producer;

	@BeforeEach
	void setUp() {
		this.patients = new TestPatients(this.jdbc);
		// the upstream producer as the patient service has it: idempotent, waits out a broker outage; one request in
		// flight, since the topic may be made by its first record here (LisFaultIntegrationTests says why)
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
		MessageListenerContainer container = this.listeners.getListenerContainer("test-result-notices");
		if (container != null && !container.isRunning()) {
			container.start();
		}
		if (!this.senders.isRunning()) {
			this.senders.start();
		}
		this.producer.close(Duration.ofSeconds(30));
	}

	@Test
	void sendsEachNoticeOncePerChannelWhenTheBrokerStopsMidFlow() throws Exception {
		runWithFault(() -> {
			this.broker.stop();
			Thread.sleep(8_000);
			this.broker.restart();
		});
	}

	@Test
	void sendsEachNoticeOncePerChannelWhenTheDatabaseRefusesConnectionsMidFlow() throws Exception {
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
	void sendsEachNoticeOncePerChannelWhenTheListenerContainerIsRestartedMidFlow() throws Exception {
		runWithFault(() -> {
			MessageListenerContainer container = this.listeners.getListenerContainer("test-result-notices");
			assertThat(container).isNotNull();
			container.stop();
			Thread.sleep(3_000);
			container.start();
			Thread.sleep(2_000);
			container.stop();
			container.start();
		});
	}

	@Test
	void sendsEachNoticeOncePerChannelWhenTheSendersAreStoppedAndStartedMidFlow() throws Exception {
		// the senders' lifecycle as the context's stop() and start() drive it (a consumer process paused and resumed)
		runWithFault(() -> {
			this.senders.stop();
			Thread.sleep(3_000);
			this.senders.start();
		});
	}

	interface Fault {

		void inject() throws Exception;

	}

	private void runWithFault(Fault fault) throws Exception {
		List<Patient> recipients = new ArrayList<>();
		Set<String> pushed = new HashSet<>();
		for (int i = 0; i < EVENTS; i++) {
			TestPatients.Builder builder = this.patients.patient().email(true);
			if (i % 3 == 0) {
				builder.push("tok-" + UUID.randomUUID());
			}
			Patient patient = builder.store();
			recipients.add(patient);
			if (i % 3 == 0) {
				pushed.add(patient.id());
			}
		}
		AtomicInteger published = new AtomicInteger();
		CompletableFuture<Void> publishing = CompletableFuture.runAsync(() -> publish(recipients, published));
		// mid-flow: some of the events are in, most are not
		// an exception in another thread is not this test's failure: GreenMail's handler throws one when a sender's
		// connection ends mid-message (the sender's timeout on a loaded machine), and Awaitility by default fails the
		// wait with it; what the test asserts is that every notice reaches its patient once per channel all the same
		await().atMost(Duration.ofSeconds(60)).dontCatchUncaughtExceptions().until(() -> published.get() >= EVENTS / 4);
		mark("fault starts");
		fault.inject();
		mark("fault over");
		publishing.get();
		this.producer.flush();

		String[] ids = recipients.stream().map(Patient::id).toArray(String[]::new);
		int expectedDeliveries = EVENTS * 2 + pushed.size();
		try {
			await().atMost(Duration.ofSeconds(180))
				.dontCatchUncaughtExceptions()
				.pollInterval(Duration.ofSeconds(1))
				.until(() -> this.jdbc.queryForObject("SELECT count(*) FROM delivery d JOIN notification n "
						+ "ON n.id = d.notification_id WHERE n.patient_id = ANY(?) AND d.state IN ('SENT', 'DELIVERED')",
						Integer.class, (Object) ids) == expectedDeliveries);
		}
		catch (ConditionTimeoutException ex) {
			// CI shows the failure, not the test's output: the states the deliveries were left in go with it
			throw new AssertionError("Not every delivery was sent; " + expectedDeliveries + " expected, found "
					+ deliveries(ids) + "; unsent: " + unsent(ids), ex);
		}
		mark("deliveries " + deliveries(ids));
		mark("all sent");
		// late duplicates have time to show
		Thread.sleep(3_000);

		Map<String, String> notificationOf = new HashMap<>();
		this.jdbc.query("SELECT patient_id, id::text FROM notification WHERE patient_id = ANY(?)",
				(rs) -> {
					assertThat(notificationOf.put(rs.getString(1), rs.getString(2))).as("second notice of a patient")
						.isNull();
				}, (Object) ids);
		assertThat(notificationOf).hasSize(EVENTS);

		Map<String, Long> smsByNotification = count(providers.standins().sms().sent(), SentSms::body,
				notificationOf.values());
		mark("sms counted");
		Map<String, Long> mailByPatient = new HashMap<>();
		Map<String, String> patientOfEmail = recipients.stream()
			.collect(Collectors.toMap(Patient::email, Patient::id));
		for (ReceivedMail mail : providers.standins().mail().received()) {
			for (String to : mail.to()) {
				String patient = patientOfEmail.get(to);
				if (patient != null) {
					mailByPatient.merge(patient, 1L, Long::sum);
				}
			}
		}
		mark("mail counted");
		Map<String, Long> pushByNotification = new HashMap<>();
		for (SentPush push : providers.standins().push().sent()) {
			String notification = push.data().get("notificationId");
			if (notification != null && notificationOf.containsValue(notification)) {
				pushByNotification.merge(notification, 1L, Long::sum);
			}
		}
		for (Patient patient : recipients) {
			String notification = notificationOf.get(patient.id());
			assertThat(smsByNotification.getOrDefault(notification, 0L)).as("SMS of %s", notification).isEqualTo(1);
			assertThat(mailByPatient.getOrDefault(patient.id(), 0L)).as("emails to %s", patient.id()).isEqualTo(1);
			assertThat(pushByNotification.getOrDefault(notification, 0L)).as("pushes of %s", notification)
				.isEqualTo(pushed.contains(patient.id()) ? 1 : 0);
		}
	}

	/** How many deliveries of the patients are in which state after how many attempts, per channel. */
	private Map<String, Object> deliveries(String[] ids) {
		Map<String, Object> counts = new TreeMap<>();
		this.jdbc.query("SELECT d.channel || ' ' || d.state || '/' || d.attempts, count(*) FROM delivery d "
				+ "JOIN notification n ON n.id = d.notification_id WHERE n.patient_id = ANY(?) GROUP BY 1",
				(rs) -> {
					counts.put(rs.getString(1), rs.getLong(2));
				}, (Object) ids);
		return counts;
	}

	/** The first deliveries of the patients not sent, with their last reason. */
	private List<String> unsent(String[] ids) {
		return this.jdbc.queryForList("SELECT d.channel || ' ' || d.state || '/' || d.attempts || ': ' "
				+ "|| coalesce(d.reason, '-') FROM delivery d JOIN notification n ON n.id = d.notification_id "
				+ "WHERE n.patient_id = ANY(?) AND d.state NOT IN ('SENT', 'DELIVERED') ORDER BY d.id LIMIT 10",
				String.class, (Object) ids);
	}

	private static void mark(String what) {
		System.out.println("FAULT-TEST " + Instant.now() + " " + what);
	}

	private static <T> Map<String, Long> count(List<T> sent, Function<T, String> body,
			Collection<String> notifications) {
		Map<String, Long> counts = new HashMap<>();
		Set<String> wanted = Set.copyOf(notifications);
		for (T message : sent) {
			String text = body.apply(message);
			int at = (text != null) ? text.indexOf("/notifications/") : -1;
			if (at >= 0) {
				String id = text.substring(at + "/notifications/".length()).split("[^0-9a-f-]", 2)[0];
				if (wanted.contains(id)) {
					counts.merge(id, 1L, Long::sum);
				}
			}
		}
		return counts;
	}

	/** The events, one per patient, at a steady pace over {@link #PACE}, keyed by patient id. */
	private void publish(List<Patient> recipients, AtomicInteger published) {
		long start = System.nanoTime();
		for (int i = 0; i < recipients.size(); i++) {
			Patient patient = recipients.get(i);
			long due = start + PACE.toNanos() * i / recipients.size();
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
			CloudEvent event = this.events.create(TestResultReady.TYPE, patient.id(),
					new TestResultReady(patient.id(), "ORD-" + i, "2345-7", Instant.parse("2026-03-07T07:20:00Z"),
							Instant.parse("2026-03-07T15:05:00Z")));
			RecordHeaders headers = new RecordHeaders();
			byte[] value = this.events.serialize(RESULTS, event, headers);
			this.producer.send(new ProducerRecord<>(RESULTS, null, patient.id().getBytes(StandardCharsets.UTF_8), value,
					headers));
			published.incrementAndGet();
		}
	}

}
