package org.patientplatform.notification.contacts;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalTime;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.stream.Stream;

import javax.sql.DataSource;

import io.cloudevents.CloudEvent;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;
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
import org.patientplatform.notification.delivery.Channel;
import org.patientplatform.notification.delivery.ChannelTarget;
import org.patientplatform.notification.delivery.NewNotification;
import org.patientplatform.notification.delivery.Notification;
import org.patientplatform.notification.delivery.NotificationId;
import org.patientplatform.notification.delivery.Notifications;
import org.patientplatform.notification.delivery.Priority;
import tools.jackson.databind.JsonNode;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.transaction.support.TransactionTemplate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

@NotificationIntegrationTest
class ContactProjectionIntegrationTests {

	static final String PATIENT_EVENTS = "patient.events.v1";

	static final String GROUP = "notification-service.consumer-notification.contacts";

	@Autowired
	PlatformEvents events;

	@Autowired
	ContactDirectory contacts;

	@Autowired
	LocalSigningKey signingKey;

	@Autowired
	JdbcTemplate jdbc;

	@Autowired
	Notifications notifications;

	@Autowired
	TransactionTemplate transactions;

	@Autowired
	DataSource dataSource;

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
	void projectsARegisteredPatientWithThePhoneInE164() {
		String patientId = newPatientId();
		this.kafka.send(PATIENT_EVENTS, PatientRegistered.TYPE, patientId, new PatientRegistered(patientId, "MRN-1",
				"Ada", "Lovelace", "(415) 555-0132", " ada@example.org ", "es-us", "America/Los_Angeles"));

		Contact contact = awaitContact(patientId, Contact::isKnown);
		assertThat(contact.phone()).isEqualTo("+14155550132");
		assertThat(contact.phoneProblem()).isNull();
		assertThat(contact.email()).isEqualTo("ada@example.org");
		assertThat(contact.givenName()).isEqualTo("Ada");
		assertThat(contact.language()).isEqualTo("es-US");
		assertThat(contact.timezone()).isEqualTo("America/Los_Angeles");
		assertThat(contact.channels()).isEqualTo(new ChannelPreferences(true, true, true));
	}

	@Test
	void storesAnUnusablePhoneAndEmailAsNoneWithTheirReasons() {
		String patientId = newPatientId();
		this.kafka.send(PATIENT_EVENTS, PatientRegistered.TYPE, patientId, new PatientRegistered(patientId, "MRN-2",
				"Ada", "Lovelace", "call me maybe", "ada-at-example", "xx-invalid-!", "Mars/Olympus"));

		Contact contact = awaitContact(patientId, Contact::isKnown);
		assertThat(contact.phone()).isNull();
		assertThat(contact.phoneProblem()).contains("cannot be read");
		assertThat(contact.email()).isNull();
		assertThat(contact.emailProblem()).contains("not a valid address");
		assertThat(contact.language()).isNull();
		assertThat(contact.timezone()).isNull();
	}

	@Test
	void ignoresAnUpdateOlderThanTheOneApplied() {
		String patientId = newPatientId();
		Instant now = Instant.parse("2026-03-05T14:00:00Z");
		this.kafka.send(PATIENT_EVENTS,
				this.kafka.event(PatientUpdated.TYPE, patientId, updated(patientId, "new@example.org"), now));
		CloudEvent older = this.kafka.event(PatientUpdated.TYPE, patientId, updated(patientId, "old@example.org"),
				now.minusSeconds(60));
		this.kafka.send(PATIENT_EVENTS, older);

		awaitProcessed(older.getId());
		assertThat(this.contacts.find(patientId))
			.hasValueSatisfying((contact) -> assertThat(contact.email()).isEqualTo("new@example.org"));
	}

	@Test
	void appliesARedeliveredEventOnlyOnce() {
		String patientId = newPatientId();
		Instant at = Instant.parse("2026-03-05T14:00:00Z");
		CloudEvent first = this.kafka.event(PatientUpdated.TYPE, patientId, updated(patientId, "first@example.org"),
				at);
		CloudEvent second = this.kafka.event(PatientUpdated.TYPE, patientId, updated(patientId, "second@example.org"),
				at);
		this.kafka.send(PATIENT_EVENTS, first);
		this.kafka.send(PATIENT_EVENTS, second);
		// a redelivery of the first: as new as the applied one, so only its recorded id
		// keeps it out
		this.kafka.send(PATIENT_EVENTS, first);
		CloudEvent marker = this.kafka.event(ContactPreferencesChanged.TYPE, patientId, new ContactPreferencesChanged(
				patientId, new ChannelPreferences(true, true, false), null, null, null, null));
		this.kafka.send(PATIENT_EVENTS, marker);

		awaitProcessed(marker.getId());
		assertThat(this.contacts.find(patientId))
			.hasValueSatisfying((contact) -> assertThat(contact.email()).isEqualTo("second@example.org"));
	}

	@Test
	void appliesContactPreferences() {
		String patientId = newPatientId();
		this.kafka.send(PATIENT_EVENTS, ContactPreferencesChanged.TYPE, patientId,
				new ContactPreferencesChanged(patientId, new ChannelPreferences(false, true, true),
						new QuietHours(LocalTime.of(21, 0), LocalTime.of(8, 0)), "es", "America/Chicago",
						List.of("token-1", "token-2")));

		Contact contact = awaitContact(patientId, (c) -> c.preferencesAt() != null);
		assertThat(contact.isKnown()).isFalse();
		assertThat(contact.channels()).isEqualTo(new ChannelPreferences(false, true, true));
		assertThat(contact.quietHours()).isEqualTo(new QuietHours(LocalTime.of(21, 0), LocalTime.of(8, 0)));
		assertThat(contact.pushTokens()).containsExactly("token-1", "token-2");
		assertThat(contact.language()).isEqualTo("es");
		assertThat(contact.timezone()).isEqualTo("America/Chicago");
	}

	@Test
	void deadLettersAMalformedRecordAndProjectsTheNextOne() {
		String patientId = newPatientId();
		byte[] garbage = "{\"patientId\": \"not a cloud event".getBytes(StandardCharsets.UTF_8);
		RecordMetadata poison = this.kafka.sendRaw(PATIENT_EVENTS, patientId, garbage);
		RecordMetadata good = this.kafka.send(PATIENT_EVENTS, PatientRegistered.TYPE, patientId,
				new PatientRegistered(patientId, "MRN-3", "Ada", "Lovelace", "+14155550132", null, null, null));
		assertThat(good.partition()).isEqualTo(poison.partition());

		awaitContact(patientId, Contact::isKnown);
		ConsumerRecord<byte[], byte[]> deadLetter = this.kafka.awaitDeadLetter(PATIENT_EVENTS, poison.partition(),
				poison.offset());
		assertThat(deadLetter.value()).isEqualTo(garbage);
		assertThat(deadLetter.key()).isEqualTo(patientId.getBytes(StandardCharsets.UTF_8));
		assertThat(TestKafka.text(deadLetter, DeadLetterHeaders.ORIGINAL_CONSUMER_GROUP)).isEqualTo(GROUP);
		assertThat(TestKafka.text(deadLetter, DeadLetterHeaders.SOURCE_ROLE)).isEqualTo("consumer-notification");
		assertThat(TestKafka.text(deadLetter, DeadLetterHeaders.NON_RETRYABLE)).isEqualTo("true");
	}

	@Test
	void projectsEventsInCloudEventsStructuredModeOncePerSourceAndId() {
		// another client writing the JSON event format by hand (a CloudEvents SDK in structured mode, kcat)
		String patientId = newPatientId();
		String firstId = UUID.randomUUID().toString();
		byte[] first = structuredUpdate(firstId, patientId, "first@example.org");
		this.kafka.sendRaw(PATIENT_EVENTS, patientId, first, contentType("application/cloudevents+json; charset=UTF-8"));
		this.kafka.send(PATIENT_EVENTS, this.kafka.event(PatientUpdated.TYPE, patientId,
				updated(patientId, "second@example.org"), Instant.parse("2026-03-05T14:00:00Z")));
		// the first again, as new as the applied one: only its recorded source and id keep it out
		this.kafka.sendRaw(PATIENT_EVENTS, patientId, first, contentType("application/cloudevents+json"));
		// a type it does not project, in structured mode: skipped
		String mergedId = UUID.randomUUID().toString();
		this.kafka.sendRaw(PATIENT_EVENTS, patientId, """
				{"specversion":"1.0","id":"%s","source":"urn:lab:adt","type":"patient.PatientMerged.v1",
				 "data":{"patientId":"%s","mergedIntoPatientId":"P-other"}}"""
			.formatted(mergedId, patientId)
			.getBytes(StandardCharsets.UTF_8), contentType("application/cloudevents+json"));
		String markerId = UUID.randomUUID().toString();
		this.kafka.sendRaw(PATIENT_EVENTS, patientId, """
				{"specversion":"1.0","id":"%s","source":"urn:lab:adt","type":"%s",
				 "data":{"patientId":"%s","channels":{"sms":true,"email":true,"push":false}}}"""
			.formatted(markerId, ContactPreferencesChanged.TYPE, patientId)
			.getBytes(StandardCharsets.UTF_8), contentType("application/cloudevents+json"));

		awaitProcessed(markerId);
		assertThat(this.contacts.find(patientId))
			.hasValueSatisfying((contact) -> assertThat(contact.email()).isEqualTo("second@example.org"));
		assertThat(this.jdbc.queryForObject(
				"SELECT source FROM processed_message WHERE consumer_group = ? AND event_id = ?", String.class, GROUP,
				firstId))
			.isEqualTo("urn:lab:adt");
		assertThat(this.jdbc.queryForObject("SELECT count(*) FROM processed_message WHERE event_id = ?", Integer.class,
				mergedId))
			.isZero();
	}

	@Test
	void deadLettersAMalformedStructuredEnvelopeAndProjectsTheNextOne() {
		String patientId = newPatientId();
		byte[] noType = """
				{"specversion":"1.0","id":"%s","source":"urn:lab:adt",
				 "data":{"patientId":"%s","givenName":"Zebediah"}}"""
			.formatted(UUID.randomUUID(), patientId)
			.getBytes(StandardCharsets.UTF_8);
		RecordMetadata poison = this.kafka.sendRaw(PATIENT_EVENTS, patientId, noType,
				contentType("application/cloudevents+json"));
		RecordMetadata wrongCharset = this.kafka.sendRaw(PATIENT_EVENTS, patientId,
				structuredUpdate(UUID.randomUUID().toString(), patientId, "x@example.org"), contentType("application/cloudevents+json; charset=ISO-8859-1"));
		this.kafka.sendRaw(PATIENT_EVENTS, patientId,
				structuredUpdate(UUID.randomUUID().toString(), patientId, "ada@example.org"),
				contentType("application/cloudevents+json"));

		awaitContact(patientId, (contact) -> "ada@example.org".equals(contact.email()));
		ConsumerRecord<byte[], byte[]> deadLetter = this.kafka.awaitDeadLetter(PATIENT_EVENTS, poison.partition(),
				poison.offset());
		assertThat(deadLetter.value()).isEqualTo(noType);
		assertThat(TestKafka.text(deadLetter, DeadLetterHeaders.EXCEPTION_MESSAGE))
			.isEqualTo("Record is not a CloudEvent in structured mode: no type attribute")
			.doesNotContain("Zebediah");
		assertThat(TestKafka.text(deadLetter, DeadLetterHeaders.NON_RETRYABLE)).isEqualTo("true");
		assertThat(TestKafka.text(this.kafka.awaitDeadLetter(PATIENT_EVENTS, wrongCharset.partition(),
				wrongCharset.offset()), DeadLetterHeaders.EXCEPTION_MESSAGE))
			.isEqualTo("Record is not a CloudEvent in structured mode: charset ISO-8859-1 is not supported: the JSON "
					+ "event format is UTF-8");
	}

	private static byte[] structuredUpdate(String eventId, String patientId, String email) {
		return """
				{"specversion":"1.0","id":"%s","source":"urn:lab:adt","type":"%s","subject":"%s",
				 "time":"2026-03-05T14:00:00Z","datacontenttype":"application/json",
				 "data":{"patientId":"%s","mrn":"MRN-6","givenName":"Ada","familyName":"King","phone":"+14155550132",
				         "email":"%s","language":"en","timezone":"America/Chicago"}}"""
			.formatted(eventId, PatientUpdated.TYPE, patientId, patientId, email)
			.getBytes(StandardCharsets.UTF_8);
	}

	private static Header contentType(String value) {
		return new RecordHeader("content-type", value.getBytes(StandardCharsets.UTF_8));
	}

	@Test
	@ExtendWith(OutputCaptureExtension.class)
	void keepsNamesPhonesEmailsAndPayloadsOutOfTheLogs(CapturedOutput output) {
		String patientId = newPatientId();
		this.kafka.sendRaw(PATIENT_EVENTS, patientId,
				"{\"givenName\": \"Zebediah\", \"phone\": \"+14155550177\"".getBytes(StandardCharsets.UTF_8));
		this.kafka.send(PATIENT_EVENTS, PatientUpdated.TYPE, patientId, new PatientUpdated(patientId, "MRN-77",
				"Zebediah", "Quixotefield", "+1 415 555 0177", "zq@example.org", "en", "America/Chicago"));
		this.kafka.send(PATIENT_EVENTS, PatientUpdated.TYPE, patientId, new PatientUpdated(patientId, "MRN-77",
				"Zebediah", "Quixotefield", "not-a-phone-0177", "zq-at-example", "en", "America/Chicago"));

		awaitContact(patientId, (contact) -> contact.phoneProblem() != null);
		assertThat(output).contains("Dead-lettered " + PATIENT_EVENTS)
			.doesNotContain("Zebediah")
			.doesNotContain("Quixotefield")
			.doesNotContain("MRN-77")
			.doesNotContain("5550177")
			.doesNotContain("555 0177")
			.doesNotContain("not-a-phone")
			.doesNotContain("zq@example.org")
			.doesNotContain("zq-at-example");
	}

	@Test
	void skipsPatientEventTypesItDoesNotProject() {
		String patientId = newPatientId();
		// the test-result consumers' type, on the same topic
		CloudEvent result = this.kafka.event("patient.TestResultReady.v1", patientId,
				Map.of("patientId", patientId, "orderId", "ORD-1"));
		this.kafka.send(PATIENT_EVENTS, result);
		this.kafka.send(PATIENT_EVENTS, PatientRegistered.TYPE, patientId,
				new PatientRegistered(patientId, "MRN-4", "Ada", "Lovelace", null, "ada@example.org", null, null));

		awaitContact(patientId, Contact::isKnown);
		assertThat(this.jdbc.queryForObject("SELECT count(*) FROM processed_message WHERE event_id = ?", Integer.class,
				result.getId()))
			.isZero();
	}

	@Test
	void aMergeCarriesTheMergedPatientsOptOutDevicesAndWaitingNoticesToTheSurvivor() {
		String survivorId = registered();
		String mergedId = newPatientId();
		String device = fcmToken();
		// on the duplicate record the patient opted out of SMS, and their phone's app registered there
		this.kafka.send(PATIENT_EVENTS, ContactPreferencesChanged.TYPE, mergedId, new ContactPreferencesChanged(
				mergedId, new ChannelPreferences(false, true, true), null, null, null, List.of(device)));
		awaitContact(mergedId, (c) -> c.preferencesAt() != null);
		// a notice for the duplicate waits for its details, which will not come now
		Notification notice = Notification.awaitingContact(new NewNotification("test-result-ready", mergedId,
				Priority.NORMAL, "merge-" + mergedId, null, Map.of("orderId", "ORD-MERGE"), null), "waiting",
				Instant.now());
		assertThat(this.notifications.storeNew(List.of(notice))).isEqualTo(1);

		CloudEvent merge = this.kafka.event(PatientMerged.TYPE, survivorId,
				new PatientMerged(survivorId, mergedId, "MRN-7", Instant.now()));
		this.kafka.send(PATIENT_EVENTS, merge);
		awaitProcessed(merge.getId());

		Contact survivor = this.contacts.find(survivorId).orElseThrow();
		assertThat(survivor.channels()).isEqualTo(new ChannelPreferences(false, true, true));
		assertThat(survivor.pushTokens()).containsExactly(device);
		assertThat(survivor.phone()).isEqualTo("+14155550132");
		assertThat(this.contacts.find(mergedId).orElseThrow().pushTokens()).isEmpty();
		// the notice is the survivor's now, released on the channels the patient kept: no SMS
		assertThat(this.jdbc.queryForMap("SELECT patient_id, waiting_for_contact FROM notification WHERE id = ?",
				notice.id().value()))
			.containsEntry("patient_id", survivorId)
			.containsEntry("waiting_for_contact", false);
		assertThat(this.jdbc.queryForList("SELECT channel FROM delivery WHERE notification_id = ?", String.class,
				notice.id().value()))
			.containsExactlyInAnyOrder("EMAIL", "PUSH");
		assertThat(audited("contact.merge", survivorId, "allowed")).isOne();
		// signed in with the merged record's id, the patient reads and changes the survivor's data
		String mergedToken = this.api.patientToken(mergedId);
		assertThat(this.api.get(preferencesOf(survivorId), mergedToken).getStatusCode().value()).isEqualTo(200);
		assertThat(this.api.get("/api/v1/patients/" + survivorId + "/notifications", mergedToken).getStatusCode().value())
			.isEqualTo(200);
		assertThat(this.api.get("/api/v1/notifications/" + notice.id().value(), mergedToken).getStatusCode().value())
			.isEqualTo(200);
		// the survivor's token does not read the merged record's, nor another patient's token the survivor's
		assertThat(this.api.get(preferencesOf(mergedId), this.api.patientToken(survivorId)).getStatusCode().value())
			.isEqualTo(403);
		assertThat(this.api.get(preferencesOf(survivorId), this.api.patientToken(newPatientId())).getStatusCode()
			.value()).isEqualTo(403);
		// a later merge of the survivor leads the first record on to the record in use
		String laterSurvivor = registered();
		CloudEvent again = this.kafka.event(PatientMerged.TYPE, laterSurvivor,
				new PatientMerged(laterSurvivor, survivorId, "MRN-8", Instant.now()));
		this.kafka.send(PATIENT_EVENTS, again);
		awaitProcessed(again.getId());
		assertThat(this.api.get(preferencesOf(laterSurvivor), mergedToken).getStatusCode().value()).isEqualTo(200);

		// sent again: applied once
		this.kafka.send(PATIENT_EVENTS, merge);
		CloudEvent marker = this.kafka.event(ContactPreferencesChanged.TYPE, survivorId, new ContactPreferencesChanged(
				survivorId, new ChannelPreferences(false, true, true), null, null, null, null));
		this.kafka.send(PATIENT_EVENTS, marker);
		awaitProcessed(marker.getId());
		assertThat(audited("contact.merge", survivorId, "allowed")).isOne();
	}

	@Test
	void letsThePatientReadAndChangeTheirOwnPreferences() {
		String patientId = registered();
		String token = this.api.patientToken(patientId);

		ResponseEntity<String> changed = this.api.put(preferencesOf(patientId), token, """
				{"channels": {"sms": false, "email": true, "push": false},
				 "quietHours": {"start": "22:00", "end": "07:30"},
				 "language": "es", "timezone": "Europe/Madrid"}
				""");
		assertThat(changed.getStatusCode().value()).isEqualTo(200);

		JsonNode read = this.api.json(this.api.get(preferencesOf(patientId), token));
		assertThat(read.path("patientId").asString()).isEqualTo(patientId);
		assertThat(read.path("channels").path("sms").asBoolean()).isFalse();
		assertThat(read.path("channels").path("email").asBoolean()).isTrue();
		assertThat(read.path("quietHours").path("start").asString()).isEqualTo("22:00");
		assertThat(read.path("language").asString()).isEqualTo("es");
		assertThat(read.path("timezone").asString()).isEqualTo("Europe/Madrid");
		assertThat(read.path("contactKnown").asBoolean()).isTrue();
		assertThat(this.contacts.find(patientId)).hasValueSatisfying(
				(contact) -> assertThat(contact.channels()).isEqualTo(new ChannelPreferences(false, true, false)));
	}

	@Test
	void appliesThePatientsChangeOverAnEventStampedInTheFuture() {
		String patientId = registered();
		// a producer whose clock is an hour ahead
		CloudEvent ahead = this.kafka.event(ContactPreferencesChanged.TYPE, patientId, new ContactPreferencesChanged(
				patientId, new ChannelPreferences(false, false, false), null, null, null, null),
				Instant.now().plus(Duration.ofHours(1)));
		this.kafka.send(PATIENT_EVENTS, ahead);
		awaitProcessed(ahead.getId());
		assertThat(this.contacts.find(patientId)).hasValueSatisfying((contact) -> {
			assertThat(contact.channels()).isEqualTo(new ChannelPreferences(false, false, false));
			assertThat(contact.preferencesAt()).isBeforeOrEqualTo(Instant.now());
		});

		ResponseEntity<String> changed = this.api.put(preferencesOf(patientId), this.api.patientToken(patientId), """
				{"channels": {"sms": true, "email": true, "push": false}}
				""");
		assertThat(changed.getStatusCode().value()).isEqualTo(200);
		assertThat(this.api.json(changed).path("channels").path("sms").asBoolean()).isTrue();
		assertThat(this.contacts.find(patientId)).hasValueSatisfying(
				(contact) -> assertThat(contact.channels()).isEqualTo(new ChannelPreferences(true, true, false)));
	}

	@Test
	void letsStaffChangeAnyPatientsPreferences() {
		String patientId = registered();
		ResponseEntity<String> changed = this.api.put(preferencesOf(patientId), this.api.staffToken(), """
				{"channels": {"sms": true, "email": false, "push": false}}
				""");
		assertThat(changed.getStatusCode().value()).isEqualTo(200);
		assertThat(this.api.json(changed).path("channels").path("email").asBoolean()).isFalse();
		assertThat(this.api.json(changed).path("quietHours").isNull()).isTrue();
	}

	@Test
	void rejectsInvalidPreferencesWithAProblemListingEachField() {
		String patientId = registered();
		ResponseEntity<String> rejected = this.api.put(preferencesOf(patientId), this.api.patientToken(patientId), """
				{"channels": {"sms": true, "email": null, "push": false},
				 "quietHours": {"start": "22:00"},
				 "language": "not a language", "timezone": "Mars/Olympus"}
				""");
		assertThat(rejected.getStatusCode().value()).isEqualTo(400);
		assertThat(rejected.getHeaders().getContentType()).isEqualTo(MediaType.APPLICATION_PROBLEM_JSON);
		JsonNode problem = this.api.json(rejected);
		assertThat(problem.path("status").asInt()).isEqualTo(400);
		assertThat(problem.path("errors").valueStream().map((error) -> error.path("field").asString()))
			.containsExactlyInAnyOrder("channels.email", "quietHours.end", "language", "timezone");

		// the same start and end: no quiet hours or the whole day? (was taken as none, silently)
		ResponseEntity<String> same = this.api.put(preferencesOf(patientId), this.api.patientToken(patientId), """
				{"channels": {"sms": true, "email": true, "push": false},
				 "quietHours": {"start": "22:00", "end": "22:00"}}
				""");
		assertThat(same.getStatusCode().value()).isEqualTo(400);
		assertThat(this.api.json(same).path("errors").valueStream()
			.map((error) -> error.path("field").asString() + " " + error.path("message").asString()))
			.containsExactly("quietHours.end must differ from start (the same time is no quiet hours or the whole "
					+ "day; for none, send quietHours null)");
	}

	@Test
	void takesQuietHoursAsAnRfc3339PartialTimeToTheMinute() {
		String patientId = registered();
		String token = this.api.patientToken(patientId);
		// the schema says time-local (RFC 3339 partial-time): with seconds, and a fraction, as well as without
		for (String[] times : List.of(new String[] { "21:00:00", "08:00:00" }, new String[] { "21:00:00.000", "08:00" },
				new String[] { "22:15", "07:45:00.000000000" })) {
			ResponseEntity<String> changed = this.api.put(preferencesOf(patientId), token, """
					{"channels": {"sms": true, "email": true, "push": true},
					 "quietHours": {"start": "%s", "end": "%s"}}
					""".formatted(times[0], times[1]));
			assertThat(changed.getStatusCode().value()).as(times[0]).isEqualTo(200);
			// kept and answered to the minute
			LocalTime start = LocalTime.parse(times[0]);
			LocalTime end = LocalTime.parse(times[1]);
			assertThat(this.api.json(changed).path("quietHours").path("start").asString())
				.isEqualTo("%02d:%02d".formatted(start.getHour(), start.getMinute()));
			assertThat(this.contacts.find(patientId).orElseThrow().quietHours()).isEqualTo(new QuietHours(start, end));
		}

		// seconds are refused, not cut off: quiet hours are kept to the minute
		ResponseEntity<String> seconds = this.api.put(preferencesOf(patientId), token, """
				{"channels": {"sms": true, "email": true, "push": true},
				 "quietHours": {"start": "21:00:30", "end": "08:00:00.5"}}
				""");
		assertThat(seconds.getStatusCode().value()).isEqualTo(400);
		assertThat(seconds.getHeaders().getContentType()).isEqualTo(MediaType.APPLICATION_PROBLEM_JSON);
		String wholeMinute = "must be a whole minute: quiet hours are kept to the minute (21:00 or 21:00:00, not "
				+ "21:00:30)";
		assertThat(this.api.json(seconds).path("errors").valueStream()
			.map((error) -> error.path("field").asString() + " " + error.path("message").asString()))
			.containsExactlyInAnyOrder("quietHours.start " + wholeMinute, "quietHours.end " + wholeMinute);
		assertThat(this.contacts.find(patientId).orElseThrow().quietHours())
			.isEqualTo(new QuietHours(LocalTime.of(22, 15), LocalTime.of(7, 45)));

		// what is no partial-time stays refused as before, each field named
		for (String wrong : List.of("24:00", "21:00Z", "21:00:00+01:00", "2026-01-01T21:00:00", "9:30", "21:00:60",
				"21:00:00.", "")) {
			ResponseEntity<String> refused = this.api.put(preferencesOf(patientId), token, """
					{"channels": {"sms": true, "email": true, "push": true},
					 "quietHours": {"start": "%s", "end": "08:00"}}
					""".formatted(wrong));
			assertThat(refused.getStatusCode().value()).as(wrong).isEqualTo(400);
			assertThat(this.api.json(refused).path("errors").valueStream()
				.map((error) -> error.path("field").asString() + " " + error.path("message").asString()))
				.as(wrong)
				.containsExactly("quietHours.start must be a time of day, such as 09:30");
		}
	}

	@Test
	void appliesQuietHoursOfAnEventAsAnRfc3339PartialTimeAndDeadLettersSeconds() {
		String patientId = newPatientId();
		CloudEvent withSeconds = this.kafka.event(ContactPreferencesChanged.TYPE, patientId,
				Map.of("patientId", patientId, "channels", Map.of("sms", true, "email", true, "push", true),
						"quietHours", Map.of("start", "21:00:00", "end", "08:00:00.000")));
		this.kafka.send(PATIENT_EVENTS, withSeconds);
		awaitProcessed(withSeconds.getId());
		assertThat(this.contacts.find(patientId).orElseThrow().quietHours())
			.isEqualTo(new QuietHours(LocalTime.of(21, 0), LocalTime.of(8, 0)));

		RecordMetadata halfMinute = this.kafka.send(PATIENT_EVENTS, ContactPreferencesChanged.TYPE, patientId,
				Map.of("patientId", patientId, "channels", Map.of("sms", true, "email", true, "push", true),
						"quietHours", Map.of("start", "22:00:30", "end", "08:00")));
		ConsumerRecord<byte[], byte[]> deadLetter = this.kafka.awaitDeadLetter(PATIENT_EVENTS, halfMinute.partition(),
				halfMinute.offset());
		assertThat(TestKafka.text(deadLetter, DeadLetterHeaders.EXCEPTION_MESSAGE))
			.contains("quietHours.start must be a whole minute: quiet hours are kept to the minute");
		assertThat(this.contacts.find(patientId).orElseThrow().quietHours())
			.isEqualTo(new QuietHours(LocalTime.of(21, 0), LocalTime.of(8, 0)));
	}

	@Test
	void forbidsAPatientTheirNeighboursPreferences() {
		String patientId = registered();
		String neighbour = this.api.patientToken(newPatientId());
		ResponseEntity<String> read = this.api.get(preferencesOf(patientId), neighbour);
		assertThat(read.getStatusCode().value()).isEqualTo(403);
		assertThat(read.getHeaders().getContentType()).isEqualTo(MediaType.APPLICATION_PROBLEM_JSON);
		ResponseEntity<String> change = this.api.put(preferencesOf(patientId), neighbour, """
				{"channels": {"sms": false, "email": false, "push": false}}
				""");
		assertThat(change.getStatusCode().value()).isEqualTo(403);
		assertThat(this.contacts.find(patientId))
			.hasValueSatisfying((contact) -> assertThat(contact.channels().sms()).isTrue());
	}

	@Test
	void answersNotFoundForAPatientWithoutContact() {
		ResponseEntity<String> response = this.api.get(preferencesOf(newPatientId()), this.api.staffToken());
		assertThat(response.getStatusCode().value()).isEqualTo(404);
		assertThat(response.getHeaders().getContentType()).isEqualTo(MediaType.APPLICATION_PROBLEM_JSON);
	}

	@Test
	void aNoticeParkedWhileThePatientsDetailsAreRecordedIsReleasedByThem() throws Exception {
		String patientId = newPatientId();
		NotificationId parked = this.transactions.execute((status) -> {
			// the notice's transaction reads the contact first: not known yet
			assertThat(this.contacts.findAllForNotices(List.of(patientId))).doesNotContainKey(patientId);
			// the details arrive and are projected before the notice is parked
			this.kafka.send(PATIENT_EVENTS, PatientRegistered.TYPE, patientId, new PatientRegistered(patientId, "MRN-6",
					"Ada", "Lovelace", "+14155550132", "ada@example.org", "en", "America/Los_Angeles"));
			// the projection waits for this transaction (its lock), or, were it not to, has finished by now
			await().pollDelay(Duration.ofMillis(200))
				.atMost(Duration.ofSeconds(5))
				.until(() -> known(patientId) || waitingOnLock());
			Notification notice = Notification.awaitingContact(new NewNotification("test-result-ready", patientId,
					Priority.NORMAL, "race-" + patientId, null, Map.of("orderId", "ORD-RACE"), null), "waiting", Instant.now());
			assertThat(this.notifications.storeNew(List.of(notice))).isEqualTo(1);
			return notice.id();
		});

		// the projection recorded the details after the notice was parked, and released it: never stuck waiting
		await().atMost(Duration.ofSeconds(30))
			.until(() -> this.jdbc.queryForObject("SELECT waiting_for_contact FROM notification WHERE id = ?",
					Boolean.class, parked.value()), (waiting) -> !waiting);
		assertThat(this.jdbc.queryForList("SELECT channel FROM delivery WHERE notification_id = ?", String.class,
				parked.value()))
			.isNotEmpty();
		assertThat(known(patientId)).isTrue();
	}

	private boolean known(String patientId) {
		return this.contacts.find(patientId).map(Contact::isKnown).orElse(false);
	}

	/** True while a session waits for an advisory lock (the projection, behind the notice's transaction). */
	private boolean waitingOnLock() {
		return this.jdbc.queryForObject("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted",
				Integer.class) > 0;
	}

	@Test
	void registersADeviceAsThePatientsNewestSoPushGoesToIt() {
		String patientId = registered();
		String token = this.api.patientToken(patientId);
		String phone = fcmToken();
		String tablet = fcmToken();

		ResponseEntity<String> first = this.api.put(deviceOf(patientId, phone), token, "");
		assertThat(first.getStatusCode().value()).isEqualTo(200);
		assertThat(this.api.json(first).path("pushDevices").asInt()).isEqualTo(1);
		this.api.put(deviceOf(patientId, tablet), token, "");
		// the phone signs in again: it is the newest device now, and still registered once
		ResponseEntity<String> again = this.api.put(deviceOf(patientId, phone), token, "");
		assertThat(this.api.json(again).path("pushDevices").asInt()).isEqualTo(2);

		Contact contact = this.contacts.find(patientId).orElseThrow();
		assertThat(contact.pushTokens()).containsExactly(tablet, phone);
		assertThat(contact.deliveryTargets()).contains(ChannelTarget.reachable(Channel.PUSH));
		assertThat(audited("push-device.register", patientId, "allowed")).isEqualTo(3);
	}

	@Test
	void takesADeviceFromThePatientWhoHadItBefore() {
		String earlier = registered();
		String later = registered();
		String shared = fcmToken();
		this.api.put(deviceOf(earlier, shared), this.api.patientToken(earlier), "");

		ResponseEntity<String> taken = this.api.put(deviceOf(later, shared), this.api.patientToken(later), "");
		assertThat(taken.getStatusCode().value()).isEqualTo(200);

		assertThat(this.contacts.find(later).orElseThrow().pushTokens()).containsExactly(shared);
		Contact before = this.contacts.find(earlier).orElseThrow();
		assertThat(before.pushTokens()).isEmpty();
		assertThat(before.deliveryTargets()).noneMatch((target) -> target.channel() == Channel.PUSH);
		assertThat(audited("push-device.remove", earlier, "allowed")).isEqualTo(1);
	}

	@Test
	void twoPatientsTakingEachOthersDeviceAtOnceAreBothAnswered() throws Exception {
		String ada = registered();
		String bob = registered();
		String adasTablet = fcmToken();
		String bobsTablet = fcmToken();
		this.api.put(deviceOf(ada, adasTablet), this.api.patientToken(ada), "");
		this.api.put(deviceOf(bob, bobsTablet), this.api.patientToken(bob), "");

		// Ada's contact held for a moment (a preference change, a send's cleanup): Bob, taking her tablet, waits for
		// it first; Ada, taking his, has his contact already when she waits for hers
		ExecutorService requests = Executors.newFixedThreadPool(2);
		try (Connection blocker = this.dataSource.getConnection()) {
			blocker.setAutoCommit(false);
			try (var lock = blocker.prepareStatement("SELECT 1 FROM contact WHERE patient_id = ? FOR UPDATE")) {
				lock.setString(1, ada);
				lock.executeQuery();
			}
			Future<ResponseEntity<String>> bobTakes = requests
				.submit(() -> this.api.put(deviceOf(bob, adasTablet), this.api.patientToken(bob), ""));
			await().atMost(Duration.ofSeconds(30)).until(() -> rowLockWaiters() == 1);
			Future<ResponseEntity<String>> adaTakes = requests
				.submit(() -> this.api.put(deviceOf(ada, bobsTablet), this.api.patientToken(ada), ""));
			await().atMost(Duration.ofSeconds(30)).until(() -> rowLockWaiters() == 2);
			blocker.commit();

			assertThat(bobTakes.get(30, TimeUnit.SECONDS).getStatusCode().value()).isEqualTo(200);
			assertThat(adaTakes.get(30, TimeUnit.SECONDS).getStatusCode().value()).isEqualTo(200);
		}
		finally {
			requests.shutdownNow();
		}
		assertThat(this.contacts.find(ada).orElseThrow().pushTokens()).containsExactly(bobsTablet);
		assertThat(this.contacts.find(bob).orElseThrow().pushTokens()).containsExactly(adasTablet);
	}

	/** Sessions waiting for a row lock (a transaction id or a tuple). */
	private int rowLockWaiters() {
		Integer count = this.jdbc.queryForObject("""
				SELECT count(DISTINCT pid) FROM pg_locks WHERE NOT granted AND locktype IN ('transactionid', 'tuple')
				""", Integer.class);
		return (count != null) ? count : 0;
	}

	@Test
	void dropsTheOldestDeviceBeyondTheLimit() {
		String patientId = registered();
		String token = this.api.patientToken(patientId);
		List<String> devices = Stream.generate(ContactProjectionIntegrationTests::fcmToken).limit(11).toList();
		devices.forEach((device) -> this.api.put(deviceOf(patientId, device), token, ""));

		assertThat(this.contacts.find(patientId).orElseThrow().pushTokens())
			.containsExactlyElementsOf(devices.subList(1, 11));
	}

	@Test
	void removesADeviceAndAnswersTheSameWhenItIsGone() {
		String patientId = registered();
		String token = this.api.patientToken(patientId);
		String kept = fcmToken();
		String signedOut = fcmToken();
		this.api.put(deviceOf(patientId, kept), token, "");
		this.api.put(deviceOf(patientId, signedOut), token, "");

		assertThat(this.api.delete(deviceOf(patientId, signedOut), token).getStatusCode().value()).isEqualTo(204);
		assertThat(this.contacts.find(patientId).orElseThrow().pushTokens()).containsExactly(kept);
		assertThat(this.api.delete(deviceOf(patientId, signedOut), token).getStatusCode().value()).isEqualTo(204);
		assertThat(this.contacts.find(patientId).orElseThrow().pushTokens()).containsExactly(kept);
	}

	@Test
	void keepsARegisteredDeviceOverAnOlderEventsDeviceList() {
		String patientId = registered();
		String device = fcmToken();
		Instant beforeRegistration = Instant.now().minusSeconds(60);
		this.api.put(deviceOf(patientId, device), this.api.patientToken(patientId), "");

		// an event of a change made before the registration, arriving after it
		CloudEvent late = this.kafka.event(ContactPreferencesChanged.TYPE, patientId,
				new ContactPreferencesChanged(patientId, new ChannelPreferences(true, true, true), null, null, null,
						List.of("old-device")),
				beforeRegistration);
		this.kafka.send(PATIENT_EVENTS, late);
		awaitProcessed(late.getId());

		assertThat(this.contacts.find(patientId).orElseThrow().pushTokens()).containsExactly(device);
	}

	@Test
	void appliesAnOptOutMadeBeforeARegistrationThatArrivesAfterIt() {
		String patientId = registered();
		String device = fcmToken();
		Instant beforeRegistration = Instant.now().minusSeconds(60);
		this.api.put(deviceOf(patientId, device), this.api.patientToken(patientId), "");

		// the patient opted out of SMS a minute ago; the event arrives after the app registered the device
		CloudEvent optOut = this.kafka.event(ContactPreferencesChanged.TYPE, patientId,
				new ContactPreferencesChanged(patientId, new ChannelPreferences(false, true, true), null, null, null,
						List.of("old-device")),
				beforeRegistration);
		this.kafka.send(PATIENT_EVENTS, optOut);
		awaitProcessed(optOut.getId());

		Contact contact = this.contacts.find(patientId).orElseThrow();
		assertThat(contact.channels()).isEqualTo(new ChannelPreferences(false, true, true));
		assertThat(contact.deliveryTargets()).noneMatch((target) -> target.channel() == Channel.SMS);
		assertThat(contact.pushTokens()).containsExactly(device);
	}

	@Test
	void appliesTheOptOutOfAPatientWhoseDeviceWasTakenBeforeItArrived() {
		String earlier = registered();
		String later = registered();
		String shared = fcmToken();
		this.api.put(deviceOf(earlier, shared), this.api.patientToken(earlier), "");
		Instant beforeHandOn = Instant.now().minusSeconds(1);
		this.api.put(deviceOf(later, shared), this.api.patientToken(later), "");

		CloudEvent optOut = this.kafka.event(ContactPreferencesChanged.TYPE, earlier,
				new ContactPreferencesChanged(earlier, new ChannelPreferences(false, false, false), null, null, null,
						null),
				beforeHandOn);
		this.kafka.send(PATIENT_EVENTS, optOut);
		awaitProcessed(optOut.getId());

		Contact contact = this.contacts.find(earlier).orElseThrow();
		assertThat(contact.channels()).isEqualTo(new ChannelPreferences(false, false, false));
		assertThat(contact.deliveryTargets()).isEmpty();
		assertThat(contact.pushTokens()).isEmpty();
	}

	@Test
	void forbidsAPatientAnotherPatientsDevices() {
		String patientId = registered();
		String device = fcmToken();
		this.api.put(deviceOf(patientId, device), this.api.patientToken(patientId), "");
		String neighbour = this.api.patientToken(newPatientId());

		ResponseEntity<String> register = this.api.put(deviceOf(patientId, fcmToken()), neighbour, "");
		assertThat(register.getStatusCode().value()).isEqualTo(403);
		assertThat(register.getHeaders().getContentType()).isEqualTo(MediaType.APPLICATION_PROBLEM_JSON);
		assertThat(this.api.delete(deviceOf(patientId, device), neighbour).getStatusCode().value()).isEqualTo(403);

		assertThat(this.contacts.find(patientId).orElseThrow().pushTokens()).containsExactly(device);
		assertThat(audited("push-device.register", patientId, "denied")).isEqualTo(1);
	}

	@Test
	void letsStaffRegisterADevice() {
		String patientId = registered();
		String device = fcmToken();
		assertThat(this.api.put(deviceOf(patientId, device), this.api.staffToken(), "").getStatusCode().value())
			.isEqualTo(200);
		assertThat(this.contacts.find(patientId).orElseThrow().pushTokens()).containsExactly(device);
	}

	@Test
	void rejectsATokenThatIsNoPushToken() {
		String patientId = registered();
		ResponseEntity<String> rejected = this.api.put(deviceOf(patientId, "not a token"),
				this.api.patientToken(patientId), "");
		assertThat(rejected.getStatusCode().value()).isEqualTo(400);
		assertThat(rejected.getHeaders().getContentType()).isEqualTo(MediaType.APPLICATION_PROBLEM_JSON);
		assertThat(this.api.json(rejected).path("errors").toString()).contains("FCM registration token");

		// what FCM would refuse at the first push is refused here: too long, too short, a character it never writes
		for (String refused : List.of("a".repeat(4097), "dev-1:APA91b", "dev.1:APA91bExample")) {
			assertThat(this.api.put(deviceOf(patientId, refused), this.api.patientToken(patientId), "")
				.getStatusCode()
				.value()).as(refused).isEqualTo(400);
		}
		assertThat(this.contacts.find(patientId).orElseThrow().pushTokens()).isEmpty();
	}

	@Test
	void registersTheLongestTokenItAccepts() {
		String patientId = registered();
		// random, as real tokens are: a repeated letter would compress to nothing
		StringBuilder random = new StringBuilder();
		while (random.length() < 4096) {
			random.append(UUID.randomUUID().toString().replace("-", ""));
		}
		String longest = random.substring(0, 4096);
		ResponseEntity<String> registered = this.api.put(deviceOf(patientId, longest), this.api.patientToken(patientId),
				"");
		assertThat(registered.getStatusCode().value()).isEqualTo(200);
		assertThat(this.contacts.find(patientId).orElseThrow().pushTokens()).containsExactly(longest);
	}

	@Test
	void answersNotFoundToADeviceOfAPatientWithoutContact() {
		String patientId = newPatientId();
		ResponseEntity<String> register = this.api.put(deviceOf(patientId, fcmToken()), this.api.staffToken(), "");
		assertThat(register.getStatusCode().value()).isEqualTo(404);
		assertThat(register.getHeaders().getContentType()).isEqualTo(MediaType.APPLICATION_PROBLEM_JSON);
		assertThat(this.api.delete(deviceOf(patientId, fcmToken()), this.api.staffToken()).getStatusCode().value())
			.isEqualTo(404);
		assertThat(this.contacts.find(patientId)).isEmpty();
	}

	private int audited(String action, String patientId, String outcome) {
		Integer count = this.jdbc.queryForObject(
				"SELECT count(*) FROM audit_log WHERE action = ? AND resource_id = ? AND outcome = ?", Integer.class,
				action, patientId, outcome);
		return (count != null) ? count : 0;
	}

	private String registered() {
		String patientId = newPatientId();
		this.kafka.send(PATIENT_EVENTS, PatientRegistered.TYPE, patientId, new PatientRegistered(patientId, "MRN-5",
				"Ada", "Lovelace", "+14155550132", "ada@example.org", "en", "America/Los_Angeles"));
		awaitContact(patientId, Contact::isKnown);
		return patientId;
	}

	private Contact awaitContact(String patientId, Predicate<Contact> condition) {
		return await().atMost(Duration.ofSeconds(60))
			.until(() -> this.contacts.find(patientId), (found) -> found.isPresent() && condition.test(found.get()))
			.orElseThrow();
	}

	private void awaitProcessed(String eventId) {
		await().atMost(Duration.ofSeconds(60))
			.until(() -> this.jdbc.queryForObject(
					"SELECT count(*) FROM processed_message WHERE consumer_group = ? AND event_id = ?", Integer.class,
					GROUP, eventId), (count) -> count == 1);
	}

	private static PatientUpdated updated(String patientId, String email) {
		return new PatientUpdated(patientId, "MRN-6", "Ada", "King", "+14155550132", email, "en", "America/Chicago");
	}

	/** A token shaped like an FCM registration token: an instance id, a colon, then URL-safe base64. */
	private static String fcmToken() {
		return "c" + UUID.randomUUID().toString().replace("-", "").substring(0, 21) + ":APA91b"
				+ UUID.randomUUID().toString().replace("-", "_");
	}

	private static String deviceOf(String patientId, String token) {
		return "/api/v1/patients/" + patientId + "/push-devices/" + token;
	}

	private static String preferencesOf(String patientId) {
		return "/api/v1/patients/" + patientId + "/preferences";
	}

	private static String newPatientId() {
		return "P-" + UUID.randomUUID();
	}

}
