package org.patientplatform.dlq.search;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.assertj.core.api.InstanceOfAssertFactories;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import org.patientplatform.dlq.DlqIntegrationTest;
import org.patientplatform.dlq.TestApi;
import org.patientplatform.dlq.TestKafka;
import org.patientplatform.local.infra.LocalSigningKey;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.core.ParameterizedTypeReference;
import org.springframework.http.MediaType;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.context.TestPropertySource;
import org.springframework.web.client.RestClient;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Operator search over 40 captured entries: 3 services, 2 topics, 2 error classes, 2 of them
 * non-retryable (status NEW), the rest RETRY_SCHEDULED.
 */
@DlqIntegrationTest
@TestPropertySource(properties = "platform.roles=app,consumer-retry-message")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@ExtendWith(OutputCaptureExtension.class)
class DeadLetterSearchIntegrationTests {

	static final ParameterizedTypeReference<Map<String, Object>> MAP = new ParameterizedTypeReference<>() {
	};

	static final String PATIENT_PAYLOAD = "{\"patient\":\"Ada Lovelace\",\"dob\":\"1815-12-10\"}";

	@Autowired
	JdbcTemplate jdbc;

	@Autowired
	LocalSigningKey signingKey;

	@LocalServerPort
	int port;

	@Value("${spring.kafka.bootstrap-servers}")
	String bootstrapServers;

	RestClient ops;

	@BeforeAll
	void captureEntries() {
		this.ops = TestApi.as(this.signingKey, this.port, "ops-anna", "ops");
		try (TestKafka kafka = new TestKafka(this.bootstrapServers)) {
			for (int i = 0; i < 40; i++) {
				String service = List.of("patient-service", "booking-queue-service", "notification-service").get(i % 3);
				String topic = (i % 2 == 0) ? "patient.events.v1" : "booking.events.v1";
				boolean timeout = i % 4 == 0;
				kafka.sendAsync(TestKafka.failedRecord(service, topic, i, "key-" + i, PATIENT_PAYLOAD,
						timeout ? "java.net.SocketTimeoutException" : "java.lang.IllegalStateException",
						timeout ? "Read timed out calling the SMS provider" : "Contact projection is stale for " + i,
						timeout ? "aaaaaaaaaaaaaaaa" : "bbbbbbbbbbbbbbbb", i >= 38));
			}
			kafka.flush();
		}
		await().atMost(Duration.ofSeconds(60))
			.until(() -> this.jdbc.queryForObject("SELECT count(*) FROM dead_letter_entry", Integer.class), (n) -> n == 40);
		// spread the failure times, one minute apart, newest for the highest offset
		this.jdbc.update("UPDATE dead_letter_entry SET last_failed_at = timestamptz '2026-01-01T00:00:00Z' "
				+ "+ original_offset * interval '1 minute'");
	}

	@Test
	void filtersByEveryCriterion() {
		assertThat(total("sourceService=patient-service")).isEqualTo(14);
		assertThat(total("topic=booking.events.v1")).isEqualTo(20);
		assertThat(total("status=NEW")).isEqualTo(2);
		assertThat(total("status=NEW&status=RETRY_SCHEDULED")).isEqualTo(40);
		assertThat(total("errorClass=java.net.SocketTimeoutException")).isEqualTo(10);
		assertThat(total("fingerprint=bbbbbbbbbbbbbbbb")).isEqualTo(30);
		assertThat(total("key=key-17")).isEqualTo(1);
		assertThat(total("from=2026-01-01T00:10:00Z&to=2026-01-01T00:20:00Z")).isEqualTo(10);
		assertThat(total("q=timed out")).isEqualTo(10);
		assertThat(total("q=projec stale")).isEqualTo(30);
		assertThat(total("q=Timed&sourceService=patient-service&topic=patient.events.v1")).isEqualTo(4);
	}

	@Test
	void pagesThroughEveryEntryNewestFirstWithAKeysetCursor() {
		List<Map<String, Object>> seen = new ArrayList<>();
		String cursor = null;
		int pages = 0;
		do {
			Map<String, Object> page = this.ops.get()
				.uri("/api/v1/dlq/messages?limit=7" + ((cursor != null) ? "&cursor=" + cursor : ""))
				.retrieve()
				.body(MAP);
			@SuppressWarnings("unchecked")
			List<Map<String, Object>> items = (List<Map<String, Object>>) page.get("items");
			seen.addAll(items);
			cursor = (String) page.get("nextCursor");
			pages++;
		}
		while (cursor != null);

		assertThat(pages).isEqualTo(6);
		assertThat(seen).hasSize(40);
		assertThat(seen.stream().map((item) -> item.get("id")).distinct()).hasSize(40);
		List<Instant> times = seen.stream().map((item) -> Instant.parse((String) item.get("lastFailedAt"))).toList();
		assertThat(times).isSortedAccordingTo((a, b) -> b.compareTo(a));
		assertThat(seen.getFirst()).containsEntry("originalOffset", 39)
			.containsEntry("keyText", "key-39")
			.doesNotContainKeys("payload", "headers", "errorStacktrace");
	}

	@Test
	void listsNoKeyTextForAKeyThatIsNotUtf8AsTheDetailDoes() {
		// before: the list showed such a key decoded with replacement characters ("\uFFFD\uFFFD\u0000bin"), a text
		// the key search never finds, while the entry's detail said it had no text (null, its base64 beside it)
		this.jdbc.update("UPDATE dead_letter_entry SET record_key = '\\xfffe0062696e'::bytea WHERE original_offset = 1");
		try {
			@SuppressWarnings("unchecked")
			List<Map<String, Object>> items = (List<Map<String, Object>>) this.ops.get()
				.uri("/api/v1/dlq/messages?topic=booking.events.v1&limit=200")
				.retrieve()
				.body(MAP)
				.get("items");
			Map<String, Object> binary = items.stream()
				.filter((item) -> Integer.valueOf(1).equals(item.get("originalOffset")))
				.findFirst()
				.orElseThrow();
			assertThat(binary).containsEntry("keyText", null);
			Map<String, Object> detail = this.ops.get()
				.uri("/api/v1/dlq/messages/{id}", binary.get("id"))
				.retrieve()
				.body(MAP);
			assertThat(detail).containsEntry("keyText", null).containsEntry("keyBase64", "//4AYmlu");

			// and such a key is found by its base64, as the detail shows it (before, a key that is no text could
			// not be searched for at all), in either alphabet, in the search, the facets and a bulk dry run
			List<String> binaryKeyed = this.jdbc.queryForList(
					"SELECT id::text FROM dead_letter_entry WHERE record_key = '\\xfffe0062696e'::bytea", String.class);
			assertThat(binaryKeyed).isNotEmpty().contains(String.valueOf(binary.get("id")));
			for (String base64 : List.of("//4AYmlu", "__4AYmlu")) {
				assertThat(pages("keyBase64=" + base64, 200)).as(base64)
					.extracting((item) -> String.valueOf(item.get("id")))
					.containsExactlyInAnyOrderElementsOf(binaryKeyed);
			}
			Map<String, Object> facets = this.ops.get()
				.uri("/api/v1/dlq/messages/facets?keyBase64={k}&from=2000-01-01T00:00:00Z", "//4AYmlu")
				.retrieve()
				.body(MAP);
			assertThat(((Number) facets.get("total")).intValue()).isEqualTo(binaryKeyed.size());
			Map<String, Object> byKey = this.ops.post()
				.uri("/api/v1/dlq/redrives")
				.contentType(MediaType.APPLICATION_JSON)
				.body(Map.of("filter", Map.of("keyBase64", "//4AYmlu"), "dryRun", true, "reason", "binary keys"))
				.retrieve()
				.body(MAP);
			Map<String, Object> byIds = this.ops.post()
				.uri("/api/v1/dlq/redrives")
				.contentType(MediaType.APPLICATION_JSON)
				.body(Map.of("ids", binaryKeyed, "dryRun", true, "reason", "binary keys"))
				.retrieve()
				.body(MAP);
			assertThat(((Number) byKey.get("count")).longValue()).isPositive()
				.isEqualTo(((Number) byIds.get("count")).longValue());

			// a + sent as a space (not %2B), a text that is no base64, or both forms of the key: a 400 that says so
			for (String query : List.of("keyBase64=ab+c", "keyBase64=abcde", "key=bin&keyBase64=Ymlu")) {
				var refused = this.ops.get().uri("/api/v1/dlq/messages?" + query).retrieve().toEntity(MAP);
				assertThat(refused.getStatusCode().value()).as(query).isEqualTo(400);
				assertThat(refused.getBody().get("errors").toString()).as(query)
					.contains("field=keyBase64", "must be base64");
			}
		}
		finally {
			this.jdbc.update("UPDATE dead_letter_entry SET record_key = convert_to('key-1', 'UTF8') WHERE original_offset = 1");
		}
	}

	@Test
	void findsAnEntryByTheLongestKeyTheSearchTakesInAnyScript() {
		// 16,384 characters of a script outside ASCII: 147 kB percent-encoded in the query string; before, past
		// Tomcat's default 8 kB of request line and headers, the search was Tomcat's bare 400, not an answer
		String key = "\u8840".repeat(16_384);
		this.jdbc.update("UPDATE dead_letter_entry SET record_key = convert_to(?, 'UTF8') WHERE original_offset = 2", key);
		try {
			@SuppressWarnings("unchecked")
			List<Map<String, Object>> items = (List<Map<String, Object>>) this.ops.get()
				.uri((uri) -> uri.path("/api/v1/dlq/messages").queryParam("key", key).build())
				.retrieve()
				.body(MAP)
				.get("items");
			assertThat(items).singleElement().satisfies((item) -> assertThat(item).containsEntry("originalOffset", 2));
		}
		finally {
			this.jdbc.update("UPDATE dead_letter_entry SET record_key = convert_to('key-2', 'UTF8') WHERE original_offset = 2");
		}
	}

	@Test
	void pagesThroughAStatusAloneAndWithOtherCriteria() {
		// status alone walks the entry states' index, with other criteria the records': both in the same order
		assertThat(offsets(pages("status=RETRY_SCHEDULED", 3))).isEqualTo(descending(0, 37, (i) -> true));
		// two statuses: each one's newest, merged page by page
		assertThat(offsets(pages("status=NEW&status=RETRY_SCHEDULED", 3))).isEqualTo(descending(0, 39, (i) -> true));
		assertThat(offsets(pages("status=NEW&status=DISCARDED", 3))).isEqualTo(descending(38, 39, (i) -> true));
		assertThat(offsets(pages("status=RETRY_SCHEDULED&from=2026-01-01T00:10:00Z&to=2026-01-01T00:20:00Z", 3)))
			.isEqualTo(descending(10, 19, (i) -> true));
		assertThat(offsets(pages("status=RETRY_SCHEDULED&topic=booking.events.v1", 3)))
			.isEqualTo(descending(0, 37, (i) -> i % 2 == 1));
		assertThat(offsets(pages("status=NEW&status=RETRY_SCHEDULED&sourceService=patient-service", 3)))
			.isEqualTo(descending(0, 39, (i) -> i % 3 == 0));
	}

	/** Every item of the search, page by page. */
	private List<Map<String, Object>> pages(String query, int limit) {
		List<Map<String, Object>> seen = new ArrayList<>();
		String cursor = null;
		do {
			Map<String, Object> page = this.ops.get()
				.uri("/api/v1/dlq/messages?limit=" + limit + "&" + query + ((cursor != null) ? "&cursor=" + cursor : ""))
				.retrieve()
				.body(MAP);
			assertThat(page).as(query).containsKey("items");
			@SuppressWarnings("unchecked")
			List<Map<String, Object>> items = (List<Map<String, Object>>) page.get("items");
			seen.addAll(items);
			cursor = (String) page.get("nextCursor");
		}
		while (cursor != null);
		return seen;
	}

	private static List<Integer> offsets(List<Map<String, Object>> items) {
		return items.stream().map((item) -> ((Number) item.get("originalOffset")).intValue()).toList();
	}

	private static List<Integer> descending(int from, int to, java.util.function.IntPredicate which) {
		List<Integer> offsets = new ArrayList<>();
		for (int i = to; i >= from; i--) {
			if (which.test(i)) {
				offsets.add(i);
			}
		}
		return offsets;
	}

	@Test
	void refusesAPageLargerThanTheCapAForgedCursorOrAnUnknownStatus() {
		Map<String, Object> page = this.ops.get().uri("/api/v1/dlq/messages?limit=200").retrieve().body(MAP);
		assertThat((List<?>) page.get("items")).hasSize(40);
		var tooLarge = this.ops.get().uri("/api/v1/dlq/messages?limit=100000").retrieve().toEntity(MAP);
		assertThat(tooLarge.getStatusCode().value()).isEqualTo(400);
		assertThat(tooLarge.getHeaders().getContentType()).isEqualTo(MediaType.APPLICATION_PROBLEM_JSON);
		assertThat(tooLarge.getBody().toString()).contains("limit");

		var forged = this.ops.get().uri("/api/v1/dlq/messages?cursor=bm90LWEtY3Vyc29y").retrieve().toEntity(MAP);
		assertThat(forged.getStatusCode().value()).isEqualTo(400);
		assertThat(forged.getHeaders().getContentType()).isEqualTo(MediaType.APPLICATION_PROBLEM_JSON);

		for (String path : List.of("/api/v1/dlq/messages?q={q}", "/api/v1/dlq/messages/facets?q={q}")) {
			var noWord = this.ops.get().uri(path, "?!").retrieve().toEntity(MAP);
			assertThat(noWord.getStatusCode().value()).as(path).isEqualTo(400);
			assertThat(noWord.getHeaders().getContentType()).isEqualTo(MediaType.APPLICATION_PROBLEM_JSON);
			assertThat(noWord.getBody().get("errors").toString()).contains("field=q", "must hold a letter or a digit");
		}
		// an empty search box is no criterion
		assertThat(total("q=")).isEqualTo(40);

		// a time range that ends before it begins names the field it is about
		var backwards = this.ops.get()
			.uri("/api/v1/dlq/messages?from=2026-02-01T00:00:00Z&to=2026-01-01T00:00:00Z")
			.retrieve()
			.toEntity(MAP);
		assertThat(backwards.getStatusCode().value()).isEqualTo(400);
		assertThat(backwards.getBody().get("errors").toString()).contains("field=from", "must be before to")
			.doesNotContain("fromBeforeTo");

		// a bare number is no instant: Spring read it as epoch milliseconds, so from=1765000000 (seconds) searched
		// from January 1970 and matched every entry without a word
		for (String query : List.of("/api/v1/dlq/messages?from=1765000000", "/api/v1/dlq/messages/facets?to=1765000000",
				"/api/v1/dlq/patterns?since=1765000000")) {
			var epoch = this.ops.get().uri(query).retrieve().toEntity(MAP);
			assertThat(epoch.getStatusCode().value()).as(query).isEqualTo(400);
			assertThat(epoch.getBody().get("errors").toString()).as(query)
				.contains("must be a date-time with its offset, such as 2026-01-31T09:30:00Z");
		}
		// the ISO forms with fractions and offsets still read
		assertThat(total("from=2026-01-01T00:10:00.000Z&to=2025-12-31T23:20:00-01:00")).isEqualTo(10);

		// a name holding a control character is no stored name (the capture makes such a record raw): a 400 naming
		// the parameter, not a search that finds nothing (or, with NUL, a text the database cannot compare)
		for (String parameter : List.of("sourceService", "topic", "errorClass", "fingerprint")) {
			for (String value : List.of("a%07b", "a%00b", "line%0Abreak")) {
				var control = this.ops.get()
					.uri(java.net.URI.create("http://127.0.0.1:" + this.port + "/api/v1/dlq/messages?" + parameter
							+ "=" + value))
					.retrieve()
					.toEntity(MAP);
				assertThat(control.getStatusCode().value()).as(parameter + "=" + value).isEqualTo(400);
				assertThat(control.getBody().get("errors").toString()).as(parameter + "=" + value)
					.contains("field=" + parameter, "must not hold a control character");
			}
		}

		var status = this.ops.get().uri("/api/v1/dlq/messages?status=LOST").retrieve().toEntity(MAP);
		assertThat(status.getStatusCode().value()).isEqualTo(400);
		assertThat(status.getBody().get("errors").toString()).contains("status");

		var anonymous = RestClient.create("http://127.0.0.1:" + this.port)
			.get()
			.uri("/api/v1/dlq/messages")
			.exchange((request, response) -> response.getStatusCode().value());
		assertThat(anonymous).isEqualTo(401);
	}

	@Test
	void refusesHour24AndALeapSecondInATimeRangeNamingTheParameter() {
		// java.time's instant reader (Spring's fallback after its strict ISO parse) took T24:00 as the next day's
		// midnight and 23:59:60 as 23:59:59, and searched from a time the caller did not write
		Map<String, String> refused = Map.of("/api/v1/dlq/messages?from=2026-01-01T24:00:00Z", "from",
				"/api/v1/dlq/messages?from=2026-01-01T00:00:00Z&to=2026-01-01T23:59:60Z", "to",
				"/api/v1/dlq/messages/facets?to=2025-12-31T24:00:00%2B01:00", "to",
				"/api/v1/dlq/patterns?since=2026-01-01T24:00:00Z", "since");
		refused.forEach((query, parameter) -> {
			var response = this.ops.get()
				.uri(java.net.URI.create("http://127.0.0.1:" + this.port + query))
				.retrieve()
				.toEntity(String.class);
			assertThat(response.getStatusCode().value()).as(query).isEqualTo(400);
			assertThat(response.getHeaders().getContentType()).as(query).isEqualTo(MediaType.APPLICATION_PROBLEM_JSON);
			assertThat(JsonMapper.shared().readTree(response.getBody()).path("errors").valueStream()
				.map((error) -> error.path("field").asString() + " " + error.path("message").asString()))
				.as(query)
				.containsExactly(parameter + " must be a date-time with its offset, such as 2026-01-31T09:30:00Z");
		});
		// the next day's midnight written as such reads: the entries that failed on 2026-01-01 (after 00:00) are not
		// in it
		assertThat(total("from=2026-01-02T00:00:00Z")).isZero();
		assertThat(total("from=2026-01-01T00:00:00Z&to=2026-01-01T23:59:59Z")).isEqualTo(40);
	}

	@Test
	void countsEntriesPerGroupForTheSameFilters() {
		Map<String, Object> facets = this.ops.get()
			.uri("/api/v1/dlq/messages/facets?topic=patient.events.v1&from=2026-01-01T00:00:00Z")
			.retrieve()
			.body(MAP);
		assertThat(facets).containsEntry("total", 20)
			.containsEntry("defaultWindow", false)
			.containsEntry("from", "2026-01-01T00:00:00Z");
		assertThat(facets.get("status")).isEqualTo(Map.of("RETRY_SCHEDULED", 19, "NEW", 1));
		assertThat(facets.get("topic")).isEqualTo(Map.of("patient.events.v1", 20));
		assertThat(facets.get("errorClass"))
			.isEqualTo(Map.of("java.net.SocketTimeoutException", 10, "java.lang.IllegalStateException", 10));
		assertThat(facets.get("sourceService")).isEqualTo(
				Map.of("patient-service", 7, "booking-queue-service", 6, "notification-service", 7));
		// status and time only: counted from the entries' states, their records' columns by key
		Map<String, Object> byStatus = this.ops.get()
			.uri("/api/v1/dlq/messages/facets?status=NEW&from=2026-01-01T00:00:00Z")
			.retrieve()
			.body(MAP);
		assertThat(byStatus).containsEntry("total", 2).containsEntry("status", Map.of("NEW", 2));
		assertThat(byStatus.get("topic")).isEqualTo(Map.of("patient.events.v1", 1, "booking.events.v1", 1));
		assertThat(byStatus.get("sourceService")).isEqualTo(Map.of("patient-service", 1, "notification-service", 1));
		// service and time only: the statuses counted from the states (their copy of the service), the rest
		// from the records; the one NEW entry of patient-service is offset 39, the other NEW one is not its
		Map<String, Object> byService = this.ops.get()
			.uri("/api/v1/dlq/messages/facets?sourceService=patient-service&from=2026-01-01T00:00:00Z")
			.retrieve()
			.body(MAP);
		assertThat(byService).containsEntry("total", 14).containsEntry("status", Map.of("RETRY_SCHEDULED", 13, "NEW", 1));
		assertThat(byService.get("sourceService")).isEqualTo(Map.of("patient-service", 14));
		assertThat(byService.get("topic")).isEqualTo(Map.of("patient.events.v1", 7, "booking.events.v1", 7));
		assertThat(byService.get("errorClass"))
			.isEqualTo(Map.of("java.net.SocketTimeoutException", 4, "java.lang.IllegalStateException", 10));
		Map<String, Object> everyService = this.ops.get()
			.uri("/api/v1/dlq/messages/facets?from=2026-01-01T00:00:00Z")
			.retrieve()
			.body(MAP);
		assertThat(everyService).containsEntry("total", 40)
			.containsEntry("status", Map.of("RETRY_SCHEDULED", 38, "NEW", 2))
			.containsEntry("sourceService",
					Map.of("patient-service", 14, "booking-queue-service", 13, "notification-service", 13));
		// a bounded window: offsets 10 to 19 failed then, and of those 12, 15 and 18 in patient-service
		String window = "sourceService=patient-service&from=2026-01-01T00:10:00Z&to=2026-01-01T00:20:00Z";
		Map<String, Object> bounded = this.ops.get().uri("/api/v1/dlq/messages/facets?" + window).retrieve().body(MAP);
		assertThat(bounded).containsEntry("total", 3).containsEntry("status", Map.of("RETRY_SCHEDULED", 3));
		assertThat(bounded.get("topic")).isEqualTo(Map.of("patient.events.v1", 2, "booking.events.v1", 1));
		assertThat(total(window)).isEqualTo(3);
	}

	@Test
	void selectsTheEntriesTheFacetsCountUnderNone() {
		// offset 3 (patient-service in the fixture) loses its service and error class, as a record
		// that names neither does: the facets count it under (none), and (none) as a criterion selects it
		String offset3 = "(SELECT id FROM dead_letter_record WHERE original_offset = 3)";
		this.jdbc.update("UPDATE dead_letter_record SET source_service = NULL, error_class = NULL WHERE id = " + offset3);
		this.jdbc.update("UPDATE dead_letter_state SET source_service = NULL WHERE id = " + offset3);
		try {
			Map<String, Object> facets = this.ops.get()
				.uri("/api/v1/dlq/messages/facets?from=2026-01-01T00:00:00Z")
				.retrieve()
				.body(MAP);
			assertThat(facets.get("sourceService")).asInstanceOf(InstanceOfAssertFactories.map(String.class, Integer.class))
				.containsEntry("(none)", 1);
			assertThat(facets.get("errorClass")).asInstanceOf(InstanceOfAssertFactories.map(String.class, Integer.class))
				.containsEntry("(none)", 1);
			// before, (none) matched nothing: no service is named so
			assertThat(offsets(pages("sourceService=(none)", 200))).containsExactly(3);
			assertThat(offsets(pages("errorClass=(none)", 200))).containsExactly(3);
			assertThat(total("sourceService=(none)&errorClass=(none)&topic=booking.events.v1")).isEqualTo(1);
			assertThat(total("topic=(none)")).isZero();
			// service and time only: counted from the states' copy of the service and from the records apart
			Map<String, Object> none = this.ops.get()
				.uri("/api/v1/dlq/messages/facets?sourceService=(none)&from=2026-01-01T00:00:00Z")
				.retrieve()
				.body(MAP);
			assertThat(none).containsEntry("total", 1).containsEntry("status", Map.of("RETRY_SCHEDULED", 1));
		}
		finally {
			this.jdbc.update("UPDATE dead_letter_record SET source_service = 'patient-service', "
					+ "error_class = 'java.lang.IllegalStateException' WHERE id = " + offset3);
			this.jdbc.update("UPDATE dead_letter_state SET source_service = 'patient-service' WHERE id = " + offset3);
		}
	}

	@Test
	void everyStateHoldsItsRecordsSourceServiceAndLastFailure() {
		// written by the capture's statement, and by the test's update of the failure times through the view
		assertThat(this.jdbc.queryForObject("""
				SELECT count(*) FROM dead_letter_record r JOIN dead_letter_state s ON s.id = r.id
				WHERE s.source_service = r.source_service AND s.last_failed_at = r.last_failed_at
				""", Integer.class)).isEqualTo(40);
	}

	@Test
	void countsOnlyTheLastHourWhenNoTimeRangeIsGiven() {
		// the entries last failed on 2026-01-01 (see captureEntries): outside the default window of one hour
		Map<String, Object> facets = this.ops.get()
			.uri("/api/v1/dlq/messages/facets?topic=patient.events.v1")
			.retrieve()
			.body(MAP);
		assertThat(facets).containsEntry("total", 0).containsEntry("defaultWindow", true).containsEntry("to", null);
		assertThat(Instant.parse((String) facets.get("from"))).isBetween(Instant.now().minus(Duration.ofMinutes(65)),
				Instant.now().minus(Duration.ofMinutes(55)));

		Map<String, Object> until = this.ops.get()
			.uri("/api/v1/dlq/messages/facets?to=2026-01-01T00:10:00Z")
			.retrieve()
			.body(MAP);
		assertThat(until).containsEntry("total", 10).containsEntry("defaultWindow", false).containsEntry("from", null);
	}

	@Test
	void revealsThePayloadToOpsAndAuditsWhoAndWhyWithoutThePayload(CapturedOutput output) {
		UUID id = this.jdbc.queryForObject("SELECT id FROM dead_letter_entry WHERE original_offset = 5", UUID.class);
		Map<String, Object> detail = this.ops.get().uri("/api/v1/dlq/messages/{id}", id).retrieve().body(MAP);
		assertThat(detail.toString()).doesNotContain("Ada Lovelace");

		var revealed = this.ops.post()
			.uri("/api/v1/dlq/messages/{id}/reveal", id)
			.body(Map.of("reason", "INC-4711 find the broken field"))
			.retrieve()
			.toEntity(MAP);
		assertThat(revealed.getStatusCode().value()).isEqualTo(200);
		@SuppressWarnings("unchecked")
		Map<String, Object> original = (Map<String, Object>) revealed.getBody().get("original");
		assertThat(original).containsEntry("text", PATIENT_PAYLOAD).containsEntry("size", PATIENT_PAYLOAD.length());
		assertThat(revealed.getBody()).containsEntry("edited", null);

		// as ops read it back: who revealed this entry's payload, and why
		Map<String, Object> trail = this.ops.get()
			.uri("/api/v1/ops/audit?resourceType=dlq-entry&resourceId={id}&action=dlq.payload.reveal", id)
			.retrieve()
			.body(MAP);
		@SuppressWarnings("unchecked")
		List<Map<String, Object>> audit = (List<Map<String, Object>>) trail.get("items");
		assertThat(audit).singleElement()
			.satisfies((row) -> assertThat(row).containsEntry("actor", "ops-anna")
				.containsEntry("actorRole", "ops")
				.containsEntry("resourceType", "dlq-entry")
				.containsEntry("resourceId", id.toString())
				.containsEntry("outcome", "SUCCEEDED")
				.containsEntry("reason", "INC-4711 find the broken field"));
		assertThat(trail.get("nextCursor")).isNull();
		assertThat(trail.toString()).doesNotContain("Ada", "Lovelace", "1815");
		assertThat(output.getAll()).doesNotContain("Lovelace", "1815-12-10");
	}

	@Test
	void refusesARevealWithoutReasonOrWithAnIdempotencyKeyOrForStaff() {
		UUID id = this.jdbc.queryForObject("SELECT id FROM dead_letter_entry WHERE original_offset = 6", UUID.class);
		var noReason = this.ops.post().uri("/api/v1/dlq/messages/{id}/reveal", id).body(Map.of()).retrieve().toEntity(MAP);
		assertThat(noReason.getStatusCode().value()).isEqualTo(400);
		assertThat(noReason.getBody().get("errors").toString()).contains("reason");

		var replayable = this.ops.post()
			.uri("/api/v1/dlq/messages/{id}/reveal", id)
			.header("Idempotency-Key", "reveal-1")
			.body(Map.of("reason", "look"))
			.retrieve()
			.toEntity(String.class);
		assertThat(replayable.getStatusCode().value()).isEqualTo(400);
		assertThat(replayable.getBody()).doesNotContain("Ada");
		assertThat(this.jdbc.queryForList("SELECT response_body FROM idempotency_key", byte[].class))
			.allSatisfy((body) -> assertThat(new String(body)).doesNotContain("Ada"));

		var staff = TestApi.as(this.signingKey, this.port, "staff-1", "staff")
			.post()
			.uri("/api/v1/dlq/messages/{id}/reveal", id)
			.body(Map.of("reason", "curious"))
			.retrieve()
			.toEntity(String.class);
		assertThat(staff.getStatusCode().value()).isEqualTo(403);
		assertThat(staff.getBody()).doesNotContain("Ada");

		var missing = this.ops.post()
			.uri("/api/v1/dlq/messages/{id}/reveal", UUID.randomUUID())
			.body(Map.of("reason", "look"))
			.retrieve()
			.toEntity(MAP);
		assertThat(missing.getStatusCode().value()).isEqualTo(404);
	}

	private int total(String query) {
		return (int) pages(query, 200).stream().map((item) -> item.get("id")).distinct().count();
	}

}
