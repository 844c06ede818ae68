package org.patientplatform.booking.bookings;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.header.Header;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.patientplatform.booking.BookingQueueIntegrationTest;
import org.patientplatform.booking.TestClients;
import org.patientplatform.kit.events.PlatformEvents;
import org.patientplatform.kit.kafka.DeadLetterHeaders;
import org.patientplatform.local.infra.LocalSigningKey;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.core.ParameterizedTypeReference;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.web.client.RestClient;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

@BookingQueueIntegrationTest
class BookingEventsIntegrationTests {

	private static final AtomicInteger minutes = new AtomicInteger();

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

	KafkaProducer<byte[], byte[]> producer;

	RestClient staff;

	@BeforeEach
	void setUp() {
		this.producer = TestClients.producer(this.bootstrapServers);
		this.staff = TestClients.api(this.port, TestClients.staff(this.signingKey));
	}

	@AfterEach
	void tearDown() {
		this.producer.close();
	}

	@Test
	void confirmsARequestedBookingAndServesItThroughTheApi() throws Exception {
		UUID slotId = newSlot("site-walk", 2);
		UUID bookingId = UUID.randomUUID();
		Instant requestedAt = Instant.parse("2026-03-02T08:15:00Z");
		send(BookingRequested.TYPE, "site-walk", new BookingRequested(bookingId, "site-walk", slotId, "P-walk",
				requestedAt));

		Map<String, Object> booking = awaitBooking(bookingId);
		assertThat(booking).containsEntry("id", bookingId.toString())
			.containsEntry("status", "CONFIRMED")
			.containsEntry("slotId", slotId.toString())
			.containsEntry("siteId", "site-walk")
			.containsEntry("patientId", "P-walk")
			.containsEntry("requestedAt", "2026-03-02T08:15:00Z");
	}

	@Test
	void appliesARedeliveredEventOnce() throws Exception {
		UUID slotId = newSlot("site-redeliver", 3);
		UUID bookingId = UUID.randomUUID();
		ProducerRecord<byte[], byte[]> record = TestClients.event(this.events, BookingRequested.TYPE, "site-redeliver",
				new BookingRequested(bookingId, "site-redeliver", slotId, "P-again", now()));
		this.producer.send(record).get();
		this.producer.send(record).get();
		// the same request again under a new event id: the booking id makes it a no-op as well
		send(BookingRequested.TYPE, "site-redeliver",
				new BookingRequested(bookingId, "site-redeliver", slotId, "P-again", now()));
		// a later record on the same partition: once it is applied, so are the three before it
		UUID marker = UUID.randomUUID();
		send(BookingRequested.TYPE, "site-redeliver",
				new BookingRequested(marker, "site-redeliver", slotId, "P-marker", now()));
		awaitBooking(marker);

		assertThat(this.jdbc.queryForObject("SELECT count(*) FROM booking WHERE slot_id = ? AND patient_id = 'P-again'",
				Integer.class, slotId))
			.isEqualTo(1);
		assertThat(this.jdbc.queryForObject("SELECT count(*) FROM booking WHERE slot_id = ? AND place_no IS NOT NULL",
				Integer.class, slotId))
			.isEqualTo(2);
		String eventId = new String(record.headers().lastHeader("ce_id").value(), StandardCharsets.UTF_8);
		assertThat(this.jdbc.queryForObject("SELECT count(*) FROM processed_message WHERE event_id = ? "
				+ "AND consumer_group = 'booking-queue-service.spc-booking-topic--consumer'", Integer.class, eventId))
			.isEqualTo(1);
	}

	@Test
	void deadLettersARequestReusingABookingIdOfAnotherPatientOrSlotInsteadOfDroppingIt() throws Exception {
		UUID slotId = newSlot("site-reused", 3);
		UUID otherSlot = newSlot("site-reused", 3);
		UUID bookingId = UUID.randomUUID();
		send(BookingRequested.TYPE, "site-reused",
				new BookingRequested(bookingId, "site-reused", slotId, "P-first", now()));
		assertThat(awaitBooking(bookingId)).containsEntry("patientId", "P-first");

		// a producer's bug gives another patient's request the same booking id: before, it was skipped as a
		// redelivery, with a debug line only, and that patient believed they were booked
		RecordMetadata otherPatient = send(BookingRequested.TYPE, "site-reused",
				new BookingRequested(bookingId, "site-reused", slotId, "P-second", now()));
		RecordMetadata otherSlotSent = send(BookingRequested.TYPE, "site-reused",
				new BookingRequested(bookingId, "site-reused", otherSlot, "P-first", now()));

		for (RecordMetadata sent : List.of(otherPatient, otherSlotSent)) {
			ConsumerRecord<byte[], byte[]> deadLetter = awaitDeadLetter(sent);
			assertThat(new String(header(deadLetter, DeadLetterHeaders.EXCEPTION_MESSAGE), StandardCharsets.UTF_8))
				.contains("already recorded for another");
			assertThat(new String(header(deadLetter, DeadLetterHeaders.NON_RETRYABLE), StandardCharsets.UTF_8))
				.isEqualTo("true");
		}
		assertThat(awaitBooking(bookingId)).containsEntry("patientId", "P-first")
			.containsEntry("slotId", slotId.toString())
			.containsEntry("status", "CONFIRMED");
	}

	@Test
	void anotherProducersEventWithTheSameIdIsNoDuplicate() throws Exception {
		// CloudEvents makes ce_source and ce_id unique together: the front desk and the online portal may both
		// number their events from 1, and the second was dropped as a duplicate of the first
		UUID slotId = newSlot("site-two-sources", 3);
		UUID first = UUID.randomUUID();
		UUID second = UUID.randomUUID();
		ProducerRecord<byte[], byte[]> record = TestClients.event(this.events, BookingRequested.TYPE, "site-two-sources",
				new BookingRequested(first, "site-two-sources", slotId, "P-desk", now()));
		this.producer.send(record).get();
		ProducerRecord<byte[], byte[]> other = TestClients.event(this.events, BookingRequested.TYPE, "site-two-sources",
				new BookingRequested(second, "site-two-sources", slotId, "P-portal", now()));
		other.headers().remove("ce_id").remove("ce_source");
		other.headers()
			.add("ce_id", record.headers().lastHeader("ce_id").value())
			.add("ce_source", "urn:example:online-portal".getBytes(StandardCharsets.UTF_8));
		this.producer.send(other).get();

		assertThat(awaitBooking(first)).containsEntry("patientId", "P-desk");
		assertThat(awaitBooking(second)).containsEntry("patientId", "P-portal");
	}

	@Test
	void appliesEventsWrittenInCloudEventsStructuredModeOnce() throws Exception {
		// another client writing the JSON event format by hand (a CloudEvents SDK in structured mode, kcat); before,
		// each was dead-lettered as no CloudEvent in binary mode
		UUID slotId = newSlot("site-structured", 1);
		UUID bookingId = UUID.randomUUID();
		String requestId = UUID.randomUUID().toString();
		byte[] request = """
				{"specversion":"1.0","id":"%s","source":"urn:example:front-desk","type":"%s","subject":"site-structured",
				 "time":"%s","datacontenttype":"application/json",
				 "data":{"bookingId":"%s","siteId":"site-structured","slotId":"%s","patientId":"P-structured",
				         "requestedAt":"%s"}}"""
			.formatted(requestId, BookingRequested.TYPE, now(), bookingId, slotId, now())
			.getBytes(StandardCharsets.UTF_8);
		sendStructured("site-structured", request, "application/cloudevents+json; charset=UTF-8");
		sendStructured("site-structured", request, "application/cloudevents+json");
		assertThat(awaitBooking(bookingId, "CONFIRMED"))
			.containsEntry("patientId", "P-structured");
		// a type it does not consume is skipped, and one it does not know is dead-lettered, in this mode as in the other
		sendStructured("site-structured", """
				{"specversion":"1.0","id":"%s","source":"urn:example:front-desk","type":"%s",
				 "data":{"bookingId":"%s"}}""".formatted(UUID.randomUUID(), BookingConfirmed.TYPE, bookingId)
			.getBytes(StandardCharsets.UTF_8), "application/cloudevents+json");
		RecordMetadata unknown = sendStructured("site-structured", """
				{"specversion":"1.0","id":"%s","source":"urn:example:front-desk","type":"booking.BookingMoved.v1",
				 "data":{"bookingId":"%s"}}""".formatted(UUID.randomUUID(), bookingId).getBytes(StandardCharsets.UTF_8),
				"application/cloudevents+json");
		String cancellation = Base64.getEncoder().encodeToString("""
				{"bookingId":"%s","siteId":"site-structured","cancelledAt":"%s","reason":"Patient cancelled by phone"}"""
			.formatted(bookingId, now())
			.getBytes(StandardCharsets.UTF_8));
		sendStructured("site-structured", """
				{"specversion":"1.0","id":"%s","source":"urn:example:front-desk","type":"%s","data_base64":"%s"}"""
			.formatted(UUID.randomUUID(), BookingCancelled.TYPE, cancellation)
			.getBytes(StandardCharsets.UTF_8), "application/cloudevents+json");

		awaitBooking(bookingId, "CANCELLED");
		assertThat(new String(header(awaitDeadLetter(unknown), DeadLetterHeaders.EXCEPTION_MESSAGE),
				StandardCharsets.UTF_8))
			.isEqualTo("Unknown event type booking.BookingMoved.v1 on " + TestClients.EVENTS_TOPIC);
		assertThat(this.jdbc.queryForList("SELECT source FROM processed_message WHERE event_id = ? "
				+ "AND consumer_group = 'booking-queue-service.spc-booking-topic--consumer'", String.class, requestId))
			.containsExactly("urn:example:front-desk");
	}

	@Test
	void deadLettersAMalformedStructuredEnvelopeAndGoesOnWithTheNextRecordOfItsPartition() throws Exception {
		UUID slotId = newSlot("site-structured-poison", 2);
		byte[] both = """
				{"specversion":"1.0","id":"e-both","source":"urn:example:front-desk","type":"%s",
				 "data":{"bookingId":"%s"},"data_base64":"e30="}"""
			.formatted(BookingCheckedIn.TYPE, UUID.randomUUID())
			.getBytes(StandardCharsets.UTF_8);
		RecordMetadata poison = sendStructured("site-structured-poison", both, "application/cloudevents+json");
		RecordMetadata version = sendStructured("site-structured-poison", """
				{"specversion":"0.3","id":"e-03","source":"urn:example:front-desk","type":"%s","data":{}}"""
			.formatted(BookingCheckedIn.TYPE)
			.getBytes(StandardCharsets.UTF_8), "application/cloudevents+json");
		UUID bookingId = UUID.randomUUID();
		sendStructured("site-structured-poison", """
				{"specversion":"1.0","id":"%s","source":"urn:example:front-desk","type":"%s",
				 "data":{"bookingId":"%s","siteId":"site-structured-poison","slotId":"%s","patientId":"P-1",
				         "requestedAt":"%s"}}"""
			.formatted(UUID.randomUUID(), BookingRequested.TYPE, bookingId, slotId, now())
			.getBytes(StandardCharsets.UTF_8), "application/cloudevents+json");

		awaitBooking(bookingId, "CONFIRMED");
		ConsumerRecord<byte[], byte[]> deadLetter = awaitDeadLetter(poison);
		assertThat(deadLetter.value()).isEqualTo(both);
		assertThat(header(deadLetter, "content-type"))
			.isEqualTo("application/cloudevents+json".getBytes(StandardCharsets.UTF_8));
		assertThat(new String(header(deadLetter, DeadLetterHeaders.EXCEPTION_MESSAGE), StandardCharsets.UTF_8))
			.isEqualTo("Record is not a CloudEvent in structured mode: both data and data_base64 (an event holds its "
					+ "data in one of them)");
		assertThat(new String(header(deadLetter, DeadLetterHeaders.NON_RETRYABLE), StandardCharsets.UTF_8))
			.isEqualTo("true");
		assertThat(new String(header(awaitDeadLetter(version), DeadLetterHeaders.EXCEPTION_MESSAGE),
				StandardCharsets.UTF_8))
			.isEqualTo("Record is not a CloudEvent in structured mode: specversion 0.3 is not supported (1.0 is)");
	}

	private RecordMetadata sendStructured(String siteId, byte[] value, String contentType) throws Exception {
		ProducerRecord<byte[], byte[]> record = new ProducerRecord<>(TestClients.EVENTS_TOPIC,
				siteId.getBytes(StandardCharsets.UTF_8), value);
		record.headers().add("content-type", contentType.getBytes(StandardCharsets.UTF_8));
		return this.producer.send(record).get();
	}

	@Test
	void rejectsARequestForAFullSlotWithTheReason() throws Exception {
		UUID slotId = newSlot("site-full", 1);
		UUID first = UUID.randomUUID();
		UUID second = UUID.randomUUID();
		send(BookingRequested.TYPE, "site-full", new BookingRequested(first, "site-full", slotId, "P-1", now()));
		send(BookingRequested.TYPE, "site-full", new BookingRequested(second, "site-full", slotId, "P-2", now()));

		assertThat(awaitBooking(second, "REJECTED_FULL"))
			.hasEntrySatisfying("reason", (reason) -> assertThat(reason.toString()).contains("is full"));
		awaitBooking(first, "CONFIRMED");
	}

	@Test
	void rejectsARequestMadeAfterItsSlotStartedAndKeepsOneMadeBefore() throws Exception {
		// a slot ten minutes from now, so the late request's time is within the hour a producer's clock may run
		// ahead (a request dated further ahead, after its slot's start, is refused as invalid)
		Instant startsAt = Instant.now().plus(Duration.ofMinutes(10)).truncatedTo(ChronoUnit.SECONDS);
		UUID slotId = TestClients.createSlot(this.staff, "site-late", startsAt, 2);
		UUID late = UUID.randomUUID();
		UUID early = UUID.randomUUID();
		send(BookingRequested.TYPE, "site-late",
				new BookingRequested(late, "site-late", slotId, "P-late", startsAt.plusSeconds(60)));
		// handled after the late one, but asked for before the slot started
		send(BookingRequested.TYPE, "site-late",
				new BookingRequested(early, "site-late", slotId, "P-early", startsAt.minusSeconds(60)));

		assertThat(awaitBooking(late, "REJECTED_SLOT_STARTED"))
			.hasEntrySatisfying("reason", (reason) -> assertThat(reason.toString()).contains("started at"));
		awaitBooking(early, "CONFIRMED");
	}

	@Test
	void rejectsARequestForAnUnknownSlot() throws Exception {
		UUID bookingId = UUID.randomUUID();
		send(BookingRequested.TYPE, "site-nowhere",
				new BookingRequested(bookingId, "site-nowhere", UUID.randomUUID(), "P-1", now()));
		// no slot, so no start: the member is there, null
		assertThat(awaitBooking(bookingId, "REJECTED_UNKNOWN_SLOT")).containsEntry("startsAt", null);
		// a slot of another site is unknown at this one: its start is not this booking's either
		UUID elsewhere = UUID.randomUUID();
		send(BookingRequested.TYPE, "site-nowhere",
				new BookingRequested(elsewhere, "site-nowhere", newSlot("site-somewhere", 1), "P-1", now()));
		assertThat(awaitBooking(elsewhere, "REJECTED_UNKNOWN_SLOT")).containsEntry("startsAt", null);
	}

	@Test
	void givesThePlaceBackOnACancelledEvent() throws Exception {
		UUID slotId = newSlot("site-cancelled", 1);
		UUID first = UUID.randomUUID();
		send(BookingRequested.TYPE, "site-cancelled",
				new BookingRequested(first, "site-cancelled", slotId, "P-1", now()));
		send(BookingCancelled.TYPE, "site-cancelled",
				new BookingCancelled(first, "site-cancelled", now(), "Patient cancelled by phone"));
		UUID second = UUID.randomUUID();
		send(BookingRequested.TYPE, "site-cancelled",
				new BookingRequested(second, "site-cancelled", slotId, "P-2", now()));

		awaitBooking(second, "CONFIRMED");
		assertThat(awaitBooking(first, "CANCELLED"))
			.containsEntry("reason", "Patient cancelled by phone");
	}

	@Test
	void sendsAPoisonRecordToTheDlqAndGoesOnWithTheNextRecordOfItsPartition() throws Exception {
		UUID slotId = newSlot("site-poison", 2);
		byte[] garbage = "{not json at all".getBytes(StandardCharsets.UTF_8);
		RecordMetadata poison = this.producer
			.send(new ProducerRecord<>(TestClients.EVENTS_TOPIC, "site-poison".getBytes(), garbage))
			.get();
		UUID bookingId = UUID.randomUUID();
		RecordMetadata good = send(BookingRequested.TYPE, "site-poison",
				new BookingRequested(bookingId, "site-poison", slotId, "P-1", now()));
		assertThat(good.partition()).isEqualTo(poison.partition());

		awaitBooking(bookingId, "CONFIRMED");
		ConsumerRecord<byte[], byte[]> deadLetter = awaitDeadLetter(poison);
		assertThat(deadLetter.value()).isEqualTo(garbage);
		assertThat(deadLetter.key()).isEqualTo("site-poison".getBytes());
		assertThat(header(deadLetter, DeadLetterHeaders.ORIGINAL_TOPIC))
			.isEqualTo(TestClients.EVENTS_TOPIC.getBytes(StandardCharsets.UTF_8));
		assertThat(header(deadLetter, DeadLetterHeaders.ORIGINAL_OFFSET)).hasSize(8);
		assertThat(ByteBuffer.wrap(header(deadLetter, DeadLetterHeaders.ORIGINAL_OFFSET)).getLong())
			.isEqualTo(poison.offset());
		assertThat(new String(header(deadLetter, DeadLetterHeaders.SOURCE_ROLE), StandardCharsets.UTF_8))
			.isEqualTo("spc-booking-topic--consumer");
		assertThat(new String(header(deadLetter, DeadLetterHeaders.NON_RETRYABLE), StandardCharsets.UTF_8))
			.isEqualTo("true");
	}

	@Test
	void sendsAnEventAboutAnUnknownBookingToTheDlq() throws Exception {
		RecordMetadata sent = send(BookingCheckedIn.TYPE, "site-unknown",
				new BookingCheckedIn(UUID.randomUUID(), "site-unknown", now()));
		ConsumerRecord<byte[], byte[]> deadLetter = awaitDeadLetter(sent);
		assertThat(new String(header(deadLetter, DeadLetterHeaders.EXCEPTION_FQCN), StandardCharsets.UTF_8))
			.isEqualTo(UnknownBookingException.class.getName());
		// the booking may still come: the DLQ retries it on its policy
		assertThat(new String(header(deadLetter, DeadLetterHeaders.NON_RETRYABLE), StandardCharsets.UTF_8))
			.isEqualTo("false");
	}

	@Test
	void refusesARequestDatedAfterItsSlotAndHoursAheadInsteadOfRejectingItAsTooLate() throws Exception {
		UUID slotId = newSlot("site-ahead", 2);
		UUID bookingId = UUID.randomUUID();

		// dated years ahead, after its slot (which starts in 2032): taken as read, it was asked for too late
		RecordMetadata sent = send(BookingRequested.TYPE, "site-ahead", new BookingRequested(bookingId, "site-ahead",
				slotId, "P-ahead", Instant.parse("2033-01-01T00:00:00Z")));

		ConsumerRecord<byte[], byte[]> deadLetter = awaitDeadLetter(sent);
		assertThat(new String(header(deadLetter, DeadLetterHeaders.EXCEPTION_MESSAGE), StandardCharsets.UTF_8))
			.contains("ahead of this service's clock");
		assertThat(new String(header(deadLetter, DeadLetterHeaders.NON_RETRYABLE), StandardCharsets.UTF_8))
			.isEqualTo("true");
		// before: stored REJECTED_SLOT_STARTED, a reason that was not the one
		assertThat(this.jdbc.queryForObject("SELECT count(*) FROM booking WHERE id = ?", Integer.class, bookingId))
			.isZero();
	}

	@Test
	void refusesACheckInBeforeItsBookingWasAskedForWhichWouldPutThePatientFirst() throws Exception {
		UUID slotId = newSlot("site-early", 2);
		UUID bookingId = UUID.randomUUID();
		Instant requestedAt = Instant.parse("2026-03-02T08:15:00Z");
		send(BookingRequested.TYPE, "site-early",
				new BookingRequested(bookingId, "site-early", slotId, "P-early", requestedAt));
		awaitBooking(bookingId, "CONFIRMED");

		RecordMetadata sent = send(BookingCheckedIn.TYPE, "site-early",
				new BookingCheckedIn(bookingId, "site-early", requestedAt.minus(Duration.ofDays(1))));

		ConsumerRecord<byte[], byte[]> deadLetter = awaitDeadLetter(sent);
		assertThat(new String(header(deadLetter, DeadLetterHeaders.EXCEPTION_MESSAGE), StandardCharsets.UTF_8))
			.contains("is before the booking was asked for");
		assertThat(new String(header(deadLetter, DeadLetterHeaders.NON_RETRYABLE), StandardCharsets.UTF_8))
			.isEqualTo("true");
		awaitBooking(bookingId, "CONFIRMED");
	}

	@Test
	void refusesACheckInDatedHoursAheadWhichWouldPutThePatientBehindEveryoneForGood() throws Exception {
		UUID slotId = newSlot("site-late-typo", 2);
		UUID bookingId = UUID.randomUUID();
		send(BookingRequested.TYPE, "site-late-typo",
				new BookingRequested(bookingId, "site-late-typo", slotId, "P-typo", now()));
		awaitBooking(bookingId, "CONFIRMED");

		// a mistyped year: joined as read, the patient waited behind every check-in of the next decades
		RecordMetadata sent = send(BookingCheckedIn.TYPE, "site-late-typo",
				new BookingCheckedIn(bookingId, "site-late-typo", Instant.parse("2099-01-01T00:00:00Z")));

		ConsumerRecord<byte[], byte[]> deadLetter = awaitDeadLetter(sent);
		assertThat(new String(header(deadLetter, DeadLetterHeaders.EXCEPTION_MESSAGE), StandardCharsets.UTF_8))
			.contains("ahead of this service's clock");
		assertThat(new String(header(deadLetter, DeadLetterHeaders.NON_RETRYABLE), StandardCharsets.UTF_8))
			.isEqualTo("true");
		awaitBooking(bookingId, "CONFIRMED");
		assertThat(this.jdbc.queryForObject("SELECT count(*) FROM queue_entry WHERE booking_id = ?", Integer.class,
				bookingId))
			.isZero();
	}

	@Test
	void refusesANoShowMarkedBeforeItsSlotStartsWhichWouldGiveThePlaceBackEarly() throws Exception {
		UUID slotId = newSlot("site-no-show-early", 1);
		UUID bookingId = UUID.randomUUID();
		send(BookingRequested.TYPE, "site-no-show-early",
				new BookingRequested(bookingId, "site-no-show-early", slotId, "P-early-no-show", now()));
		awaitBooking(bookingId, "CONFIRMED");

		// the slot starts in 2032: applied, the place was free for another patient years before the appointment
		RecordMetadata early = send(BookingNoShow.TYPE, "site-no-show-early",
				new BookingNoShow(bookingId, "site-no-show-early", now()));
		// after the slot's start by its own date, but the producer's clock is years ahead of this service's
		RecordMetadata ahead = send(BookingNoShow.TYPE, "site-no-show-early",
				new BookingNoShow(bookingId, "site-no-show-early", Instant.parse("2099-01-01T00:00:00Z")));

		ConsumerRecord<byte[], byte[]> deadLetter = awaitDeadLetter(early);
		assertThat(new String(header(deadLetter, DeadLetterHeaders.EXCEPTION_MESSAGE), StandardCharsets.UTF_8))
			.contains("is before its slot starts")
			.contains("a patient is a no-show only once the slot has started");
		assertThat(new String(header(deadLetter, DeadLetterHeaders.NON_RETRYABLE), StandardCharsets.UTF_8))
			.isEqualTo("true");
		ConsumerRecord<byte[], byte[]> aheadLetter = awaitDeadLetter(ahead);
		assertThat(new String(header(aheadLetter, DeadLetterHeaders.EXCEPTION_MESSAGE), StandardCharsets.UTF_8))
			.contains("ahead of this service's clock");
		assertThat(new String(header(aheadLetter, DeadLetterHeaders.NON_RETRYABLE), StandardCharsets.UTF_8))
			.isEqualTo("true");
		awaitBooking(bookingId, "CONFIRMED");
		assertThat(this.jdbc.queryForObject("SELECT place_no FROM booking WHERE id = ?", Integer.class, bookingId))
			.isEqualTo(1);
	}

	private RecordMetadata send(String type, String siteId, Object data) throws Exception {
		return this.producer.send(TestClients.event(this.events, type, siteId, data)).get();
	}

	private Map<String, Object> awaitBooking(UUID bookingId) {
		AtomicReference<Map<String, Object>> body = new AtomicReference<>();
		await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
			var response = this.staff.get()
				.uri("/api/v1/bookings/{id}", bookingId)
				.retrieve()
				.toEntity(new ParameterizedTypeReference<Map<String, Object>>() {
				});
			assertThat(response.getStatusCode().value()).isEqualTo(200);
			body.set(response.getBody());
		});
		return body.get();
	}

	/**
	 * The booking once it has the status: a booking that exists already (confirmed by an earlier event) is read
	 * until the later event has been applied, not at once.
	 */
	private Map<String, Object> awaitBooking(UUID bookingId, String status) {
		AtomicReference<Map<String, Object>> body = new AtomicReference<>();
		await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
			Map<String, Object> booking = awaitBooking(bookingId);
			assertThat(booking).containsEntry("status", status);
			body.set(booking);
		});
		return body.get();
	}

	private ConsumerRecord<byte[], byte[]> awaitDeadLetter(RecordMetadata original) {
		AtomicReference<ConsumerRecord<byte[], byte[]>> found = new AtomicReference<>();
		try (KafkaConsumer<byte[], byte[]> consumer = TestClients.consumer(this.bootstrapServers)) {
			consumer.subscribe(List.of("dlq.messages.v1"));
			await().atMost(Duration.ofSeconds(30)).until(() -> {
				for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(500))) {
					byte[] topic = header(record, DeadLetterHeaders.ORIGINAL_TOPIC);
					byte[] offset = header(record, DeadLetterHeaders.ORIGINAL_OFFSET);
					byte[] partition = header(record, DeadLetterHeaders.ORIGINAL_PARTITION);
					if (topic != null && offset != null && partition != null
							&& new String(topic, StandardCharsets.UTF_8).equals(original.topic())
							&& ByteBuffer.wrap(partition).getInt() == original.partition()
							&& ByteBuffer.wrap(offset).getLong() == original.offset()) {
						found.set(record);
					}
				}
				return found.get() != null;
			});
		}
		return found.get();
	}

	private static byte[] header(ConsumerRecord<byte[], byte[]> record, String name) {
		Header header = record.headers().lastHeader(name);
		return (header != null) ? header.value() : null;
	}

	private UUID newSlot(String siteId, int capacity) {
		Instant startsAt = Instant.parse("2032-01-01T08:00:00Z").plusSeconds(60L * minutes.incrementAndGet());
		return TestClients.createSlot(this.staff, siteId, startsAt, capacity);
	}

	private static Instant now() {
		return Instant.now().truncatedTo(ChronoUnit.MILLIS);
	}

}
