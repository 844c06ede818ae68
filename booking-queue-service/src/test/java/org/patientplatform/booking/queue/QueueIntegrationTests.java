package org.patientplatform.booking.queue;

import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.patientplatform.booking.BookingQueueIntegrationTest;
import org.patientplatform.booking.TestClients;
import org.patientplatform.booking.bookings.BookingCalled;
import org.patientplatform.booking.bookings.BookingCancelled;
import org.patientplatform.booking.bookings.BookingCheckedIn;
import org.patientplatform.booking.bookings.BookingNoShow;
import org.patientplatform.booking.bookings.BookingRequested;
import org.patientplatform.kit.events.PlatformEvents;
import org.patientplatform.local.infra.LocalSigningKey;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.core.ParameterizedTypeReference;
import org.springframework.http.MediaType;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.web.client.RestClient;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.InstanceOfAssertFactories.MAP;
import static org.awaitility.Awaitility.await;

@BookingQueueIntegrationTest
class QueueIntegrationTests {

	private static final String SITE = "site-queue";

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
	void queuesCheckedInPatientsInOrderOfCheckInUntilCalledOrCancelled() throws Exception {
		UUID slotId = TestClients.createSlot(this.staff, SITE, Instant.parse("2033-01-01T08:00:00Z"), 5);
		UUID ada = UUID.randomUUID();
		UUID ben = UUID.randomUUID();
		UUID cy = UUID.randomUUID();
		Instant t = Instant.now().truncatedTo(ChronoUnit.SECONDS).minus(Duration.ofMinutes(30));
		double confirmed = requests("confirmed");
		double unknownSlot = requests("rejected_unknown_slot");
		Timer wait = this.meters.get("booking.queue.wait").timer();
		long waits = wait.count();
		double waited = wait.totalTime(TimeUnit.SECONDS);
		send(BookingRequested.TYPE, new BookingRequested(UUID.randomUUID(), SITE, UUID.randomUUID(), "P-lost", t));
		send(BookingRequested.TYPE, new BookingRequested(ada, SITE, slotId, "P-ada", t));
		send(BookingRequested.TYPE, new BookingRequested(ben, SITE, slotId, "P-ben", t));
		send(BookingRequested.TYPE, new BookingRequested(cy, SITE, slotId, "P-cy", t));
		send(BookingCheckedIn.TYPE, new BookingCheckedIn(ben, SITE, t.plusSeconds(60)));
		send(BookingCheckedIn.TYPE, new BookingCheckedIn(ada, SITE, t.plusSeconds(120)));
		send(BookingCheckedIn.TYPE, new BookingCheckedIn(cy, SITE, t.plusSeconds(180)));

		awaitQueue(List.of(ben, ada, cy));
		List<Map<String, Object>> queue = queue();
		assertThat(queue.get(0)).containsEntry("position", 1)
			.containsEntry("patientId", "P-ben")
			.containsEntry("checkedInAt", t.plusSeconds(60).toString());
		assertThat(position(ada, "P-ada")).containsEntry("position", 2).containsEntry("siteId", SITE);
		// the seed's booking success rate, queue depth and wait: three places taken, one request for no slot
		await().atMost(Duration.ofSeconds(5))
			.untilAsserted(() -> assertThat(requests("confirmed") - confirmed).isEqualTo(3.0));
		assertThat(requests("rejected_unknown_slot") - unknownSlot).isEqualTo(1.0);
		await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> {
			Integer waiting = this.jdbc.queryForObject("SELECT count(*) FROM queue_entry WHERE status = 'WAITING'",
					Integer.class);
			assertThat(waiting).isGreaterThanOrEqualTo(3);
			assertThat(this.meters.get("booking.queue.waiting").gauge().value()).isEqualTo(waiting.doubleValue());
		});

		send(BookingCalled.TYPE, new BookingCalled(ben, SITE, t.plusSeconds(240)));
		send(BookingCancelled.TYPE, new BookingCancelled(cy, SITE, t.plusSeconds(250), null));
		awaitQueue(List.of(ada));
		assertThat(position(ada, "P-ada")).containsEntry("position", 1);
		assertThat(booking(ben)).containsEntry("status", "CALLED");
		assertThat(booking(cy)).containsEntry("status", "CANCELLED");
		// ben waited from t + 1 min to t + 4 min; a cancellation is not a wait that ended in a call
		await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(wait.count() - waits).isEqualTo(1));
		assertThat(wait.totalTime(TimeUnit.SECONDS) - waited).isEqualTo(180.0);

		var notWaiting = TestClients.api(this.port, TestClients.patient(this.signingKey, "P-ben"))
			.get()
			.uri("/api/v1/bookings/{id}/queue-position", ben)
			.retrieve()
			.toEntity(String.class);
		assertThat(notWaiting.getStatusCode().value()).isEqualTo(404);
		assertThat(notWaiting.getHeaders().getContentType()).isEqualTo(MediaType.APPLICATION_PROBLEM_JSON);
	}

	@Test
	void aCallHandledBeforeItsCheckInLeavesNobodyWaitingInTheQueue() throws Exception {
		String site = "site-queue-3";
		UUID slotId = TestClients.createSlot(this.staff, site, Instant.parse("2033-03-01T08:00:00Z"), 2);
		UUID eve = UUID.randomUUID();
		Instant t = Instant.now().truncatedTo(ChronoUnit.SECONDS).minus(Duration.ofMinutes(30));
		send(BookingRequested.TYPE, site, new BookingRequested(eve, site, slotId, "P-eve", t));
		// the DLQ redrives failed events one by one: the call may come back before the check-in
		send(BookingCalled.TYPE, site, new BookingCalled(eve, site, t.plusSeconds(600)));
		send(BookingCheckedIn.TYPE, site, new BookingCheckedIn(eve, site, t.plusSeconds(300)));
		UUID sentinel = UUID.randomUUID();
		send(BookingRequested.TYPE, site, new BookingRequested(sentinel, site, slotId, "P-sentinel", t));
		send(BookingCheckedIn.TYPE, site, new BookingCheckedIn(sentinel, site, t.plusSeconds(700)));

		// before: the call was ignored (CONFIRMED cannot be called), then the check-in queued Eve for good
		await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(queue(site))
			.extracting((entry) -> entry.get("bookingId"))
			.containsExactly(sentinel.toString()));
		assertThat(booking(eve)).containsEntry("status", "CALLED");
	}

	@Test
	void aNoShowLeavesTheQueueAndGivesItsPlaceBack() throws Exception {
		// before: BookingNoShow was skipped, so a patient who checked in and left (or was called and never came)
		// waited at the head of the queue for good; staff could only cancel, which told the patient "cancelled"
		String site = "site-queue-no-show";
		UUID gil = UUID.randomUUID();
		UUID hal = UUID.randomUUID();
		UUID ivy = UUID.randomUUID();
		Instant t = Instant.now().truncatedTo(ChronoUnit.SECONDS).minus(Duration.ofMinutes(30));
		// a no-show is known only once its slot has started: this one started after the check-ins, before the
		// no-shows (written to the table, as the API creates no slot in the past)
		UUID slotId = UUID.randomUUID();
		this.jdbc.update("INSERT INTO slot (id, site_id, starts_at, capacity) VALUES (?, ?, ?, 3)", slotId, site,
				Timestamp.from(t.plusSeconds(300)));
		for (UUID booking : List.of(gil, hal, ivy)) {
			send(BookingRequested.TYPE, site, new BookingRequested(booking, site, slotId, "P-" + booking, t));
		}
		send(BookingCheckedIn.TYPE, site, new BookingCheckedIn(gil, site, t.plusSeconds(60)));
		send(BookingCheckedIn.TYPE, site, new BookingCheckedIn(hal, site, t.plusSeconds(120)));
		send(BookingCheckedIn.TYPE, site, new BookingCheckedIn(ivy, site, t.plusSeconds(180)));
		await().atMost(Duration.ofSeconds(30))
			.untilAsserted(() -> assertThat(queue(site)).extracting((entry) -> entry.get("bookingId"))
				.containsExactly(gil.toString(), hal.toString(), ivy.toString()));

		// gil left before being called; hal was called and never came
		send(BookingNoShow.TYPE, site, new BookingNoShow(gil, site, t.plusSeconds(600)));
		send(BookingCalled.TYPE, site, new BookingCalled(hal, site, t.plusSeconds(610)));
		send(BookingNoShow.TYPE, site, new BookingNoShow(hal, site, t.plusSeconds(900)));
		// a check-in or a call after the no-show is late, and changes nothing
		send(BookingCalled.TYPE, site, new BookingCalled(gil, site, t.plusSeconds(950)));

		await().atMost(Duration.ofSeconds(30))
			.untilAsserted(() -> assertThat(booking(hal)).containsEntry("status", "NO_SHOW"));
		assertThat(booking(gil)).containsEntry("status", "NO_SHOW");
		assertThat(queue(site)).extracting((entry) -> entry.get("bookingId")).containsExactly(ivy.toString());
		assertThat(position(ivy, "P-" + ivy)).containsEntry("position", 1);
		// their places are given back; a no-show is not cancellable (nor announced as a cancellation)
		Map<String, Object> slots = this.staff.get()
			.uri("/api/v1/sites/{site}/slots?from={from}&to={to}", site, t.toString(), t.plusSeconds(600).toString())
			.retrieve()
			.body(new ParameterizedTypeReference<Map<String, Object>>() {
			});
		// (a slot that has started is listed with available 0)
		assertThat((List<?>) slots.get("items")).singleElement().asInstanceOf(MAP).containsEntry("booked", 1);
		assertThat(this.jdbc.queryForList("SELECT id FROM booking WHERE slot_id = ? AND place_no IS NOT NULL",
				UUID.class, slotId))
			.containsExactly(ivy);
		var cancel = this.staff.delete().uri("/api/v1/bookings/{id}", gil).retrieve().toEntity(String.class);
		assertThat(cancel.getStatusCode().value()).isEqualTo(409);
		assertThat(cancel.getBody()).contains("\"bookingStatus\":\"NO_SHOW\"");
	}

	@Test
	void showsAQueuePositionToItsPatientOnly() throws Exception {
		UUID slotId = TestClients.createSlot(this.staff, "site-queue-2", Instant.parse("2033-02-01T08:00:00Z"), 2);
		UUID dee = UUID.randomUUID();
		send(BookingRequested.TYPE, "site-queue-2",
				new BookingRequested(dee, "site-queue-2", slotId, "P-dee", Instant.now().minus(Duration.ofMinutes(60))));
		send(BookingCheckedIn.TYPE, "site-queue-2",
				new BookingCheckedIn(dee, "site-queue-2", Instant.now().minus(Duration.ofMinutes(5))));
		await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(position(dee, "P-dee")).containsEntry(
				"position", 1));

		var intruder = TestClients.api(this.port, TestClients.patient(this.signingKey, "P-intruder"))
			.get()
			.uri("/api/v1/bookings/{id}/queue-position", dee)
			.retrieve()
			.toEntity(String.class);
		assertThat(intruder.getStatusCode().value()).isEqualTo(403);
		assertThat(intruder.getHeaders().getContentType()).isEqualTo(MediaType.APPLICATION_PROBLEM_JSON);
		// the patient's reads and the intruder's refusal are audited, ids and roles only
		assertThat(this.jdbc.queryForList("SELECT DISTINCT actor_role || ' ' || action || ' ' || outcome FROM audit_log "
				+ "WHERE resource_type = 'booking' AND resource_id = ? ORDER BY 1", String.class, dee.toString()))
			.containsExactly("patient read-queue-position DENIED", "patient read-queue-position OK");
		this.staff.get().uri("/api/v1/sites/{site}/queue", "site-queue-2").retrieve().toEntity(String.class);
		assertThat(this.jdbc.queryForList("SELECT actor_role || ' ' || action || ' ' || outcome FROM audit_log "
				+ "WHERE resource_type = 'queue' AND resource_id = 'site-queue-2'", String.class))
			.containsExactly("staff read OK");
	}

	private double requests(String outcome) {
		return this.meters.get("booking.requests").tag("source", "topic").tag("outcome", outcome).counter().count();
	}

	private void send(String type, Object data) throws Exception {
		send(type, SITE, data);
	}

	private void send(String type, String siteId, Object data) throws Exception {
		this.producer.send(TestClients.event(this.events, type, siteId, data)).get();
	}

	private void awaitQueue(List<UUID> expected) {
		await().atMost(Duration.ofSeconds(30))
			.untilAsserted(() -> assertThat(queue()).extracting((entry) -> UUID.fromString(entry.get("bookingId").toString()))
				.containsExactlyElementsOf(expected));
	}

	private List<Map<String, Object>> queue() {
		return queue(SITE);
	}

	/** The site's queue, on its first page (every test's queue fits in one). */
	@SuppressWarnings("unchecked")
	private List<Map<String, Object>> queue(String site) {
		Map<String, Object> page = this.staff.get()
			.uri("/api/v1/sites/{siteId}/queue", site)
			.retrieve()
			.body(new ParameterizedTypeReference<Map<String, Object>>() {
			});
		assertThat(page).containsEntry("nextCursor", null);
		return (List<Map<String, Object>>) page.get("items");
	}

	private Map<String, Object> position(UUID bookingId, String patientId) {
		var response = TestClients.api(this.port, TestClients.patient(this.signingKey, patientId))
			.get()
			.uri("/api/v1/bookings/{id}/queue-position", bookingId)
			.retrieve()
			.toEntity(new ParameterizedTypeReference<Map<String, Object>>() {
			});
		assertThat(response.getStatusCode().value()).isEqualTo(200);
		return response.getBody();
	}

	private Map<String, Object> booking(UUID bookingId) {
		return this.staff.get().uri("/api/v1/bookings/{id}", bookingId).retrieve().body(new ParameterizedTypeReference<>() {
		});
	}

}
