package org.patientplatform.notification.contacts;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.patientplatform.kit.events.PlatformEvents;
import org.patientplatform.local.infra.LocalSigningKey;
import org.patientplatform.notification.NotificationIntegrationTest;
import org.patientplatform.notification.TestApi;
import org.patientplatform.notification.TestKafka;
import org.patientplatform.notification.TestProviders;
import org.patientplatform.notification.delivery.Channel;
import org.patientplatform.notification.delivery.Priority;
import org.patientplatform.notification.requests.NotificationRequested;
import org.patientplatform.standins.ReceivedMail;
import tools.jackson.databind.JsonNode;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.context.TestPropertySource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Staff recipients with every role running, against the provider stand-ins: the DLQ
 * service's ops alert (the documented example, byte for byte) reaches the configured
 * ops address at GreenMail as urgent email, past the frequency cap, and is never
 * dead-lettered; staff recipients are registered once as known contacts, and a request
 * that came before its recipient was registered is delivered once it is.
 */
@NotificationIntegrationTest
@TestPropertySource(properties = { "notification.sending.poll-interval=100ms",
		"notification.staff-recipients.lab-manager.email=lab-manager@lab.example",
		"notification.staff-recipients.lab-manager.phone=+14155550177",
		"notification.staff-recipients.lab-manager.language=es-MX",
		"notification.staff-recipients.lab-manager.timezone=America/Chicago" })
class StaffRecipientsIntegrationTests {

	static final String REQUESTS = "notification.requests.v1";

	static final String OPS = "ops-oncall";

	static final String OPS_EMAIL = "ops-oncall@lab.example";

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

	@Autowired
	StaffRecipients staffRecipients;

	@Value("${spring.kafka.bootstrap-servers}")
	String bootstrapServers;

	TestKafka kafka;

	TestApi api;

	@BeforeEach
	void setUp() {
		this.kafka = new TestKafka(this.bootstrapServers, this.events);
		this.api = new TestApi(Integer.parseInt(providers.appUrl().substring(providers.appUrl().lastIndexOf(':') + 1)),
				this.signingKey);
	}

	@AfterEach
	void tearDown() {
		this.kafka.close();
	}

	@Test
	void deliversTheDlqServicesOpsAlertsByEmailToTheConfiguredOpsAddressPastTheFrequencyCap() throws IOException {
		String example = Files.readString(
				Path.of("..", "docs", "events", NotificationRequested.TYPE + ".ops-alert.json"), StandardCharsets.UTF_8);
		String key = this.events.json().readTree(example).path("idempotencyKey").asString();
		// the example as the DLQ service's outbox sends it, and five more alerts: six urgent notices within the
		// hour, one more than the frequency cap lets through for normal ones
		for (int i = 0; i < 6; i++) {
			String data = (i == 0) ? example : example.replace(key, key + "-" + i);
			this.kafka.send(REQUESTS, this.events.create(UUID.randomUUID().toString(), NotificationRequested.TYPE, OPS,
					data.getBytes(StandardCharsets.UTF_8)));
		}

		await().atMost(Duration.ofSeconds(60)).until(() -> mailsTo(OPS_EMAIL).size() == 6);
		ReceivedMail mail = mailsTo(OPS_EMAIL).getFirst();
		assertThat(mail.to()).containsExactly(OPS_EMAIL);
		assertThat(mail.subject()).startsWith("[DLQ PERMANENT_FAILURE] DLQ entry 0b8f7a52-3c1e-4d2a-9f61-7e2d8c4b5a10");
		assertThat(mail.text()).contains("failed permanently after 6 failures").contains("https://ops.lab.example/dlq");
		assertThat(mail.html()).contains("href=\"https://ops.lab.example/dlq#entry=0b8f7a52-3c1e-4d2a-9f61-7e2d8c4b5a10\"");

		// each request was applied as a notification (an invalid one is dead-lettered instead, never applied)
		JsonNode notifications = await().atMost(Duration.ofSeconds(60))
			.until(() -> notifications(OPS), (items) -> items.size() == 6
					&& items.valueStream().allMatch((n) -> n.path("state").asString().matches("SENT|DELIVERED")));
		assertThat(notifications.valueStream().map((n) -> n.path("type").asString())).containsOnly("dlq-ops-alert");
		assertThat(notifications.valueStream().map((n) -> n.path("waitingForContact").asBoolean())).containsOnly(false);
		assertThat(notifications.valueStream()
			.flatMap((n) -> n.path("deliveries").valueStream())
			.map((d) -> d.path("channel").asString() + " " + d.path("state").asString()))
			.hasSize(6)
			.allMatch((delivery) -> delivery.matches("EMAIL (SENT|DELIVERED)"));
		assertThat(this.jdbc.queryForObject("SELECT count(*) FROM notification WHERE idempotency_key = ?",
				Long.class, key)).isEqualTo(1);
	}

	@Test
	void registersStaffRecipientsOnceAsKnownContactsAndReleasesARequestThatCameFirst() {
		Map<String, Object> ops = contactRow(OPS);
		assertThat(ops).containsEntry("email", OPS_EMAIL)
			.containsEntry("email_opt_in", true)
			.containsEntry("sms_opt_in", false)
			.containsEntry("push_opt_in", false);
		assertThat(ops.get("phone_e164")).isNull();
		assertThat(ops.get("details_at")).isNotNull();
		Map<String, Object> manager = contactRow("lab-manager");
		assertThat(manager).containsEntry("phone_e164", "+14155550177")
			.containsEntry("sms_opt_in", true)
			.containsEntry("email_opt_in", true)
			.containsEntry("push_opt_in", false)
			.containsEntry("language", "es-MX")
			.containsEntry("timezone", "America/Chicago");

		// another process starting: nothing changes
		assertThat(this.staffRecipients.register()).isZero();
		assertThat(contactRow(OPS)).isEqualTo(ops);

		// a request for a recipient not registered yet waits for the contact, and goes once it is registered
		this.jdbc.update("DELETE FROM contact WHERE patient_id = 'lab-manager'");
		NotificationRequested request = new NotificationRequested("lab-manager", "dlq-ops-alert",
				Map.of("alertType", "VOLUME_SPIKE", "summary", "DLQ volume spike: 150 failures in the last hour"),
				List.of(Channel.SMS), Priority.URGENT, null, "dlq-alert:VOLUME_SPIKE:all:" + UUID.randomUUID());
		this.kafka.send(REQUESTS, NotificationRequested.TYPE, "lab-manager", request);
		await().atMost(Duration.ofSeconds(60))
			.until(() -> notifications("lab-manager"),
					(items) -> items.size() == 1 && items.get(0).path("waitingForContact").asBoolean());

		assertThat(this.staffRecipients.register()).isEqualTo(1);
		await().atMost(Duration.ofSeconds(60)).until(() -> providers.smsTo("+14155550177") == 1);
		assertThat(providers.standins().sms().sent()).filteredOn((sms) -> sms.to().equals("+14155550177"))
			.singleElement()
			.satisfies((sms) -> assertThat(sms.body()).startsWith("DLQ VOLUME_SPIKE: DLQ volume spike"));
		assertThat(mailsTo("lab-manager@lab.example")).isEmpty();
	}

	private List<ReceivedMail> mailsTo(String address) {
		return providers.standins().mail().received().stream().filter((mail) -> mail.to().contains(address)).toList();
	}

	private JsonNode notifications(String recipientId) {
		return this.api
			.json(this.api.get("/api/v1/patients/" + recipientId + "/notifications", this.api.staffToken()))
			.path("items");
	}

	private Map<String, Object> contactRow(String id) {
		return this.jdbc.queryForMap("""
				SELECT email, phone_e164, language, timezone, sms_opt_in, email_opt_in, push_opt_in, details_at,
				       updated_at
				FROM contact WHERE patient_id = ?
				""", id);
	}

}
