package org.patientplatform.notification.results;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;

import io.cloudevents.CloudEvent;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.patientplatform.kit.events.PlatformEvents;
import org.patientplatform.kit.kafka.DeadLetterHeaders;
import org.patientplatform.local.infra.LocalSigningKey;
import org.patientplatform.notification.NotificationIntegrationTest;
import org.patientplatform.notification.TestApi;
import org.patientplatform.notification.TestKafka;
import org.patientplatform.notification.contacts.ChannelPreferences;
import org.patientplatform.notification.contacts.ContactPreferencesChanged;
import org.patientplatform.notification.contacts.PatientMerged;
import org.patientplatform.notification.contacts.PatientRegistered;
import tools.jackson.databind.JsonNode;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.context.TestPropertySource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

@NotificationIntegrationTest
// what is stored, not what is sent: the senders (role wrk--notifications) stay still
@TestPropertySource(properties = "notification.sending.enabled=false")
class TestResultNotificationIntegrationTests {

	static final String RESULTS = "lab.test-results.v1";

	static final String PATIENT_EVENTS = "patient.events.v1";

	static final String GROUP = "notification-service.consumer-test-result-notification";

	@Autowired
	PlatformEvents events;

	@Autowired
	LocalSigningKey signingKey;

	@Autowired
	JdbcTemplate jdbc;

	@Autowired
	MeterRegistry meters;

	@Value("${spring.kafka.bootstrap-servers}")
	String bootstrapServers;

	@LocalServerPort
	int port;

	TestKafka kafka;

	TestApi api;

	@BeforeEach
	void setUp() {
		this.kafka = new TestKafka(this.bootstrapServers, this.events);
		this.api = new TestApi(this.port, this.signingKey);
	}

	@AfterEach
	void tearDown() {
		this.kafka.close();
	}

	@Test
	void notifiesARegisteredPatientOnEachChannelTheyPrefer() {
		String patientId = newPatientId();
		register(patientId, "(415) 555-0132", "ada@example.org");
		this.kafka.send(RESULTS, TestResultReady.TYPE, patientId, result(patientId, "ORD-1"));

		JsonNode page = await().atMost(Duration.ofSeconds(60))
			.until(() -> this.api.json(this.api.get(notificationsOf(patientId), this.api.staffToken())),
					(json) -> json.path("items").size() == 1);
		JsonNode notification = page.path("items").get(0);
		assertThat(notification.path("type").asString()).isEqualTo("test-result-ready");
		assertThat(notification.path("state").asString()).isEqualTo("PENDING");
		assertThat(notification.path("waitingForContact").asBoolean()).isFalse();
		assertThat(notification.path("parameters").path("orderId").asString()).isEqualTo("ORD-1");
		assertThat(notification.path("deliveries").valueStream().map((d) -> d.path("channel").asString()))
			.containsExactlyInAnyOrder("SMS", "EMAIL");
		assertThat(notification.path("deliveries").valueStream().map((d) -> d.path("state").asString()))
			.containsOnly("PENDING");
		assertThat(page.path("nextCursor").isNull()).isTrue();
	}

	@Test
	void createsOneNotificationWhenTheSameResultArrivesTwice() {
		String patientId = newPatientId();
		register(patientId, "+14155550132", null);
		CloudEvent event = this.kafka.event(TestResultReady.TYPE, patientId, result(patientId, "ORD-1"));
		this.kafka.send(RESULTS, event);
		this.kafka.send(RESULTS, event);
		// the same result republished under a new event id
		this.kafka.send(RESULTS, TestResultReady.TYPE, patientId, result(patientId, "ORD-1"));
		// same key, same partition: once this one is stored, the three before it were
		// processed
		this.kafka.send(RESULTS, TestResultReady.TYPE, patientId, result(patientId, "ORD-2"));

		await().atMost(Duration.ofSeconds(60)).until(() -> notificationsFor(patientId, "ORD-2"), (count) -> count == 1);
		assertThat(notificationsFor(patientId, "ORD-1")).isEqualTo(1);
		assertThat(
				this.jdbc.queryForObject(
						"SELECT count(*) FROM delivery d JOIN notification n ON n.id = d.notification_id "
								+ "WHERE n.patient_id = ? AND n.parameters->>'orderId' = 'ORD-1'",
						Integer.class, patientId))
			// its SMS, and its email: undeliverable, the patient has no email address
			.isEqualTo(2);
	}

	@Test
	void notifiesBothResultsOfTwoSourcesWhoseEventsShareAnId() {
		// CloudEvents names an event by its source and its id: a second LIS's event that happened to carry the first
		// one's id was taken for the same event, and its patient never told of the result
		String patientId = newPatientId();
		register(patientId, "+14155550132", null);
		CloudEvent first = this.kafka.event(TestResultReady.TYPE, patientId, result(patientId, "ORD-1"));
		CloudEvent second = io.cloudevents.core.builder.CloudEventBuilder
			.v1(this.kafka.event(TestResultReady.TYPE, patientId, result(patientId, "ORD-3")))
			.withId(first.getId())
			.withSource(java.net.URI.create("urn:another-lis"))
			.build();
		this.kafka.send(RESULTS, first);
		this.kafka.send(RESULTS, second);
		// and each delivered again is still one notice
		this.kafka.send(RESULTS, second);
		this.kafka.send(RESULTS, first);
		this.kafka.send(RESULTS, TestResultReady.TYPE, patientId, result(patientId, "ORD-2"));

		await().atMost(Duration.ofSeconds(60)).until(() -> notificationsFor(patientId, "ORD-2"), (count) -> count == 1);
		assertThat(notificationsFor(patientId, "ORD-1")).isEqualTo(1);
		assertThat(notificationsFor(patientId, "ORD-3")).isEqualTo(1);
	}

	@Test
	void createsOneNotificationWhenAProducerPadsTheSameResultsIdsWithSpaces() {
		// an independent producer's " ORD-1 " (an HL7 field copied with its padding) is the same order: the patient
		// was told twice of one result, and a padded patient id parked the notice for a patient never to come
		String patientId = newPatientId();
		register(patientId, "+14155550132", null);
		this.kafka.send(RESULTS, TestResultReady.TYPE, patientId, result(patientId, "ORD-1"));
		this.kafka.send(RESULTS, TestResultReady.TYPE, patientId,
				Map.of("patientId", " " + patientId + " ", "orderId", " ORD-1\t", "testCode", "2345-7 ",
						"performedAt", "2026-03-07T07:20:00Z", "releasedAt", "2026-03-07T15:05:00Z"));
		this.kafka.send(RESULTS, TestResultReady.TYPE, patientId, result(patientId, "ORD-2"));

		await().atMost(Duration.ofSeconds(60)).until(() -> notificationsFor(patientId, "ORD-2"), (count) -> count == 1);
		assertThat(notificationsFor(patientId, "ORD-1")).isEqualTo(1);
		assertThat(this.jdbc.queryForObject("SELECT count(*) FROM notification WHERE patient_id <> ? AND "
				+ "trim(patient_id) = ?", Integer.class, patientId, patientId)).isZero();
		assertThat(this.jdbc.queryForObject("SELECT count(*) FROM notification WHERE patient_id = ?", Integer.class,
				patientId)).isEqualTo(2);
	}

	@Test
	void readsAnUpperCaseUuidAsTheRegisteredPatient() {
		// the patient and booking services read UUIDs in any case: an upper-case one was a second patient here, its
		// notice waiting for a registration that never came, and the patient's upper-case token was refused
		String patientId = UUID.randomUUID().toString();
		String upper = patientId.toUpperCase(Locale.ROOT);
		register(patientId, "+14155550132", null);
		this.kafka.send(RESULTS, TestResultReady.TYPE, upper, result(upper, "ORD-1"));
		// the same result named in lower case is the same notice: the key is not split by case
		this.kafka.send(RESULTS, TestResultReady.TYPE, patientId, result(patientId, "ORD-1"));
		this.kafka.send(RESULTS, TestResultReady.TYPE, upper, result(upper, "ORD-2"));

		await().atMost(Duration.ofSeconds(60)).until(() -> notificationsFor(patientId, "ORD-2"), (count) -> count == 1);
		assertThat(notificationsFor(patientId, "ORD-1")).isEqualTo(1);
		assertThat(this.jdbc.queryForObject("SELECT count(*) FROM notification WHERE lower(patient_id) = ?",
				Integer.class, patientId)).isEqualTo(2);
		assertThat(this.jdbc.queryForObject("SELECT count(*) FROM notification WHERE patient_id = ? AND "
				+ "waiting_for_contact", Integer.class, patientId)).isZero();
		// a token naming the patient in upper case reads their notifications, by either spelling of the path
		String upperToken = this.api.patientToken(upper);
		assertThat(this.api.get(notificationsOf(patientId), upperToken).getStatusCode().value()).isEqualTo(200);
		assertThat(this.api.get(notificationsOf(upper), this.api.patientToken(patientId)).getStatusCode().value())
			.isEqualTo(200);
		assertThat(this.api.json(this.api.get(notificationsOf(upper), upperToken)).path("items").size()).isEqualTo(2);
	}

	@Test
	void addressesANoticeForAMergedPatientToTheSurvivorWithTheSurvivorsChoices() {
		// ADR 0023: the merged patient's choices carry to the survivor, so a result of the merged record that comes
		// after the merge (released just before it, or redriven) is the survivor's; it went by SMS to the merged
		// record's phone, against the survivor's opt-out, and was listed under the merged id only
		String mergedId = newPatientId();
		String survivorId = newPatientId();
		String laterSurvivorId = newPatientId();
		register(mergedId, "+14155550101", "old@example.org");
		register(survivorId, "+14155550102", "ada@example.org");
		register(laterSurvivorId, "+14155550103", "ada.l@example.org");
		// a chain: the survivor merged on into a third record, that merge applied first (merges are keyed by their
		// survivors, so two can be read out of order), so the first record leads to the third in two steps
		merge(survivorId, laterSurvivorId);
		merge(mergedId, survivorId);
		this.kafka.send(PATIENT_EVENTS, ContactPreferencesChanged.TYPE, laterSurvivorId, new ContactPreferencesChanged(
				laterSurvivorId, new ChannelPreferences(false, true, false), null, null, null, List.of()));
		await().atMost(Duration.ofSeconds(60))
			.until(() -> this.api.json(this.api.get("/api/v1/patients/" + laterSurvivorId + "/preferences",
					this.api.staffToken())).path("channels").path("sms").asBoolean(true), (sms) -> !sms);

		this.kafka.send(RESULTS, TestResultReady.TYPE, mergedId, result(mergedId, "ORD-M"));

		JsonNode notice = awaitNotification(laterSurvivorId);
		assertThat(notice.path("patientId").asString()).isEqualTo(laterSurvivorId);
		assertThat(notice.path("waitingForContact").asBoolean()).isFalse();
		assertThat(notice.path("deliveries").valueStream().map((d) -> d.path("channel").asString()))
			.containsExactly("EMAIL");
		assertThat(this.jdbc.queryForObject("SELECT count(*) FROM notification WHERE patient_id IN (?, ?)",
				Integer.class, mergedId, survivorId)).isZero();
		// the same result republished under the survivor's id (the merged record's orders are the survivor's) is
		// the same notice
		this.kafka.send(RESULTS, TestResultReady.TYPE, laterSurvivorId, result(laterSurvivorId, "ORD-M"));
		this.kafka.send(RESULTS, TestResultReady.TYPE, laterSurvivorId, result(laterSurvivorId, "ORD-N"));
		await().atMost(Duration.ofSeconds(60))
			.until(() -> notificationsFor(laterSurvivorId, "ORD-N"), (count) -> count == 1);
		assertThat(notificationsFor(laterSurvivorId, "ORD-M")).isEqualTo(1);
	}

	@Test
	void notifiesAPatientWhoseRegistrationPaddedTheirId() {
		// every event reads the patient id without its padding, so a padded registration is the patient the
		// result names
		String patientId = newPatientId();
		this.kafka.send(PATIENT_EVENTS, PatientRegistered.TYPE, patientId,
				Map.of("patientId", patientId + " ", "givenName", "Ada", "phone", "+14155550132", "language", "en"));
		this.kafka.send(RESULTS, TestResultReady.TYPE, patientId, result(patientId, "ORD-1"));

		// the result may come first and wait for the registration: it must not wait for another patient
		JsonNode notification = await().atMost(Duration.ofSeconds(30))
			.until(() -> this.api.json(this.api.get(notificationsOf(patientId), this.api.staffToken())).path("items"),
					(items) -> items.size() == 1 && !items.get(0).path("waitingForContact").asBoolean())
			.get(0);
		assertThat(notification.path("deliveries").valueStream().map((d) -> d.path("channel").asString()))
			.contains("SMS");
	}

	@Test
	void keepsTheNoticeWaitingWithItsReasonWhileThePatientIsUnknown() {
		String patientId = newPatientId();
		this.kafka.send(RESULTS, TestResultReady.TYPE, patientId, result(patientId, "ORD-9"));

		JsonNode page = await().atMost(Duration.ofSeconds(60))
			.until(() -> this.api.json(this.api.get(notificationsOf(patientId), this.api.staffToken())),
					(json) -> json.path("items").size() == 1);
		JsonNode notification = page.path("items").get(0);
		assertThat(notification.path("state").asString()).isEqualTo("PENDING");
		assertThat(notification.path("waitingForContact").asBoolean()).isTrue();
		assertThat(notification.path("reason").asString()).contains("contact details");
		assertThat(notification.path("deliveries").size()).isZero();
	}

	@Test
	void releasesAWaitingNoticeOntoThePreferredChannelsWhenThePatientArrives() {
		String patientId = newPatientId();
		this.kafka.send(RESULTS, TestResultReady.TYPE, patientId, result(patientId, "ORD-10"));
		assertThat(awaitNotification(patientId).path("waitingForContact").asBoolean()).isTrue();

		register(patientId, "(415) 555-0132", "ada@example.org");

		JsonNode released = await().atMost(Duration.ofSeconds(60))
			.until(() -> awaitNotification(patientId), (json) -> !json.path("waitingForContact").asBoolean());
		assertThat(released.path("reason").isNull() || released.path("reason").isMissingNode()).isTrue();
		assertThat(released.path("deliveries").valueStream().map((d) -> d.path("channel").asString()))
			.containsExactlyInAnyOrder("SMS", "EMAIL");
		assertThat(released.path("deliveries").valueStream().map((d) -> d.path("state").asString()))
			.containsOnly("PENDING");
	}

	@Test
	void deliversOnlyOnTheChannelsThePatientOptedInto() {
		String patientId = newPatientId();
		register(patientId, "+14155550132", "ada@example.org");
		this.kafka.send(PATIENT_EVENTS, ContactPreferencesChanged.TYPE, patientId, new ContactPreferencesChanged(
				patientId, new ChannelPreferences(false, true, false), null, null, null, List.of()));
		await().atMost(Duration.ofSeconds(60))
			.until(() -> this.api
				.json(this.api.get("/api/v1/patients/" + patientId + "/preferences", this.api.staffToken()))
				.path("channels")
				.path("sms")
				.asBoolean(true), (sms) -> !sms);
		this.kafka.send(RESULTS, TestResultReady.TYPE, patientId, result(patientId, "ORD-3"));

		JsonNode notification = awaitNotification(patientId);
		assertThat(notification.path("deliveries").valueStream().map((d) -> d.path("channel").asString()))
			.containsExactly("EMAIL");
	}

	@Test
	void marksTheSmsUndeliverableWithItsReasonWhenThePhoneIsInvalid() {
		String patientId = newPatientId();
		register(patientId, "12", "ada@example.org");
		this.kafka.send(RESULTS, TestResultReady.TYPE, patientId, result(patientId, "ORD-4"));

		JsonNode notification = awaitNotification(patientId);
		assertThat(notification.path("state").asString()).isEqualTo("PENDING");
		JsonNode sms = notification.path("deliveries")
			.valueStream()
			.filter((d) -> d.path("channel").asString().equals("SMS"))
			.findFirst()
			.orElseThrow();
		assertThat(sms.path("state").asString()).isEqualTo("UNDELIVERABLE");
		assertThat(sms.path("reason").asString()).contains("phone number");
	}

	@Test
	void accountsForAPreferredChannelThePatientHasNoAddressForWithTheReason() {
		// SMS and email on (the defaults), an email and no phone: the notice had an email delivery and none for SMS,
		// with no reason, so nobody asking what became of it on SMS was told anything
		String patientId = newPatientId();
		register(patientId, null, "ada@example.org");
		double before = undeliverable("sms");
		this.kafka.send(RESULTS, TestResultReady.TYPE, patientId, result(patientId, "ORD-5"));

		JsonNode notification = awaitNotification(patientId);
		assertThat(notification.path("state").asString()).isEqualTo("PENDING");
		assertThat(notification.path("reason").isNull() || notification.path("reason").isMissingNode()).isTrue();
		// push is on by default too, but a patient without a registered device has no push channel at all
		assertThat(notification.path("deliveries").valueStream().map((d) -> d.path("channel").asString()))
			.containsExactlyInAnyOrder("SMS", "EMAIL");
		assertThat(delivery(notification, "EMAIL").path("state").asString()).isEqualTo("PENDING");
		JsonNode sms = delivery(notification, "SMS");
		assertThat(sms.path("state").asString()).isEqualTo("UNDELIVERABLE");
		assertThat(sms.path("reason").asString()).isEqualTo("The patient has no phone number");
		assertThat(sms.path("attempts").asInt()).isZero();
		assertThat(undeliverable("sms")).isEqualTo(before + 1);
	}

	@Test
	void accountsForAPreferredChannelThePatientHasNoAddressForWhenTheWaitingNoticeIsReleased() {
		String patientId = newPatientId();
		this.kafka.send(RESULTS, TestResultReady.TYPE, patientId, result(patientId, "ORD-11"));
		assertThat(awaitNotification(patientId).path("waitingForContact").asBoolean()).isTrue();
		double before = undeliverable("email");

		register(patientId, "(415) 555-0132", null);

		JsonNode released = await().atMost(Duration.ofSeconds(60))
			.until(() -> awaitNotification(patientId), (json) -> !json.path("waitingForContact").asBoolean());
		assertThat(delivery(released, "SMS").path("state").asString()).isEqualTo("PENDING");
		JsonNode email = delivery(released, "EMAIL");
		assertThat(email.path("state").asString()).isEqualTo("UNDELIVERABLE");
		assertThat(email.path("reason").asString()).isEqualTo("The patient has no email address");
		assertThat(undeliverable("email")).isEqualTo(before + 1);
	}

	@Test
	@ExtendWith(OutputCaptureExtension.class)
	void deadLettersAPoisonRecordInTheMiddleOfABatchAndStoresTheOthers(CapturedOutput output) throws Exception {
		String patientId = newPatientId();
		register(patientId, "+14155550132", "ada@example.org");
		// valid CloudEvent headers, but the data lacks the patient id and the order id
		CloudEvent poisonEvent = this.kafka.event(TestResultReady.TYPE, patientId,
				Map.of("testCode", "2345-7", "releasedAt", "2026-03-07T15:05:00Z"));
		List<RecordMetadata> sent = this.kafka.sendAsOneBatch(RESULTS,
				List.of(this.kafka.event(TestResultReady.TYPE, patientId, result(patientId, "ORD-A")), poisonEvent,
						this.kafka.event(TestResultReady.TYPE, patientId, result(patientId, "ORD-C"))));
		RecordMetadata poison = sent.get(1);
		RecordMetadata last = sent.get(2);

		await().atMost(Duration.ofSeconds(60))
			.until(() -> notificationsFor(patientId, "ORD-A") + notificationsFor(patientId, "ORD-C"), (n) -> n == 2);
		assertThat(output).contains("Invalid test-result event at " + RESULTS + "-" + poison.partition() + "@"
				+ poison.offset() + ", index 1 of a batch of 3; the 1 before it are stored");
		ConsumerRecord<byte[], byte[]> deadLetter = this.kafka.awaitDeadLetter(RESULTS, poison.partition(),
				poison.offset());
		assertThat(deadLetter.key()).isEqualTo(patientId.getBytes(StandardCharsets.UTF_8));
		assertThat(deadLetter.value()).isEqualTo(poisonEvent.getData().toBytes());
		assertThat(TestKafka.text(deadLetter, DeadLetterHeaders.EXCEPTION_FQCN))
			.isEqualTo("org.patientplatform.kit.events.InvalidEventException");
		assertThat(TestKafka.text(deadLetter, DeadLetterHeaders.NON_RETRYABLE)).isEqualTo("true");
		assertThat(TestKafka.text(deadLetter, DeadLetterHeaders.ORIGINAL_CONSUMER_GROUP)).isEqualTo(GROUP);
		assertThat(TestKafka.text(deadLetter, DeadLetterHeaders.SOURCE_ROLE))
			.isEqualTo("consumer-test-result-notification");
		assertThat(TestKafka.text(deadLetter, "ce_id")).isEqualTo(poisonEvent.getId());
		await().atMost(Duration.ofSeconds(30))
			.until(() -> committedOffset(new TopicPartition(RESULTS, poison.partition())),
					(o) -> o == last.offset() + 1);
	}

	@Test
	void deadLettersAnOrderIdLongerThanAnyLisSendsNamingTheField() {
		// before: the database refused it, and the reason was "SQL state 54000"
		String patientId = newPatientId();
		CloudEvent huge = this.kafka.event(TestResultReady.TYPE, patientId, Map.of("patientId", patientId, "orderId",
				"O".repeat(251), "testCode", "2345-7", "releasedAt", "2026-03-07T15:05:00Z"));
		RecordMetadata sent = this.kafka.sendAsOneBatch(RESULTS, List.of(huge)).getFirst();
		ConsumerRecord<byte[], byte[]> deadLetter = this.kafka.awaitDeadLetter(RESULTS, sent.partition(),
				sent.offset());
		assertThat(TestKafka.text(deadLetter, DeadLetterHeaders.EXCEPTION_MESSAGE))
			.isEqualTo("Event " + huge.getId() + " data is not valid: [orderId size must be between 0 and 250]");
		assertThat(TestKafka.text(deadLetter, DeadLetterHeaders.NON_RETRYABLE)).isEqualTo("true");
	}

	private void register(String patientId, String phone, String email) {
		this.kafka.send(PATIENT_EVENTS, PatientRegistered.TYPE, patientId, new PatientRegistered(patientId, "MRN-1",
				"Ada", "Lovelace", phone, email, "en", "America/Los_Angeles"));
		await().atMost(Duration.ofSeconds(60))
			.until(() -> this.api.get("/api/v1/patients/" + patientId + "/preferences", this.api.staffToken()),
					(response) -> response.getStatusCode().value() == 200
							&& this.api.json(response).path("contactKnown").asBoolean());
	}

	private void merge(String mergedId, String survivorId) {
		CloudEvent merge = this.kafka.event(PatientMerged.TYPE, survivorId,
				new PatientMerged(survivorId, mergedId, "MRN-0", Instant.now()));
		this.kafka.send(PATIENT_EVENTS, merge);
		await().atMost(Duration.ofSeconds(60))
			.until(() -> this.jdbc.queryForObject("SELECT merged_into FROM contact WHERE patient_id = ?", String.class,
					mergedId), survivorId::equals);
	}

	private JsonNode awaitNotification(String patientId) {
		return await().atMost(Duration.ofSeconds(60))
			.until(() -> this.api.json(this.api.get(notificationsOf(patientId), this.api.staffToken())),
					(json) -> json.path("items").size() == 1)
			.path("items")
			.get(0);
	}

	private static JsonNode delivery(JsonNode notification, String channel) {
		return notification.path("deliveries")
			.valueStream()
			.filter((d) -> d.path("channel").asString().equals(channel))
			.findFirst()
			.orElseThrow(() -> new AssertionError("No " + channel + " delivery in " + notification));
	}

	/** Result notices' deliveries on the channel counted as entering UNDELIVERABLE. */
	private double undeliverable(String channel) {
		Counter counter = this.meters.find("notification.notifications")
			.tags("type", "test-result-ready", "channel", channel, "status", "undeliverable")
			.counter();
		return (counter != null) ? counter.count() : 0;
	}

	private int notificationsFor(String patientId, String orderId) {
		return this.jdbc.queryForObject(
				"SELECT count(*) FROM notification WHERE patient_id = ? AND parameters->>'orderId' = ?", Integer.class,
				patientId, orderId);
	}

	private long committedOffset(TopicPartition partition) throws Exception {
		try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, this.bootstrapServers))) {
			OffsetAndMetadata committed = admin.listConsumerGroupOffsets(GROUP)
				.partitionsToOffsetAndMetadata()
				.get()
				.get(partition);
			return (committed != null) ? committed.offset() : -1;
		}
	}

	private static String notificationsOf(String patientId) {
		return "/api/v1/patients/" + patientId + "/notifications";
	}

	private static String newPatientId() {
		return "P-" + UUID.randomUUID();
	}

	private static TestResultReady result(String patientId, String orderId) {
		return new TestResultReady(patientId, orderId, "2345-7", Instant.parse("2026-03-07T07:20:00Z"),
				Instant.parse("2026-03-07T15:05:00Z"));
	}

}
