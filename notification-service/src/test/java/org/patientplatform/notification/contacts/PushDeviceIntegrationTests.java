package org.patientplatform.notification.contacts;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.function.Predicate;
import java.util.stream.Stream;

import io.cloudevents.CloudEvent;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.patientplatform.kit.events.PlatformEvents;
import org.patientplatform.local.infra.LocalSigningKey;
import org.patientplatform.notification.NotificationIntegrationTest;
import org.patientplatform.notification.TestApi;
import org.patientplatform.notification.TestKafka;
import org.patientplatform.notification.delivery.Channel;
import org.patientplatform.notification.delivery.ChannelTarget;
import tools.jackson.databind.JsonNode;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.jdbc.core.JdbcTemplate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Devices registered for push through the API, as a patient's app does when they sign in on a device. */
@NotificationIntegrationTest
class PushDeviceIntegrationTests {

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
	void dropsTheOldestDeviceBeyondTheLimit() {
		String patientId = registered();
		String token = this.api.patientToken(patientId);
		List<String> devices = Stream.generate(PushDeviceIntegrationTests::fcmToken).limit(11).toList();
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
		assertThat(this.api.json(rejected).path("errors").toString()).contains("push registration token");

		ResponseEntity<String> tooLong = this.api.put(deviceOf(patientId, "a".repeat(4097)),
				this.api.patientToken(patientId), "");
		assertThat(tooLong.getStatusCode().value()).isEqualTo(400);
		assertThat(this.contacts.find(patientId).orElseThrow().pushTokens()).isEmpty();
	}

	@Test
	void answersNotFoundForAPatientWithoutContact() {
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
		this.kafka.send(PATIENT_EVENTS, PatientRegistered.TYPE, patientId, new PatientRegistered(patientId, "MRN-7",
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

	/** A token shaped like an FCM registration token: an instance id, a colon, then URL-safe base64. */
	private static String fcmToken() {
		return "c" + UUID.randomUUID().toString().replace("-", "").substring(0, 21) + ":APA91b"
				+ UUID.randomUUID().toString().replace("-", "_");
	}

	private static String newPatientId() {
		return "P-" + UUID.randomUUID();
	}

	private static String deviceOf(String patientId, String token) {
		return "/api/v1/patients/" + patientId + "/push-devices/" + token;
	}

}
