package org.patientplatform.notification.delivery;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.IntStream;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.patientplatform.local.infra.LocalSigningKey;
import org.patientplatform.notification.NotificationIntegrationTest;
import org.patientplatform.notification.TestApi;
import tools.jackson.databind.JsonNode;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.context.TestPropertySource;

import static org.assertj.core.api.Assertions.assertThat;

@NotificationIntegrationTest
// what is stored, not what is sent: the senders (role wrk--notifications) stay still
@TestPropertySource(properties = "notification.sending.enabled=false")
class NotificationApiIntegrationTests {

	static final Instant BASE = Instant.parse("2026-01-01T00:00:00Z");

	@Autowired
	Notifications notifications;

	@Autowired
	LocalSigningKey signingKey;

	@Autowired
	JdbcTemplate jdbc;

	@LocalServerPort
	int port;

	TestApi api;

	@BeforeEach
	void setUp() {
		this.api = new TestApi(this.port, this.signingKey);
	}

	@Test
	void pagesThroughAPatientsNotificationsNewestFirst() {
		String patientId = newPatientId();
		List<Notification> stored = store(patientId, 25);
		List<String> newestFirst = stored.reversed().stream().map((n) -> n.id().toString()).toList();

		List<String> seen = new ArrayList<>();
		List<Integer> pageSizes = new ArrayList<>();
		String cursor = null;
		do {
			String path = listOf(patientId) + "?limit=10" + ((cursor != null) ? "&cursor=" + cursor : "");
			ResponseEntity<String> response = this.api.get(path, this.api.staffToken());
			assertThat(response.getStatusCode().value()).isEqualTo(200);
			JsonNode page = this.api.json(response);
			pageSizes.add(page.path("items").size());
			page.path("items").valueStream().forEach((item) -> seen.add(item.path("id").asString()));
			cursor = page.path("nextCursor").isNull() ? null : page.path("nextCursor").asString();
		}
		while (cursor != null);

		assertThat(pageSizes).containsExactly(10, 10, 5);
		assertThat(seen).containsExactlyElementsOf(newestFirst);
	}

	@Test
	void pagesThroughNotificationsCreatedInTheSameMicrosecondWithoutLosingAny() {
		String patientId = newPatientId();
		List<String> ids = IntStream.range(0, 15)
			.mapToObj((i) -> Notification.create(new NewNotification("test-result-ready", patientId, Priority.NORMAL,
					patientId + ":same:" + i, null, Map.of(), null), List.of(), BASE))
			.peek((n) -> this.notifications.storeNew(List.of(n)))
			.map((n) -> n.id().toString())
			.toList();

		List<String> seen = new ArrayList<>();
		String cursor = null;
		do {
			String path = listOf(patientId) + "?limit=4" + ((cursor != null) ? "&cursor=" + cursor : "");
			JsonNode page = this.api.json(this.api.get(path, this.api.staffToken()));
			page.path("items").valueStream().forEach((item) -> seen.add(item.path("id").asString()));
			cursor = page.path("nextCursor").isNull() ? null : page.path("nextCursor").asString();
		}
		while (cursor != null);

		assertThat(seen).doesNotHaveDuplicates().containsExactlyInAnyOrderElementsOf(ids);
	}

	@Test
	void capsThePageSizeAtOneHundred() {
		String patientId = newPatientId();
		store(patientId, 105);

		JsonNode page = this.api.json(this.api.get(listOf(patientId) + "?limit=1000", this.api.staffToken()));
		assertThat(page.path("items").size()).isEqualTo(100);
		assertThat(page.path("nextCursor").asString()).isNotBlank();
		// a size past int's range is capped too (it was refused as "must be a whole number")
		JsonNode huge = this.api.json(this.api.get(listOf(patientId) + "?limit=99999999999", this.api.staffToken()));
		assertThat(huge.path("items").size()).isEqualTo(100);
		// a page of none (or fewer) is a mistake to say, not one to guess at
		for (String limit : List.of("0", "-3")) {
			ResponseEntity<String> refused = this.api.get(listOf(patientId) + "?limit=" + limit, this.api.staffToken());
			assertThat(refused.getStatusCode().value()).as(limit).isEqualTo(400);
			assertThat(refused.getHeaders().getContentType()).isEqualTo(MediaType.APPLICATION_PROBLEM_JSON);
		}
	}

	@Test
	void rejectsACursorItDidNotIssue() {
		ResponseEntity<String> response = this.api.get(listOf(newPatientId()) + "?cursor=bm90LWEtY3Vyc29y",
				this.api.staffToken());
		assertThat(response.getStatusCode().value()).isEqualTo(400);
		assertThat(response.getHeaders().getContentType()).isEqualTo(MediaType.APPLICATION_PROBLEM_JSON);
		assertThat(this.api.json(response).path("detail").asString()).contains("cursor");
	}

	@Test
	void rejectsARequestWithoutToken() {
		assertUnauthorized(this.api.get(listOf(newPatientId()), null));
	}

	@Test
	void rejectsAnExpiredToken() {
		String expired = this.signingKey.mint("staff-1", List.of("staff"), null, Duration.ofMinutes(-5));
		assertUnauthorized(this.api.get(listOf(newPatientId()), expired));
	}

	@Test
	void rejectsATokenSignedByAnotherKey() {
		String foreign = LocalSigningKey.generate("https://tests.patient-platform.local")
			.mint("staff-1", List.of("staff"), null, Duration.ofMinutes(5));
		assertUnauthorized(this.api.get(listOf(newPatientId()), foreign));
	}

	@Test
	void forbidsARoleThatDoesNotReadNotifications() {
		String patientId = newPatientId();
		Notification notification = store(patientId, 1).getFirst();
		for (String path : List.of(listOf(patientId), "/api/v1/notifications/" + notification.id(),
				"/api/v1/patients/" + patientId + "/preferences")) {
			ResponseEntity<String> response = this.api.get(path, this.api.token("ops"));
			assertThat(response.getStatusCode().value()).as(path).isEqualTo(403);
			assertThat(response.getHeaders().getContentType()).isEqualTo(MediaType.APPLICATION_PROBLEM_JSON);
			assertThat(this.api.json(response).path("status").asInt()).isEqualTo(403);
		}
	}

	@Test
	void forbidsAPatientListingAnotherPatientsNotifications() {
		String patientId = newPatientId();
		store(patientId, 1);
		ResponseEntity<String> response = this.api.get(listOf(patientId), this.api.patientToken(newPatientId()));
		assertThat(response.getStatusCode().value()).isEqualTo(403);
		assertThat(response.getHeaders().getContentType()).isEqualTo(MediaType.APPLICATION_PROBLEM_JSON);
		// the service's own refusal is told, not "Your role does not allow this": a patient's role does allow it
		assertThat(this.api.json(response).path("detail").asString())
			.isEqualTo("Only staff or the patient themself may access this patient's data.");
		assertThat(audited("notifications.list", patientId)).containsExactly("denied");
	}

	@Test
	void forbidsAPatientTokenWithoutPatientId() {
		String noPatientId = this.signingKey.mint("patient-x", List.of("patient"), null, Duration.ofMinutes(5));
		assertThat(this.api.get(listOf(newPatientId()), noPatientId).getStatusCode().value()).isEqualTo(403);
	}

	@Test
	void letsAPatientListAndReadTheirOwnNotifications() {
		String patientId = newPatientId();
		Notification notification = store(patientId, 1).getFirst();
		String token = this.api.patientToken(patientId);

		JsonNode page = this.api.json(this.api.get(listOf(patientId), token));
		assertThat(page.path("items").size()).isEqualTo(1);
		ResponseEntity<String> one = this.api.get("/api/v1/notifications/" + notification.id(), token);
		assertThat(one.getStatusCode().value()).isEqualTo(200);
		JsonNode json = this.api.json(one);
		assertThat(json.path("id").asString()).isEqualTo(notification.id().toString());
		assertThat(json.path("patientId").asString()).isEqualTo(patientId);
		assertThat(json.path("deliveries").get(0).path("channel").asString()).isEqualTo("SMS");
		assertThat(audited("notifications.list", patientId)).containsExactly("allowed");
		assertThat(audited("notification.read", notification.id().toString())).containsExactly("allowed");
	}

	@Test
	void hidesAnotherPatientsNotificationFromAPatient() {
		Notification notification = store(newPatientId(), 1).getFirst();
		ResponseEntity<String> response = this.api.get("/api/v1/notifications/" + notification.id(),
				this.api.patientToken(newPatientId()));
		assertThat(response.getStatusCode().value()).isEqualTo(404);
		assertThat(response.getHeaders().getContentType()).isEqualTo(MediaType.APPLICATION_PROBLEM_JSON);
	}

	@Test
	void letsStaffReadAnyNotification() {
		Notification notification = store(newPatientId(), 1).getFirst();
		ResponseEntity<String> response = this.api.get("/api/v1/notifications/" + notification.id(),
				this.api.staffToken());
		assertThat(response.getStatusCode().value()).isEqualTo(200);
		assertThat(this.api.json(response).path("state").asString()).isEqualTo("PENDING");
		assertThat(this.api.get("/api/v1/notifications/" + UUID.randomUUID(), this.api.staffToken())
			.getStatusCode()
			.value()).isEqualTo(404);
	}

	@Test
	void refusesABlankPatientIdInEveryPatientPathNamingIt() {
		// stripped, a blank id named no one: staff were answered {"items":[]} as if the patient had no notifications
		String device = "c" + UUID.randomUUID().toString().replace("-", "") + ":APA91bExample";
		String staff = this.api.staffToken();
		for (String blank : List.of(" ", "   ", "\t")) {
			String patient = "/api/v1/patients/" + blank;
			List<ResponseEntity<String>> answers = List.of(this.api.get(patient + "/notifications", staff),
					this.api.get(patient + "/notifications?limit=5", this.api.patientToken(newPatientId())),
					this.api.get(patient + "/preferences", staff),
					this.api.put(patient + "/preferences", staff, """
							{"channels": {"sms": true, "email": true, "push": true}}
							"""), this.api.put(patient + "/push-devices/" + device, staff, ""),
					this.api.delete(patient + "/push-devices/" + device, staff));
			for (ResponseEntity<String> answer : answers) {
				assertThat(answer.getStatusCode().value()).as("%s", answers.indexOf(answer)).isEqualTo(400);
				assertThat(answer.getHeaders().getContentType()).isEqualTo(MediaType.APPLICATION_PROBLEM_JSON);
				assertThat(this.api.json(answer).path("errors").valueStream()
					.map((error) -> error.path("field").asString() + " " + error.path("message").asString()))
					.containsExactly("patientId must be a patient id, not blank");
			}
		}
		// refused before any access to patient data: nothing audited under a blank id
		assertThat(this.jdbc.queryForObject("SELECT count(*) FROM audit_log WHERE btrim(resource_id, E' \\t') = ''",
				Integer.class)).isZero();
	}

	private List<String> audited(String action, String resourceId) {
		return this.jdbc.queryForList("SELECT outcome FROM audit_log WHERE action = ? AND resource_id = ? ORDER BY id",
				String.class, action, resourceId);
	}

	private void assertUnauthorized(ResponseEntity<String> response) {
		assertThat(response.getStatusCode().value()).isEqualTo(401);
		assertThat(response.getHeaders().getContentType()).isEqualTo(MediaType.APPLICATION_PROBLEM_JSON);
		assertThat(response.getHeaders().getFirst("WWW-Authenticate")).startsWith("Bearer");
		assertThat(this.api.json(response).path("status").asInt()).isEqualTo(401);
	}

	/**
	 * Stores {@code count} notifications for the patient, a second apart, oldest first.
	 */
	private List<Notification> store(String patientId, int count) {
		List<Notification> created = IntStream.range(0, count)
			.mapToObj((i) -> Notification.create(
					new NewNotification("test-result-ready", patientId, Priority.NORMAL, patientId + ":" + i, null,
							Map.of("orderId", "ORD-" + i), null),
					List.of(ChannelTarget.reachable(Channel.SMS)), BASE.plusSeconds(i)))
			.toList();
		assertThat(this.notifications.storeNew(created)).isEqualTo(count);
		return created;
	}

	private static String listOf(String patientId) {
		return "/api/v1/patients/" + patientId + "/notifications";
	}

	private static String newPatientId() {
		return "P-" + UUID.randomUUID();
	}

}
