package org.patientplatform.notification.reminders;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CyclicBarrier;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.patientplatform.local.infra.LocalSigningKey;
import org.patientplatform.notification.NotificationIntegrationTest;
import org.patientplatform.notification.TestApi;
import org.patientplatform.notification.TestContacts;
import tools.jackson.databind.JsonNode;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.context.TestPropertySource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Reminder rules through the API, fired by calling the cron task's work with the time it
 * runs at (the context runs the app role only, so the real minute-by-minute task does not
 * interfere).
 */
@NotificationIntegrationTest
@TestPropertySource(properties = "platform.roles=app")
class ReminderIntegrationTests {

	static final String RULES = "/api/v1/notifications/reminders";

	@Autowired
	Reminders reminders;

	@Autowired
	LocalSigningKey signingKey;

	@Autowired
	JdbcTemplate jdbc;

	@LocalServerPort
	int port;

	TestApi api;

	TestContacts contacts;

	@BeforeEach
	void setUp() {
		this.api = new TestApi(this.port, this.signingKey);
		this.contacts = new TestContacts(this.jdbc);
		// each test fires only its own rules
		this.jdbc.update("UPDATE reminder_rule SET active = false WHERE active");
	}

	@Test
	void remindsOncePerOccurrenceOfTheRuleInItsTimezone() throws Exception {
		String patient = this.contacts.known("en");
		ResponseEntity<String> created = this.api.post(RULES, this.api.staffToken(), """
				{"patientId": "%s", "type": "appointment-reminder", "parameters": {"medication": "statin", "siteName": "North Lab", "startsAt": "24 Dec 10:00"},
				 "cron": "0 0 9 * * *", "timezone": "America/New_York"}
				""".formatted(patient));
		assertThat(created.getStatusCode().value()).isEqualTo(201);
		JsonNode rule = this.api.json(created);
		UUID id = UUID.fromString(rule.path("id").asString());
		Instant first = Instant.parse(rule.path("nextRunAt").asString());
		ZonedDateTime local = first.atZone(ZoneId.of("America/New_York"));
		assertThat(local.getHour()).isEqualTo(9);
		assertThat(local.getMinute()).isZero();

		// the cron task runs in the minute after the occurrence, twice (a retry, a second replica)
		assertThat(this.reminders.fireDue(first.plusSeconds(30))).isEqualTo(1);
		assertThat(this.reminders.fireDue(first.plusSeconds(40))).isZero();
		assertThat(reminderKeys(id)).containsExactly(Reminders.idempotencyKey(id, first));

		// the next day's occurrence, fired by two replicas at once
		Instant second = Instant.parse(get(id).path("nextRunAt").asString());
		assertThat(Duration.between(first, second)).isBetween(Duration.ofHours(23), Duration.ofHours(25));
		CyclicBarrier start = new CyclicBarrier(2);
		List<CompletableFuture<Integer>> runs = List.of(fireAt(second.plusSeconds(5), start),
				fireAt(second.plusSeconds(5), start));
		assertThat(runs.get(0).get() + runs.get(1).get()).isEqualTo(1);

		assertThat(reminderKeys(id)).containsExactlyInAnyOrder(Reminders.idempotencyKey(id, first),
				Reminders.idempotencyKey(id, second));
		JsonNode after = get(id);
		assertThat(after.path("fired").asInt()).isEqualTo(2);
		assertThat(after.path("lastRunAt").asString()).isEqualTo(second.toString());
		assertThat(this.jdbc.queryForObject("""
				SELECT count(*) FROM delivery d JOIN notification n ON n.id = d.notification_id
				WHERE n.idempotency_key = ? AND n.type = 'appointment-reminder' AND n.parameters->>'medication' = 'statin'
				""", Integer.class, Reminders.idempotencyKey(id, second))).isEqualTo(2);
	}

	@Test
	void remindsOnAFixedIntervalFromTheStart() {
		String patient = this.contacts.known("en");
		Instant start = Instant.now().plus(Duration.ofDays(1)).truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
		JsonNode rule = this.api.json(this.api.post(RULES, this.api.token("service"), """
				{"patientId": "%s", "type": "appointment-reminder", "parameters": {"siteName": "North Lab", "startsAt": "24 Dec 10:00"}, "every": "PT2H",
				 "timezone": "UTC", "startAt": "%s"}
				""".formatted(patient, start)));
		UUID id = UUID.fromString(rule.path("id").asString());
		assertThat(rule.path("nextRunAt").asString()).isEqualTo(start.toString());

		this.reminders.fireDue(start.plusSeconds(1));
		this.reminders.fireDue(start.plus(Duration.ofHours(2)).plusSeconds(1));

		assertThat(reminderKeys(id)).containsExactlyInAnyOrder(Reminders.idempotencyKey(id, start),
				Reminders.idempotencyKey(id, start.plus(Duration.ofHours(2))));
		assertThat(get(id).path("nextRunAt").asString()).isEqualTo(start.plus(Duration.ofHours(4)).toString());
	}

	@Test
	void skipsOccurrencesFoundTooLateAndRemindsOfTheLatestOnly() {
		String patient = this.contacts.known("en");
		JsonNode rule = this.api.json(this.api.post(RULES, this.api.staffToken(), """
				{"patientId": "%s", "type": "appointment-reminder", "parameters": {"siteName": "North Lab", "startsAt": "24 Dec 10:00"}, "cron": "0 30 8 * * *",
				 "timezone": "Europe/Madrid"}
				""".formatted(patient)));
		UUID id = UUID.fromString(rule.path("id").asString());
		Instant first = Instant.parse(rule.path("nextRunAt").asString());

		// the cron role was down for three days; it comes back ten minutes after the fourth occurrence
		Instant fourth = first.atZone(ZoneId.of("Europe/Madrid")).plusDays(3).toInstant();
		assertThat(this.reminders.fireDue(fourth.plus(Duration.ofMinutes(10)))).isEqualTo(1);

		assertThat(reminderKeys(id)).containsExactly(Reminders.idempotencyKey(id, fourth));
		JsonNode after = get(id);
		assertThat(after.path("fired").asInt()).isEqualTo(1);
		assertThat(after.path("missed").asInt()).isEqualTo(3);
	}

	@Test
	void remindsAPatientWhoseContactIsNotKnownYetOnceItArrives() {
		String patient = UUID.randomUUID().toString();
		JsonNode rule = this.api.json(this.api.post(RULES, this.api.staffToken(), """
				{"patientId": "%s", "type": "appointment-reminder", "parameters": {"siteName": "North Lab", "startsAt": "24 Dec 10:00"}, "every": "P1D", "timezone": "UTC"}
				""".formatted(patient)));
		UUID id = UUID.fromString(rule.path("id").asString());
		this.reminders.fireDue(Instant.parse(rule.path("nextRunAt").asString()));

		assertThat(this.jdbc.queryForObject("SELECT waiting_for_contact FROM notification WHERE idempotency_key LIKE ?",
				Boolean.class, "reminder:" + id + ":%")).isTrue();
	}

	@Test
	void aDeletedRuleRemindsNoMore() {
		String patient = this.contacts.known("en");
		JsonNode rule = this.api.json(this.api.post(RULES, this.api.staffToken(), """
				{"patientId": "%s", "type": "appointment-reminder", "parameters": {"siteName": "North Lab", "startsAt": "24 Dec 10:00"}, "every": "PT6H", "timezone": "UTC"}
				""".formatted(patient)));
		UUID id = UUID.fromString(rule.path("id").asString());
		Instant next = Instant.parse(rule.path("nextRunAt").asString());

		assertThat(this.api.delete(RULES + "/" + id, this.api.staffToken()).getStatusCode().value()).isEqualTo(204);
		this.reminders.fireDue(next.plusSeconds(1));

		assertThat(reminderKeys(id)).isEmpty();
		JsonNode deleted = get(id);
		assertThat(deleted.path("active").asBoolean()).isFalse();
		assertThat(deleted.path("deletedBy").asString()).isEqualTo("staff-1");
		assertThat(this.api.delete(RULES + "/" + UUID.randomUUID(), this.api.staffToken()).getStatusCode().value())
			.isEqualTo(404);
		assertThat(this.jdbc.queryForList(
				"SELECT action FROM audit_log WHERE resource_id = ? AND action LIKE 'notification.reminder.%' ORDER BY id",
				String.class, id.toString()))
			.startsWith("notification.reminder.create")
			.contains("notification.reminder.delete");
	}

	@Test
	void listsAPatientsRulesPageByPage() {
		String patient = this.contacts.known("en");
		for (int i = 0; i < 3; i++) {
			this.api.post(RULES, this.api.staffToken(), """
					{"patientId": "%s", "type": "appointment-reminder", "parameters": {"n": "%d", "siteName": "North Lab", "startsAt": "24 Dec 10:00"}, "every": "P1D",
					 "timezone": "UTC"}
					""".formatted(patient, i));
		}
		JsonNode first = this.api.json(this.api.get(RULES + "?patientId=" + patient + "&limit=2", this.api.staffToken()));
		assertThat(first.path("items").size()).isEqualTo(2);
		assertThat(first.path("items").get(0).path("parameters").path("n").asString()).isEqualTo("2");
		JsonNode second = this.api.json(this.api.get(
				RULES + "?patientId=" + patient + "&limit=2&cursor=" + first.path("nextCursor").asString(),
				this.api.staffToken()));
		assertThat(second.path("items").size()).isEqualTo(1);
		assertThat(second.path("items").get(0).path("parameters").path("n").asString()).isEqualTo("0");
		assertThat(second.path("nextCursor").isNull()).isTrue();
	}

	@Test
	void refusesSchedulesThatRemindTooOftenOrCannotBeRead() {
		assertRefused("\"cron\": \"0 * * * * *\", \"timezone\": \"UTC\"", "shortest allowed");
		assertRefused("\"every\": \"PT30M\", \"timezone\": \"UTC\"", "shortest allowed");
		assertRefused("\"every\": \"PT2562047788015215H\", \"timezone\": \"UTC\"", "longest allowed");
		// before: "has no occurrence before it ends", of a rule that has no end
		assertRefused("\"cron\": \"0 0 9 31 2 *\", \"timezone\": \"UTC\"",
				"The schedule never occurs: its cron names no date there is (such as the 31st of February)");
		// weeks and months are refused as the README says, and the answer says why (it was "has the wrong type or
		// format")
		assertRefused("\"every\": \"P1W\", \"timezone\": \"UTC\"", "\"field\":\"every\"");
		assertRefused("\"every\": \"P1M\", \"timezone\": \"UTC\"",
				"weeks, months and years are not fixed lengths");
		// a cross-field check names the field it is about (before: its own name, cronValid, timezoneValid...)
		assertRefused("\"cron\": \"every monday\", \"timezone\": \"UTC\"", "\"field\":\"cron\"");
		assertRefused("\"cron\": \"every monday\", \"timezone\": \"UTC\"", "not a cron expression");
		assertRefused("\"cron\": \"0 0 9 * * *\", \"timezone\": \"Mars/Olympus\"", "\"field\":\"timezone\"");
		// a missing zone is told once, as missing (it was also "not a known IANA timezone")
		assertRefused("\"cron\": \"0 0 9 * * *\"", "\"field\":\"timezone\"");
		assertThat(this.api.post(RULES, this.api.staffToken(), "{\"patientId\": \"p\", \"type\": \"appointment-reminder\", "
				+ "\"parameters\": {\"siteName\": \"North Lab\", \"startsAt\": \"24 Dec 10:00\"}, \"cron\": \"0 0 9 * * *\"}")
			.getBody()).doesNotContain("not a known IANA timezone");
		assertRefused("\"cron\": \"0 0 9 * * *\", \"every\": \"P1D\", \"timezone\": \"UTC\"",
				"give either cron or every, not both");
		ResponseEntity<String> unknownType = this.api.post(RULES, this.api.staffToken(),
				"{\"patientId\": \"p\", \"type\": \"no-such-type\", \"parameters\": {\"siteName\": \"North Lab\", \"startsAt\": \"24 Dec 10:00\"}, \"every\": \"P1D\", "
						+ "\"timezone\": \"UTC\"}");
		assertThat(unknownType.getStatusCode().value()).isEqualTo(400);
		assertThat(unknownType.getBody()).contains("No templates for type no-such-type");
		ResponseEntity<String> incomplete = this.api.post(RULES, this.api.staffToken(),
				"{\"patientId\": \"p\", \"type\": \"appointment-reminder\", \"parameters\": {\"siteName\": \"North Lab\"}, "
						+ "\"every\": \"P1D\", \"timezone\": \"UTC\"}");
		assertThat(incomplete.getStatusCode().value()).isEqualTo(400);
		assertThat(incomplete.getBody()).contains("'appointment-reminder' needs the parameters startsAt");
		ResponseEntity<String> patient = this.api.post(RULES, this.api.patientToken("p"),
				"{\"patientId\": \"p\", \"type\": \"t\", \"parameters\": {\"siteName\": \"North Lab\", \"startsAt\": \"24 Dec 10:00\"}, \"every\": \"P1D\", \"timezone\": \"UTC\"}");
		assertThat(patient.getStatusCode().value()).isEqualTo(403);
	}

	private void assertRefused(String schedule, String because) {
		ResponseEntity<String> response = this.api.post(RULES, this.api.staffToken(),
				"{\"patientId\": \"p\", \"type\": \"appointment-reminder\", \"parameters\": {\"siteName\": \"North Lab\", \"startsAt\": \"24 Dec 10:00\"}, " + schedule + "}");
		assertThat(response.getStatusCode().value()).isEqualTo(400);
		assertThat(response.getHeaders().getContentType()).isEqualTo(MediaType.APPLICATION_PROBLEM_JSON);
		assertThat(response.getBody()).contains(because);
	}

	private CompletableFuture<Integer> fireAt(Instant now, CyclicBarrier start) {
		return CompletableFuture.supplyAsync(() -> {
			try {
				start.await();
			}
			catch (Exception ex) {
				throw new IllegalStateException(ex);
			}
			return this.reminders.fireDue(now);
		});
	}

	private JsonNode get(UUID id) {
		return this.api.json(this.api.get(RULES + "/" + id, this.api.staffToken()));
	}

	private List<String> reminderKeys(UUID ruleId) {
		return this.jdbc.queryForList("SELECT idempotency_key FROM notification WHERE idempotency_key LIKE ?",
				String.class, "reminder:" + ruleId + ":%");
	}

}
