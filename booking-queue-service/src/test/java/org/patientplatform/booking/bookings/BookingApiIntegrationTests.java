package org.patientplatform.booking.bookings;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.patientplatform.booking.BookingQueueIntegrationTest;
import org.patientplatform.booking.TestClients;
import org.patientplatform.local.infra.LocalSigningKey;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.core.ParameterizedTypeReference;
import org.springframework.dao.DataIntegrityViolationException;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.web.client.RestClient;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@BookingQueueIntegrationTest
class BookingApiIntegrationTests {

	private static final AtomicInteger minutes = new AtomicInteger();

	private static final ParameterizedTypeReference<Map<String, Object>> MAP = new ParameterizedTypeReference<>() {
	};

	@Autowired
	LocalSigningKey signingKey;

	@Autowired
	JdbcTemplate jdbc;

	@LocalServerPort
	int port;

	RestClient staff;

	@BeforeEach
	void setUp() {
		this.staff = TestClients.api(this.port, TestClients.staff(this.signingKey));
	}

	@Test
	void booksExactlyTheCapacityUnderConcurrentRequests() throws Exception {
		UUID slotId = newSlot("site-rush", 5);
		int requests = 20;
		ExecutorService pool = Executors.newFixedThreadPool(requests);
		CountDownLatch start = new CountDownLatch(1);
		List<Future<ResponseEntity<String>>> results = new ArrayList<>();
		try {
			for (int i = 0; i < requests; i++) {
				String patientId = "P-rush-" + i;
				RestClient client = TestClients.api(this.port, TestClients.patient(this.signingKey, patientId));
				results.add(pool.submit(() -> {
					start.await();
					return book(client, slotId, patientId);
				}));
			}
			start.countDown();
			List<ResponseEntity<String>> responses = new ArrayList<>();
			for (Future<ResponseEntity<String>> result : results) {
				responses.add(result.get());
			}
			assertThat(responses).filteredOn((r) -> r.getStatusCode().value() == 201).hasSize(5);
			assertThat(responses).filteredOn((r) -> r.getStatusCode().value() != 201)
				.hasSize(15)
				.allSatisfy((r) -> {
					assertThat(r.getStatusCode().value()).isEqualTo(409);
					assertThat(r.getHeaders().getContentType()).isEqualTo(MediaType.APPLICATION_PROBLEM_JSON);
					assertThat(r.getBody()).contains("\"bookingStatus\":\"REJECTED_FULL\"").contains("is full");
				});
		}
		finally {
			pool.shutdownNow();
		}
		assertThat(this.jdbc.queryForObject(
				"SELECT count(*) FROM booking WHERE slot_id = ? AND status = 'CONFIRMED'", Integer.class, slotId))
			.isEqualTo(5);
		assertThat(this.jdbc.queryForList("SELECT place_no FROM booking WHERE slot_id = ? ORDER BY place_no",
				Integer.class, slotId))
			.containsExactly(1, 2, 3, 4, 5);
	}

	@Test
	void databaseRefusesAPlaceBeyondCapacityOrTakenTwice() {
		UUID slotId = newSlot("site-db", 1);
		assertThat(book(this.staff, slotId, "P-db-1").getStatusCode().value()).isEqualTo(201);
		String insert = "INSERT INTO booking (id, slot_id, site_id, patient_id, status, place_no, slot_capacity, "
				+ "requested_at) VALUES (?, ?, 'site-db', ?, 'CONFIRMED', ?, ?, now())";
		assertThatThrownBy(() -> this.jdbc.update(insert, UUID.randomUUID(), slotId, "P-db-2", 1, 1))
			.isInstanceOf(DataIntegrityViolationException.class);
		assertThatThrownBy(() -> this.jdbc.update(insert, UUID.randomUUID(), slotId, "P-db-2", 2, 1))
			.isInstanceOf(DataIntegrityViolationException.class)
			.hasMessageContaining("booking_place_within_capacity");
		assertThatThrownBy(() -> this.jdbc.update(insert, UUID.randomUUID(), slotId, "P-db-2", 2, 2))
			.isInstanceOf(DataIntegrityViolationException.class)
			.hasMessageContaining("booking_slot");
	}

	@Test
	void letsAPatientBookForThemselfOnly() {
		UUID slotId = newSlot("site-self", 3);
		RestClient patient = TestClients.api(this.port, TestClients.patient(this.signingKey, "P-self"));

		ResponseEntity<Map<String, Object>> own = patient.post()
			.uri("/api/v1/bookings")
			.contentType(MediaType.APPLICATION_JSON)
			.body(Map.of("slotId", slotId.toString(), "patientId", "P-self"))
			.retrieve()
			.toEntity(new ParameterizedTypeReference<>() {
			});
		assertThat(own.getStatusCode().value()).isEqualTo(201);
		assertThat(own.getBody()).containsEntry("status", "CONFIRMED")
			.containsEntry("patientId", "P-self")
			.containsEntry("siteId", "site-self")
			.containsEntry("slotId", slotId.toString());
		assertThat(own.getHeaders().getLocation()).hasToString("/api/v1/bookings/" + own.getBody().get("id"));

		var other = book(patient, slotId, "P-someone-else");
		assertThat(other.getStatusCode().value()).isEqualTo(403);
		assertThat(other.getHeaders().getContentType()).isEqualTo(MediaType.APPLICATION_PROBLEM_JSON);
		assertThat(other.getBody()).contains("\"detail\":\"A patient may only see and change their own bookings.\"");
		assertThat(this.jdbc.queryForObject("SELECT count(*) FROM booking WHERE patient_id = 'P-someone-else'",
				Integer.class)).isZero();
	}

	@Test
	void showsABookingToStaffAndToItsPatientOnly() {
		UUID slotId = newSlot("site-read", 3);
		String id = bookingId(book(this.staff, slotId, "P-owner"));

		var byOwner = TestClients.api(this.port, TestClients.patient(this.signingKey, "P-owner"))
			.get()
			.uri("/api/v1/bookings/{id}", id)
			.retrieve()
			.toEntity(String.class);
		assertThat(byOwner.getStatusCode().value()).isEqualTo(200);
		assertThat(byOwner.getBody()).contains("\"status\":\"CONFIRMED\"");

		var byOtherPatient = TestClients.api(this.port, TestClients.patient(this.signingKey, "P-intruder"))
			.get()
			.uri("/api/v1/bookings/{id}", id)
			.retrieve()
			.toEntity(String.class);
		assertThat(byOtherPatient.getStatusCode().value()).isEqualTo(403);
		assertThat(byOtherPatient.getHeaders().getContentType()).isEqualTo(MediaType.APPLICATION_PROBLEM_JSON);
		assertThat(byOtherPatient.getBody()).doesNotContain("P-owner");

		var cancelByOther = TestClients.api(this.port, TestClients.patient(this.signingKey, "P-intruder"))
			.delete()
			.uri("/api/v1/bookings/{id}", id)
			.retrieve()
			.toEntity(String.class);
		assertThat(cancelByOther.getStatusCode().value()).isEqualTo(403);

		var missing = this.staff.get().uri("/api/v1/bookings/{id}", UUID.randomUUID()).retrieve().toEntity(String.class);
		assertThat(missing.getStatusCode().value()).isEqualTo(404);
		assertThat(missing.getHeaders().getContentType()).isEqualTo(MediaType.APPLICATION_PROBLEM_JSON);

		// every access to the booking is in the audit log, with ids and roles only
		assertThat(this.jdbc.queryForList("SELECT actor_role || ' ' || action || ' ' || outcome FROM audit_log "
				+ "WHERE resource_type = 'booking' AND resource_id = ? ORDER BY id", String.class, id))
			.containsExactly("staff create OK", "patient read OK", "patient read DENIED", "patient cancel DENIED");
	}

	@Test
	void refusesASecondActiveBookingOfThePatientInTheSameSlot() {
		UUID slotId = newSlot("site-twice", 3);
		assertThat(book(this.staff, slotId, "P-twice").getStatusCode().value()).isEqualTo(201);
		var second = book(this.staff, slotId, "P-twice");
		assertThat(second.getStatusCode().value()).isEqualTo(409);
		assertThat(second.getHeaders().getContentType()).isEqualTo(MediaType.APPLICATION_PROBLEM_JSON);
		assertThat(second.getBody()).contains("\"bookingStatus\":\"REJECTED_ALREADY_BOOKED\"");

		// a UUID patient id is one patient however its letters are written: before, capitals held a second place
		String patientId = UUID.randomUUID().toString();
		String booked = bookingId(book(this.staff, slotId, patientId.toUpperCase(java.util.Locale.ROOT)));
		assertThat(book(this.staff, slotId, patientId).getStatusCode().value()).isEqualTo(409);
		RestClient patient = TestClients.api(this.port,
				TestClients.patient(this.signingKey, patientId.toUpperCase(java.util.Locale.ROOT)));
		assertThat(patient.get().uri("/api/v1/bookings/{id}", booked).retrieve().toEntity(String.class).getBody())
			.contains("\"patientId\":\"" + patientId + "\"");
		assertThat(patient.get()
			.uri("/api/v1/patients/{id}/bookings", patientId)
			.retrieve()
			.toEntity(String.class)
			.getBody()).contains(booked);
	}

	@Test
	void readsAPatientIdWithoutTheSpacesAroundItAndRefusesOneWithSpacesOrControlCharactersInIt() {
		UUID slotId = newSlot("site-spaced", 3);
		// before: " P-spaced " was another patient than P-spaced, whose token could not read the booking
		String booked = bookingId(book(this.staff, slotId, " P-spaced\t"));
		RestClient patient = TestClients.api(this.port, TestClients.patient(this.signingKey, "P-spaced"));
		assertThat(patient.get().uri("/api/v1/bookings/{id}", booked).retrieve().toEntity(String.class).getBody())
			.contains("\"patientId\":\"P-spaced\"");
		assertThat(book(this.staff, slotId, "P-spaced").getStatusCode().value()).isEqualTo(409);

		// before: booked as a patient "a\nb"
		for (String odd : List.of("a\nb", "P 1", "P-\u0000")) {
			var refused = book(this.staff, slotId, odd);
			assertThat(refused.getStatusCode().value()).as(odd).isEqualTo(400);
			assertThat(refused.getBody()).as(odd)
				.contains("\"field\":\"patientId\"")
				.contains(PatientIds.RULE);
		}
	}

	@Test
	void givesThePlaceBackWhenABookingIsCancelled() {
		UUID slotId = newSlot("site-cancel", 1);
		String first = bookingId(book(this.staff, slotId, "P-first"));
		assertThat(book(this.staff, slotId, "P-second").getStatusCode().value()).isEqualTo(409);

		RestClient owner = TestClients.api(this.port, TestClients.patient(this.signingKey, "P-first"));
		var cancelled = owner.delete().uri("/api/v1/bookings/{id}", first).retrieve().toEntity(String.class);
		assertThat(cancelled.getStatusCode().value()).isEqualTo(200);
		assertThat(cancelled.getBody()).contains("\"status\":\"CANCELLED\"").contains("Cancelled by the patient.");
		var again = owner.delete().uri("/api/v1/bookings/{id}", first).retrieve().toEntity(String.class);
		assertThat(again.getStatusCode().value()).isEqualTo(200);

		assertThat(book(this.staff, slotId, "P-second").getStatusCode().value()).isEqualTo(201);
	}

	@Test
	void rejectsAnInvalidBookingWithTheFieldErrors() {
		var response = this.staff.post()
			.uri("/api/v1/bookings")
			.contentType(MediaType.APPLICATION_JSON)
			.body(Map.of("patientId", " "))
			.retrieve()
			.toEntity(String.class);
		assertThat(response.getStatusCode().value()).isEqualTo(400);
		assertThat(response.getHeaders().getContentType()).isEqualTo(MediaType.APPLICATION_PROBLEM_JSON);
		assertThat(response.getBody()).contains("\"field\":\"slotId\"").contains("\"field\":\"patientId\"");
	}

	@Test
	void answersNotFoundForABookingOfAnUnknownSlot() {
		var response = book(this.staff, UUID.randomUUID(), "P-lost");
		assertThat(response.getStatusCode().value()).isEqualTo(404);
		assertThat(response.getHeaders().getContentType()).isEqualTo(MediaType.APPLICATION_PROBLEM_JSON);
	}

	@Test
	void listsAPatientsBookingsNewestFirstInKeysetPagesToStaffAndToThePatientAlone() {
		String patientId = "P-list-" + UUID.randomUUID().toString().substring(0, 8);
		UUID slot = newSlot("site-list", 2);
		String first = bookingId(book(this.staff, slot, patientId));
		String second = bookingId(book(this.staff, newSlot("site-list", 2), patientId));
		String third = bookingId(book(this.staff, newSlot("site-list", 2), patientId));
		bookingId(book(this.staff, slot, "P-list-other"));
		assertThat(this.staff.delete().uri("/api/v1/bookings/" + second).retrieve().toEntity(String.class)
			.getStatusCode()
			.value()).isEqualTo(200);
		RestClient patient = TestClients.api(this.port, TestClients.patient(this.signingKey, patientId));
		String uri = "/api/v1/patients/" + patientId + "/bookings";
		long before = this.jdbc.queryForObject("SELECT coalesce(max(id), 0) FROM audit_log", Long.class);

		Map<String, Object> page = list(patient, uri + "?limit=2");
		assertThat(items(page)).extracting((booking) -> booking.get("id")).containsExactly(third, second);
		assertThat(items(page).get(1)).containsEntry("status", "CANCELLED").containsEntry("patientId", patientId);
		Map<String, Object> last = list(patient, uri + "?limit=2&cursor=" + page.get("nextCursor"));
		assertThat(items(last)).extracting((booking) -> booking.get("id")).containsExactly(first);
		assertThat(items(last).get(0)).containsEntry("slotId", slot.toString())
			.containsEntry("siteId", "site-list")
			.containsEntry("status", "CONFIRMED");
		assertThat(last.get("nextCursor")).isNull();
		assertThat(items(list(this.staff, uri + "?status=CONFIRMED"))).extracting((booking) -> booking.get("id"))
			.containsExactly(third, first);
		assertThat(items(list(this.staff, "/api/v1/patients/P-list-nobody/bookings"))).isEmpty();

		RestClient other = TestClients.api(this.port, TestClients.patient(this.signingKey, "P-list-other"));
		ResponseEntity<String> denied = other.get().uri(uri).retrieve().toEntity(String.class);
		assertThat(denied.getStatusCode().value()).isEqualTo(403);
		assertThat(denied.getBody()).doesNotContain(first);
		for (String bad : List.of("?status=BOOKED", "?limit=0", "?limit=201", "?cursor=bm90LWEtY3Vyc29y")) {
			ResponseEntity<String> response = this.staff.get().uri(uri + bad).retrieve().toEntity(String.class);
			assertThat(response.getStatusCode().value()).as(bad).isEqualTo(400);
			assertThat(response.getHeaders().getContentType()).as(bad).isEqualTo(MediaType.APPLICATION_PROBLEM_JSON);
		}
		assertThat(this.jdbc.queryForList("SELECT actor_role || ' ' || outcome FROM audit_log WHERE id > ? AND "
				+ "action = 'list-bookings' AND resource_id = ? ORDER BY id", String.class, before, patientId))
			.containsExactly("patient OK", "patient OK", "staff OK", "patient DENIED");
	}

	@Test
	void saysWhenTheSlotOfEachBookingStarts() {
		// before: a booking named its slot's id alone, and a patient listing their bookings could not tell when any
		// of them was (there is no slot by id; the slots' listing takes a site and a window of 92 days at most)
		String patientId = "P-when-" + UUID.randomUUID().toString().substring(0, 8);
		Instant startsAt = Instant.parse("2031-06-01T09:30:00Z");
		UUID slot = TestClients.createSlot(this.staff, "site-when", startsAt, 2);
		ResponseEntity<Map<String, Object>> booked = this.staff.post()
			.uri("/api/v1/bookings")
			.contentType(MediaType.APPLICATION_JSON)
			.body(Map.of("slotId", slot.toString(), "patientId", patientId))
			.retrieve()
			.toEntity(new ParameterizedTypeReference<>() {
			});
		assertThat(booked.getStatusCode().value()).isEqualTo(201);
		assertThat(booked.getBody()).containsEntry("startsAt", startsAt.toString());
		Object id = booked.getBody().get("id");
		RestClient patient = TestClients.api(this.port, TestClients.patient(this.signingKey, patientId));
		assertThat(patient.get().uri("/api/v1/bookings/{id}", id).retrieve().body(MAP)).containsEntry("startsAt",
				startsAt.toString());
		assertThat(items(list(patient, "/api/v1/patients/" + patientId + "/bookings"))).singleElement()
			.satisfies((booking) -> assertThat(booking).containsEntry("startsAt", startsAt.toString()));
		// a cancelled booking still says when its slot was
		assertThat(this.staff.delete().uri("/api/v1/bookings/{id}", id).retrieve().body(MAP))
			.containsEntry("status", "CANCELLED")
			.containsEntry("startsAt", startsAt.toString());
	}

	@Test
	void letsOnlyStaffCancelABookingWhoseSlotHasStartedUnlessThePatientCheckedIn() {
		// before: a patient could cancel after the slot had started (or long after it ended), turning a no-show into
		// "cancelled by the patient", and was sent a booking-cancelled notice about an appointment already past
		UUID slotId = UUID.randomUUID();
		this.jdbc.update("INSERT INTO slot (id, site_id, starts_at, capacity) VALUES (?, 'site-started', "
				+ "now() - interval '10 minutes', 2)", slotId);
		String insert = "INSERT INTO booking (id, slot_id, site_id, patient_id, status, place_no, slot_capacity, "
				+ "requested_at) VALUES (?, ?, 'site-started', ?, ?, ?, 2, now() - interval '1 day')";
		UUID late = UUID.randomUUID();
		UUID waiting = UUID.randomUUID();
		this.jdbc.update(insert, late, slotId, "P-started", "CONFIRMED", 1);
		this.jdbc.update(insert, waiting, slotId, "P-started-2", "CHECKED_IN", 2);

		ResponseEntity<Map<String, Object>> refused = TestClients
			.api(this.port, TestClients.patient(this.signingKey, "P-started"))
			.delete()
			.uri("/api/v1/bookings/{id}", late)
			.retrieve()
			.toEntity(MAP);
		assertThat(refused.getStatusCode().value()).isEqualTo(409);
		assertThat(refused.getHeaders().getContentType()).isEqualTo(MediaType.APPLICATION_PROBLEM_JSON);
		assertThat(refused.getBody()).containsEntry("title", "Slot started").containsEntry("bookingStatus", "CONFIRMED");
		// one who came and waits in the queue may still leave it
		assertThat(TestClients.api(this.port, TestClients.patient(this.signingKey, "P-started-2"))
			.delete()
			.uri("/api/v1/bookings/{id}", waiting)
			.retrieve()
			.body(MAP)).containsEntry("status", "CANCELLED").containsEntry("reason", "Cancelled by the patient.");
		// nothing announced: no BookingCancelled, no notice
		assertThat(this.jdbc.queryForObject("SELECT count(*) FROM outbox_event WHERE convert_from(data, 'UTF8') LIKE ?",
				Integer.class, "%" + late + "%")).isZero();
		// staff still may (a session called off, a correction)
		assertThat(this.staff.delete().uri("/api/v1/bookings/{id}", late).retrieve().body(MAP))
			.containsEntry("status", "CANCELLED")
			.containsEntry("reason", "Cancelled by staff.");
		// and the patient's repeated cancellation of what is cancelled is answered as before
		assertThat(TestClients.api(this.port, TestClients.patient(this.signingKey, "P-started"))
			.delete()
			.uri("/api/v1/bookings/{id}", late)
			.retrieve()
			.toEntity(MAP)
			.getStatusCode()
			.value()).isEqualTo(200);
	}

	private static Map<String, Object> list(RestClient client, String uri) {
		ResponseEntity<Map<String, Object>> response = client.get()
			.uri(uri)
			.retrieve()
			.toEntity(new ParameterizedTypeReference<>() {
			});
		assertThat(response.getStatusCode().value()).as(uri).isEqualTo(200);
		return response.getBody();
	}

	@SuppressWarnings("unchecked")
	private static List<Map<String, Object>> items(Map<String, Object> page) {
		return (List<Map<String, Object>>) page.get("items");
	}

	private UUID newSlot(String siteId, int capacity) {
		Instant startsAt = Instant.parse("2031-01-01T08:00:00Z").plusSeconds(60L * minutes.incrementAndGet());
		return TestClients.createSlot(this.staff, siteId, startsAt, capacity);
	}

	private static ResponseEntity<String> book(RestClient client, UUID slotId, String patientId) {
		return client.post()
			.uri("/api/v1/bookings")
			.contentType(MediaType.APPLICATION_JSON)
			.body(Map.of("slotId", slotId.toString(), "patientId", patientId))
			.retrieve()
			.toEntity(String.class);
	}

	private static String bookingId(ResponseEntity<String> response) {
		assertThat(response.getStatusCode().value()).isEqualTo(201);
		String body = response.getBody();
		int start = body.indexOf("\"id\":\"") + 6;
		return body.substring(start, body.indexOf('"', start));
	}

}
