package org.patientplatform.notification.housekeeping;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.patientplatform.kit.jobs.JobHandler;
import org.patientplatform.local.infra.LocalSigningKey;
import org.patientplatform.notification.NotificationIntegrationTest;
import org.patientplatform.notification.TestApi;
import org.patientplatform.notification.delivery.Channel;
import org.patientplatform.notification.delivery.ChannelTarget;
import org.patientplatform.notification.delivery.NewNotification;
import org.patientplatform.notification.delivery.Notification;
import org.patientplatform.notification.delivery.Notifications;
import org.patientplatform.notification.delivery.Priority;
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
 * Housekeeping against notifications stored as if made in the past; the context runs the
 * app role only, so no sender touches them and each housekeeping run happens when the
 * test says.
 */
@NotificationIntegrationTest
@TestPropertySource(properties = "platform.roles=app")
class HousekeepingIntegrationTests {

	static final String REPORTS = "/api/v1/notifications/reports/daily";

	@Autowired
	Notifications notifications;

	@Autowired
	NoticeExpiry expiry;

	@Autowired
	BodyPurge purge;

	@Autowired
	List<JobHandler> handlers;

	@Autowired
	LocalSigningKey signingKey;

	@Autowired
	JdbcTemplate jdbc;

	@Autowired
	JsonMapper json;

	@LocalServerPort
	int port;

	TestApi api;

	Instant now;

	@BeforeEach
	void setUp() {
		this.api = new TestApi(this.port, this.signingKey);
		this.now = Instant.now().truncatedTo(ChronoUnit.MICROS);
	}

	@Test
	void expiresDeliveriesStillUnsentLongAfterTheyWereDue() {
		Notification stale = store(notice(null), this.now.minus(Duration.ofDays(4)), Channel.SMS, Channel.EMAIL);
		Notification fresh = store(notice(null), this.now.minus(Duration.ofHours(1)), Channel.SMS);
		Notification dueLater = store(notice(this.now.minus(Duration.ofDays(1))), this.now.minus(Duration.ofDays(5)),
				Channel.SMS);
		Notification halfSent = store(notice(null), this.now.minus(Duration.ofDays(4)), Channel.SMS, Channel.EMAIL);
		setState(halfSent, Channel.SMS, "SENT");

		assertThat(this.expiry.expireStale(this.now)).isGreaterThanOrEqualTo(3);

		assertThat(deliveries(stale)).containsExactlyInAnyOrder(
				"EMAIL UNDELIVERABLE expired: not sent within 3 days of being due",
				"SMS UNDELIVERABLE expired: not sent within 3 days of being due");
		assertThat(state(stale)).isEqualTo("UNDELIVERABLE");
		assertThat(deliveries(fresh)).containsExactly("SMS PENDING null");
		assertThat(deliveries(dueLater)).singleElement().asString().startsWith("SMS SCHEDULED Not to be sent before");
		assertThat(deliveries(halfSent)).containsExactlyInAnyOrder("SMS SENT null",
				"EMAIL UNDELIVERABLE expired: not sent within 3 days of being due");
		assertThat(state(halfSent)).isEqualTo("SENT");
		JsonNode view = this.api
			.json(this.api.get("/api/v1/notifications/" + stale.id(), this.api.staffToken()));
		assertThat(view.path("state").asString()).isEqualTo("UNDELIVERABLE");
		assertThat(view.path("deliveries").get(0).path("reason").asString()).startsWith("expired");
	}

	@Test
	void endsNoticesWhoseContactNeverArrivedWithinTheParkedWindow() throws Exception {
		Notification parked = storeWaiting(this.now.minus(Duration.ofDays(8)));
		Notification recent = storeWaiting(this.now.minus(Duration.ofDays(1)));

		// as the wrk--default worker runs the job the cron role enqueued
		handler(HousekeepingJobs.EXPIRE).handle(job(HousekeepingJobs.EXPIRE, "{}"));

		JsonNode ended = this.api.json(this.api.get("/api/v1/notifications/" + parked.id(), this.api.staffToken()));
		assertThat(ended.path("state").asString()).isEqualTo("UNDELIVERABLE");
		assertThat(ended.path("waitingForContact").asBoolean()).isFalse();
		assertThat(ended.path("reason").asString())
			.isEqualTo("The patient's contact details did not arrive within 7 days");
		JsonNode waiting = this.api.json(this.api.get("/api/v1/notifications/" + recent.id(), this.api.staffToken()));
		assertThat(waiting.path("state").asString()).isEqualTo("PENDING");
		assertThat(waiting.path("waitingForContact").asBoolean()).isTrue();
	}

	@Test
	void releasesNoticesStillWaitingForDetailsThatDidArriveInsteadOfEndingThem() throws Exception {
		// the state a race left before the details lock: the contact is known, its notice still waits
		String patient = "P-" + UUID.randomUUID();
		this.jdbc.update("""
				INSERT INTO contact (patient_id, given_name, email, sms_opt_in, email_opt_in, push_opt_in, details_at)
				VALUES (?, 'Ada', 'ada@example.org', false, true, false, now())
				""", patient);
		Notification stuck = Notification.awaitingContact(new NewNotification("test-result-ready", patient,
				Priority.NORMAL, "stuck:" + UUID.randomUUID(), null, Map.of("orderId", "ORD-1"), null),
				"Waiting for the patient's contact", this.now.minus(Duration.ofDays(8)));
		assertThat(this.notifications.storeNew(List.of(stuck))).isEqualTo(1);

		handler(HousekeepingJobs.EXPIRE).handle(job(HousekeepingJobs.EXPIRE, "{}"));

		JsonNode released = this.api.json(this.api.get("/api/v1/notifications/" + stuck.id(), this.api.staffToken()));
		assertThat(released.path("waitingForContact").asBoolean()).isFalse();
		assertThat(released.path("state").asString()).isEqualTo("PENDING");
		assertThat(deliveries(stuck)).containsExactly("EMAIL PENDING null");
	}

	@Test
	void reportsADaysDeliveriesByTypeChannelAndStateAsJsonAndCsv() throws Exception {
		LocalDate day = LocalDate.of(2024, 2, 29);
		Instant morning = day.atTime(10, 0).toInstant(ZoneOffset.UTC);
		Notification both = store(notice("test-result-ready", null), morning, Channel.SMS, Channel.EMAIL);
		setState(both, Channel.SMS, "DELIVERED");
		setState(both, Channel.EMAIL, "SENT");
		Notification smsOnly = store(notice("test-result-ready", null), morning.plus(Duration.ofHours(1)), Channel.SMS);
		setState(smsOnly, Channel.SMS, "FAILED");
		Notification reminder = store(notice("reminder", null), morning.plus(Duration.ofHours(2)), Channel.EMAIL);
		setState(reminder, Channel.EMAIL, "UNDELIVERABLE");
		this.notifications.storeNew(List.of(Notification.awaitingContact(notice("reminder", null), "waiting",
				day.atTime(23, 59, 59).toInstant(ZoneOffset.UTC))));
		store(notice("reminder", null), day.plusDays(1).atStartOfDay().toInstant(ZoneOffset.UTC), Channel.SMS);

		ResponseEntity<String> built = this.api.post(REPORTS + "/" + day + "/build", this.api.token("ops"), null);
		assertThat(built.getStatusCode().value()).isEqualTo(200);

		JsonNode report = this.api.json(this.api.get(REPORTS + "/" + day, this.api.staffToken()));
		assertThat(report.path("day").asString()).isEqualTo("2024-02-29");
		assertThat(report.path("notifications").asLong()).isEqualTo(4);
		assertThat(report.path("lines").valueStream()
			.map((line) -> line.path("type").asString() + "/" + line.path("channel").asString() + " "
					+ line.path("count").asLong() + " " + line.path("deliveryRate").asString("null")))
			.containsExactly("reminder/EMAIL 1 0.0", "reminder/NONE 1 null", "test-result-ready/EMAIL 1 1.0",
					"test-result-ready/SMS 2 0.5");
		JsonNode sms = report.path("lines").get(3).path("states");
		assertThat(sms.path("DELIVERED").asLong()).isEqualTo(1);
		assertThat(sms.path("FAILED").asLong()).isEqualTo(1);
		assertThat(sms.path("PENDING").asLong()).isZero();
		assertThat(report.path("total").path("count").asLong()).isEqualTo(5);
		assertThat(report.path("total").path("deliveryRate").asDouble()).isEqualTo(0.5);

		String header = "type,channel,count,pending,scheduled,sending,sent,delivered,read,failed,undeliverable,"
				+ "suppressed,cancelled,delivery_rate";
		ResponseEntity<String> csv = this.api.get(REPORTS + "/" + day + "?format=csv", this.api.staffToken());
		assertThat(csv.getHeaders().getContentType().toString()).startsWith("text/csv");
		assertThat(csv.getBody()).isEqualTo(header + "\n" + "reminder,EMAIL,1,0,0,0,0,0,0,0,1,0,0,0.0\n"
				+ "reminder,NONE,1,1,0,0,0,0,0,0,0,0,0,\n" + "test-result-ready,EMAIL,1,0,0,0,1,0,0,0,0,0,0,1.0\n"
				+ "test-result-ready,SMS,2,0,0,0,0,1,0,1,0,0,0,0.5\n" + "*,*,5,1,0,0,1,1,0,1,1,0,0,0.5\n");
		ResponseEntity<String> accepted = this.api.get(REPORTS + "/" + day, this.api.token("ops"), "text/csv");
		assertThat(accepted.getHeaders().getContentType().toString()).startsWith("text/csv");
		assertThat(accepted.getBody()).isEqualTo(csv.getBody());

		assertThat(this.api.json(this.api.get(REPORTS, this.api.staffToken())).path("day").asString())
			.isEqualTo("2024-02-29");
		// the job the cron role enqueues after midnight builds the previous UTC day's report
		LocalDate yesterday = LocalDate.now(ZoneOffset.UTC).minusDays(1);
		handler(HousekeepingJobs.REPORT).handle(job(HousekeepingJobs.REPORT, "{\"day\": \"" + yesterday + "\"}"));
		assertThat(this.api.json(this.api.get(REPORTS, this.api.staffToken())).path("day").asString())
			.isEqualTo(yesterday.toString());
		assertThat(this.api.get(REPORTS + "?format=csv", this.api.staffToken()).getBody()).startsWith(header);
		assertThat(this.api.get(REPORTS + "?format=JSON", this.api.staffToken()).getBody()).startsWith("{");
		// a format it cannot give is refused, not answered in another one
		ResponseEntity<String> pdf = this.api.get(REPORTS + "/" + day + "?format=pdf", this.api.staffToken());
		assertThat(pdf.getStatusCode().value()).isEqualTo(400);
		assertThat(pdf.getHeaders().getContentType()).isEqualTo(MediaType.APPLICATION_PROBLEM_JSON);
		assertThat(pdf.getBody()).contains("must be json or csv");

		assertThat(this.api.get(REPORTS + "/2001-01-01", this.api.staffToken()).getStatusCode().value())
			.isEqualTo(404);
		assertThat(this.api.get(REPORTS + "/2001-01-01", this.api.staffToken(), "text/csv").getStatusCode().value())
			.isEqualTo(404);
		assertThat(this.api.get(REPORTS + "/" + day, this.api.patientToken("p")).getStatusCode().value())
			.isEqualTo(403);
		// before: 200 JSON to a client that takes XML only; and a day to come was "not found"
		ResponseEntity<String> xml = this.api.get(REPORTS + "/" + day, this.api.staffToken(), "application/xml");
		assertThat(xml.getStatusCode().value()).isEqualTo(406);
		assertThat(xml.getHeaders().getContentType()).isEqualTo(MediaType.APPLICATION_PROBLEM_JSON);
		assertThat(this.api.get(REPORTS + "/" + day, this.api.staffToken(), "*/*").getStatusCode().value())
			.isEqualTo(200);
		ResponseEntity<String> future = this.api.post(REPORTS + "/2999-01-01/build", this.api.token("ops"), null);
		assertThat(future.getStatusCode().value()).isEqualTo(400);
		assertThat(this.api.json(future).path("detail").asString())
			.isEqualTo("No report can be built for a day still to come: 2999-01-01");
	}

	@Test
	void purgesMessageBodiesAfterTheRetentionPeriodAndKeepsTheMetadata() throws Exception {
		Instant old = this.now.minus(Duration.ofDays(91));
		Notification sent = store(notice(null), old, Channel.SMS, Channel.EMAIL);
		this.jdbc.update("""
				UPDATE delivery SET state = 'SENT', attempts = 1, provider_message_id = 'SM-old',
				    sending_started_at = ?, recipient = '+14155550132', subject = NULL, body = 'Your result is ready'
				WHERE notification_id = ? AND channel = 'SMS'
				""", old.atOffset(ZoneOffset.UTC), sent.id().value());
		this.jdbc.update("""
				UPDATE delivery SET state = 'UNDELIVERABLE', reason = 'The email address is not valid'
				WHERE notification_id = ? AND channel = 'EMAIL'
				""", sent.id().value());
		this.jdbc.update("UPDATE notification SET state = 'SENT' WHERE id = ?", sent.id().value());
		Notification stillPending = store(notice(null), old, Channel.SMS);
		Notification recent = store(notice(null), this.now.minus(Duration.ofDays(1)), Channel.SMS);
		this.jdbc.update("UPDATE delivery SET state = 'SENT', body = 'Recent text', recipient = 'x' "
				+ "WHERE notification_id = ?", recent.id().value());

		handler(HousekeepingJobs.PURGE).handle(job(HousekeepingJobs.PURGE, "{}"));

		Map<String, Object> purged = this.jdbc.queryForMap("""
				SELECT n.parameters::text AS parameters, n.body_purged_at, n.state, n.type, n.created_at,
				       d.state AS sms_state, d.provider_message_id, d.attempts, d.recipient, d.subject, d.body,
				       d.sending_started_at
				FROM notification n JOIN delivery d ON d.notification_id = n.id AND d.channel = 'SMS' WHERE n.id = ?
				""", sent.id().value());
		assertThat(purged.get("parameters")).isEqualTo("{}");
		assertThat(purged.get("body_purged_at")).isNotNull();
		assertThat(purged.get("recipient")).isNull();
		assertThat(purged.get("body")).isNull();
		assertThat(purged.get("subject")).isNull();
		assertThat(purged).containsEntry("state", "SENT")
			.containsEntry("type", "test-result-ready")
			.containsEntry("sms_state", "SENT")
			.containsEntry("provider_message_id", "SM-old")
			.containsEntry("attempts", 1);
		assertThat(purged.get("sending_started_at")).isNotNull();
		JsonNode view = this.api.json(this.api.get("/api/v1/notifications/" + sent.id(), this.api.staffToken()));
		assertThat(view.path("parameters").size()).isZero();
		assertThat(deliveries(sent)).containsExactlyInAnyOrder("SMS SENT null",
				"EMAIL UNDELIVERABLE The email address is not valid");

		assertThat(parameters(stillPending)).contains("ORD-1");
		assertThat(parameters(recent)).contains("ORD-1");
		assertThat(this.jdbc.queryForObject("SELECT body FROM delivery WHERE notification_id = ?", String.class,
				recent.id().value())).isEqualTo("Recent text");
	}

	private NewNotification notice(@org.jspecify.annotations.Nullable Instant notBefore) {
		return notice("test-result-ready", notBefore);
	}

	private NewNotification notice(String type, @org.jspecify.annotations.Nullable Instant notBefore) {
		String patient = UUID.randomUUID().toString();
		return new NewNotification(type, patient, Priority.NORMAL, type + ":" + UUID.randomUUID(), null,
				Map.of("orderId", "ORD-1"), notBefore);
	}

	private Notification store(NewNotification content, Instant createdAt, Channel... channels) {
		Notification notification = Notification.create(content,
				java.util.Arrays.stream(channels).map(ChannelTarget::reachable).toList(), createdAt);
		assertThat(this.notifications.storeNew(List.of(notification))).isEqualTo(1);
		return notification;
	}

	private Notification storeWaiting(Instant createdAt) {
		Notification notification = Notification.awaitingContact(notice(null), "Waiting for the patient's contact",
				createdAt);
		assertThat(this.notifications.storeNew(List.of(notification))).isEqualTo(1);
		return notification;
	}

	private void setState(Notification notification, Channel channel, String state) {
		this.jdbc.update("UPDATE delivery SET state = ? WHERE notification_id = ? AND channel = ?", state,
				notification.id().value(), channel.name());
		this.jdbc.update("""
				UPDATE notification SET state = (SELECT state FROM delivery WHERE notification_id = ?
				    ORDER BY array_position(ARRAY['READ','DELIVERED','SENT','SENDING','PENDING','SCHEDULED','FAILED',
				                                  'UNDELIVERABLE','SUPPRESSED','CANCELLED'], state) LIMIT 1)
				WHERE id = ?
				""", notification.id().value(), notification.id().value());
	}

	private List<String> deliveries(Notification notification) {
		return this.jdbc.queryForList(
				"SELECT channel || ' ' || state || ' ' || coalesce(reason, 'null') FROM delivery WHERE notification_id = ?",
				String.class, notification.id().value());
	}

	private String state(Notification notification) {
		return this.jdbc.queryForObject("SELECT state FROM notification WHERE id = ?", String.class,
				notification.id().value());
	}

	private String parameters(Notification notification) {
		return this.jdbc.queryForObject("SELECT parameters::text FROM notification WHERE id = ?", String.class,
				notification.id().value());
	}

	private JobHandler handler(String type) {
		return this.handlers.stream().filter((handler) -> handler.type().equals(type)).findFirst().orElseThrow();
	}

	private JobHandler.Job job(String type, String payload) {
		return new JobHandler.Job(1, "default", type, this.json.readTree(payload), 1);
	}

}
