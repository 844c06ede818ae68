package org.patientplatform.booking.bookings;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.patientplatform.booking.BookingQueueIntegrationTest;
import org.patientplatform.booking.TestClients;
import org.patientplatform.kit.events.PlatformEvents;
import org.patientplatform.local.infra.LocalSigningKey;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.core.ParameterizedTypeReference;
import org.springframework.http.MediaType;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.transaction.support.TransactionTemplate;
import org.springframework.web.client.RestClient;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * What the service publishes, read with a real consumer from the test broker: one BookingConfirmed per booking
 * that got a place and one BookingCancelled per API cancellation on {@code booking.events.v1} (key: site id),
 * one NotificationRequested per change on {@code notification.requests.v1} (key: patient id) for a patient
 * service id; nothing for a rejected request or a rolled-back change; nothing again for a redelivered or resent
 * request, or for the service's own cancellation read back from the topic. "Nothing more" on Kafka is checked
 * after a later marker of the same key (same partition, published after it by the outbox's id order) has
 * arrived; "nothing" in the outbox, the only thing the relay publishes, once the change has committed.
 */
@BookingQueueIntegrationTest
class BookingAnnouncementsIntegrationTests {

	static final String REQUESTS_TOPIC = "notification.requests.v1";

	static final String SOURCE = "urn:patient-platform:booking-queue-service";

	static final String CONSUMER_GROUP = "booking-queue-service.spc-booking-topic--consumer";

	private static final AtomicInteger minutes = new AtomicInteger();

	@Autowired
	PlatformEvents events;

	@Autowired
	LocalSigningKey signingKey;

	@Autowired
	JdbcTemplate jdbc;

	@Autowired
	TransactionTemplate transactions;

	@Autowired
	BookingDesk desk;

	@Value("${spring.kafka.bootstrap-servers}")
	String bootstrapServers;

	@LocalServerPort
	int port;

	final JsonMapper json = JsonMapper.builder().build();

	final List<ConsumerRecord<byte[], byte[]>> published = new ArrayList<>();

	KafkaProducer<byte[], byte[]> producer;

	KafkaConsumer<byte[], byte[]> consumer;

	RestClient staff;

	String site;

	String patient;

	@BeforeEach
	void setUp() {
		this.producer = TestClients.producer(this.bootstrapServers);
		this.consumer = TestClients.consumer(this.bootstrapServers);
		this.consumer.subscribe(List.of(TestClients.EVENTS_TOPIC, REQUESTS_TOPIC));
		this.staff = TestClients.api(this.port, TestClients.staff(this.signingKey));
		this.site = "site-pub-" + UUID.randomUUID().toString().substring(0, 8);
		this.patient = UUID.randomUUID().toString();
	}

	@AfterEach
	void tearDown() {
		this.producer.close();
		this.consumer.close();
	}

	@Test
	void publishesOneBookingConfirmedAndOneNotificationRequestAfterAnApiBooking() throws Exception {
		Instant startsAt = nextStart();
		UUID slot = TestClients.createSlot(this.staff, this.site, startsAt, 3);
		UUID booking = book(slot, this.patient);
		UUID marker = book(newSlot(), this.patient);
		awaitMarker(marker);

		ConsumerRecord<byte[], byte[]> confirmed = single(onTopic(TestClients.EVENTS_TOPIC, booking));
		assertThat(new String(confirmed.key(), StandardCharsets.UTF_8)).isEqualTo(this.site);
		assertThat(header(confirmed, "ce_type")).isEqualTo(BookingConfirmed.TYPE);
		assertThat(header(confirmed, "ce_source")).isEqualTo(SOURCE);
		assertThat(header(confirmed, "ce_subject")).isEqualTo(this.site);
		assertThat(header(confirmed, "ce_specversion")).isEqualTo("1.0");
		assertThat(header(confirmed, "content-type")).isEqualTo("application/json");
		assertThat(headerNames(confirmed)).containsAll(documentedHeaders(BookingConfirmed.TYPE));
		BookingConfirmed event = this.events.read(confirmed, BookingConfirmed.TYPE, BookingConfirmed.class).data();
		assertThat(event.bookingId()).isEqualTo(booking);
		assertThat(event.siteId()).isEqualTo(this.site);
		assertThat(event.slotId()).isEqualTo(slot);
		assertThat(event.patientId()).isEqualTo(this.patient);
		assertThat(event.startsAt()).isEqualTo(startsAt);
		assertThat(event.confirmedAt()).isNotNull();

		ConsumerRecord<byte[], byte[]> request = single(onTopic(REQUESTS_TOPIC, booking));
		assertThat(new String(request.key(), StandardCharsets.UTF_8)).isEqualTo(this.patient);
		assertThat(header(request, "ce_type")).isEqualTo("notification.NotificationRequested.v1");
		assertThat(header(request, "ce_source")).isEqualTo(SOURCE);
		assertThat(header(request, "ce_subject")).isEqualTo(this.patient);
		JsonNode data = this.json.readTree(request.value());
		JsonNode example = this.json.readTree(Files.readString(Path.of("..", "docs", "events",
				"notification.NotificationRequested.v1.booking-confirmed.json")));
		assertThat(data.propertyNames()).containsExactlyInAnyOrderElementsOf(example.propertyNames());
		assertThat(data.get("patientId").asString()).isEqualTo(this.patient);
		assertThat(data.get("type").asString()).isEqualTo("booking-confirmed");
		assertThat(data.get("idempotencyKey").asString()).isEqualTo("booking:" + booking + ":confirmed");
		assertThat(data.get("parameters").get("siteName").asString()).isEqualTo(this.site);
		assertThat(data.get("parameters").get("startsAt").asString())
			.isEqualTo(startsAt.toString().substring(0, 16).replace('T', ' ') + " UTC");
	}

	@Test
	void publishesOneBookingCancelledForAnApiCancellationAndNothingWhenItReadsItBack() throws Exception {
		UUID booking = book(newSlot(), this.patient);
		for (int i = 0; i < 2; i++) { // cancelling is repeatable; the second changes nothing
			assertThat(this.staff.delete().uri("/api/v1/bookings/{id}", booking).retrieve().toBodilessEntity()
				.getStatusCode().value()).isEqualTo(200);
		}
		String cancellation = this.jdbc.queryForObject("SELECT event_id FROM outbox_event WHERE event_type = ? "
				+ "AND convert_from(data, 'UTF8') LIKE ?", String.class, BookingCancelled.TYPE, "%" + booking + "%");
		// the service's own consumer has read its cancellation back (and applied it: a booking already cancelled)
		await().atMost(Duration.ofSeconds(30)).until(() -> this.jdbc.queryForObject(
				"SELECT count(*) FROM processed_message WHERE consumer_group = ? AND source = ? AND event_id = ?",
				Integer.class, CONSUMER_GROUP, SOURCE, cancellation) == 1);
		assertThat(outboxTypes(booking)).containsExactlyInAnyOrder(BookingConfirmed.TYPE, BookingCancelled.TYPE,
				"notification.NotificationRequested.v1", "notification.NotificationCancelled.v1",
				"notification.NotificationRequested.v1");
		UUID marker = book(newSlot(), this.patient);
		awaitMarker(marker);

		ConsumerRecord<byte[], byte[]> cancelled = single(
				onTopic(TestClients.EVENTS_TOPIC, booking).stream().filter(type(BookingCancelled.TYPE)).toList());
		assertThat(new String(cancelled.key(), StandardCharsets.UTF_8)).isEqualTo(this.site);
		assertThat(header(cancelled, "ce_source")).isEqualTo(SOURCE);
		assertThat(header(cancelled, "ce_subject")).isEqualTo(this.site);
		BookingCancelled event = this.events.read(cancelled, BookingCancelled.TYPE, BookingCancelled.class).data();
		assertThat(event.bookingId()).isEqualTo(booking);
		assertThat(event.siteId()).isEqualTo(this.site);
		assertThat(event.reason()).isEqualTo("Cancelled by staff.");
		assertThat(onTopic(TestClients.EVENTS_TOPIC, booking)).hasSize(2);
		// the confirmation's notice is withdrawn before the cancellation's is asked for, on the patient's partition
		// (a patient who books and cancels at once is not told "confirmed" after the fact)
		assertThat(onTopic(REQUESTS_TOPIC, booking)).extracting((r) -> header(r, "ce_type") + " "
				+ this.json.readTree(r.value()).get("idempotencyKey").asString())
			.containsExactly("notification.NotificationRequested.v1 booking:" + booking + ":confirmed",
					"notification.NotificationCancelled.v1 booking:" + booking + ":confirmed",
					"notification.NotificationRequested.v1 booking:" + booking + ":cancelled");
		ConsumerRecord<byte[], byte[]> withdrawal = onTopic(REQUESTS_TOPIC, booking).get(1);
		assertThat(new String(withdrawal.key(), StandardCharsets.UTF_8)).isEqualTo(this.patient);
		assertThat(this.json.readTree(withdrawal.value()).get("patientId").asString()).isEqualTo(this.patient);
		assertThat(this.json.readTree(withdrawal.value()).get("reason").asString())
			.isEqualTo("The booking was cancelled");
		assertThat(bookingStatus(booking)).isEqualTo("CANCELLED");
	}

	@Test
	void publishesNothingForARejectedApiBooking() {
		UUID slot = newSlot(1);
		book(slot, this.patient);
		String other = UUID.randomUUID().toString();
		var rejected = this.staff.post()
			.uri("/api/v1/bookings")
			.contentType(MediaType.APPLICATION_JSON)
			.body(Map.of("slotId", slot, "patientId", other))
			.retrieve()
			.toEntity(String.class);
		assertThat(rejected.getStatusCode().value()).isEqualTo(409);
		assertThat(this.jdbc.queryForObject("SELECT count(*) FROM outbox_event WHERE subject = ?", Integer.class,
				this.site)).isOne();
		assertThat(this.jdbc.queryForObject("SELECT count(*) FROM outbox_event WHERE record_key = ?", Integer.class,
				other)).isZero();
	}

	@Test
	void publishesNothingWhenTheBookingsTransactionRollsBack() {
		UUID slot = newSlot();
		BookingAttempt attempt = this.transactions.execute((status) -> {
			BookingAttempt made = this.desk.book(slot, this.patient);
			status.setRollbackOnly();
			return made;
		});
		assertThat(attempt).isInstanceOf(BookingAttempt.Confirmed.class);
		UUID booking = ((BookingAttempt.Confirmed) attempt).booking().id();
		assertThat(this.jdbc.queryForObject("SELECT count(*) FROM booking WHERE id = ?", Integer.class, booking))
			.isZero();
		assertThat(outboxTypes(booking)).isEmpty();
		assertThat(this.jdbc.queryForObject("SELECT count(*) FROM outbox_event WHERE subject IN (?, ?)",
				Integer.class, this.site, this.patient)).isZero();

		UUID committed = this.transactions.execute((status) -> ((BookingAttempt.Confirmed) this.desk.book(slot,
				this.patient)).booking().id());
		assertThat(outboxTypes(committed)).containsExactlyInAnyOrder(BookingConfirmed.TYPE,
				"notification.NotificationRequested.v1");
	}

	@Test
	void confirmsARequestFromTheTopicOnceHoweverOftenItIsDelivered() throws Exception {
		UUID slot = newSlot();
		UUID booking = UUID.randomUUID();
		ProducerRecord<byte[], byte[]> record = TestClients.event(this.events, BookingRequested.TYPE, this.site,
				new BookingRequested(booking, this.site, slot, this.patient, now()));
		this.producer.send(record).get();
		this.producer.send(record).get(); // redelivered: the same event
		// resent: the same request under another event id
		send(BookingRequested.TYPE, new BookingRequested(booking, this.site, slot, this.patient, now()));
		UUID marker = UUID.randomUUID();
		send(BookingRequested.TYPE, new BookingRequested(marker, this.site, newSlot(), this.patient, now()));
		awaitMarker(marker);

		assertThat(outboxTypes(booking)).containsExactlyInAnyOrder(BookingConfirmed.TYPE,
				"notification.NotificationRequested.v1");
		ConsumerRecord<byte[], byte[]> confirmed = single(onTopic(TestClients.EVENTS_TOPIC, booking).stream()
			.filter(type(BookingConfirmed.TYPE))
			.toList());
		assertThat(new String(confirmed.key(), StandardCharsets.UTF_8)).isEqualTo(this.site);
		assertThat(header(confirmed, "ce_subject")).isEqualTo(this.site);
		assertThat(this.events.read(confirmed, BookingConfirmed.TYPE, BookingConfirmed.class).data().slotId())
			.isEqualTo(slot);
		assertThat(single(onTopic(REQUESTS_TOPIC, booking)).key()).asString(StandardCharsets.UTF_8)
			.isEqualTo(this.patient);
	}

	@Test
	void tellsThePatientOfACancellationFromTheTopicWithoutPublishingItAgain() throws Exception {
		UUID booking = book(newSlot(), this.patient);
		for (int i = 0; i < 2; i++) { // the second: another producer's resend, the booking already cancelled
			send(BookingCancelled.TYPE,
					new BookingCancelled(booking, this.site, now(), "Patient cancelled by phone"));
		}
		// a request after them on the site's partition: once it is confirmed, both cancellations were applied
		UUID topicMarker = UUID.randomUUID();
		send(BookingRequested.TYPE, new BookingRequested(topicMarker, this.site, newSlot(), this.patient, now()));
		awaitMarker(topicMarker);

		assertThat(outboxTypes(booking)).containsExactlyInAnyOrder(BookingConfirmed.TYPE,
				"notification.NotificationRequested.v1", "notification.NotificationCancelled.v1",
				"notification.NotificationRequested.v1");
		assertThat(onTopic(TestClients.EVENTS_TOPIC, booking).stream().filter(type(BookingCancelled.TYPE))
			.filter((r) -> SOURCE.equals(header(r, "ce_source")))
			.toList()).hasSize(2); // the two the test sent, none of the service's own
		assertThat(onTopic(REQUESTS_TOPIC, booking)).extracting((r) -> this.json.readTree(r.value())
			.get("idempotencyKey")
			.asString())
			.containsExactlyInAnyOrder("booking:" + booking + ":confirmed", "booking:" + booking + ":confirmed",
					"booking:" + booking + ":cancelled");
	}

	@Test
	void publishesTheConfirmationButAsksForNoNotificationForAFreeTextPatientId() throws Exception {
		UUID booking = UUID.randomUUID();
		send(BookingRequested.TYPE, new BookingRequested(booking, this.site, newSlot(), "P-000123", now()));
		awaitMarker(booking);
		assertThat(outboxTypes(booking)).containsExactly(BookingConfirmed.TYPE);
		ConsumerRecord<byte[], byte[]> confirmed = single(onTopic(TestClients.EVENTS_TOPIC, booking).stream()
			.filter(type(BookingConfirmed.TYPE))
			.toList());
		assertThat(this.events.read(confirmed, BookingConfirmed.TYPE, BookingConfirmed.class).data().patientId())
			.isEqualTo("P-000123");
		assertThat(onTopic(REQUESTS_TOPIC, booking)).isEmpty();
	}

	@Test
	void publishesNothingForARejectedRequestFromTheTopic() throws Exception {
		UUID slot = newSlot(1);
		book(slot, UUID.randomUUID().toString());
		UUID booking = UUID.randomUUID();
		send(BookingRequested.TYPE, new BookingRequested(booking, this.site, slot, this.patient, now()));
		await().atMost(Duration.ofSeconds(30)).until(() -> "REJECTED_FULL".equals(bookingStatus(booking)));
		assertThat(outboxTypes(booking)).isEmpty();
		assertThat(this.jdbc.queryForObject("SELECT count(*) FROM outbox_event WHERE record_key = ?", Integer.class,
				this.patient)).isZero();
	}

	private UUID book(UUID slot, String patientId) {
		var response = this.staff.post()
			.uri("/api/v1/bookings")
			.contentType(MediaType.APPLICATION_JSON)
			.body(Map.of("slotId", slot, "patientId", patientId))
			.retrieve()
			.toEntity(new ParameterizedTypeReference<Map<String, Object>>() {
			});
		assertThat(response.getStatusCode().value()).isEqualTo(201);
		return UUID.fromString(response.getBody().get("id").toString());
	}

	private String bookingStatus(UUID booking) {
		List<String> status = this.jdbc.queryForList("SELECT status FROM booking WHERE id = ?", String.class, booking);
		return status.isEmpty() ? "" : status.getFirst();
	}

	private List<String> outboxTypes(UUID booking) {
		return this.jdbc.queryForList("SELECT event_type FROM outbox_event WHERE convert_from(data, 'UTF8') LIKE ?",
				String.class, "%" + booking + "%");
	}

	/** Polls until the marker's BookingConfirmed is on the booking topic. */
	private void awaitMarker(UUID marker) {
		await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
			this.consumer.poll(Duration.ofMillis(200)).forEach(this.published::add);
			assertThat(onTopic(TestClients.EVENTS_TOPIC, marker)).filteredOn(type(BookingConfirmed.TYPE))
				.isNotEmpty();
		});
	}

	/** The records read so far on the topic whose data names the booking. */
	private List<ConsumerRecord<byte[], byte[]>> onTopic(String topic, UUID booking) {
		return this.published.stream()
			.filter((record) -> record.topic().equals(topic))
			.filter((record) -> new String(record.value(), StandardCharsets.UTF_8).contains(booking.toString()))
			.toList();
	}

	private static ConsumerRecord<byte[], byte[]> single(List<ConsumerRecord<byte[], byte[]>> records) {
		assertThat(records).hasSize(1);
		return records.getFirst();
	}

	private static Predicate<ConsumerRecord<byte[], byte[]>> type(String type) {
		return (record) -> type.equals(header(record, "ce_type"));
	}

	private static String header(ConsumerRecord<byte[], byte[]> record, String name) {
		Header header = record.headers().lastHeader(name);
		return (header != null) ? new String(header.value(), StandardCharsets.UTF_8) : null;
	}

	private static Set<String> headerNames(ConsumerRecord<byte[], byte[]> record) {
		Set<String> names = new TreeSet<>();
		record.headers().forEach((header) -> names.add(header.key()));
		return names;
	}

	private Set<String> documentedHeaders(String type) throws Exception {
		return new TreeSet<>(this.json.readTree(Files.readString(Path.of("..", "docs", "events", type + ".headers.json")))
			.propertyNames());
	}

	private void send(String type, Object data) throws Exception {
		this.producer.send(TestClients.event(this.events, type, this.site, data)).get();
	}

	private UUID newSlot() {
		return newSlot(3);
	}

	private UUID newSlot(int capacity) {
		return TestClients.createSlot(this.staff, this.site, nextStart(), capacity);
	}

	private static Instant nextStart() {
		return Instant.parse("2033-01-01T08:00:00Z").plusSeconds(60L * minutes.incrementAndGet());
	}

	private static Instant now() {
		return Instant.now().truncatedTo(ChronoUnit.MILLIS);
	}

}
