package org.patientplatform.booking.queue;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.patientplatform.booking.BookingQueueIntegrationTest;
import org.patientplatform.booking.TestClients;
import org.patientplatform.booking.bookings.BookingCalled;
import org.patientplatform.booking.bookings.BookingCheckedIn;
import org.patientplatform.booking.bookings.BookingRequested;
import org.patientplatform.kit.events.PlatformEvents;
import org.patientplatform.kit.web.Page;
import org.patientplatform.local.infra.LocalSigningKey;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.core.ParameterizedTypeReference;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.client.RestClient;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * {@code GET /api/v1/sites/{siteId}/queue} a page at a time: the kit's {@code Page} envelope, keyset on the
 * queue's own order (check-in time, then arrival), so pages that split bookings checked in at one time still
 * visit each once, and positions count the whole queue.
 */
@BookingQueueIntegrationTest
class QueuePaginationIntegrationTests {

	private static final ParameterizedTypeReference<Map<String, Object>> PAGE = new ParameterizedTypeReference<>() {
	};

	/** The slots' start, years ahead. */
	private static final Instant SLOT = Instant.parse("2034-01-01T08:00:00Z");

	/** When the bookings are asked for, and the first minute of check-ins: check-ins are dated about now. */
	private static final Instant T = Instant.now().truncatedTo(ChronoUnit.MINUTES).minus(Duration.ofMinutes(30));

	@Autowired
	PlatformEvents events;

	@Autowired
	LocalSigningKey signingKey;

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
	void pagesOfEverySizeVisitEachWaitingBookingOnceInQueueOrderEvenWhenCheckInTimesTie() throws Exception {
		String site = "site-pages-ties";
		UUID slot = TestClients.createSlot(this.staff, site, SLOT, 20);
		// eleven bookings; three groups checked in at one time each, so most page sizes split a group
		List<UUID> bookings = new ArrayList<>();
		for (int i = 0; i < 11; i++) {
			UUID booking = UUID.randomUUID();
			bookings.add(booking);
			send(site, BookingRequested.TYPE, new BookingRequested(booking, site, slot, "P-tie-" + i, T));
		}
		long[] checkInMinute = { 2, 2, 2, 2, 1, 1, 1, 3, 3, 3, 3 };
		for (int i = 0; i < 11; i++) {
			send(site, BookingCheckedIn.TYPE,
					new BookingCheckedIn(bookings.get(i), site, T.plusSeconds(60 * checkInMinute[i])));
		}
		// the queue's order: check-in time, then arrival (the order the check-ins were handled)
		List<String> expected = List.of(4, 5, 6, 0, 1, 2, 3, 7, 8, 9, 10)
			.stream()
			.map((i) -> bookings.get(i).toString())
			.toList();
		await().atMost(Duration.ofSeconds(30))
			.untilAsserted(() -> assertThat(ids(page(site, "limit=200").items())).isEqualTo(expected));

		for (int limit = 1; limit <= 12; limit++) {
			List<Page<Map<String, Object>>> pages = allPages(site, limit);
			List<Map<String, Object>> seen = pages.stream().flatMap((page) -> page.items().stream()).toList();
			assertThat(ids(seen)).as("limit %d", limit).isEqualTo(expected);
			assertThat(seen).extracting((item) -> item.get("position"))
				.as("limit %d", limit)
				.containsExactly(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11);
			assertThat(pages).as("limit %d", limit).hasSize((11 + limit - 1) / limit);
			for (Page<Map<String, Object>> page : pages.subList(0, pages.size() - 1)) {
				assertThat(page.items()).as("limit %d", limit).hasSize(limit);
				assertThat(page.nextCursor()).as("limit %d", limit).isNotBlank();
			}
			assertThat(pages.getLast().nextCursor()).as("limit %d", limit).isNull();
		}
		assertThat(page(site, "limit=3").items().getFirst()).containsEntry("siteId", site)
			.containsEntry("patientId", "P-tie-4")
			.containsEntry("checkedInAt", T.plusSeconds(60).toString())
			.containsEntry("position", 1);
	}

	@Test
	void followingCursorsWhileBookingsAreCalledAndCheckInVisitsEachStillWaitingOnce() throws Exception {
		String site = "site-pages-moving";
		UUID slot = TestClients.createSlot(this.staff, site, SLOT, 20);
		List<UUID> a = new ArrayList<>();
		for (int i = 0; i < 6; i++) {
			UUID booking = UUID.randomUUID();
			a.add(booking);
			send(site, BookingRequested.TYPE, new BookingRequested(booking, site, slot, "P-moving-" + i, T));
			send(site, BookingCheckedIn.TYPE, new BookingCheckedIn(booking, site, T.plusSeconds(60 * (i + 1))));
		}
		await().atMost(Duration.ofSeconds(30))
			.untilAsserted(() -> assertThat(page(site, "limit=200").items()).hasSize(6));

		Page<Map<String, Object>> first = page(site, "limit=2");
		assertThat(ids(first.items())).containsExactly(a.get(0).toString(), a.get(1).toString());

		// between pages: the page's last booking (the cursor's) and the next one are called, a late one checks in
		send(site, BookingCalled.TYPE, new BookingCalled(a.get(1), site, T.plusSeconds(600)));
		send(site, BookingCalled.TYPE, new BookingCalled(a.get(2), site, T.plusSeconds(610)));
		UUID late = UUID.randomUUID();
		send(site, BookingRequested.TYPE, new BookingRequested(late, site, slot, "P-moving-late", T));
		send(site, BookingCheckedIn.TYPE, new BookingCheckedIn(late, site, T.plusSeconds(900)));
		await().atMost(Duration.ofSeconds(30))
			.untilAsserted(() -> assertThat(ids(page(site, "limit=200").items())).containsExactly(a.get(0).toString(),
					a.get(3).toString(), a.get(4).toString(), a.get(5).toString(), late.toString()));

		Page<Map<String, Object>> second = page(site, "limit=2&cursor=" + first.nextCursor());
		assertThat(ids(second.items())).containsExactly(a.get(3).toString(), a.get(4).toString());
		Page<Map<String, Object>> third = page(site, "limit=2&cursor=" + second.nextCursor());
		assertThat(ids(third.items())).containsExactly(a.get(5).toString(), late.toString());
		assertThat(third.nextCursor()).isNull();
		// positions are the queue's when each page is read: only a.get(0) still waits ahead of the cursor
		assertThat(second.items()).extracting((item) -> item.get("position")).containsExactly(2, 3);
		assertThat(third.items()).extracting((item) -> item.get("position")).containsExactly(4, 5);
	}

	@Test
	void servesFiftyByDefaultAndAtMostTwoHundred() throws Exception {
		String site = "site-pages-default";
		UUID slot = TestClients.createSlot(this.staff, site, SLOT, 100);
		for (int i = 0; i < 60; i++) {
			UUID booking = UUID.randomUUID();
			send(site, BookingRequested.TYPE, new BookingRequested(booking, site, slot, "P-default-" + i, T));
			send(site, BookingCheckedIn.TYPE, new BookingCheckedIn(booking, site, T.plusSeconds(i)));
		}
		await().atMost(Duration.ofSeconds(60))
			.untilAsserted(() -> assertThat(page(site, "limit=200").items()).hasSize(60));

		Page<Map<String, Object>> first = page(site, "");
		assertThat(first.items()).hasSize(50);
		assertThat(first.nextCursor()).isNotBlank();
		Page<Map<String, Object>> rest = page(site, "cursor=" + first.nextCursor());
		assertThat(rest.items()).hasSize(10);
		assertThat(rest.nextCursor()).isNull();
		assertThat(rest.items().getFirst()).containsEntry("position", 51);
		// a blank cursor is the first page, as in the kit's other listings
		assertThat(ids(page(site, "cursor=").items())).isEqualTo(ids(first.items()));
	}

	@Test
	void refusesALimitOutOfRangeAndACursorItDidNotIssue() {
		assertThat(get("site-a", "limit=200").getStatusCode().value()).isEqualTo(200);
		for (String limit : List.of("0", "-1", "201", "100000", "ten")) {
			ResponseEntity<String> response = get("site-a", "limit=" + limit);
			assertThat(response.getStatusCode().value()).as(limit).isEqualTo(400);
			assertThat(response.getHeaders().getContentType()).as(limit).isEqualTo(MediaType.APPLICATION_PROBLEM_JSON);
			assertThat(response.getBody()).as(limit).contains("\"field\":\"limit\"");
		}
		// not base64; base64 of one part ("not-a-cursor"); a time alone; a slot listing's cursor (a time and a UUID,
		// not an arrival); no time
		for (String cursor : List.of("****", "bm90LWEtY3Vyc29y", Page.encode(List.of("2034-01-01T07:00:00Z")),
				Page.encode(List.of("2034-01-01T07:00:00Z", UUID.randomUUID().toString())),
				Page.encode(List.of("yesterday", "12")))) {
			ResponseEntity<String> response = get("site-a", "cursor=" + cursor);
			assertThat(response.getStatusCode().value()).as(cursor).isEqualTo(400);
			assertThat(response.getHeaders().getContentType()).as(cursor).isEqualTo(MediaType.APPLICATION_PROBLEM_JSON);
			assertThat(response.getBody()).as(cursor).contains("cursor is not valid");
		}
	}

	/** Every page of the site's queue from the first, following nextCursor. */
	private List<Page<Map<String, Object>>> allPages(String site, int limit) {
		List<Page<Map<String, Object>>> pages = new ArrayList<>();
		String cursor = null;
		do {
			Page<Map<String, Object>> page = page(site, "limit=" + limit + ((cursor != null) ? "&cursor=" + cursor : ""));
			pages.add(page);
			cursor = page.nextCursor();
			assertThat(pages).as("pages of %d", limit).hasSizeLessThanOrEqualTo(20);
		}
		while (cursor != null);
		return pages;
	}

	@SuppressWarnings("unchecked")
	private Page<Map<String, Object>> page(String site, String query) {
		var response = this.staff.get().uri("/api/v1/sites/" + site + "/queue?" + query).retrieve().toEntity(PAGE);
		assertThat(response.getStatusCode().value()).as(query).isEqualTo(200);
		Map<String, Object> body = response.getBody();
		assertThat(body).as(query).containsOnlyKeys("items", "nextCursor");
		return new Page<>((List<Map<String, Object>>) body.get("items"), (String) body.get("nextCursor"));
	}

	private ResponseEntity<String> get(String site, String query) {
		return this.staff.get().uri("/api/v1/sites/" + site + "/queue?" + query).retrieve().toEntity(String.class);
	}

	private static List<String> ids(List<Map<String, Object>> items) {
		return items.stream().map((item) -> (String) item.get("bookingId")).toList();
	}

	private void send(String site, String type, Object data) throws Exception {
		this.producer.send(TestClients.event(this.events, type, site, data)).get();
	}

}
