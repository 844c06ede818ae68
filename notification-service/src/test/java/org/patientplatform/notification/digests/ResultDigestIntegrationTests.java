package org.patientplatform.notification.digests;

import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CyclicBarrier;
import java.util.stream.IntStream;

import io.cloudevents.CloudEvent;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.patientplatform.kit.events.PlatformEvents;
import org.patientplatform.local.infra.LocalSigningKey;
import org.patientplatform.notification.NotificationIntegrationTest;
import org.patientplatform.notification.TestApi;
import org.patientplatform.notification.TestKafka;
import org.patientplatform.notification.contacts.PatientRegistered;
import org.patientplatform.notification.delivery.Channel;
import org.patientplatform.notification.delivery.ChannelTarget;
import org.patientplatform.notification.delivery.NewNotification;
import org.patientplatform.notification.delivery.Notification;
import org.patientplatform.notification.delivery.Priority;
import org.patientplatform.notification.results.TestResultReady;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.context.TestPropertySource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Result digests end to end, with a one-hour window: TestResultReady events on the real
 * broker, the real consumer, PostgreSQL. "The window closed" and "a sender took the
 * digest" are set up in the database rather than waited for.
 */
@NotificationIntegrationTest
@TestPropertySource(properties = "notification.digests.window=PT1H")
class ResultDigestIntegrationTests {

	static final String RESULTS = "lab.test-results.v1";

	@Autowired
	ResultDigests digests;

	@Autowired
	PlatformEvents events;

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
	void gathersResultsReleasedWithinTheWindowIntoOneDigest() {
		String patient = register();
		for (String order : List.of("ORD-1", "ORD-2", "ORD-3")) {
			this.kafka.send(RESULTS, TestResultReady.TYPE, patient, result(patient, order));
		}

		await().atMost(Duration.ofSeconds(60)).until(() -> members(patient), (members) -> members == 3);
		List<Map<String, Object>> notices = notices(patient);
		assertThat(notices).hasSize(1);
		Map<String, Object> digest = notices.getFirst();
		assertThat(digest).containsEntry("type", ResultDigests.DIGEST_TYPE).containsEntry("parameters", "{\"count\": \"3\"}");
		assertThat(Duration.between(instant(digest, "created_at"), instant(digest, "not_before")))
			.isEqualTo(Duration.ofHours(1));
		assertThat(this.jdbc.queryForList(
				"SELECT channel || ' ' || state || ' ' || (next_attempt_at = ?) FROM delivery WHERE notification_id = ?",
				String.class, digest.get("not_before"), digest.get("id")))
			.containsExactlyInAnyOrder("SMS SCHEDULED true", "EMAIL SCHEDULED true");
		var view = this.api.json(this.api.get("/api/v1/patients/" + patient + "/notifications", this.api.staffToken()));
		assertThat(view.path("items").get(0).path("parameters").path("count").asString()).isEqualTo("3");
		assertThat(view.path("items").get(0).path("parameters").has("orderId")).isFalse();
	}

	@Test
	void keepsALoneResultAsAResultReadyNoticeHeldUntilTheWindowCloses() {
		String patient = register();
		this.kafka.send(RESULTS, TestResultReady.TYPE, patient, result(patient, "ORD-9"));

		await().atMost(Duration.ofSeconds(60)).until(() -> members(patient), (members) -> members == 1);
		Map<String, Object> notice = notices(patient).getFirst();
		assertThat(notice).containsEntry("type", "test-result-ready");
		assertThat((String) notice.get("parameters")).contains("ORD-9");
		assertThat(Duration.between(instant(notice, "created_at"), instant(notice, "not_before")))
			.isEqualTo(Duration.ofHours(1));
	}

	@Test
	void changesNothingForARedeliveredEventOrARepublishedResult() {
		String patient = register();
		CloudEvent first = this.kafka.event(TestResultReady.TYPE, patient, result(patient, "ORD-A"));
		this.kafka.send(RESULTS, first);
		this.kafka.send(RESULTS, TestResultReady.TYPE, patient, result(patient, "ORD-B"));
		this.kafka.send(RESULTS, first);
		this.kafka.send(RESULTS, TestResultReady.TYPE, patient, result(patient, "ORD-A"));
		// same key, same partition: once this one is taken, the ones before it were handled
		this.kafka.send(RESULTS, TestResultReady.TYPE, patient, result(patient, "ORD-C"));

		await().atMost(Duration.ofSeconds(60))
			.until(() -> this.jdbc.queryForObject(
					"SELECT count(*) FROM result_digest_member WHERE idempotency_key LIKE ?", Integer.class,
					"%:" + patient + ":ORD-C:%"), (count) -> count == 1);
		assertThat(members(patient)).isEqualTo(3);
		assertThat(notices(patient)).singleElement()
			.satisfies((digest) -> assertThat(digest).containsEntry("parameters", "{\"count\": \"3\"}"));
	}

	@Test
	void startsANewNoticeOnceTheWindowHasClosed() {
		String patient = register();
		this.kafka.send(RESULTS, TestResultReady.TYPE, patient, result(patient, "ORD-1"));
		await().atMost(Duration.ofSeconds(60)).until(() -> members(patient), (members) -> members == 1);
		// an hour passes
		this.jdbc.update("UPDATE result_digest SET closes_at = now() - interval '1 second' WHERE patient_id = ?",
				patient);

		this.kafka.send(RESULTS, TestResultReady.TYPE, patient, result(patient, "ORD-2"));

		await().atMost(Duration.ofSeconds(60)).until(() -> members(patient), (members) -> members == 2);
		assertThat(notices(patient)).extracting((notice) -> notice.get("type"))
			.containsExactly("test-result-ready", "test-result-ready");
	}

	@Test
	void startsANewNoticeWhenASenderAlreadyTookTheDigest() {
		String patient = register();
		this.kafka.send(RESULTS, TestResultReady.TYPE, patient, result(patient, "ORD-1"));
		this.kafka.send(RESULTS, TestResultReady.TYPE, patient, result(patient, "ORD-2"));
		await().atMost(Duration.ofSeconds(60)).until(() -> members(patient), (members) -> members == 2);
		this.jdbc.update("""
				UPDATE delivery SET state = 'SENDING', attempts = 1, sending_started_at = now(), next_attempt_at = NULL
				WHERE channel = 'SMS' AND notification_id = (SELECT id FROM notification WHERE patient_id = ?)
				""", patient);

		this.kafka.send(RESULTS, TestResultReady.TYPE, patient, result(patient, "ORD-3"));

		await().atMost(Duration.ofSeconds(60)).until(() -> members(patient), (members) -> members == 3);
		List<Map<String, Object>> notices = notices(patient);
		assertThat(notices).hasSize(2);
		assertThat(notices.get(0)).containsEntry("type", ResultDigests.DIGEST_TYPE)
			.containsEntry("parameters", "{\"count\": \"2\"}");
		assertThat(notices.get(1)).containsEntry("type", "test-result-ready");
		assertThat((String) notices.get(1).get("parameters")).contains("ORD-3");
	}

	@Test
	void gathersConcurrentPollsForOnePatientIntoOneDigest() throws Exception {
		String patient = "P-" + UUID.randomUUID();
		Instant now = Instant.now().truncatedTo(ChronoUnit.MICROS);
		CyclicBarrier start = new CyclicBarrier(2);
		List<CompletableFuture<Integer>> polls = IntStream.range(0, 2)
			.mapToObj((poll) -> CompletableFuture.supplyAsync(() -> {
				List<Notification> notices = IntStream.range(0, 5)
					.mapToObj((i) -> Notification.create(new NewNotification("test-result-ready", patient,
							Priority.NORMAL, "test-result-ready:" + patient + ":" + poll + "-" + i, UUID.randomUUID()
								.toString(), Map.of(), null), List.of(ChannelTarget.reachable(Channel.EMAIL)), now))
					.toList();
				try {
					start.await();
				}
				catch (Exception ex) {
					throw new IllegalStateException(ex);
				}
				return this.digests.store(notices, now);
			}))
			.toList();

		assertThat(polls.get(0).get() + polls.get(1).get()).isEqualTo(10);
		assertThat(this.jdbc.queryForList("SELECT members FROM result_digest WHERE patient_id = ?", Integer.class,
				patient)).containsExactly(10);
		assertThat(notices(patient)).singleElement()
			.satisfies((digest) -> assertThat(digest).containsEntry("parameters", "{\"count\": \"10\"}"));
	}

	private String register() {
		String patient = "P-" + UUID.randomUUID();
		this.kafka.send("patient.events.v1", PatientRegistered.TYPE, patient, new PatientRegistered(patient, "MRN-1",
				"Ada", "Lovelace", "+14155550132", "ada@example.org", "en", "America/Los_Angeles"));
		await().atMost(Duration.ofSeconds(60))
			.until(() -> this.api.get("/api/v1/patients/" + patient + "/preferences", this.api.staffToken()),
					(response) -> response.getStatusCode().value() == 200
							&& this.api.json(response).path("contactKnown").asBoolean());
		return patient;
	}

	private int members(String patient) {
		Integer members = this.jdbc.queryForObject(
				"SELECT coalesce(sum(members), 0) FROM result_digest WHERE patient_id = ?", Integer.class, patient);
		return (members != null) ? members : 0;
	}

	private List<Map<String, Object>> notices(String patient) {
		return this.jdbc.queryForList("""
				SELECT id, type, parameters::text AS parameters, not_before, created_at FROM notification
				WHERE patient_id = ? ORDER BY created_at, id
				""", patient);
	}

	private static Instant instant(Map<String, Object> row, String column) {
		Object value = row.get(column);
		return (value instanceof java.sql.Timestamp timestamp) ? timestamp.toInstant()
				: ((OffsetDateTime) value).toInstant();
	}

	private static TestResultReady result(String patientId, String orderId) {
		return new TestResultReady(patientId, orderId, "2345-7", Instant.parse("2026-03-07T07:20:00Z"),
				Instant.parse("2026-03-07T15:05:00Z"));
	}

}
