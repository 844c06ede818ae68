package org.patientplatform.booking.slots;

import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;

import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.patientplatform.booking.BookingQueueIntegrationTest;
import org.patientplatform.booking.TestClients;
import org.patientplatform.local.infra.LocalSigningKey;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.core.ParameterizedTypeReference;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.web.client.RestClient;

import static org.assertj.core.api.Assertions.assertThat;

@BookingQueueIntegrationTest
class SlotApiIntegrationTests {

	@Autowired
	LocalSigningKey signingKey;

	@LocalServerPort
	int port;

	@Autowired
	JdbcTemplate jdbc;

	RestClient staff;

	@BeforeEach
	void setUp() {
		this.staff = TestClients.api(this.port, TestClients.staff(this.signingKey));
	}

	@Test
	void createsSlotsAndShowsTheirFreePlaces() {
		var created = this.staff.post()
			.uri("/api/v1/sites/{siteId}/slots", "site-avail")
			.contentType(MediaType.APPLICATION_JSON)
			.body(Map.of("slots",
					List.of(Map.of("startsAt", "2030-05-01T09:00:00Z", "capacity", 2),
							Map.of("startsAt", "2030-05-01T09:30:00Z", "capacity", 4),
							Map.of("startsAt", "2030-06-01T09:00:00Z", "capacity", 1))))
			.retrieve()
			.toEntity(new ParameterizedTypeReference<List<Map<String, Object>>>() {
			});
		assertThat(created.getStatusCode().value()).isEqualTo(201);
		assertThat(created.getBody()).hasSize(3).allSatisfy((slot) -> assertThat(slot).containsKey("id"));
		String first = created.getBody().getFirst().get("id").toString();
		var booked = this.staff.post()
			.uri("/api/v1/bookings")
			.contentType(MediaType.APPLICATION_JSON)
			.body(Map.of("slotId", first, "patientId", "P-1"))
			.retrieve()
			.toEntity(String.class);
		assertThat(booked.getStatusCode().value()).isEqualTo(201);

		// a patient may read availability too
		List<Map<String, Object>> may = slots(TestClients.api(this.port, TestClients.patient(this.signingKey, "P-9")),
				"site-avail", "2030-05-01T00:00:00Z", "2030-05-02T00:00:00Z");
		assertThat(may).hasSize(2);
		assertThat(may.get(0)).containsEntry("id", first)
			.containsEntry("siteId", "site-avail")
			.containsEntry("startsAt", "2030-05-01T09:00:00Z")
			.containsEntry("capacity", 2)
			.containsEntry("booked", 1)
			.containsEntry("available", 1);
		assertThat(may.get(1)).containsEntry("startsAt", "2030-05-01T09:30:00Z")
			.containsEntry("booked", 0)
			.containsEntry("available", 4);
	}

	@Test
	void showsNoFreePlaceInASlotThatHasStarted() {
		// a slot made before its start, which has come: before, listed with its free places, each booking a 409
		Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
		this.jdbc.update("INSERT INTO slot (id, site_id, starts_at, capacity) VALUES (gen_random_uuid(), "
				+ "'site-begun', ?, 3)", java.sql.Timestamp.from(now.minus(Duration.ofMinutes(10))));
		this.staff.post()
			.uri("/api/v1/sites/{siteId}/slots", "site-begun")
			.contentType(MediaType.APPLICATION_JSON)
			.body(Map.of("slots", List.of(Map.of("startsAt", now.plus(Duration.ofHours(1)).toString(), "capacity", 2))))
			.retrieve()
			.toBodilessEntity();

		List<Map<String, Object>> listed = slots(this.staff, "site-begun", now.minus(Duration.ofHours(1)).toString(),
				now.plus(Duration.ofHours(2)).toString());

		assertThat(listed).hasSize(2);
		assertThat(listed.get(0)).containsEntry("capacity", 3).containsEntry("booked", 0).containsEntry("available", 0);
		assertThat(listed.get(1)).containsEntry("capacity", 2).containsEntry("available", 2);
	}

	@Test
	void rejectsInvalidSlotsWithTheFieldErrors() {
		var response = postSlots("site-invalid",
				Map.of("slots", List.of(Map.of("startsAt", "2030-05-01T09:00:00Z", "capacity", 0),
					Map.of("capacity", 3))));
		assertThat(response.getStatusCode().value()).isEqualTo(400);
		assertThat(response.getHeaders().getContentType()).isEqualTo(MediaType.APPLICATION_PROBLEM_JSON);
		assertThat(response.getBody()).contains("\"field\":\"slots[0].capacity\"")
			.contains("\"field\":\"slots[1].startsAt\"");
	}

	@Test
	void rejectsASlotInThePastAndAFractionalCapacityWithTheFieldErrors() {
		var past = postSlots("site-past",
				Map.of("slots", List.of(Map.of("startsAt", "2030-05-01T09:00:00Z", "capacity", 2),
					Map.of("startsAt", "2020-05-01T09:00:00Z", "capacity", 2))));
		assertThat(past.getStatusCode().value()).isEqualTo(400);
		assertThat(past.getBody()).contains("\"field\":\"slots[1].startsAt\"").contains("future");
		// 2.5 places is a mistake to refuse, not 2 places
		var fractional = postSlots("site-past",
				"{\"slots\": [{\"startsAt\": \"2030-05-01T09:00:00Z\", \"capacity\": 2.5}]}");
		assertThat(fractional.getStatusCode().value()).isEqualTo(400);
		assertThat(fractional.getHeaders().getContentType()).isEqualTo(MediaType.APPLICATION_PROBLEM_JSON);
		assertThat(fractional.getBody()).contains("\"field\":\"slots[0].capacity\"");
		assertThat(slots(this.staff, "site-past", "2030-05-01T00:00:00Z", "2030-05-02T00:00:00Z")).isEmpty();
	}

	@Test
	void refusesHour24AsADateTimeThatDoesNotRead() {
		// it was taken as the next day's midnight: 201, and a slot on 2030-12-21 that nobody asked for
		var response = postSlots("site-hour-24",
				Map.of("slots", List.of(Map.of("startsAt", "2030-12-20T09:00:00Z", "capacity", 2),
					Map.of("startsAt", "2030-12-20T24:00:00Z", "capacity", 2),
					Map.of("startsAt", "2030-12-20t24:00:00+01:00", "capacity", 2),
					Map.of("startsAt", "2030-12-20T17:00:60Z", "capacity", 2),
					// a leap second was read as 23:59:59 and stored
					Map.of("startsAt", "2030-12-20T23:59:60Z", "capacity", 2))));
		assertThat(response.getStatusCode().value()).isEqualTo(400);
		assertThat(response.getHeaders().getContentType()).isEqualTo(MediaType.APPLICATION_PROBLEM_JSON);
		String dateTime = "must be a date-time with its offset, such as 2026-01-31T09:30:00Z";
		assertThat(json(response.getBody()).path("errors").valueStream()
			.map((error) -> error.path("field").asString() + " " + error.path("message").asString()))
			.containsExactly("slots[1].startsAt " + dateTime, "slots[2].startsAt " + dateTime,
					"slots[3].startsAt " + dateTime, "slots[4].startsAt " + dateTime);
		assertThat(slots(this.staff, "site-hour-24", "2030-12-20T00:00:00Z", "2030-12-22T00:00:00Z")).isEmpty();
		// midnight written as such, and every other hour, still reads
		var midnight = postSlots("site-hour-24",
				Map.of("slots", List.of(Map.of("startsAt", "2030-12-21T00:00:00Z", "capacity", 2),
					Map.of("startsAt", "2030-12-21T23:59:59.5Z", "capacity", 2))));
		assertThat(midnight.getStatusCode().value()).isEqualTo(201);
	}

	@Test
	void refusesHour24AndALeapSecondInTheListingsWindowNamingTheParameter() {
		// from=…T24:00 was read as the next day's midnight (java.time's lenient instant reader, Spring's fallback), and
		// that day's slots were listed; a leap second was read as 23:59:59
		TestClients.createSlot(this.staff, "site-hour-24-query", Instant.parse("2030-12-21T00:00:00Z"), 2);
		String dateTime = "must be a date-time with its offset, such as 2026-01-31T09:30:00Z";
		Map<String, String> refused = Map.of("from=2030-12-20T24:00:00Z&to=2030-12-22T00:00:00Z", "from",
				"from=2030-12-20t24:00:00%2B01:00&to=2030-12-22T00:00:00Z", "from",
				"from=2030-12-20T00:00:00Z&to=2030-12-21T24:00:00Z", "to",
				"from=2030-12-20T00:00:00Z&to=2030-12-20T23:59:60Z", "to");
		refused.forEach((query, parameter) -> {
			var response = this.staff.get()
				.uri(URI.create("http://127.0.0.1:" + this.port + "/api/v1/sites/site-hour-24-query/slots?" + query))
				.retrieve()
				.toEntity(String.class);
			assertThat(response.getStatusCode().value()).as(query).isEqualTo(400);
			assertThat(response.getHeaders().getContentType()).as(query).isEqualTo(MediaType.APPLICATION_PROBLEM_JSON);
			assertThat(json(response.getBody()).path("errors").valueStream()
				.map((error) -> error.path("field").asString() + " " + error.path("message").asString()))
				.as(query)
				.containsExactly(parameter + " " + dateTime);
		});
		// midnight written as such still reads
		assertThat(slots(this.staff, "site-hour-24-query", "2030-12-21T00:00:00Z", "2030-12-21T23:59:59Z"))
			.singleElement()
			.satisfies((slot) -> assertThat(slot).containsEntry("startsAt", "2030-12-21T00:00:00Z"));
	}

	@Test
	void refusesACapacityPastAnIntsRangeWithTheCapacitysOwnRange() {
		// before: "must be a whole number from -2147483648 to 2147483647", not the documented 1 to 1000
		var response = postSlots("site-capacity", """
				{"slots": [{"startsAt": "2030-05-01T09:00:00Z", "capacity": 12345678901234567890},
				 {"startsAt": "2030-05-01T10:00:00Z", "capacity": -12345678901234567890},
				 {"startsAt": "2030-05-01T11:00:00Z", "capacity": 2147483648},
				 {"startsAt": "2030-05-01T12:00:00Z", "capacity": 0},
				 {"startsAt": "2030-05-01T13:00:00Z", "capacity": 1001},
				 {"startsAt": "2030-05-01T14:00:00Z", "capacity": 1000}]}""");
		assertThat(response.getStatusCode().value()).isEqualTo(400);
		assertThat(response.getHeaders().getContentType()).isEqualTo(MediaType.APPLICATION_PROBLEM_JSON);
		String range = " must be a whole number from 1 to 1000";
		assertThat(json(response.getBody()).path("errors").valueStream()
			.map((error) -> error.path("field").asString() + " " + error.path("message").asString()))
			.containsExactlyInAnyOrder("slots[0].capacity" + range, "slots[1].capacity" + range,
					"slots[2].capacity" + range, "slots[3].capacity" + range, "slots[4].capacity" + range);
		assertThat(slots(this.staff, "site-capacity", "2030-05-01T00:00:00Z", "2030-05-02T00:00:00Z")).isEmpty();
	}

	@Test
	void answersCreatedSlotsWithWhereTheyAreListedAsLocation() {
		// before: no Location; there is no slot by id, so it is the site's listing over the created slots' starts
		var created = postSlots("site-location",
				Map.of("slots", List.of(Map.of("startsAt", "2030-10-02T09:30:00Z", "capacity", 2),
					Map.of("startsAt", "2030-10-01T09:00:00Z", "capacity", 3))));
		assertThat(created.getStatusCode().value()).isEqualTo(201);
		URI location = created.getHeaders().getLocation();
		assertThat(location).hasToString(
				"/api/v1/sites/site-location/slots?from=2030-10-01T09:00:00Z&to=2030-10-02T09:30:00.000001Z");
		assertThat(listed(location)).containsExactly("2030-10-01T09:00:00Z", "2030-10-02T09:30:00Z");

		// a request spanning more than the listing's longest window: the window from the first start, which reads
		var wide = postSlots("site-location",
				Map.of("slots", List.of(Map.of("startsAt", "2031-01-01T09:00:00Z", "capacity", 2),
					Map.of("startsAt", "2031-06-01T09:00:00Z", "capacity", 2))));
		assertThat(wide.getStatusCode().value()).isEqualTo(201);
		assertThat(wide.getHeaders().getLocation())
			.hasToString("/api/v1/sites/site-location/slots?from=2031-01-01T09:00:00Z&to=2031-04-03T09:00:00Z");
		assertThat(listed(wide.getHeaders().getLocation())).containsExactly("2031-01-01T09:00:00Z");
	}

	/** The starts of the slots a listing's address answers, on its first page. */
	private List<Object> listed(URI location) {
		var page = this.staff.get()
			.uri(URI.create("http://127.0.0.1:" + this.port).resolve(location))
			.retrieve()
			.toEntity(String.class);
		assertThat(page.getStatusCode().value()).isEqualTo(200);
		return json(page.getBody()).path("items").valueStream()
			.map((slot) -> (Object) slot.path("startsAt").asString())
			.toList();
	}

	@Test
	void refusesASlotBeyondTheHorizonAsALikelyTypo() {
		// the tests' horizon is ten years (BookingQueueIntegrationTest); 9999-12-31 was created and listed as bookable
		var response = postSlots("site-horizon",
				Map.of("slots", List.of(Map.of("startsAt", "2030-05-01T09:00:00Z", "capacity", 2),
					Map.of("startsAt", "9999-12-31T23:59:59Z", "capacity", 2),
					Map.of("startsAt", Instant.now().plus(Duration.ofDays(3660)).truncatedTo(ChronoUnit.SECONDS).toString(),
							"capacity", 2))));
		assertThat(response.getStatusCode().value()).isEqualTo(400);
		assertThat(response.getHeaders().getContentType()).isEqualTo(MediaType.APPLICATION_PROBLEM_JSON);
		List<String> errors = json(response.getBody()).path("errors").valueStream()
			.map((error) -> error.path("field").asString() + " " + error.path("message").asString())
			.toList();
		String tooFar = " must be at most 10 years ahead (booking.slots.max-ahead): a start further out is likely a "
				+ "typo in its year; the latest start now is ";
		assertThat(errors).hasSize(2)
			.anySatisfy((error) -> assertThat(error).startsWith("slots[1].startsAt" + tooFar))
			.anySatisfy((error) -> assertThat(error).startsWith("slots[2].startsAt" + tooFar));
		assertThat(slots(this.staff, "site-horizon", "2030-05-01T00:00:00Z", "2030-05-02T00:00:00Z")).isEmpty();
		// within it: created
		var within = postSlots("site-horizon", Map.of("slots",
				List.of(Map.of("startsAt", Instant.now().plus(Duration.ofDays(3640)).truncatedTo(ChronoUnit.SECONDS)
					.toString(), "capacity", 2))));
		assertThat(within.getStatusCode().value()).isEqualTo(201);
	}

	@Test
	void rejectsAStartFinerThanAMicrosecondWhichItCouldNotStore() {
		// stored to the microsecond: these two would be one slot, and the second a 409 for a time never asked
		var response = postSlots("site-nanos",
				Map.of("slots", List.of(Map.of("startsAt", "2030-09-01T09:00:00.000001Z", "capacity", 2),
					Map.of("startsAt", "2030-09-01T09:00:00.0000011Z", "capacity", 2))));
		assertThat(response.getStatusCode().value()).isEqualTo(400);
		assertThat(response.getHeaders().getContentType()).isEqualTo(MediaType.APPLICATION_PROBLEM_JSON);
		assertThat(response.getBody()).contains("\"field\":\"slots[1].startsAt\"").contains("microsecond")
			.doesNotContain("slots[0]");
		assertThat(slots(this.staff, "site-nanos", "2030-09-01T00:00:00Z", "2030-09-02T00:00:00Z")).isEmpty();
	}

	@Test
	void rejectsTwoSlotsAtOneTimeInARequestAsABadRequest() {
		var response = postSlots("site-twice",
				Map.of("slots", List.of(Map.of("startsAt", "2030-08-01T09:00:00Z", "capacity", 2),
					Map.of("startsAt", "2030-08-01T10:00:00Z", "capacity", 2),
					Map.of("startsAt", "2030-08-01T09:00:00Z", "capacity", 3))));
		assertThat(response.getStatusCode().value()).isEqualTo(400);
		assertThat(response.getHeaders().getContentType()).isEqualTo(MediaType.APPLICATION_PROBLEM_JSON);
		assertThat(response.getBody()).contains("slots[0] and slots[2] both start at 2030-08-01T09:00:00Z");
	}

	@Test
	void rejectsAnInvalidSiteIdWithTheFieldError() {
		var response = postSlots("site with spaces",
				Map.of("slots", List.of(Map.of("startsAt", "2030-05-01T09:00:00Z", "capacity", 1))));
		assertThat(response.getStatusCode().value()).isEqualTo(400);
		assertThat(response.getHeaders().getContentType()).isEqualTo(MediaType.APPLICATION_PROBLEM_JSON);
		assertThat(response.getBody()).contains("\"field\":\"siteId\"");
	}

	@Test
	void rejectsASecondSlotAtTheSameTimeAndCreatesNoneOfTheBatch() {
		Instant startsAt = Instant.parse("2030-07-01T10:00:00Z");
		TestClients.createSlot(this.staff, "site-dup", startsAt, 3);
		var response = postSlots("site-dup",
				Map.of("slots", List.of(Map.of("startsAt", "2030-07-01T11:00:00Z", "capacity", 3),
					Map.of("startsAt", startsAt.toString(), "capacity", 5))));
		assertThat(response.getStatusCode().value()).isEqualTo(409);
		assertThat(response.getHeaders().getContentType()).isEqualTo(MediaType.APPLICATION_PROBLEM_JSON);
		assertThat(slots(this.staff, "site-dup", "2030-07-01T00:00:00Z", "2030-07-02T00:00:00Z")).singleElement().satisfies((slot) -> assertThat(slot).containsEntry("capacity", 3));
	}

	@Test
	void rejectsAWindowThatEndsBeforeItStarts() {
		var response = this.staff.get()
			.uri("/api/v1/sites/{siteId}/slots?from={from}&to={to}", "site-a", "2030-07-02T00:00:00Z",
					"2030-07-01T00:00:00Z")
			.retrieve()
			.toEntity(String.class);
		assertThat(response.getStatusCode().value()).isEqualTo(400);
		assertThat(response.getHeaders().getContentType()).isEqualTo(MediaType.APPLICATION_PROBLEM_JSON);
		assertThat(response.getBody()).contains("to must be after from");
	}

	/** The site's slots in [from, to), on the first page (every test's window fits in one). */
	@SuppressWarnings("unchecked")
	private static List<Map<String, Object>> slots(RestClient client, String siteId, String from, String to) {
		Map<String, Object> page = client.get()
			.uri("/api/v1/sites/{siteId}/slots?from={from}&to={to}", siteId, from, to)
			.retrieve()
			.body(new ParameterizedTypeReference<Map<String, Object>>() {
			});
		assertThat(page).containsEntry("nextCursor", null);
		return (List<Map<String, Object>>) page.get("items");
	}

	private static JsonNode json(@Nullable String body) {
		return JsonMapper.builder().build().readTree((body != null) ? body : "null");
	}

	private ResponseEntity<String> postSlots(String siteId, Object body) {
		return this.staff.post()
			.uri("/api/v1/sites/{siteId}/slots", siteId)
			.contentType(MediaType.APPLICATION_JSON)
			.body(body)
			.retrieve()
			.toEntity(String.class);
	}

}
