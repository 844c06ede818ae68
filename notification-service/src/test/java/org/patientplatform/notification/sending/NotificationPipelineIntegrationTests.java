package org.patientplatform.notification.sending;

import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import io.cloudevents.CloudEvent;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.patientplatform.kit.events.PlatformEvents;
import org.patientplatform.local.infra.LocalSigningKey;
import org.patientplatform.notification.NotificationIntegrationTest;
import org.patientplatform.notification.TestApi;
import org.patientplatform.notification.TestKafka;
import org.patientplatform.notification.TestPatients;
import org.patientplatform.notification.TestPatients.Patient;
import org.patientplatform.notification.TestProviders;
import org.patientplatform.notification.channels.ChannelsProperties;
import org.patientplatform.notification.channels.TwilioSignature;
import org.patientplatform.notification.results.TestResultReady;
import org.patientplatform.standins.Faults;
import org.patientplatform.standins.InboundSms;
import org.patientplatform.standins.SentSms;
import tools.jackson.databind.JsonNode;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.context.TestPropertySource;
import org.springframework.util.LinkedMultiValueMap;
import org.springframework.util.MultiValueMap;
import org.springframework.web.client.RestClient;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The whole way with every role running, against the provider stand-ins: a
 * TestResultReady on Kafka becomes one SMS at the stand-in, whose signed status callback
 * comes back through the webhook, the outbox, notification.status.v1 and the receipt
 * consumer; STOP texted from the patient's phone blocks later SMS; receipts and the
 * patient's read change nothing when repeated; the meters show it all.
 */
@NotificationIntegrationTest
@TestPropertySource(properties = { "notification.sending.poll-interval=100ms",
		"notification.sending.reconcile-interval=1s", "notification.portal-base-url=https://portal.example/" })
class NotificationPipelineIntegrationTests {

	static final String RESULTS = "lab.test-results.v1";

	static final TestProviders providers = TestProviders.start();

	@DynamicPropertySource
	static void providers(DynamicPropertyRegistry registry) {
		providers.register(registry);
	}

	@AfterAll
	static void stopProviders() {
		providers.close();
	}

	@Autowired
	PlatformEvents events;

	@Autowired
	LocalSigningKey signingKey;

	@Autowired
	JdbcTemplate jdbc;

	@Value("${spring.kafka.bootstrap-servers}")
	String bootstrapServers;

	TestKafka kafka;

	TestApi api;

	TestPatients patients;

	final RestClient http = RestClient.builder().defaultStatusHandler(HttpStatusCode::isError, (req, res) -> {
	}).build();

	@BeforeEach
	void setUp() {
		this.kafka = new TestKafka(this.bootstrapServers, this.events);
		this.api = new TestApi(Integer.parseInt(providers.appUrl().substring(providers.appUrl().lastIndexOf(':') + 1)),
				this.signingKey);
		this.patients = new TestPatients(this.jdbc);
	}

	@AfterEach
	void tearDown() {
		this.kafka.close();
		providers.standins().faults().clear();
	}

	@Test
	void sendsOneSmsForAResultPublishedTwiceAndMarksItDeliveredOnTheProvidersReceipt() {
		Patient patient = this.patients.patient().store();
		CloudEvent event = this.kafka.event(TestResultReady.TYPE, patient.id(), result(patient, "ORD-1"));
		this.kafka.send(RESULTS, event);
		this.kafka.send(RESULTS, event);
		this.kafka.send(RESULTS, TestResultReady.TYPE, patient.id(), result(patient, "ORD-1"));
		// the same key, the same partition: once this one is sent, the three before it were handled
		this.kafka.send(RESULTS, TestResultReady.TYPE, patient.id(), result(patient, "ORD-2"));

		await().atMost(Duration.ofSeconds(60)).until(() -> providers.smsTo(patient.phone()) == 2);
		JsonNode notifications = awaitNotifications(patient, 2);
		JsonNode first = notification(notifications, "ORD-1");
		JsonNode delivered = await().atMost(Duration.ofSeconds(60))
			.until(() -> this.api.json(this.api.get("/api/v1/notifications/" + first.path("id").asString(),
					this.api.staffToken())), (json) -> json.path("state").asString().equals("DELIVERED"));
		JsonNode sms = delivered.path("deliveries").get(0);
		assertThat(sms.path("channel").asString()).isEqualTo("SMS");
		assertThat(sms.path("attempts").asInt()).isEqualTo(1);
		assertThat(sms.path("text").asString()).contains("https://portal.example/notifications/" + first.path("id").asString());

		List<SentSms> sent = providers.standins().sms().sent().stream().filter((m) -> m.to().equals(patient.phone())).toList();
		assertThat(sent).hasSize(2);
		assertThat(sent).allSatisfy((message) -> assertThat(message.body()).doesNotContain("2345-7")
			.doesNotContain("ORD-")
			.contains("https://portal.example/notifications/"));
		assertThat(sent).filteredOn((m) -> m.body().contains(first.path("id").asString())).hasSize(1);
	}

	@Test
	void showsCountsEndToEndLatencyAndQueueDepthInPrometheus() {
		Patient patient = this.patients.patient().store();
		this.kafka.send(RESULTS, TestResultReady.TYPE, patient.id(), result(patient, "ORD-M"));
		await().atMost(Duration.ofSeconds(60)).until(() -> providers.smsTo(patient.phone()) == 1);

		String metrics = await().atMost(Duration.ofSeconds(30))
			.until(() -> this.api.get("/actuator/prometheus", null).getBody(),
					(body) -> body != null && body.contains("notification_end_to_end_seconds_count"));
		assertThat(metrics).contains("notification_notifications_total{")
			.containsPattern("notification_notifications_total\\{[^}]*channel=\"sms\"[^}]*status=\"sent\"")
			.contains("notification_end_to_end_seconds_bucket{")
			.contains("notification_queue_depth");
	}

	@Test
	void appliesStopTextedFromThePatientsPhoneAtOnceAndConfirmsIt() {
		Patient patient = this.patients.patient().email(true).store();

		InboundSms stop = providers.standins().sms().receive(patient.phone(), "Stop");
		assertThat(stop.webhookStatus()).isEqualTo(200);
		assertThat(stop.reply()).isNotBlank();
		assertThat(preferences(patient).path("channels").path("sms").asBoolean()).isFalse();
		assertThat(this.jdbc.queryForList("SELECT outcome FROM audit_log WHERE action = 'sms.opt-out' AND resource_id = ?",
				String.class, patient.id())).containsExactly("applied");

		this.kafka.send(RESULTS, TestResultReady.TYPE, patient.id(), result(patient, "ORD-S"));
		// a later notice goes by email only: SMS is no longer one of the patient's channels
		JsonNode notification = await().atMost(Duration.ofSeconds(60))
			.until(() -> awaitNotifications(patient, 1).get(0), (json) -> json.path("state").asString().equals("SENT"));
		assertThat(notification.path("deliveries").valueStream().map((d) -> d.path("channel").asString() + " "
				+ d.path("state").asString())).containsExactly("EMAIL SENT");
		assertThat(providers.smsTo(patient.phone())).isZero();

		InboundSms start = providers.standins().sms().receive(patient.phone(), "START");
		assertThat(start.reply()).isNotBlank().isNotEqualTo(stop.reply());
		assertThat(preferences(patient).path("channels").path("sms").asBoolean()).isTrue();
	}

	@Test
	void refusesAnInboundMessageWithoutAValidSignature() {
		Patient patient = this.patients.patient().store();
		Map<String, String> params = Map.of("From", patient.phone(), "Body", "STOP", "MessageSid", "SM" + UUID.randomUUID());

		ResponseEntity<String> forged = postForm(ChannelsProperties.Sms.INBOUND_PATH, params, "bm90IGEgc2lnbmF0dXJl");
		assertThat(forged.getStatusCode().value()).isEqualTo(403);
		assertThat(forged.getHeaders().getContentType()).isEqualTo(MediaType.APPLICATION_PROBLEM_JSON);
		assertThat(postForm(ChannelsProperties.Sms.INBOUND_PATH, params, null).getStatusCode().value()).isEqualTo(403);
		assertThat(postForm(ChannelsProperties.Sms.STATUS_CALLBACK_PATH,
				Map.of("MessageSid", "SM1", "MessageStatus", "delivered"), "bm90IGEgc2lnbmF0dXJl")
			.getStatusCode()
			.value()).isEqualTo(403);
		assertThat(preferences(patient).path("channels").path("sms").asBoolean()).isTrue();

		ResponseEntity<String> signed = postForm(ChannelsProperties.Sms.INBOUND_PATH, params,
				sign(ChannelsProperties.Sms.INBOUND_PATH, params));
		assertThat(signed.getStatusCode().value()).isEqualTo(200);
		assertThat(signed.getBody()).contains("<Response><Message>");
	}

	@Test
	void appliesAnInboundMessageOnceHoweverOftenItIsPosted() {
		// Twilio retries a webhook it got no answer to, and a signed request can be replayed: a STOP posted again
		// after the patient's START opted them out again, and each post texted another confirmation
		Patient patient = this.patients.patient().store();
		Map<String, String> stop = Map.of("From", patient.phone(), "Body", "STOP", "MessageSid", "SM" + UUID.randomUUID());
		String stopSignature = sign(ChannelsProperties.Sms.INBOUND_PATH, stop);
		assertThat(postForm(ChannelsProperties.Sms.INBOUND_PATH, stop, stopSignature).getBody())
			.contains("<Response><Message>");
		assertThat(preferences(patient).path("channels").path("sms").asBoolean()).isFalse();
		Map<String, String> start = Map.of("From", patient.phone(), "Body", "START", "MessageSid",
				"SM" + UUID.randomUUID());
		assertThat(postForm(ChannelsProperties.Sms.INBOUND_PATH, start, sign(ChannelsProperties.Sms.INBOUND_PATH, start))
			.getBody()).contains("<Response><Message>");
		assertThat(preferences(patient).path("channels").path("sms").asBoolean()).isTrue();

		ResponseEntity<String> replayed = postForm(ChannelsProperties.Sms.INBOUND_PATH, stop, stopSignature);

		assertThat(replayed.getStatusCode().value()).isEqualTo(200);
		assertThat(replayed.getBody()).endsWith("<Response/>");
		assertThat(preferences(patient).path("channels").path("sms").asBoolean()).isTrue();
		assertThat(this.jdbc.queryForList("SELECT action FROM audit_log WHERE action LIKE 'sms.opt-%' AND resource_id = ? "
				+ "ORDER BY occurred_at", String.class, patient.id())).containsExactly("sms.opt-out", "sms.opt-in");
	}

	@Test
	void endsAnSmsWhoseStatusCallbackSaysCanceledAsUndeliverable() {
		Patient patient = this.patients.patient().email(false).store();
		providers.standins().faults().phone(patient.phone(), Faults.PhoneOutcome.CANCELED);
		this.kafka.send(RESULTS, TestResultReady.TYPE, patient.id(), result(patient, "ORD-C"));

		// Twilio's callback says canceled (a scheduled message canceled before its send): before, it was dropped
		// and the SMS stayed SENT
		Map<String, Object> sms = await().atMost(Duration.ofSeconds(60))
			.until(() -> this.jdbc.queryForList("SELECT d.state, d.reason FROM delivery d JOIN notification n "
					+ "ON n.id = d.notification_id WHERE n.patient_id = ? AND d.channel = 'SMS'", patient.id()),
					(rows) -> rows.size() == 1 && "UNDELIVERABLE".equals(rows.getFirst().get("state")))
			.getFirst();
		assertThat(sms.get("reason")).isEqualTo("Twilio reported the message canceled");
		assertThat(providers.standins().sms().sent()).filteredOn((m) -> m.to().equals(patient.phone()))
			.singleElement()
			.satisfies((m) -> assertThat(m.status()).isEqualTo("canceled"));
	}

	@Test
	void ignoresDuplicateAndLateReceipts() {
		Patient patient = this.patients.patient().store();
		this.kafka.send(RESULTS, TestResultReady.TYPE, patient.id(), result(patient, "ORD-R"));
		JsonNode notification = await().atMost(Duration.ofSeconds(60))
			.until(() -> awaitNotifications(patient, 1).get(0),
					(json) -> json.path("state").asString().equals("DELIVERED"));
		String id = notification.path("id").asString();
		String sid = this.jdbc.queryForObject("SELECT provider_message_id FROM delivery WHERE notification_id = ?::uuid",
				String.class, id);

		// the provider repeats itself, then reports a failure of a message it had delivered
		for (String status : List.of("delivered", "sent", "failed", "delivered")) {
			Map<String, String> params = new LinkedHashMap<>();
			params.put("MessageSid", sid);
			params.put("MessageStatus", status);
			params.put("ErrorCode", status.equals("failed") ? "30008" : "");
			assertThat(postForm(ChannelsProperties.Sms.STATUS_CALLBACK_PATH, params,
					sign(ChannelsProperties.Sms.STATUS_CALLBACK_PATH, params))
				.getStatusCode()
				.value()).isEqualTo(204);
		}
		// every receipt relayed for this message has been consumed
		await().atMost(Duration.ofSeconds(60)).until(() -> {
			List<String> relayed = this.jdbc.queryForList(
					"SELECT event_id::text FROM outbox_event WHERE record_key IN (?, ?)", String.class, id, sid);
			Integer consumed = this.jdbc.queryForObject("SELECT count(*) FROM processed_message WHERE consumer_group = "
					+ "'notification-service.consumer-notification-update' AND event_id = ANY(?)", Integer.class,
					(Object) relayed.toArray(String[]::new));
			return relayed.size() >= 4 && consumed == relayed.size();
		});
		JsonNode after = this.api.json(this.api.get("/api/v1/notifications/" + id, this.api.staffToken()));
		assertThat(after.path("state").asString()).isEqualTo("DELIVERED");
		assertThat(after.path("deliveries").get(0).path("reason").isNull()).isTrue();
		assertThat(this.jdbc.queryForObject("SELECT count(*) FROM delivery WHERE notification_id = ?::uuid",
				Integer.class, id)).isEqualTo(1);
	}

	@Test
	void letsThePatientMarkTheirNotificationReadAndNobodyElse() {
		Patient patient = this.patients.patient().store();
		this.kafka.send(RESULTS, TestResultReady.TYPE, patient.id(), result(patient, "ORD-READ"));
		JsonNode notification = await().atMost(Duration.ofSeconds(60))
			.until(() -> awaitNotifications(patient, 1).get(0),
					(json) -> json.path("state").asString().matches("SENT|DELIVERED"));
		String path = "/api/v1/notifications/" + notification.path("id").asString() + "/read";

		assertThat(this.api.post(path, this.api.patientToken("P-someone-else"), null).getStatusCode().value())
			.isEqualTo(404);
		ResponseEntity<String> read = this.api.post(path, this.api.patientToken(patient.id()), null);
		assertThat(read.getStatusCode().value()).isEqualTo(200);
		assertThat(this.api.json(read).path("state").asString()).isEqualTo("READ");
		assertThat(this.api.post(path, this.api.staffToken(), null).getStatusCode().value()).isEqualTo(200);
		assertThat(this.jdbc.queryForList("SELECT outcome FROM audit_log WHERE action = 'notification.mark-read' "
				+ "AND resource_id = ? ORDER BY id", String.class, notification.path("id").asString()))
			.containsExactly("denied", "allowed", "allowed");
	}

	private ResponseEntity<String> postForm(String path, Map<String, String> params, String signature) {
		MultiValueMap<String, String> form = new LinkedMultiValueMap<>();
		params.forEach(form::add);
		RestClient.RequestBodySpec request = this.http.post()
			.uri(providers.appUrl() + path)
			.contentType(MediaType.APPLICATION_FORM_URLENCODED);
		if (signature != null) {
			request.header("X-Twilio-Signature", signature);
		}
		return request.body(form).retrieve().toEntity(String.class);
	}

	private static String sign(String path, Map<String, String> params) {
		return TwilioSignature.compute(providers.standins().sms().authToken(), providers.appUrl() + path, params);
	}

	private JsonNode preferences(Patient patient) {
		return this.api.json(this.api.get("/api/v1/patients/" + patient.id() + "/preferences", this.api.staffToken()));
	}

	private JsonNode awaitNotifications(Patient patient, int count) {
		return await().atMost(Duration.ofSeconds(60))
			.until(() -> this.api.json(
					this.api.get("/api/v1/patients/" + patient.id() + "/notifications", this.api.staffToken())),
					(json) -> json.path("items").size() == count)
			.path("items");
	}

	private static JsonNode notification(JsonNode items, String orderId) {
		return items.valueStream()
			.filter((n) -> n.path("parameters").path("orderId").asString().equals(orderId))
			.findFirst()
			.orElseThrow();
	}

	private static TestResultReady result(Patient patient, String orderId) {
		return new TestResultReady(patient.id(), orderId, "2345-7", Instant.parse("2026-03-07T07:20:00Z"),
				Instant.parse("2026-03-07T15:05:00Z"));
	}

}
