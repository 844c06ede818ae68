package org.patientplatform.notification.requests;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.stream.Collectors;

import io.cloudevents.CloudEvent;
import io.cloudevents.core.builder.CloudEventBuilder;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.junit.jupiter.api.AfterAll;
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
import org.patientplatform.notification.TestPatients;
import org.patientplatform.notification.TestPatients.Patient;
import org.patientplatform.notification.TestProviders;
import org.patientplatform.notification.delivery.Channel;
import org.patientplatform.notification.delivery.Priority;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.context.TestPropertySource;
import org.springframework.web.client.RestClient;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Notifications other services ask for: from notification.requests.v1 (a whole poll per
 * transaction, invalid records dead-lettered with their reason) and from the send API,
 * sent through the stand-ins, cancelled by idempotency key before they go.
 */
@NotificationIntegrationTest
@TestPropertySource(properties = "notification.sending.poll-interval=100ms")
class NotificationRequestsIntegrationTests {

	static final String REQUESTS = "notification.requests.v1";

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
	MeterRegistry meters;

	@Value("${spring.kafka.bootstrap-servers}")
	String bootstrapServers;

	@Value("${local.server.port}")
	int port;

	TestKafka kafka;

	TestApi api;

	TestPatients patients;

	final JsonMapper json = JsonMapper.builder().build();

	@BeforeEach
	void setUp() {
		this.kafka = new TestKafka(this.bootstrapServers, this.events);
		this.api = new TestApi(this.port, this.signingKey);
		this.patients = new TestPatients(this.jdbc);
	}

	@AfterEach
	void tearDown() {
		this.kafka.close();
	}

	@Test
	void sendsARequestedNotificationOnTheNamedChannelsOnce() {
		Patient patient = this.patients.patient().email(true).store();
		NotificationRequested request = request(patient.id(), List.of(Channel.SMS), null);
		CloudEvent event = this.kafka.event(NotificationRequested.TYPE, patient.id(), request);
		this.kafka.send(REQUESTS, event);
		this.kafka.send(REQUESTS, event);
		this.kafka.send(REQUESTS, NotificationRequested.TYPE, patient.id(), request);

		JsonNode notification = await().atMost(Duration.ofSeconds(60))
			.until(() -> notifications(patient).get(0), (n) -> n.path("state").asString().matches("SENT|DELIVERED"));
		assertThat(notification.path("type").asString()).isEqualTo("appointment-reminder");
		assertThat(notification.path("deliveries").valueStream().map((d) -> d.path("channel").asString()))
			.containsExactly("SMS");
		assertThat(notifications(patient).size()).isEqualTo(1);
		assertThat(providers.smsTo(patient.phone())).isEqualTo(1);
		assertThat(providers.standins().sms().sent()).filteredOn((m) -> m.to().equals(patient.phone()))
			.allSatisfy((m) -> assertThat(m.body()).contains("North Lab"));
	}

	@Test
	void accountsForAPreferredChannelThePatientHasNoPhoneForWithTheReason() throws Exception {
		// a request that leaves the channels to the patient (SMS and email) for a patient with no phone: the SMS had
		// no delivery and no reason, and the requester asking what became of it saw nothing
		Patient patient = this.patients.patient().noPhone().email(true).store();
		double before = undeliverable("sms");

		ResponseEntity<String> created = post("/api/v1/notifications", this.api.token("service"),
				this.json.writeValueAsString(request(patient.id(), null, null)), null);
		assertThat(created.getStatusCode().value()).isEqualTo(201);
		JsonNode answered = delivery(this.api.json(created), "SMS");
		assertThat(answered.path("state").asString()).isEqualTo("UNDELIVERABLE");
		assertThat(answered.path("reason").asString()).isEqualTo("The patient has no phone number");

		JsonNode notification = await().atMost(Duration.ofSeconds(60))
			.until(() -> notifications(patient).get(0),
					(n) -> delivery(n, "EMAIL").path("state").asString().matches("SENT|DELIVERED"));
		assertThat(notification.path("state").asString()).isIn("SENT", "DELIVERED");
		assertThat(notification.path("deliveries")).hasSize(2);
		JsonNode sms = delivery(notification, "SMS");
		assertThat(sms.path("state").asString()).isEqualTo("UNDELIVERABLE");
		assertThat(sms.path("reason").asString()).isEqualTo("The patient has no phone number");
		assertThat(sms.path("attempts").asInt()).isZero();
		// counted once, when it was made: no sender ever claims it
		assertThat(undeliverable("sms")).isEqualTo(before + 1);
	}

	@Test
	void fallsBackFromARequestedChannelThePatientHasNoAddressFor() throws Exception {
		// a request naming SMS for a patient with an email and no phone: the SMS is weighed by the sender, which ends
		// it undeliverable with the reason, and the email is tried instead
		Patient patient = this.patients.patient().noPhone().email(true).store();
		double before = undeliverable("sms");

		ResponseEntity<String> created = post("/api/v1/notifications", this.api.token("service"),
				this.json.writeValueAsString(request(patient.id(), List.of(Channel.SMS), null)), null);
		assertThat(created.getStatusCode().value()).isEqualTo(201);

		JsonNode notification = await().atMost(Duration.ofSeconds(60))
			.until(() -> notifications(patient).get(0), (n) -> n.path("deliveries").size() == 2
					&& delivery(n, "EMAIL").path("state").asString().matches("SENT|DELIVERED"));
		JsonNode sms = delivery(notification, "SMS");
		assertThat(sms.path("state").asString()).isEqualTo("UNDELIVERABLE");
		assertThat(sms.path("reason").asString()).isEqualTo("The patient has no phone number");
		assertThat(undeliverable("sms")).isEqualTo(before + 1);
	}

	@Test
	void fallsBackFromARequestedChannelWhoseAddressIsUnusable() throws Exception {
		// a request naming SMS for a patient whose phone number could not be used: the SMS was ended undeliverable as
		// the notice was made, before any sender saw it, so no fallback followed and the patient heard nothing, where
		// a patient with no phone at all was reached by email
		String problem = "The phone number +1 555 0100 is not a valid number";
		Patient patient = this.patients.patient().unusablePhone(problem).email(true).store();

		ResponseEntity<String> created = post("/api/v1/notifications", this.api.token("service"),
				this.json.writeValueAsString(request(patient.id(), List.of(Channel.SMS), null)), null);
		assertThat(created.getStatusCode().value()).isEqualTo(201);

		JsonNode notification = await().atMost(Duration.ofSeconds(60))
			.until(() -> notifications(patient).get(0), (n) -> n.path("deliveries").size() == 2
					&& delivery(n, "EMAIL").path("state").asString().matches("SENT|DELIVERED"));
		JsonNode sms = delivery(notification, "SMS");
		assertThat(sms.path("state").asString()).isEqualTo("UNDELIVERABLE");
		assertThat(sms.path("reason").asString()).isEqualTo(problem);
		assertThat(sms.path("attempts").asInt()).isZero();
	}

	@Test
	@ExtendWith(OutputCaptureExtension.class)
	void deadLettersAnInvalidRequestWithItsReasonAndAppliesTheOthersOfItsBatch(CapturedOutput output) {
		Patient patient = this.patients.patient().store();
		CloudEvent unknownType = this.kafka.event(NotificationRequested.TYPE, patient.id(),
				new NotificationRequested(patient.id(), "no-such-notice", Map.of(), null, null, null, "k-" + UUID.randomUUID()));
		CloudEvent noKey = this.kafka.event(NotificationRequested.TYPE, patient.id(),
				Map.of("patientId", patient.id(), "type", "appointment-reminder"));
		// its messages would read "Your appointment at  on  is confirmed"
		CloudEvent noParameters = this.kafka.event(NotificationRequested.TYPE, patient.id(),
				new NotificationRequested(patient.id(), "booking-confirmed", Map.of("siteName", " "), null, null, null,
						"k-" + UUID.randomUUID()));
		CloudEvent decades = this.kafka.event(NotificationRequested.TYPE, patient.id(),
				request(patient.id(), null, Instant.parse("9999-03-09T09:30:00Z")));
		List<RecordMetadata> sent = this.kafka.sendAsOneBatch(REQUESTS,
				List.of(this.kafka.event(NotificationRequested.TYPE, patient.id(), request(patient.id(), null, null)),
						unknownType, noKey, noParameters, decades,
						this.kafka.event(NotificationRequested.TYPE, patient.id(), request(patient.id(), null, null))));

		await().atMost(Duration.ofSeconds(60)).until(() -> notifications(patient).size() == 2);
		ConsumerRecord<byte[], byte[]> first = this.kafka.awaitDeadLetter(REQUESTS, sent.get(1).partition(),
				sent.get(1).offset());
		assertThat(TestKafka.text(first, DeadLetterHeaders.EXCEPTION_MESSAGE))
			.contains("Unknown notification type 'no-such-notice'");
		assertThat(TestKafka.text(first, DeadLetterHeaders.NON_RETRYABLE)).isEqualTo("true");
		assertThat(TestKafka.text(first, DeadLetterHeaders.SOURCE_ROLE)).isEqualTo("consumer-notification");
		assertThat(first.value()).isEqualTo(unknownType.getData().toBytes());
		ConsumerRecord<byte[], byte[]> second = this.kafka.awaitDeadLetter(REQUESTS, sent.get(2).partition(),
				sent.get(2).offset());
		assertThat(TestKafka.text(second, DeadLetterHeaders.EXCEPTION_MESSAGE)).contains("idempotencyKey");
		assertThat(second.key()).isEqualTo(patient.id().getBytes(StandardCharsets.UTF_8));
		ConsumerRecord<byte[], byte[]> third = this.kafka.awaitDeadLetter(REQUESTS, sent.get(3).partition(),
				sent.get(3).offset());
		assertThat(TestKafka.text(third, DeadLetterHeaders.EXCEPTION_MESSAGE))
			.contains("'booking-confirmed' needs the parameters siteName, startsAt");
		ConsumerRecord<byte[], byte[]> fourth = this.kafka.awaitDeadLetter(REQUESTS, sent.get(4).partition(),
				sent.get(4).offset());
		assertThat(TestKafka.text(fourth, DeadLetterHeaders.EXCEPTION_MESSAGE))
			.contains("notBefore 9999-03-09T09:30:00Z is more than 366 days ahead");
		assertThat(TestKafka.text(fourth, DeadLetterHeaders.NON_RETRYABLE)).isEqualTo("true");
		assertThat(notifications(patient)).hasSize(2);
		// dead-lettering a record of a batch is routine: the kit warns, and Spring Kafka's seek to the rest of the
		// batch (an exception it throws on purpose) is not an ERROR with a stack trace
		assertThat(output.getAll()).contains("Dead-lettered " + REQUESTS);
		assertThat(output.getAll().lines().filter((line) -> line.contains(" ERROR ")))
			.as("error lines")
			.isEmpty();
	}

	@Test
	void aRequestIsNotTimedAsTheEndToEndLatencyOfAResultNotice() {
		// notification.end_to_end is from a TestResultReady to the provider; a request made an hour before it went
		// (a reminder waiting for its notBefore) was recorded as an hour's latency
		Patient patient = this.patients.patient().email(true).store();
		long before = endToEndCount();
		CloudEvent event = this.kafka.event(NotificationRequested.TYPE, patient.id(),
				request(patient.id(), List.of(Channel.SMS), null), Instant.now().minus(Duration.ofHours(1)));
		this.kafka.send(REQUESTS, event);

		await().atMost(Duration.ofSeconds(60))
			.until(() -> notifications(patient), (n) -> n.size() == 1
					&& n.get(0).path("state").asString().matches("SENT|DELIVERED"));
		assertThat(providers.smsTo(patient.phone())).isEqualTo(1);
		assertThat(endToEndCount()).isEqualTo(before);
	}

	private long endToEndCount() {
		Timer timer = this.meters.find("notification.end_to_end").timer();
		return (timer != null) ? timer.count() : 0;
	}

	@Test
	void deadLettersTheRequestWhoseDataHoldsANulAndStoresTheOthersOfItsBatch() {
		Patient patient = this.patients.patient().store();
		// valid JSON and a renderable notice, but PostgreSQL stores no NUL character: refused as the event is read
		// (the kit), with that reason; before, the batch's one statement failed, and the listener found the record
		// to blame (SQL state 22021 as the reason). The statement's refusal of one record is the next test's.
		NotificationRequested nul = new NotificationRequested(patient.id(), "appointment-reminder",
				Map.of("siteName", "North\u0000Lab", "startsAt", "Monday 9 March, 9:30"), null, Priority.NORMAL, null,
				"booking:" + UUID.randomUUID() + ":reminder-24h");
		List<RecordMetadata> sent = this.kafka.sendAsOneBatch(REQUESTS,
				List.of(this.kafka.event(NotificationRequested.TYPE, patient.id(), request(patient.id(), null, null)),
						this.kafka.event(NotificationRequested.TYPE, patient.id(), nul),
						this.kafka.event(NotificationRequested.TYPE, patient.id(), request(patient.id(), null, null))));

		await().atMost(Duration.ofSeconds(60)).until(() -> notifications(patient).size() == 2);
		ConsumerRecord<byte[], byte[]> refused = this.kafka.awaitDeadLetter(REQUESTS, sent.get(1).partition(),
				sent.get(1).offset());
		assertThat(TestKafka.text(refused, DeadLetterHeaders.EXCEPTION_FQCN) + " "
				+ TestKafka.text(refused, DeadLetterHeaders.EXCEPTION_CAUSE_FQCN)).contains("InvalidEventException");
		assertThat(TestKafka.text(refused, DeadLetterHeaders.EXCEPTION_MESSAGE)).contains("holds a NUL character");
		assertThat(TestKafka.text(refused, DeadLetterHeaders.NON_RETRYABLE)).isEqualTo("true");
		assertThat(notifications(patient)).hasSize(2);
	}

	@Test
	void deadLettersAtOnceARequestWhoseEventIdIsTooLargeForItsIndexAndStoresTheOthersOfItsBatch() {
		Patient patient = this.patients.patient().store();
		// random letters do not compress: the index cannot hold the event id (SQL state 54000); before, the
		// whole batch was retried for five minutes, holding the partition, then the DLQ sent it again
		String huge = new Random(7).ints(5_000, 0, 62)
			.mapToObj((i) -> String.valueOf("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789".charAt(i)))
			.collect(Collectors.joining());
		CloudEvent tooLarge = CloudEventBuilder
			.v1(this.kafka.event(NotificationRequested.TYPE, patient.id(), request(patient.id(), null, null)))
			.withId(huge)
			.build();
		long started = System.nanoTime();
		List<RecordMetadata> sent = this.kafka.sendAsOneBatch(REQUESTS,
				List.of(this.kafka.event(NotificationRequested.TYPE, patient.id(), request(patient.id(), null, null)),
						tooLarge,
						this.kafka.event(NotificationRequested.TYPE, patient.id(), request(patient.id(), null, null))));

		await().atMost(Duration.ofSeconds(60)).until(() -> notifications(patient).size() == 2);
		ConsumerRecord<byte[], byte[]> refused = this.kafka.awaitDeadLetter(REQUESTS, sent.get(1).partition(),
				sent.get(1).offset());
		assertThat(TestKafka.text(refused, DeadLetterHeaders.EXCEPTION_MESSAGE)).contains("SQL state 54000");
		assertThat(TestKafka.text(refused, DeadLetterHeaders.NON_RETRYABLE)).isEqualTo("true");
		assertThat(Duration.ofNanos(System.nanoTime() - started)).as("not after the batch's five minutes of retries")
			.isLessThan(Duration.ofMinutes(2));
	}

	@Test
	void sendsARequestWrittenInCloudEventsStructuredModeByAnotherClient() {
		// a producer with a CloudEvents SDK in structured mode, or kcat: the event in the JSON event format as the
		// value, written here by hand with a plain producer; before, dead-lettered as no CloudEvent in binary mode
		Patient patient = this.patients.patient().email(true).store();
		String key = "booking:" + UUID.randomUUID() + ":reminder-24h";
		String eventId = UUID.randomUUID().toString();
		byte[] value = """
				{"specversion":"1.0","id":"%s","source":"urn:lab:front-desk","type":"%s","subject":"%s",
				 "time":"2026-03-01T09:30:00Z","datacontenttype":"application/json",
				 "traceparent":"00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01",
				 "data":{"patientId":"%s","type":"appointment-reminder","channels":["SMS"],
				         "parameters":{"siteName":"North Lab","startsAt":"Monday 9 March, 9:30"},"idempotencyKey":"%s"}}"""
			.formatted(eventId, NotificationRequested.TYPE, patient.id(), patient.id(), key)
			.getBytes(StandardCharsets.UTF_8);
		this.kafka.sendRaw(REQUESTS, patient.id(), value, structured("application/cloudevents+json; charset=UTF-8"));
		this.kafka.sendRaw(REQUESTS, patient.id(), value, structured("Application/CloudEvents+JSON"));

		JsonNode notification = await().atMost(Duration.ofSeconds(60))
			.until(() -> notifications(patient).get(0), (n) -> n.path("state").asString().matches("SENT|DELIVERED"));
		assertThat(notification.path("type").asString()).isEqualTo("appointment-reminder");
		assertThat(notification.path("deliveries").valueStream().map((d) -> d.path("channel").asString()))
			.containsExactly("SMS");
		assertThat(notifications(patient)).hasSize(1);
		assertThat(providers.smsTo(patient.phone())).isEqualTo(1);

		// and its cancellation in structured mode too
		Patient later = this.patients.patient().store();
		String laterKey = "booking:" + UUID.randomUUID() + ":reminder-24h";
		this.kafka.sendRaw(REQUESTS, later.id(), """
				{"specversion":"1.0","id":"%s","source":"urn:lab:front-desk","type":"%s",
				 "data":{"patientId":"%s","type":"appointment-reminder","notBefore":"%s",
				         "parameters":{"siteName":"North Lab","startsAt":"Monday 9 March, 9:30"},"idempotencyKey":"%s"}}"""
			.formatted(UUID.randomUUID(), NotificationRequested.TYPE, later.id(),
					Instant.now().plus(Duration.ofHours(2)), laterKey)
			.getBytes(StandardCharsets.UTF_8), structured("application/cloudevents+json"));
		await().atMost(Duration.ofSeconds(60)).until(() -> notifications(later).size() == 1);
		String cancellation = Base64.getEncoder().encodeToString("""
				{"idempotencyKey":"%s","reason":"The booking was cancelled","patientId":"%s"}"""
			.formatted(laterKey, later.id())
			.getBytes(StandardCharsets.UTF_8));
		this.kafka.sendRaw(REQUESTS, later.id(), """
				{"specversion":"1.0","id":"%s","source":"urn:lab:front-desk","type":"%s",
				 "datacontenttype":"application/json","data_base64":"%s"}"""
			.formatted(UUID.randomUUID(), NotificationCancelled.TYPE, cancellation)
			.getBytes(StandardCharsets.UTF_8), structured("application/cloudevents+json"));
		await().atMost(Duration.ofSeconds(60))
			.until(() -> notifications(later).get(0), (n) -> n.path("state").asString().equals("CANCELLED"));
	}

	@Test
	void deadLettersAMalformedStructuredEnvelopeWithItsReasonAndAppliesTheRecordsBehindIt() {
		Patient patient = this.patients.patient().store();
		String data = """
				{"patientId":"%s","type":"appointment-reminder","idempotencyKey":"k-%s",
				 "parameters":{"siteName":"North Lab","startsAt":"Monday 9 March, 9:30"}}""";
		byte[] both = """
				{"specversion":"1.0","id":"e-both","source":"urn:lab:front-desk","type":"%s","data":%s,
				 "data_base64":"e30="}"""
			.formatted(NotificationRequested.TYPE, data.formatted(patient.id(), UUID.randomUUID()))
			.getBytes(StandardCharsets.UTF_8);
		byte[] notJson = "specversion=1.0 id=e-text".getBytes(StandardCharsets.UTF_8);
		byte[] noSource = """
				{"specversion":"1.0","id":"e-nosource","type":"%s","data":%s}"""
			.formatted(NotificationRequested.TYPE, data.formatted(patient.id(), UUID.randomUUID()))
			.getBytes(StandardCharsets.UTF_8);
		byte[] unknownNotice = """
				{"specversion":"1.0","id":"e-unknown","source":"urn:lab:front-desk","type":"%s",
				 "data":{"patientId":"%s","type":"no-such-notice","idempotencyKey":"k-%s"}}"""
			.formatted(NotificationRequested.TYPE, patient.id(), UUID.randomUUID())
			.getBytes(StandardCharsets.UTF_8);
		RecordMetadata first = this.kafka.sendRaw(REQUESTS, patient.id(), both, structured("application/cloudevents+json"));
		RecordMetadata second = this.kafka.sendRaw(REQUESTS, patient.id(), notJson,
				structured("application/cloudevents+json"));
		RecordMetadata third = this.kafka.sendRaw(REQUESTS, patient.id(), noSource,
				structured("application/cloudevents+json"));
		RecordMetadata fourth = this.kafka.sendRaw(REQUESTS, patient.id(), unknownNotice,
				structured("application/cloudevents+json"));
		this.kafka.sendRaw(REQUESTS, patient.id(), """
				{"specversion":"1.0","id":"%s","source":"urn:lab:front-desk","type":"%s","data":%s}"""
			.formatted(UUID.randomUUID(), NotificationRequested.TYPE, data.formatted(patient.id(), UUID.randomUUID()))
			.getBytes(StandardCharsets.UTF_8), structured("application/cloudevents+json"));

		await().atMost(Duration.ofSeconds(60)).until(() -> notifications(patient).size() == 1);
		ConsumerRecord<byte[], byte[]> bothDead = this.kafka.awaitDeadLetter(REQUESTS, first.partition(),
				first.offset());
		assertThat(TestKafka.text(bothDead, DeadLetterHeaders.EXCEPTION_MESSAGE))
			.contains("Record is not a CloudEvent in structured mode: both data and data_base64");
		assertThat(TestKafka.text(bothDead, DeadLetterHeaders.NON_RETRYABLE)).isEqualTo("true");
		// the record as it was, to be redriven as it was: its value bytes and its content-type
		assertThat(bothDead.value()).isEqualTo(both);
		assertThat(TestKafka.text(bothDead, "content-type")).isEqualTo("application/cloudevents+json");
		assertThat(TestKafka.text(this.kafka.awaitDeadLetter(REQUESTS, second.partition(), second.offset()),
				DeadLetterHeaders.EXCEPTION_MESSAGE))
			.contains("Record is not a CloudEvent in structured mode: the value is not JSON");
		assertThat(TestKafka.text(this.kafka.awaitDeadLetter(REQUESTS, third.partition(), third.offset()),
				DeadLetterHeaders.EXCEPTION_MESSAGE))
			.contains("Record is not a CloudEvent in structured mode: no source attribute");
		assertThat(TestKafka.text(this.kafka.awaitDeadLetter(REQUESTS, fourth.partition(), fourth.offset()),
				DeadLetterHeaders.EXCEPTION_MESSAGE))
			.contains("Unknown notification type 'no-such-notice'");
	}

	private static Header structured(String contentType) {
		return new RecordHeader("content-type", contentType.getBytes(StandardCharsets.UTF_8));
	}

	@Test
	void keepsARequestForAnUnknownPatientWaitingForTheContact() {
		String patientId = "P-" + UUID.randomUUID();
		this.kafka.send(REQUESTS, NotificationRequested.TYPE, patientId, request(patientId, null, null));
		JsonNode notification = await().atMost(Duration.ofSeconds(60))
			.until(() -> this.api.json(this.api.get("/api/v1/patients/" + patientId + "/notifications",
					this.api.staffToken())), (page) -> page.path("items").size() == 1)
			.path("items")
			.get(0);
		assertThat(notification.path("waitingForContact").asBoolean()).isTrue();
		assertThat(notification.path("reason").asString()).contains("contact details");
	}

	@Test
	void cancelsARequestWaitingForItsTimeByItsIdempotencyKey() {
		Patient patient = this.patients.patient().store();
		NotificationRequested request = request(patient.id(), null, Instant.now().plus(Duration.ofHours(2)));
		this.kafka.send(REQUESTS, NotificationRequested.TYPE, patient.id(), request);
		JsonNode scheduled = await().atMost(Duration.ofSeconds(60))
			.until(() -> notifications(patient), (items) -> items.size() == 1)
			.get(0);
		assertThat(scheduled.path("state").asString()).isEqualTo("SCHEDULED");
		assertThat(scheduled.path("deliveries").get(0).path("nextAttemptAt").asString())
			.isEqualTo(request.notBefore().truncatedTo(ChronoUnit.MICROS).toString());

		this.kafka.send(REQUESTS, NotificationCancelled.TYPE, patient.id(),
				new NotificationCancelled(request.idempotencyKey(), "The booking was cancelled", patient.id()));

		JsonNode cancelled = await().atMost(Duration.ofSeconds(60))
			.until(() -> notifications(patient).get(0), (n) -> n.path("state").asString().equals("CANCELLED"));
		assertThat(cancelled.path("deliveries").get(0).path("reason").asString()).isEqualTo("The booking was cancelled");
		assertThat(providers.smsTo(patient.phone())).isZero();
	}

	@Test
	void aRequestThatComesAfterItsCancellationIsCreatedCancelledAndNeverSent() throws Exception {
		Patient patient = this.patients.patient().store();
		NotificationRequested request = request(patient.id(), null, null);
		// the cancellation first: the request is redriven later, or was made through the API
		this.kafka.send(REQUESTS, NotificationCancelled.TYPE, patient.id(),
				new NotificationCancelled(request.idempotencyKey(), "The booking was cancelled", patient.id()));
		await().atMost(Duration.ofSeconds(60)).until(() -> this.jdbc.queryForObject(
				"SELECT count(*) FROM cancelled_request WHERE idempotency_key = ?", Integer.class,
				request.idempotencyKey()) == 1);

		ResponseEntity<String> created = post("/api/v1/notifications", this.api.token("service"),
				this.json.writeValueAsString(request), null);

		// before: the cancellation was forgotten ("names no notification") and the message sent
		assertThat(created.getStatusCode().value()).isEqualTo(201);
		assertThat(this.api.json(created).path("state").asString()).isEqualTo("CANCELLED");
		assertThat(notifications(patient)).singleElement()
			.satisfies((n) -> assertThat(n.path("deliveries").get(0).path("reason").asString())
				.isEqualTo("The booking was cancelled"));
		assertThat(this.jdbc.queryForObject("SELECT count(*) FROM cancelled_request WHERE idempotency_key = ?",
				Integer.class, request.idempotencyKey())).isZero();
		await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(5))
			.untilAsserted(() -> assertThat(providers.smsTo(patient.phone())).isZero());
	}

	@Test
	void createsANotificationThroughTheApiOnceAndCancelsItByKey() throws Exception {
		Patient patient = this.patients.patient().store();
		String body = this.json.writeValueAsString(request(patient.id(), null, Instant.now().plus(Duration.ofHours(1))));

		ResponseEntity<String> created = post("/api/v1/notifications", this.api.token("service"), body, "req-1");
		assertThat(created.getStatusCode().value()).isEqualTo(201);
		String id = this.api.json(created).path("id").asString();
		assertThat(created.getHeaders().getLocation()).hasToString("/api/v1/notifications/" + id);
		assertThat(this.api.json(created).path("state").asString()).isEqualTo("SCHEDULED");

		ResponseEntity<String> replayed = post("/api/v1/notifications", this.api.token("service"), body, "req-1");
		assertThat(replayed.getStatusCode().value()).isEqualTo(201);
		assertThat(replayed.getHeaders().getFirst("Idempotent-Replayed")).isEqualTo("true");
		ResponseEntity<String> again = post("/api/v1/notifications", this.api.token("service"), body, null);
		assertThat(again.getStatusCode().value()).isEqualTo(200);
		assertThat(this.api.json(again).path("id").asString()).isEqualTo(id);

		String key = this.json.readTree(body).path("idempotencyKey").asString();
		ResponseEntity<String> cancelled = post("/api/v1/notifications/cancel", this.api.staffToken(),
				"{\"idempotencyKey\":\"" + key + "\",\"reason\":\"Booking cancelled at the desk\"}", null);
		assertThat(cancelled.getStatusCode().value()).isEqualTo(200);
		assertThat(this.api.json(cancelled).path("state").asString()).isEqualTo("CANCELLED");
		assertThat(post("/api/v1/notifications/cancel", this.api.token("service"),
				"{\"idempotencyKey\":\"no-such-key\"}", null).getStatusCode().value()).isEqualTo(404);
	}

	@Test
	void refusesAKeyTakenByAnotherPatientsNotificationAndNeverShowsThatNotification() throws Exception {
		Patient ada = this.patients.patient().store();
		Patient grace = this.patients.patient().store();
		NotificationRequested forAda = request(ada.id(), null, Instant.now().plus(Duration.ofHours(1)));
		assertThat(post("/api/v1/notifications", this.api.token("service"), this.json.writeValueAsString(forAda), null)
			.getStatusCode()
			.value()).isEqualTo(201);
		NotificationRequested forGrace = new NotificationRequested(grace.id(), forAda.type(), forAda.parameters(), null,
				Priority.NORMAL, null, forAda.idempotencyKey());

		// before: 200 with Ada's notification (her address and message), and nothing made for Grace
		ResponseEntity<String> taken = post("/api/v1/notifications", this.api.token("service"),
				this.json.writeValueAsString(forGrace), null);
		assertThat(taken.getStatusCode().value()).isEqualTo(409);
		assertThat(taken.getBody()).contains("idempotencyKey is taken").doesNotContain(ada.id());

		// nor may a service ask for one of this service's own answers (a STOP's confirmation)
		ResponseEntity<String> ownType = post("/api/v1/notifications", this.api.token("service"),
				this.json.writeValueAsString(new NotificationRequested(grace.id(), "sms-opt-out-confirmation", Map.of(),
						null, Priority.NORMAL, null, "k-" + UUID.randomUUID())), null);
		assertThat(ownType.getStatusCode().value()).isEqualTo(400);
		assertThat(ownType.getBody()).contains("not sent on request");

		// the same on the topic: dead-lettered with the reason, never dropped without a word
		RecordMetadata sent = this.kafka.send(REQUESTS, NotificationRequested.TYPE, grace.id(), forGrace);
		ConsumerRecord<byte[], byte[]> dead = this.kafka.awaitDeadLetter(REQUESTS, sent.partition(), sent.offset());
		assertThat(TestKafka.text(dead, DeadLetterHeaders.EXCEPTION_MESSAGE)).contains("idempotencyKey is taken");
		assertThat(TestKafka.text(dead, DeadLetterHeaders.NON_RETRYABLE)).isEqualTo("true");
		assertThat(notifications(grace)).isEmpty();
		assertThat(notifications(ada)).hasSize(1);
	}

	@Test
	void refusesAnInvalidOrUnauthorisedSendWithAProblem() throws Exception {
		Patient patient = this.patients.patient().store();
		String valid = this.json.writeValueAsString(request(patient.id(), null, null));
		assertThat(post("/api/v1/notifications", this.api.staffToken(), valid, null).getStatusCode().value())
			.isEqualTo(403);
		assertThat(post("/api/v1/notifications", this.api.patientToken(patient.id()), valid, null).getStatusCode()
			.value()).isEqualTo(403);

		ResponseEntity<String> unknown = post("/api/v1/notifications", this.api.token("service"),
				this.json.writeValueAsString(new NotificationRequested(patient.id(), "no-such-notice", null, null, null,
						null, "k-" + UUID.randomUUID())),
				null);
		assertThat(unknown.getStatusCode().value()).isEqualTo(400);
		assertThat(unknown.getHeaders().getContentType()).isEqualTo(MediaType.APPLICATION_PROBLEM_JSON);
		assertThat(this.api.json(unknown).path("detail").asString()).contains("no-such-notice");

		ResponseEntity<String> incomplete = post("/api/v1/notifications", this.api.token("service"),
				this.json.writeValueAsString(new NotificationRequested(patient.id(), "booking-confirmed",
						Map.of("startsAt", "Friday 10:00"), null, null, null, "k-" + UUID.randomUUID())),
				null);
		assertThat(incomplete.getStatusCode().value()).isEqualTo(400);
		assertThat(this.api.json(incomplete).path("detail").asString())
			.isEqualTo("Notification type 'booking-confirmed' needs the parameters siteName (its messages show them)");

		// the year 9999 (or 2062 for 2026) would wait SCHEDULED for decades: expiry counts from notBefore
		ResponseEntity<String> decades = post("/api/v1/notifications", this.api.token("service"),
				this.json.writeValueAsString(request(patient.id(), null, Instant.parse("9999-03-09T09:30:00Z"))), null);
		assertThat(decades.getStatusCode().value()).isEqualTo(400);
		assertThat(this.api.json(decades).path("detail").asString())
			.startsWith("notBefore 9999-03-09T09:30:00Z is more than 366 days ahead");
		ResponseEntity<String> inAYear = post("/api/v1/notifications", this.api.token("service"),
				this.json.writeValueAsString(request(patient.id(), null, Instant.now().plus(Duration.ofDays(365)))),
				null);
		assertThat(inAYear.getStatusCode().value()).isEqualTo(201);

		ResponseEntity<String> invalid = post("/api/v1/notifications", this.api.token("service"),
				"{\"patientId\":\"" + patient.id() + "\",\"type\":\"Appointment Reminder\"}", null);
		assertThat(invalid.getStatusCode().value()).isEqualTo(400);
		assertThat(this.api.json(invalid).path("errors").valueStream().map((e) -> e.path("field").asString()))
			.contains("type", "idempotencyKey");
	}

	@Test
	void refusesARequestWithMoreParametersThanABatchOrReminderMayHave() throws Exception {
		// batches and reminder rules take at most 50; a request took any number (5,000 of them, 560 KB, were stored
		// and rendered for one notice)
		Patient patient = this.patients.patient().store();
		Map<String, String> parameters = new java.util.HashMap<>(Map.of("siteName", "North Lab", "startsAt", "Monday"));
		for (int i = 0; parameters.size() < 51; i++) {
			parameters.put("extra" + i, "x");
		}
		ResponseEntity<String> many = post("/api/v1/notifications", this.api.token("service"),
				this.json.writeValueAsString(new NotificationRequested(patient.id(), "appointment-reminder", parameters,
						null, null, null, "k-" + UUID.randomUUID())),
				null);
		assertThat(many.getStatusCode().value()).isEqualTo(400);
		assertThat(this.api.json(many).path("errors").valueStream().map((e) -> e.path("field").asString()))
			.containsExactly("parameters");
		assertThat(notifications(patient)).isEmpty();

		parameters.remove("extra0");
		ResponseEntity<String> fifty = post("/api/v1/notifications", this.api.token("service"),
				this.json.writeValueAsString(new NotificationRequested(patient.id(), "appointment-reminder", parameters,
						null, null, null, "k-" + UUID.randomUUID())),
				null);
		assertThat(fifty.getStatusCode().value()).isEqualTo(201);
	}

	private ResponseEntity<String> post(String path, String token, String body, String idempotencyKey) {
		RestClient.RequestBodySpec request = RestClient.builder()
			.defaultStatusHandler(HttpStatusCode::isError, (req, res) -> {
			})
			.build()
			.post()
			.uri("http://127.0.0.1:" + this.port + path)
			.header("Authorization", "Bearer " + token)
			.contentType(MediaType.APPLICATION_JSON);
		if (idempotencyKey != null) {
			request.header("Idempotency-Key", idempotencyKey);
		}
		return request.body(body).retrieve().toEntity(String.class);
	}

	private JsonNode notifications(Patient patient) {
		return this.api
			.json(this.api.get("/api/v1/patients/" + patient.id() + "/notifications", this.api.staffToken()))
			.path("items");
	}

	private static JsonNode delivery(JsonNode notification, String channel) {
		return notification.path("deliveries")
			.valueStream()
			.filter((d) -> d.path("channel").asString().equals(channel))
			.findFirst()
			.orElseThrow(() -> new AssertionError("No " + channel + " delivery in " + notification));
	}

	/** Appointment reminders' deliveries on the channel counted as entering UNDELIVERABLE. */
	private double undeliverable(String channel) {
		Counter counter = this.meters.find("notification.notifications")
			.tags("type", "appointment-reminder", "channel", channel, "status", "undeliverable")
			.counter();
		return (counter != null) ? counter.count() : 0;
	}

	private static NotificationRequested request(String patientId, List<Channel> channels, Instant notBefore) {
		return new NotificationRequested(patientId, "appointment-reminder",
				Map.of("siteName", "North Lab", "startsAt", "Monday 9 March, 9:30"), channels, Priority.NORMAL,
				notBefore, "booking:" + UUID.randomUUID() + ":reminder-24h");
	}

}
