package org.patientplatform.notification.batches;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CyclicBarrier;
import java.util.stream.IntStream;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.patientplatform.kit.jobs.JobHandler;
import org.patientplatform.local.infra.LocalSigningKey;
import org.patientplatform.notification.NotificationIntegrationTest;
import org.patientplatform.notification.TestApi;
import org.patientplatform.notification.TestContacts;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.context.TestPropertySource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Batches through the API, with the batch-publisher job driven by the test: the context
 * runs the app role only, so no worker takes the jobs and each run, partial run and
 * concurrent run happens exactly where the test says. {@link BatchWorkerIntegrationTests}
 * lets the real worker run one.
 */
@NotificationIntegrationTest
@TestPropertySource(properties = { "platform.roles=app", "notification.batches.chunk-size=10" })
class BatchIntegrationTests {

	static final String BATCHES = "/api/v1/notifications/batches";

	@Autowired
	BatchPublisher publisher;

	@Autowired
	LocalSigningKey signingKey;

	@Autowired
	JdbcTemplate jdbc;

	@Autowired
	JsonMapper json;

	@LocalServerPort
	int port;

	TestApi api;

	TestContacts contacts;

	@BeforeEach
	void setUp() {
		this.api = new TestApi(this.port, this.signingKey);
		this.contacts = new TestContacts(this.jdbc);
	}

	@Test
	void createsOneNotificationPerListedPatient() {
		List<String> known = IntStream.range(0, 20).mapToObj((i) -> this.contacts.known("en")).toList();
		List<String> unknown = IntStream.range(0, 5).mapToObj((i) -> UUID.randomUUID().toString()).toList();
		List<String> listed = new ArrayList<>(known);
		listed.addAll(unknown);
		listed.add(known.getFirst());

		ResponseEntity<String> created = this.api.post(BATCHES, this.api.staffToken(), """
				{"type": "booking-cancelled", "parameters": {"date": "2026-12-24", "siteName": "North Lab", "startsAt": "24 Dec 10:00"}, "priority": "URGENT",
				 "patientIds": %s}
				""".formatted(this.json.writeValueAsString(listed)));
		assertThat(created.getStatusCode().value()).isEqualTo(202);
		JsonNode batch = this.api.json(created);
		assertThat(batch.path("state").asString()).isEqualTo("QUEUED");
		assertThat(batch.path("total").asInt()).isEqualTo(25);
		assertThat(batch.path("selection").path("listed").asInt()).isEqualTo(26);
		UUID id = UUID.fromString(batch.path("id").asString());
		assertThat(created.getHeaders().getLocation()).hasToString(BATCHES + "/" + id);

		this.publisher.handle(job(id));

		JsonNode progress = progress(id);
		assertThat(progress.path("state").asString()).isEqualTo("COMPLETED");
		assertThat(progress.path("created").asInt()).isEqualTo(25);
		assertThat(progress.path("skipped").asInt()).isZero();
		assertThat(progress.path("waitingForContact").asInt()).isEqualTo(5);
		assertThat(progress.path("finishedAt").isNull()).isFalse();
		assertThat(notificationsPerPatient(id)).hasSize(25).allSatisfy((row) -> assertThat(row).endsWith("=1"));
		assertThat(this.jdbc.queryForList("""
				SELECT DISTINCT type || '/' || priority || '/' || (parameters->>'date') FROM notification
				WHERE idempotency_key LIKE ?
				""", String.class, "batch:" + id + ":%")).containsExactly("booking-cancelled/URGENT/2026-12-24");
		assertThat(this.jdbc.queryForObject("SELECT count(*) FROM delivery d JOIN notification n "
				+ "ON n.id = d.notification_id WHERE n.idempotency_key = ?", Integer.class,
				"batch:" + id + ":" + known.get(3)))
			.isEqualTo(2);
		assertThat(this.jdbc.queryForObject(
				"SELECT bool_and(waiting_for_contact) FROM notification WHERE idempotency_key = ANY(?)", Boolean.class,
				(Object) unknown.stream().map((patient) -> "batch:" + id + ":" + patient).toArray(String[]::new)))
			.isTrue();
		assertThat(audit("notification.batch.create", id)).containsExactly("staff-1 accepted");
	}

	@Test
	void sendsToASegmentOfPatientsByLanguageAndChannel() {
		List<String> spanishBySms = new ArrayList<>();
		for (int i = 0; i < 4; i++) {
			String patient = UUID.randomUUID().toString();
			this.contacts.known(patient, "es", true, true);
			spanishBySms.add(patient);
		}
		String mexican = UUID.randomUUID().toString();
		this.contacts.known(mexican, "es-MX", true, false);
		spanishBySms.add(mexican);
		String spanishEmailOnly = UUID.randomUUID().toString();
		this.contacts.known(spanishEmailOnly, "es", false, true);
		this.contacts.known("en");
		this.contacts.preferencesOnly("es");
		// a duplicate registration merged into one of them: the same person, written to once
		String merged = UUID.randomUUID().toString();
		this.contacts.known(merged, "es", true, true);
		this.jdbc.update("UPDATE contact SET merged_into = ? WHERE patient_id = ?", spanishBySms.getFirst(), merged);

		JsonNode batch = this.api.json(this.api.post(BATCHES, this.api.token("service"), """
				{"type": "appointment-reminder", "parameters": {"siteName": "North Lab", "startsAt": "24 Dec 10:00"}, "segment": {"language": "es", "channel": "SMS"}}
				"""));
		UUID id = UUID.fromString(batch.path("id").asString());
		assertThat(batch.path("total").asInt()).isEqualTo(5);
		assertThat(batch.path("selection").path("kind").asString()).isEqualTo("SEGMENT");

		this.publisher.handle(job(id));

		assertThat(progress(id).path("created").asInt()).isEqualTo(5);
		assertThat(this.jdbc.queryForList("SELECT patient_id FROM notification WHERE idempotency_key LIKE ?",
				String.class, "batch:" + id + ":%"))
			.containsExactlyInAnyOrderElementsOf(spanishBySms);
	}

	@Test
	void aListNamingAMergedPatientAndItsSurvivorWritesToThePersonOnce() {
		String survivor = this.contacts.known("en");
		String merged = this.contacts.known("en");
		this.jdbc.update("UPDATE contact SET merged_into = ? WHERE patient_id = ?", survivor, merged);
		String other = this.contacts.known("en");
		ResponseEntity<String> created = this.api.post(BATCHES, this.api.staffToken(), """
				{"type": "booking-cancelled", "parameters": {"date": "2026-12-24", "siteName": "North Lab", "startsAt": "24 Dec 10:00"},
				 "notBefore": "%s", "patientIds": %s}
				""".formatted(Instant.now().plus(Duration.ofDays(1)).truncatedTo(ChronoUnit.SECONDS),
				this.json.writeValueAsString(List.of(merged, survivor, other))));
		assertThat(created.getStatusCode().value()).isEqualTo(202);
		UUID id = UUID.fromString(this.api.json(created).path("id").asString());

		this.publisher.handle(job(id));

		// before: the survivor had two notices, one under each key
		JsonNode progress = progress(id);
		assertThat(progress.path("state").asString()).isEqualTo("COMPLETED");
		assertThat(progress.path("total").asInt()).isEqualTo(3);
		assertThat(progress.path("created").asInt()).isEqualTo(2);
		assertThat(progress.path("skipped").asInt()).isEqualTo(1);
		assertThat(notificationsPerPatient(id)).containsExactlyInAnyOrder(survivor + "=1", other + "=1");

		// a cancel finds the survivor's notice by the key it was made under
		assertThat(this.api.post(BATCHES + "/" + id + "/cancel", this.api.staffToken(), null).getStatusCode().value())
			.isEqualTo(200);
		this.publisher.handle(job(id));
		assertThat(this.jdbc.queryForList("""
				SELECT DISTINCT d.state FROM delivery d
				JOIN notification n ON n.id = d.notification_id WHERE n.idempotency_key LIKE ?
				""", String.class, "batch:" + id + ":%")).containsExactly("CANCELLED");
	}

	@Test
	void aSegmentNeverReachesStaffRecipients() {
		String patient = UUID.randomUUID().toString();
		this.contacts.known(patient, "en", true, true);
		assertThat(this.jdbc.queryForObject("SELECT count(*) FROM contact WHERE patient_id = 'ops-oncall' "
				+ "AND details_at IS NOT NULL AND email_opt_in", Integer.class))
			.isOne();

		JsonNode batch = this.api.json(this.api.post(BATCHES, this.api.token("service"), """
				{"type": "appointment-reminder", "parameters": {"siteName": "North Lab", "startsAt": "24 Dec 10:00"}, "segment": {"language": "en", "channel": "EMAIL"}}
				"""));
		UUID id = UUID.fromString(batch.path("id").asString());
		this.publisher.handle(job(id));

		assertThat(this.jdbc.queryForList("SELECT patient_id FROM notification WHERE idempotency_key LIKE ?",
				String.class, "batch:" + id + ":%"))
			.contains(patient)
			.doesNotContain("ops-oncall");
	}

	@Test
	void cancelStopsCreatingAndCancelsTheDeliveriesNotYetSent() {
		UUID id = listBatch(35);
		assertThat(this.publisher.run(id, Duration.ofMinutes(1), 2)).isEqualTo(BatchPublisher.Run.SLICE_USED);
		assertThat(progress(id).path("state").asString()).isEqualTo("RUNNING");
		assertThat(progress(id).path("created").asInt()).isEqualTo(20);
		// one of them went out already
		this.jdbc.update("""
				UPDATE delivery SET state = 'SENT', attempts = 1, provider_message_id = 'SM-1'
				WHERE channel = 'SMS' AND notification_id = (SELECT id FROM notification WHERE idempotency_key LIKE ?
				                                             ORDER BY created_at LIMIT 1)
				""", "batch:" + id + ":%");

		ResponseEntity<String> cancelled = this.api.post(BATCHES + "/" + id + "/cancel", this.api.staffToken(), null);
		assertThat(cancelled.getStatusCode().value()).isEqualTo(200);
		assertThat(this.api.json(cancelled).path("state").asString()).isEqualTo("CANCELLED");
		assertThat(this.api.json(cancelled).path("cancelledBy").asString()).isEqualTo("staff-1");

		// the batch's job runs again: it creates nothing more and cancels what was not sent
		this.publisher.handle(job(id));
		this.publisher.handle(job(id));

		assertThat(progress(id).path("created").asInt()).isEqualTo(20);
		assertThat(count("SELECT count(*) FROM notification WHERE idempotency_key LIKE ?", id)).isEqualTo(20);
		assertThat(this.jdbc.queryForList("""
				SELECT d.state || ':' || coalesce(d.reason, '') || ':' || count(*) FROM delivery d
				JOIN notification n ON n.id = d.notification_id WHERE n.idempotency_key LIKE ?
				GROUP BY d.state, d.reason ORDER BY 1
				""", String.class, "batch:" + id + ":%"))
			.containsExactly("CANCELLED:" + BatchPublisher.CANCELLED + ":39", "SENT::1");
		ResponseEntity<String> again = this.api.post(BATCHES + "/" + id + "/cancel", this.api.staffToken(), null);
		assertThat(again.getStatusCode().value()).isEqualTo(409);
		assertThat(again.getHeaders().getContentType()).isEqualTo(MediaType.APPLICATION_PROBLEM_JSON);
		assertThat(audit("notification.batch.cancel", id)).containsExactly("staff-1 cancelled");
	}

	@Test
	void cancelsWhatACompletedBatchScheduledForLater() {
		// a campaign for tomorrow: every notification is created today, and it can still be called off
		List<String> listed = IntStream.range(0, 5).mapToObj((i) -> this.contacts.known("en")).toList();
		ResponseEntity<String> created = this.api.post(BATCHES, this.api.staffToken(), """
				{"type": "booking-cancelled", "parameters": {"date": "2026-12-24", "siteName": "North Lab", "startsAt": "24 Dec 10:00"},
				 "notBefore": "%s", "patientIds": %s}
				""".formatted(Instant.now().plus(Duration.ofDays(1)).truncatedTo(ChronoUnit.SECONDS),
				this.json.writeValueAsString(listed)));
		assertThat(created.getStatusCode().value()).isEqualTo(202);
		UUID id = UUID.fromString(this.api.json(created).path("id").asString());
		this.publisher.handle(job(id));
		assertThat(progress(id).path("state").asString()).isEqualTo("COMPLETED");
		String finishedAt = progress(id).path("finishedAt").asString();

		ResponseEntity<String> cancelled = this.api.post(BATCHES + "/" + id + "/cancel", this.api.staffToken(), null);

		// before: 409, and the only way to stop it was to cancel each notification
		assertThat(cancelled.getStatusCode().value()).isEqualTo(200);
		assertThat(this.api.json(cancelled).path("state").asString()).isEqualTo("CANCELLED");
		assertThat(this.api.json(cancelled).path("finishedAt").asString()).isEqualTo(finishedAt);
		this.publisher.handle(job(id));
		assertThat(this.jdbc.queryForList("""
				SELECT DISTINCT d.state FROM delivery d
				JOIN notification n ON n.id = d.notification_id WHERE n.idempotency_key LIKE ?
				""", String.class, "batch:" + id + ":%")).containsExactly("CANCELLED");
		assertThat(this.api.post(BATCHES + "/" + id + "/cancel", this.api.staffToken(), null).getStatusCode().value())
			.isEqualTo(409);
	}

	@Test
	void continuesAfterARestartWithoutDuplicates() throws Exception {
		UUID id = listBatch(35);
		// the first worker commits one chunk and dies
		this.publisher.run(id, Duration.ofMinutes(1), 1);
		assertThat(progress(id).path("created").asInt()).isEqualTo(10);

		// the job is taken again, by two workers at once
		CyclicBarrier start = new CyclicBarrier(2);
		List<CompletableFuture<Void>> runs = IntStream.range(0, 2).mapToObj((i) -> CompletableFuture.runAsync(() -> {
			try {
				start.await();
			}
			catch (Exception ex) {
				throw new IllegalStateException(ex);
			}
			this.publisher.handle(job(id));
		})).toList();
		CompletableFuture.allOf(runs.toArray(CompletableFuture[]::new)).get();

		JsonNode progress = progress(id);
		assertThat(progress.path("state").asString()).isEqualTo("COMPLETED");
		assertThat(progress.path("created").asInt()).isEqualTo(35);
		assertThat(progress.path("skipped").asInt()).isZero();
		assertThat(notificationsPerPatient(id)).hasSize(35).allSatisfy((row) -> assertThat(row).endsWith("=1"));

		// even with its progress lost, a run makes no second notification
		this.jdbc.update("UPDATE notification_batch SET state = 'RUNNING', cursor_seq = 0 WHERE id = ?", id);
		this.publisher.handle(job(id));
		assertThat(count("SELECT count(*) FROM notification WHERE idempotency_key LIKE ?", id)).isEqualTo(35);
		assertThat(progress(id).path("skipped").asInt()).isEqualTo(35);
	}

	@Test
	void listsBatchesNewestFirstPageByPage() {
		List<String> ids = new ArrayList<>();
		for (int i = 0; i < 3; i++) {
			ids.add(this.api
				.json(this.api.post(BATCHES, this.api.staffToken(),
						"{\"type\": \"booking-cancelled\", \"parameters\": {\"siteName\": \"North Lab\", \"startsAt\": \"24 Dec 10:00\"}, \"segment\": {\"language\": \"zz\"}}"))
				.path("id")
				.asString());
		}
		JsonNode first = this.api.json(this.api.get(BATCHES + "?limit=2", this.api.staffToken()));
		JsonNode second = this.api.json(
				this.api.get(BATCHES + "?limit=2&cursor=" + first.path("nextCursor").asString(), this.api.staffToken()));
		List<String> seen = new ArrayList<>();
		first.path("items").forEach((item) -> seen.add(item.path("id").asString()));
		second.path("items").forEach((item) -> seen.add(item.path("id").asString()));
		assertThat(seen).containsSubsequence(ids.reversed());
		assertThat(first.path("items").get(0).path("state").asString()).isEqualTo("COMPLETED");
		assertThat(first.path("items").get(0).path("total").asInt()).isZero();
	}

	@Test
	void refusesAnInvalidBatchAndCallersWhoAreNotStaffOrAService() {
		ResponseEntity<String> both = this.api.post(BATCHES, this.api.staffToken(),
				"{\"type\": \"t\", \"parameters\": {\"siteName\": \"North Lab\", \"startsAt\": \"24 Dec 10:00\"}, \"patientIds\": [\"p\"], \"segment\": {}}");
		assertThat(both.getStatusCode().value()).isEqualTo(400);
		assertThat(both.getHeaders().getContentType()).isEqualTo(MediaType.APPLICATION_PROBLEM_JSON);
		assertThat(this.api.json(both).path("errors").valueStream()
			.map((error) -> error.path("field").asString() + " " + error.path("message").asString()))
			.containsExactly("patientIds give either patientIds or segment, not both");
		// neither: told what is missing (it was told "not both")
		ResponseEntity<String> neither = this.api.post(BATCHES, this.api.staffToken(),
				"{\"type\": \"appointment-reminder\", \"parameters\": {\"siteName\": \"N\", \"startsAt\": \"M\"}}");
		assertThat(neither.getStatusCode().value()).isEqualTo(400);
		assertThat(neither.getHeaders().getContentType()).isEqualTo(MediaType.APPLICATION_PROBLEM_JSON);
		assertThat(this.api.json(neither).path("errors").valueStream()
			.map((error) -> error.path("field").asString() + " " + error.path("message").asString()))
			.containsExactly("patientIds give patientIds or segment (an empty segment is every patient with a known "
					+ "contact)");
		// before: "size must be between 1 and 2147483647"
		ResponseEntity<String> none = this.api.post(BATCHES, this.api.staffToken(),
				"{\"type\": \"booking-cancelled\", \"parameters\": {\"siteName\": \"North Lab\", \"startsAt\": \"24 Dec 10:00\"}, \"patientIds\": []}");
		assertThat(none.getStatusCode().value()).isEqualTo(400);
		assertThat(this.api.json(none).path("errors").valueStream()
			.map((error) -> error.path("field").asString() + " " + error.path("message").asString()))
			.containsExactly("patientIds must name at least one patient");

		ResponseEntity<String> unknownType = this.api.post(BATCHES, this.api.staffToken(),
				"{\"type\": \"no-such-type\", \"parameters\": {\"siteName\": \"North Lab\", \"startsAt\": \"24 Dec 10:00\"}, \"patientIds\": [\"p\"]}");
		assertThat(unknownType.getStatusCode().value()).isEqualTo(400);
		assertThat(this.api.json(unknownType).path("detail").asString()).isEqualTo("No templates for type no-such-type");

		ResponseEntity<String> incomplete = this.api.post(BATCHES, this.api.staffToken(),
				"{\"type\": \"booking-cancelled\", \"parameters\": {}, \"patientIds\": [\"p\"]}");
		assertThat(incomplete.getStatusCode().value()).isEqualTo(400);
		assertThat(this.api.json(incomplete).path("detail").asString())
			.isEqualTo("Notification type 'booking-cancelled' needs the parameters siteName, startsAt (its messages show them)");

		// a typo in the year would hold every recipient's notice for decades (expiry counts from notBefore)
		ResponseEntity<String> decades = this.api.post(BATCHES, this.api.staffToken(),
				"{\"type\": \"booking-cancelled\", \"parameters\": {\"siteName\": \"North Lab\", \"startsAt\": \"24 Dec 10:00\"}, \"notBefore\": \"9999-12-24T10:00:00Z\", \"patientIds\": [\"p\"]}");
		assertThat(decades.getStatusCode().value()).isEqualTo(400);
		assertThat(this.api.json(decades).path("detail").asString())
			.startsWith("notBefore 9999-12-24T10:00:00Z is more than 366 days ahead");

		ResponseEntity<String> patient = this.api.post(BATCHES, this.api.patientToken("p"),
				"{\"type\": \"t\", \"parameters\": {\"siteName\": \"North Lab\", \"startsAt\": \"24 Dec 10:00\"}, \"patientIds\": [\"p\"]}");
		assertThat(patient.getStatusCode().value()).isEqualTo(403);
		assertThat(this.api.get(BATCHES + "/" + UUID.randomUUID(), this.api.staffToken()).getStatusCode().value())
			.isEqualTo(404);
	}

	private UUID listBatch(int patients) {
		List<String> listed = IntStream.range(0, patients).mapToObj((i) -> this.contacts.known("en")).toList();
		JsonNode batch = this.api.json(this.api.post(BATCHES, this.api.staffToken(),
				"{\"type\": \"booking-cancelled\", \"parameters\": {\"siteName\": \"North Lab\", \"startsAt\": \"24 Dec 10:00\"}, \"patientIds\": %s}"
					.formatted(this.json.writeValueAsString(listed))));
		return UUID.fromString(batch.path("id").asString());
	}

	private JsonNode progress(UUID id) {
		ResponseEntity<String> response = this.api.get(BATCHES + "/" + id, this.api.staffToken());
		assertThat(response.getStatusCode().value()).isEqualTo(200);
		return this.api.json(response);
	}

	private List<String> notificationsPerPatient(UUID id) {
		return this.jdbc.queryForList("""
				SELECT patient_id || '=' || count(*) FROM notification WHERE idempotency_key LIKE ?
				GROUP BY patient_id
				""", String.class, "batch:" + id + ":%");
	}

	private int count(String sql, UUID id) {
		Integer count = this.jdbc.queryForObject(sql, Integer.class, "batch:" + id + ":%");
		return (count != null) ? count : 0;
	}

	private List<String> audit(String action, UUID id) {
		return this.jdbc.queryForList(
				"SELECT actor || ' ' || outcome FROM audit_log WHERE action = ? AND resource_id = ? ORDER BY id",
				String.class, action, id.toString());
	}

	private JobHandler.Job job(UUID id) {
		return new JobHandler.Job(1, "batch-publisher", Batches.JOB_TYPE,
				this.json.readTree("{\"batchId\": \"" + id + "\"}"), 1);
	}

}
