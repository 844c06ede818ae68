package org.patientplatform.notification.receipts;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.patientplatform.kit.events.PlatformEvents;
import org.patientplatform.notification.NotificationIntegrationTest;
import org.patientplatform.notification.TestKafka;
import org.patientplatform.notification.TestPatients;
import org.patientplatform.notification.TestPatients.Patient;
import org.patientplatform.notification.TestProviders;
import org.patientplatform.notification.results.TestResultReady;
import org.patientplatform.standins.Faults;
import org.patientplatform.standins.SentSms;
import org.patientplatform.standins.StatusCallback;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.context.TestPropertySource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * SMS whose status callbacks never came (the stand-in calls a closed port, as Twilio calls a service that is down)
 * are reconciled by asking the SMS stand-in over real HTTP, the final status going the callbacks' way (outbox,
 * notification.status.v1, the receipts' consumer) on real Kafka and PostgreSQL.
 */
@NotificationIntegrationTest
@TestPropertySource(properties = { "notification.sending.poll-interval=100ms", "notification.sms-status.stale-after=0s",
		// driven by the tests, never by the cron role's schedule
		"notification.sms-status.schedule=0 0 0 1 1 *" })
class SmsStatusReconciliationIntegrationTests {

	static final String RESULTS = "lab.test-results.v1";

	static final TestProviders providers = TestProviders.start();

	@DynamicPropertySource
	static void providers(DynamicPropertyRegistry registry) {
		providers.register(registry);
		// Twilio's callbacks reach nobody: the service was down when they were made
		registry.add("notification.channels.sms.status-callback-base-url", () -> "http://127.0.0.1:1");
	}

	@AfterAll
	static void stopProviders() {
		providers.close();
	}

	@Autowired
	SmsStatusReconciliation reconciliation;

	@Autowired
	PlatformEvents events;

	@Autowired
	JdbcTemplate jdbc;

	@Autowired
	MeterRegistry meters;

	@Value("${spring.kafka.bootstrap-servers}")
	String bootstrapServers;

	TestKafka kafka;

	TestPatients patients;

	@BeforeEach
	void setUp() {
		this.kafka = new TestKafka(this.bootstrapServers, this.events);
		this.patients = new TestPatients(this.jdbc);
	}

	@AfterEach
	void tearDown() {
		this.kafka.close();
		providers.standins().faults().clear();
	}

	@Test
	void movesASentSmsWhoseCallbacksNeverCameToDeliveredAsTwilioReportsIt() {
		Patient patient = this.patients.patient().email(false).store();
		String sid = sentWithoutCallbacks(patient, "delivered");

		this.reconciliation.reconcile(now());

		Map<String, Object> delivery = awaitSms(patient, "DELIVERED");
		assertThat(delivery.get("provider_message_id")).isEqualTo(sid);
		assertThat(delivery.get("reason")).isNull();
		assertThat(count("delivered")).isPositive();
		// the receipts' consumer counted it as a callback's receipt is counted
		assertThat(this.meters.find("notification.notifications")
			.tags("channel", "sms", "status", "delivered")
			.counter()).isNotNull();
	}

	@Test
	void endsAnSmsTwilioReportsUndeliveredWithTheErrorCodeAndMessage() {
		Patient patient = this.patients.patient().email(false).store();
		providers.standins().faults().phone(patient.phone(), Faults.PhoneOutcome.UNDELIVERED);
		sentWithoutCallbacks(patient, "undelivered");

		this.reconciliation.reconcile(now());

		Map<String, Object> delivery = awaitSms(patient, "UNDELIVERABLE");
		assertThat(delivery.get("reason"))
			.isEqualTo("Twilio reported the message undelivered (error 30003: Unreachable destination handset)");
	}

	@Test
	void endsAnSmsTwilioReportsCanceledAsUndeliverable() {
		Patient patient = this.patients.patient().email(false).store();
		providers.standins().faults().phone(patient.phone(), Faults.PhoneOutcome.CANCELED);
		sentWithoutCallbacks(patient, "canceled");
		double canceled = count("canceled");

		this.reconciliation.reconcile(now());

		// before: counted pending and left SENT, given up at 72 h as never confirmed
		Map<String, Object> delivery = awaitSms(patient, "UNDELIVERABLE");
		assertThat(delivery.get("reason")).isEqualTo("Twilio reported the message canceled");
		assertThat(count("canceled")).isGreaterThan(canceled);
	}

	@Test
	void leavesAnSmsStillSentAtTwilioSentAndGivesUpOnlyAtTheGiveUpAge() {
		Patient patient = this.patients.patient().email(false).store();
		providers.standins().faults().phone(patient.phone(), Faults.PhoneOutcome.SENT);
		sentWithoutCallbacks(patient, "sent");
		double pending = count("pending");

		this.reconciliation.reconcile(now());

		Map<String, Object> asked = sms(patient);
		assertThat(asked.get("state")).isEqualTo("SENT");
		assertThat(asked.get("reason")).isNull();
		assertThat(asked.get("status_checked_at")).isNotNull();
		assertThat(count("pending")).isGreaterThan(pending);

		// asked again later (an hour on: the message has been sent twice as long as at the first ask), still sent
		this.reconciliation.reconcile(now().plus(Duration.ofHours(1)));
		assertThat(sms(patient).get("state")).isEqualTo("SENT");
		assertThat(sms(patient).get("reason")).isNull();

		// at the give-up age: left SENT, with why, and no longer asked about
		double gaveUp = count("gave-up");
		this.reconciliation.reconcile(now().plus(Duration.ofHours(73)));
		Map<String, Object> givenUp = sms(patient);
		assertThat(givenUp.get("state")).isEqualTo("SENT");
		assertThat((String) givenUp.get("reason")).startsWith("Twilio still reported the message sent 7")
			.endsWith("its delivery was never confirmed, and it is no longer asked about");
		// (other tests' messages still sent may be given up in this run too)
		assertThat(count("gave-up")).isGreaterThan(gaveUp);
		Object checked = givenUp.get("status_checked_at");
		this.reconciliation.reconcile(now().plus(Duration.ofHours(100)));
		assertThat(sms(patient).get("status_checked_at")).isEqualTo(checked);
	}

	@Test
	void leavesAnSmsSentWhenTwilioAnswersAServerErrorAndAsksAgainLater() {
		Patient patient = this.patients.patient().email(false).store();
		sentWithoutCallbacks(patient, "delivered");
		double unavailable = count("unavailable");
		// every fetch of this run fails (other tests' messages may be asked about in it too)
		providers.standins().faults().failNextSmsFetches(1_000);

		this.reconciliation.reconcile(now());

		Map<String, Object> failed = sms(patient);
		assertThat(failed.get("state")).isEqualTo("SENT");
		assertThat(failed.get("reason")).isNull();
		assertThat(failed.get("status_checked_at")).isNotNull();
		assertThat(count("unavailable")).isGreaterThan(unavailable);

		// Twilio answers again: the next ask, once due, finds it delivered
		providers.standins().faults().clear();
		this.reconciliation.reconcile(now().plus(Duration.ofHours(1)));
		awaitSms(patient, "DELIVERED");
	}

	@Test
	void leavesAnSmsSentThatTwilioHasNoRecordOf() {
		Patient patient = this.patients.patient().email(false).store();
		sentWithoutCallbacks(patient, "delivered");
		// the message's sid as Twilio would not know it: a 404 says nothing of the message either
		this.jdbc.update("UPDATE delivery SET provider_message_id = 'SM00000000000000000000000000000000' "
				+ "WHERE channel = 'SMS' AND notification_id IN (SELECT id FROM notification WHERE patient_id = ?)",
				patient.id());
		double notFound = count("not-found");

		this.reconciliation.reconcile(now());

		Map<String, Object> unknown = sms(patient);
		assertThat(unknown.get("state")).isEqualTo("SENT");
		assertThat(unknown.get("reason")).isNull();
		assertThat(count("not-found")).isGreaterThan(notFound);
	}

	/**
	 * A result notice by SMS that the stand-in took and brought to its final status at Twilio, whose callbacks
	 * could not be made: the delivery is {@code SENT}.
	 * @return the message's sid
	 */
	private String sentWithoutCallbacks(Patient patient, String twilioStatus) {
		this.kafka.send(RESULTS, TestResultReady.TYPE, patient.id(), new TestResultReady(patient.id(),
				"ORD-" + patient.id(), "2345-7", Instant.parse("2026-03-07T07:20:00Z"), Instant.now()));
		SentSms message = await().atMost(Duration.ofSeconds(60))
			.until(() -> providers.standins()
				.sms()
				.sent()
				.stream()
				.filter((m) -> m.to().equals(patient.phone()) && m.status().equals(twilioStatus))
				.findFirst()
				.orElse(null), (m) -> m != null);
		// Twilio called back, and nobody answered
		await().atMost(Duration.ofSeconds(30))
			.until(() -> providers.standins()
				.sms()
				.callbacks()
				.stream()
				.filter((c) -> c.messageSid().equals(message.sid()) && c.messageStatus().equals(twilioStatus))
				.map(StatusCallback::responseStatus)
				.findFirst()
				.orElse(0), (status) -> status == -1);
		awaitSms(patient, "SENT");
		return message.sid();
	}

	private Map<String, Object> awaitSms(Patient patient, String state) {
		return await().atMost(Duration.ofSeconds(60)).until(() -> sms(patient), (d) -> state.equals(d.get("state")));
	}

	private Map<String, Object> sms(Patient patient) {
		return this.jdbc.queryForList("SELECT d.state, d.reason, d.provider_message_id, d.status_checked_at "
				+ "FROM delivery d JOIN notification n ON n.id = d.notification_id "
				+ "WHERE n.patient_id = ? AND d.channel = 'SMS'", patient.id())
			.stream()
			.findFirst()
			.orElse(Map.of());
	}

	private double count(String outcome) {
		Counter counter = this.meters.find(SmsStatusReconciliation.METRIC).tag("outcome", outcome).counter();
		return (counter != null) ? counter.count() : 0;
	}

	private static Instant now() {
		return Instant.now().truncatedTo(ChronoUnit.MICROS);
	}

}
