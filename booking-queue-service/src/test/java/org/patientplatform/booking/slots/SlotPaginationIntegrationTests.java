package org.patientplatform.booking.slots;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.patientplatform.booking.BookingQueueIntegrationTest;
import org.patientplatform.booking.TestClients;
import org.patientplatform.kit.web.Page;
import org.patientplatform.local.infra.LocalSigningKey;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.core.ParameterizedTypeReference;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.client.RestClient;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code GET /api/v1/sites/{siteId}/slots} a page at a time: the kit's {@code Page} envelope, keyset on
 * (start, id) within the requested window.
 */
@BookingQueueIntegrationTest
class SlotPaginationIntegrationTests {

	private static final ParameterizedTypeReference<Map<String, Object>> PAGE = new ParameterizedTypeReference<>() {
	};

	private static final String WINDOW = "from=2031-01-01T00:00:00Z&to=2031-03-01T00:00:00Z";

	@Autowired
	LocalSigningKey signingKey;

	@LocalServerPort
	int port;

	RestClient staff;

	@BeforeEach
	void setUp() {
		this.staff = TestClients.api(this.port, TestClients.staff(this.signingKey));
	}

	@Test
	void followingCursorsVisitsEverySlotOfTheWindowOnceInStartOrder() {
		String site = "site-slot-pages";
		// 120 slots, an hour apart, created out of order; one before and one after the window
		List<Map<String, Object>> slots = new ArrayList<>();
		for (int i = 119; i >= 0; i--) {
			slots.add(Map.of("startsAt", Instant.parse("2031-01-10T00:00:00Z").plusSeconds(3600L * i).toString(),
					"capacity", 1 + i % 5));
		}
		slots.add(Map.of("startsAt", "2030-12-31T23:00:00Z", "capacity", 1));
		slots.add(Map.of("startsAt", "2031-03-01T00:00:00Z", "capacity", 1));
		createSlots(site, slots);
		UUID booked = TestClients.createSlot(this.staff, site, Instant.parse("2031-01-09T00:00:00Z"), 3);
		book(booked, "P-slot-pages");

		List<String> expected = new ArrayList<>();
		expected.add("2031-01-09T00:00:00Z");
		for (int i = 0; i < 120; i++) {
			expected.add(Instant.parse("2031-01-10T00:00:00Z").plusSeconds(3600L * i).toString());
		}
		// 121 slots: pages of 7 (the last of 2), of 11 (which divides 121: no empty page after the last full one)
		for (int limit : List.of(1, 7, 11, 50, 120, 121, 200)) {
			List<Page<Map<String, Object>>> pages = allPages(site, WINDOW, limit);
			List<Map<String, Object>> seen = pages.stream().flatMap((page) -> page.items().stream()).toList();
			assertThat(seen).extracting((slot) -> slot.get("startsAt")).as("limit %d", limit).isEqualTo(expected);
			assertThat(seen.stream().map((slot) -> slot.get("id")).distinct()).as("limit %d", limit).hasSize(121);
			assertThat(pages).as("limit %d", limit).hasSize((121 + limit - 1) / limit);
			for (Page<Map<String, Object>> page : pages.subList(0, pages.size() - 1)) {
				assertThat(page.items()).as("limit %d", limit).hasSize(limit);
				assertThat(page.nextCursor()).as("limit %d", limit).isNotBlank();
			}
			assertThat(pages.getLast().nextCursor()).as("limit %d", limit).isNull();
			assertThat(seen.getFirst()).as("limit %d", limit)
				.containsEntry("id", booked.toString())
				.containsEntry("capacity", 3)
				.containsEntry("booked", 1)
				.containsEntry("available", 2);
		}

		// 50 by default
		Page<Map<String, Object>> first = page(site, WINDOW);
		assertThat(first.items()).hasSize(50);
		assertThat(page(site, WINDOW + "&cursor=" + first.nextCursor()).items().getFirst())
			.containsEntry("startsAt", expected.get(50));
		// a blank cursor is the first page
		assertThat(page(site, WINDOW + "&cursor=").items()).isEqualTo(first.items());
	}

	@Test
	void slotsCreatedBetweenPagesAfterTheCursorAreListedOnceAndTheRestUnchanged() {
		String site = "site-slot-moving";
		List<Map<String, Object>> slots = new ArrayList<>();
		for (int i = 0; i < 6; i++) {
			slots.add(Map.of("startsAt", "2031-02-0" + (i + 1) + "T09:00:00Z", "capacity", 2));
		}
		createSlots(site, slots);

		Page<Map<String, Object>> first = page(site, WINDOW + "&limit=3");
		assertThat(first.items()).extracting((slot) -> slot.get("startsAt"))
			.containsExactly("2031-02-01T09:00:00Z", "2031-02-02T09:00:00Z", "2031-02-03T09:00:00Z");
		// between pages: one slot after the cursor, one before it (already passed: keyset pages do not go back),
		// and a booking of the next page's first slot
		createSlots(site, List.of(Map.of("startsAt", "2031-02-04T12:00:00Z", "capacity", 2),
				Map.of("startsAt", "2031-02-02T12:00:00Z", "capacity", 2)));
		book(UUID.fromString((String) page(site, WINDOW + "&limit=1&cursor=" + first.nextCursor()).items()
			.getFirst()
			.get("id")), "P-slot-moving");

		List<Map<String, Object>> seen = new ArrayList<>(first.items());
		String cursor = first.nextCursor();
		while (cursor != null) {
			Page<Map<String, Object>> page = page(site, WINDOW + "&limit=3&cursor=" + cursor);
			seen.addAll(page.items());
			cursor = page.nextCursor();
		}
		assertThat(seen).extracting((slot) -> slot.get("startsAt"))
			.containsExactly("2031-02-01T09:00:00Z", "2031-02-02T09:00:00Z", "2031-02-03T09:00:00Z",
					"2031-02-04T09:00:00Z", "2031-02-04T12:00:00Z", "2031-02-05T09:00:00Z", "2031-02-06T09:00:00Z");
		assertThat(seen.get(3)).containsEntry("booked", 1).containsEntry("available", 1);
		assertThat(seen.stream().map((slot) -> slot.get("id")).distinct()).hasSize(7);
		assertThat(seen).extracting((slot) -> Instant.parse((String) slot.get("startsAt")))
			.isSortedAccordingTo(Comparator.naturalOrder());
	}

	@Test
	void refusesALimitOutOfRangeAndACursorItDidNotIssue() {
		assertThat(get("site-a", WINDOW + "&limit=200").getStatusCode().value()).isEqualTo(200);
		for (String limit : List.of("0", "-1", "201", "100000", "ten")) {
			ResponseEntity<String> response = get("site-a", WINDOW + "&limit=" + limit);
			assertThat(response.getStatusCode().value()).as(limit).isEqualTo(400);
			assertThat(response.getHeaders().getContentType()).as(limit).isEqualTo(MediaType.APPLICATION_PROBLEM_JSON);
			assertThat(response.getBody()).as(limit).contains("\"field\":\"limit\"");
		}
		// not base64; base64 of one part ("not-a-cursor"); the queue's cursor (a time and an arrival, not a UUID);
		// no time
		for (String cursor : List.of("****", "bm90LWEtY3Vyc29y", Page.encode(List.of("2031-01-01T00:00:00Z", "12")),
				Page.encode(List.of("yesterday", UUID.randomUUID().toString())))) {
			ResponseEntity<String> response = get("site-a", WINDOW + "&cursor=" + cursor);
			assertThat(response.getStatusCode().value()).as(cursor).isEqualTo(400);
			assertThat(response.getHeaders().getContentType()).as(cursor).isEqualTo(MediaType.APPLICATION_PROBLEM_JSON);
			assertThat(response.getBody()).as(cursor).contains("cursor is not valid");
		}
	}

	/** Every page of the site's slots in the window from the first, following nextCursor. */
	private List<Page<Map<String, Object>>> allPages(String site, String window, int limit) {
		List<Page<Map<String, Object>>> pages = new ArrayList<>();
		String cursor = null;
		do {
			Page<Map<String, Object>> page = page(site,
					window + "&limit=" + limit + ((cursor != null) ? "&cursor=" + cursor : ""));
			pages.add(page);
			cursor = page.nextCursor();
			assertThat(pages).as("pages of %d", limit).hasSizeLessThanOrEqualTo(200);
		}
		while (cursor != null);
		return pages;
	}

	@SuppressWarnings("unchecked")
	private Page<Map<String, Object>> page(String site, String query) {
		var response = this.staff.get().uri("/api/v1/sites/" + site + "/slots?" + query).retrieve().toEntity(PAGE);
		assertThat(response.getStatusCode().value()).as(query).isEqualTo(200);
		Map<String, Object> body = response.getBody();
		assertThat(body).as(query).containsOnlyKeys("items", "nextCursor");
		return new Page<>((List<Map<String, Object>>) body.get("items"), (String) body.get("nextCursor"));
	}

	private ResponseEntity<String> get(String site, String query) {
		return this.staff.get().uri("/api/v1/sites/" + site + "/slots?" + query).retrieve().toEntity(String.class);
	}

	private void createSlots(String site, List<Map<String, Object>> slots) {
		var response = this.staff.post()
			.uri("/api/v1/sites/{siteId}/slots", site)
			.contentType(MediaType.APPLICATION_JSON)
			.body(Map.of("slots", slots))
			.retrieve()
			.toEntity(String.class);
		assertThat(response.getStatusCode().value()).isEqualTo(201);
	}

	private void book(UUID slot, String patientId) {
		var response = this.staff.post()
			.uri("/api/v1/bookings")
			.contentType(MediaType.APPLICATION_JSON)
			.body(Map.of("slotId", slot.toString(), "patientId", patientId))
			.retrieve()
			.toEntity(String.class);
		assertThat(response.getStatusCode().value()).isEqualTo(201);
	}

}
