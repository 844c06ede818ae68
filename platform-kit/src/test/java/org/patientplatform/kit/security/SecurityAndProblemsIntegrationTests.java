package org.patientplatform.kit.security;

import java.io.ByteArrayInputStream;
import java.net.HttpURLConnection;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.patientplatform.kit.KitIntegrationTest;
import org.patientplatform.kit.web.BodyFieldErrors;
import org.patientplatform.kit.web.TimeRangeModule;
import org.patientplatform.kit.web.UnknownQueryParameters;
import org.patientplatform.local.infra.LocalSigningKey;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.http.HttpStatusCode;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.client.RestClient;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@KitIntegrationTest
@ExtendWith(OutputCaptureExtension.class)
class SecurityAndProblemsIntegrationTests {

	static final String DATE_TIME = "must be a date-time with its offset, such as 2026-01-31T09:30:00Z";

	static final String WHOLE_NUMBER = "must be a whole number";

	static final String TEXT = "must be text";

	@Autowired
	JsonMapper json;

	@Autowired
	LocalSigningKey signingKey;

	@Autowired
	JdbcTemplate jdbc;

	@LocalServerPort
	int port;

	RestClient client;

	@BeforeEach
	void setUp() {
		this.client = RestClient.builder()
			.baseUrl("http://127.0.0.1:" + this.port)
			.defaultStatusHandler(HttpStatusCode::isError, (request, response) -> {
			})
			.build();
	}

	@Test
	void rejectsAMissingToken() {
		assertProblem(post(null, "{\"value\":\"x\"}", MediaType.APPLICATION_JSON), 401);
	}

	@Test
	void rejectsAnExpiredToken() {
		String expired = this.signingKey.mint("staff-1", List.of("staff"), null, Duration.ofMinutes(-10));
		assertProblem(post(expired, "{\"value\":\"x\"}", MediaType.APPLICATION_JSON), 401);
	}

	@Test
	void rejectsATokenSignedByAnotherKey() {
		String forged = LocalSigningKey.generate(this.signingKey.issuer())
			.mint("staff-1", List.of("staff"), null, Duration.ofMinutes(5));
		assertProblem(post(forged, "{\"value\":\"x\"}", MediaType.APPLICATION_JSON), 401);
	}

	@Test
	void rejectsATokenFromAnotherIssuer() {
		String foreign = LocalSigningKey.generate("https://elsewhere.example")
			.mint("staff-1", List.of("staff"), null, Duration.ofMinutes(5));
		assertProblem(post(foreign, "{\"value\":\"x\"}", MediaType.APPLICATION_JSON), 401);
	}

	@Test
	void forbidsTheWrongRole() {
		String patient = this.signingKey.mint("p-1", List.of("patient"), "p-1", Duration.ofMinutes(5));
		assertProblem(post(patient, "{\"value\":\"x\"}", MediaType.APPLICATION_JSON), 403);
	}

	@Test
	void auditsEveryRequestRefusedForItsCallersRole() {
		// a @PreAuthorize refusal, one weighed before a bad body was read, and a path rule's: each is in the audit
		// log with who asked and for what (before, only the services' own object-level refusals were)
		String subject = "p-" + UUID.randomUUID();
		String patient = this.signingKey.mint(subject, List.of("patient"), subject, Duration.ofMinutes(5));
		assertProblem(post(patient, "{\"value\":\"x\"}", MediaType.APPLICATION_JSON), 403);
		assertProblem(post(patient, "{\"value\":", MediaType.APPLICATION_JSON), 403);
		assertProblem(this.client.get()
			.uri("/actuator/metrics?tag=secret")
			.header("Authorization", "Bearer " + patient)
			.retrieve()
			.toEntity(String.class), 403);

		List<Map<String, Object>> audited = this.jdbc.queryForList(
				"SELECT action, resource_type, resource_id, outcome, actor_role FROM audit_log WHERE actor = ? ORDER BY id",
				subject);
		assertThat(audited).extracting((row) -> row.get("resource_id"))
			.containsExactly("POST /api/v1/things", "POST /api/v1/things", "GET /actuator/metrics");
		assertThat(audited).allSatisfy((row) -> {
			assertThat(row.get("action")).isEqualTo("access.denied");
			assertThat(row.get("resource_type")).isEqualTo("endpoint");
			assertThat(row.get("outcome")).isEqualTo("denied");
			assertThat(row.get("actor_role")).isEqualTo("patient");
		});
		// a caller with the role is not audited as refused
		String staffSubject = "staff-" + UUID.randomUUID();
		String staff = this.signingKey.mint(staffSubject, List.of("staff"), null, Duration.ofMinutes(5));
		assertThat(post(staff, "{\"value\":\"x\"}", MediaType.APPLICATION_JSON).getStatusCode().is2xxSuccessful())
			.isTrue();
		assertThat(this.jdbc.queryForObject("SELECT count(*) FROM audit_log WHERE actor = ?", Long.class,
				staffSubject)).isZero();
	}

	@Test
	void forbidsTheWrongRoleBeforeReadingTheRequest() {
		// the role is checked when the method is called, after its arguments are read: a caller without the role
		// got 400 with the body's field errors (what the operation takes), or a parameter's, instead of 403
		String patient = this.signingKey.mint("p-1", List.of("patient"), "p-1", Duration.ofMinutes(5));
		ResponseEntity<String> invalid = post(patient, "{\"value\":\"\",\"contact\":\"not-an-email\"}",
				MediaType.APPLICATION_JSON);
		assertProblem(invalid, 403);
		assertThat(invalid.getBody()).doesNotContain("contact");
		assertProblem(post(patient, "{\"value\":", MediaType.APPLICATION_JSON), 403);
		assertProblem(post(patient, "", MediaType.APPLICATION_JSON), 403);
		assertProblem(this.client.get()
			.uri("/api/v1/things/due?at={at}", "not-a-date")
			.header("Authorization", "Bearer " + patient)
			.retrieve()
			.toEntity(String.class), 403);
		// with the role, the same requests are still 400
		assertProblem(post(staff(), "{\"value\":", MediaType.APPLICATION_JSON), 400);
	}

	@Test
	void listsEveryFieldErrorOfAnInvalidBody() {
		ResponseEntity<String> response = post(staff(), "{\"value\":\"\",\"contact\":\"not-an-email\",\"code\":\"toolong\"}",
				MediaType.APPLICATION_JSON);
		assertProblem(response, 400);
		assertThat(response.getBody()).contains("\"field\":\"value\"")
			.contains("\"field\":\"contact\"")
			.contains("\"field\":\"code\"");
	}

	@Test
	void answersUnsupportedMediaTypeAsProblem() {
		assertProblem(post(staff(), "value=x", MediaType.TEXT_PLAIN), 415);
	}

	@Test
	void answersMalformedJsonAsProblem() {
		ResponseEntity<String> cutShort = post(staff(), "{\"value\":", MediaType.APPLICATION_JSON);
		assertProblem(cutShort, 400);
		assertThat(cutShort.getBody()).contains("The body is not valid JSON").doesNotContain("Failed to read request");
		ResponseEntity<String> notJson = post(staff(), "{\"value\": Ada Lovelace}", MediaType.APPLICATION_JSON);
		assertProblem(notJson, 400);
		assertThat(notJson.getBody()).contains("The body is not valid JSON (line 1, column").doesNotContain("Lovelace");
		ResponseEntity<String> array = post(staff(), "[\"Ada\"]", MediaType.APPLICATION_JSON);
		assertProblem(array, 400);
		assertThat(array.getBody()).contains("not the JSON object this operation takes").doesNotContain("Ada");
	}

	@Test
	void namesTheFieldACrossFieldCheckReportsOnAndOtherwiseTheChecksName() {
		ResponseEntity<String> response = post(staff(), "{\"value\":\"none\",\"code\":\"none\"}",
				MediaType.APPLICATION_JSON);
		assertProblem(response, 400);
		// (each error object's two members come in either order)
		assertThat(response.getBody()).contains("\"field\":\"code\"")
			.contains("must not repeat the value")
			.contains("\"field\":\"valueGiven\"")
			.doesNotContain("codeOwn");
	}

	@Test
	void saysSoWhenTheBodyIsMissing() {
		ResponseEntity<String> response = post(staff(), "", MediaType.APPLICATION_JSON);
		assertProblem(response, 400);
		assertThat(response.getBody()).contains("The request has no body").doesNotContain("Failed to read request");
	}

	@Test
	void answersPayloadTooLargeAsProblem() throws Exception {
		String huge = "{\"value\":\"" + "x".repeat(2 * 1024 * 1024) + "\"}";
		assertProblem(post(staff(), huge, MediaType.APPLICATION_JSON), 413);
		// the same body without its length (chunked): refused once it passes the limit (before: a 400, "not JSON")
		try (HttpClient http = HttpClient.newHttpClient()) {
			HttpResponse<String> chunked = http.send(java.net.http.HttpRequest
				.newBuilder(URI.create("http://127.0.0.1:" + this.port + "/api/v1/things"))
				.header("Authorization", "Bearer " + staff())
				.header("Content-Type", "application/json")
				.POST(HttpRequest.BodyPublishers.ofInputStream(
						() -> new ByteArrayInputStream(huge.getBytes(StandardCharsets.UTF_8))))
				.build(), HttpResponse.BodyHandlers.ofString());
			assertThat(chunked.statusCode()).as(chunked.body()).isEqualTo(413);
			assertThat(chunked.headers().firstValue("Content-Type")).hasValue("application/problem+json");
			assertThat(chunked.body()).contains("larger than");
		}
	}

	@Test
	void namesAFieldThatDoesNotMapAndRefusesDatesPastTheYear9999() {
		for (String due : List.of("+300000-01-01T00:00:00Z", "-5000-01-01T00:00:00Z")) {
			ResponseEntity<String> response = post(staff(), "{\"value\":\"a\",\"due\":\"" + due + "\"}",
					MediaType.APPLICATION_JSON);
			assertProblem(response, 400);
			assertFieldError(response, "due", TimeRangeModule.MESSAGE);
		}
		ResponseEntity<String> garbled = post(staff(), "{\"value\":\"a\",\"due\":\"soon\"}", MediaType.APPLICATION_JSON);
		assertProblem(garbled, 400);
		// before: "has the wrong type or format", which did not say what form a date takes
		assertFieldError(garbled, "due", DATE_TIME);
		assertFieldError(post(staff(), "{\"value\":\"a\",\"due\":\"2026-01-31\"}", MediaType.APPLICATION_JSON), "due",
				DATE_TIME);
		assertThat(post(staff(), "{\"value\":\"a\",\"due\":\"9999-12-31T23:59:59Z\"}", MediaType.APPLICATION_JSON)
			.getStatusCode()
			.value()).isEqualTo(201);
	}

	@Test
	void readsAnInstantOnlyAsWrittenInABodyAQueryAndEventData() {
		// java.time's instant reader took hour 24 as the next day's midnight and a leap second as 23:59:59: a time
		// the caller did not write, in a body (Jackson) and in a query (Spring's fallback to that reader)
		for (String written : List.of("2030-12-20T24:00:00Z", "2030-12-20T23:59:60Z")) {
			ResponseEntity<String> body = post(staff(), "{\"value\":\"a\",\"due\":\"" + written + "\"}",
					MediaType.APPLICATION_JSON);
			assertProblem(body, 400);
			assertFieldError(body, "due", DATE_TIME);
			assertThat(body.getBody()).doesNotContain(written);
			ResponseEntity<String> query = getAsStaff("/api/v1/things/due?at={at}", written);
			assertProblem(query, 400);
			assertFieldError(query, "at", DATE_TIME);
			assertThat(query.getBody()).doesNotContain(written);
			// the application's mapper, which reads event data (PlatformEvents) as it reads request bodies
			assertThatThrownBy(() -> this.json.readValue("{\"at\":\"" + written + "\"}", Dated.class))
				.isInstanceOf(JacksonException.class);
		}
		// midnight and 23:59:59 written as such read
		assertThat(post(staff(), "{\"value\":\"a\",\"due\":\"2030-12-21T00:00:00Z\"}", MediaType.APPLICATION_JSON)
			.getStatusCode()
			.value()).isEqualTo(201);
		assertThat(getAsStaff("/api/v1/things/due?at={at}", "2030-12-20T23:59:59Z").getStatusCode().value())
			.isEqualTo(200);
		assertThat(this.json.readValue("{\"at\":\"2030-12-21T00:00:00Z\"}", Dated.class).at())
			.isEqualTo(Instant.parse("2030-12-21T00:00:00Z"));
	}

	@Test
	void refusesFieldsTheBodyDoesNotHaveNamingEachAndTheOneATypoMeant() {
		int before = createdThings();
		ResponseEntity<String> response = post(staff(),
				"{\"value\":\"a\",\"valeu\":\"b\",\"detail\":{\"note\":\"n\",\"noet\":{\"x\":[1]}},"
						+ "\"Urgent\":true,\"zzz\":1}",
				MediaType.APPLICATION_JSON);
		assertProblem(response, 400);
		var errors = this.json.readTree(response.getBody()).path("errors");
		assertThat(errors.valueStream().map((error) -> error.path("field").asString() + ": "
				+ error.path("message").asString()))
			.containsExactlyInAnyOrder("valeu: " + BodyFieldErrors.UNKNOWN_FIELD + " (did you mean value?)",
					"detail.noet: " + BodyFieldErrors.UNKNOWN_FIELD + " (did you mean note?)",
					"Urgent: " + BodyFieldErrors.UNKNOWN_FIELD + " (did you mean urgent?)",
					"zzz: " + BodyFieldErrors.UNKNOWN_FIELD);
		assertThat(createdThings()).isEqualTo(before);
	}

	@Test
	void refusesAFieldNamedTwiceNamingItButNotItsValues() {
		int before = createdThings();
		// before: accepted, the last value kept, and the client never told which one counted
		ResponseEntity<String> twice = post(staff(), "{\"value\":\"Ada\",\"value\":\"Lovelace\"}",
				MediaType.APPLICATION_JSON);
		assertProblem(twice, 400);
		assertFieldError(twice, "value", "is given more than once; give each field once");
		assertThat(twice.getBody()).doesNotContain("Ada").doesNotContain("Lovelace");
		ResponseEntity<String> nested = post(staff(),
				"{\"value\":\"a\",\"detail\":{\"note\":\"x\",\"note\":\"y\"}}", MediaType.APPLICATION_JSON);
		assertProblem(nested, 400);
		assertFieldError(nested, "detail.note", "is given more than once; give each field once");
		assertThat(createdThings()).isEqualTo(before);
		// the same name in two objects is not a duplicate
		assertThat(post(staff(), "{\"value\":\"a\",\"detail\":{\"note\":\"value\"}}", MediaType.APPLICATION_JSON)
			.getStatusCode()
			.value()).isEqualTo(201);
	}

	private ResponseEntity<String> getAsStaff(String uri, Object... variables) {
		return this.client.get()
			.uri(uri, variables)
			.header("Authorization", "Bearer " + staff())
			.retrieve()
			.toEntity(String.class);
	}

	private ResponseEntity<String> getAsStaff(URI uri) {
		return this.client.get().uri(uri).header("Authorization", "Bearer " + staff()).retrieve().toEntity(String.class);
	}

	private ResponseEntity<String> createdAccepting(MediaType... accepted) {
		return this.client.get()
			.uri("/api/v1/things/created")
			.header("Authorization", "Bearer " + staff())
			.accept(accepted)
			.retrieve()
			.toEntity(String.class);
	}

	private int createdThings() {
		Integer created = this.client.get()
			.uri("/api/v1/things/created")
			.header("Authorization", "Bearer " + staff())
			.retrieve()
			.body(Integer.class);
		return (created != null) ? created : -1;
	}

	@Test
	void namesAQueryParameterThatDoesNotConvertAndTheFormItTakesButNotItsValue() {
		ResponseEntity<String> response = getAsStaff("/api/v1/things/due?at={at}", "Ada Lovelace");
		assertProblem(response, 400);
		assertFieldError(response, "at", "must be a date-time with its offset, such as 2026-01-31T09:30:00Z");
		assertThat(response.getBody()).doesNotContain("Ada").doesNotContain("java.");
		// an offset's + not encoded arrives as a space: the answer says so (before: only the form, which it had)
		ResponseEntity<String> plus = getAsStaff(
				URI.create("http://127.0.0.1:" + this.port + "/api/v1/things/due?at=2026-12-07T01:30:00+01:00"));
		assertProblem(plus, 400);
		assertFieldError(plus, "at", "must be a date-time with its offset, such as 2026-01-31T09:30:00Z (its offset's + "
				+ "arrived as a space: in a URL's query, send + as %2B)");
	}

	@Test
	void refusesQueryParametersTheOperationDoesNotTakeNamingEach() {
		ResponseEntity<String> response = getAsStaff("/api/v1/things/due?at={at}&att=1&zzz=2", "2026-01-31T09:30:00Z");
		assertProblem(response, 400);
		var errors = this.json.readTree(response.getBody()).path("errors");
		assertThat(errors.valueStream().map((error) -> error.path("field").asString() + ": "
				+ error.path("message").asString()))
			.containsExactlyInAnyOrder("att: " + UnknownQueryParameters.UNKNOWN + " (did you mean at?)",
					"zzz: " + UnknownQueryParameters.UNKNOWN);
		// the parameters it takes still answer; a caller without the role is told 403, not what it takes
		assertThat(getAsStaff("/api/v1/things/due?at={at}", "2026-01-31T09:30:00Z")
			.getStatusCode()
			.value()).isEqualTo(200);
		assertProblem(this.client.get()
			.uri("/api/v1/things/due?at={at}&att=1", "2026-01-31T09:30:00Z")
			.header("Authorization", "Bearer " + this.signingKey.mint("ops-1", List.of("ops"), null, Duration.ofMinutes(5)))
			.retrieve()
			.toEntity(String.class), 403);
	}

	@Test
	void refusesAQueryParameterOfAPostButNeverTakesAFormBodysFieldsForThem() {
		// before: only a GET's were looked at, so POST /dlq/redrives?dryRun=true (dry run is a body field) started a
		// real bulk redrive; here the thing was created
		int before = createdThings();
		ResponseEntity<String> response = this.client.post()
			.uri("/api/v1/things?dryRun=true")
			.contentType(MediaType.APPLICATION_JSON)
			.header("Authorization", "Bearer " + staff())
			.body("{\"value\":\"a\"}")
			.retrieve()
			.toEntity(String.class);
		assertProblem(response, 400);
		assertFieldError(response, "dryRun", UnknownQueryParameters.UNKNOWN);
		assertThat(createdThings()).isEqualTo(before);
		// a form body's fields share the servlet's parameter map with the query's: they are the body's, never refused
		// as parameters (a provider's webhook posts them), while the query's still are
		assertThat(this.client.post()
			.uri("/api/v1/things/form")
			.contentType(MediaType.APPLICATION_FORM_URLENCODED)
			.header("Authorization", "Bearer " + staff())
			.body("value=x&count=2&count=3")
			.retrieve()
			.body(String.class)).isEqualTo("{count=[2, 3], value=[x]}");
		ResponseEntity<String> query = this.client.post()
			.uri("/api/v1/things/form?targetTopic=t")
			.contentType(MediaType.APPLICATION_FORM_URLENCODED)
			.header("Authorization", "Bearer " + staff())
			.body("value=x")
			.retrieve()
			.toEntity(String.class);
		assertProblem(query, 400);
		var errors = this.json.readTree(query.getBody()).path("errors");
		assertThat(errors.valueStream().map((error) -> error.path("field").asString())).containsExactly("targetTopic");
	}

	@Test
	void refusesAParameterGivenMoreThanOnceForOneValueNamingItButNotItsValues() {
		// before: Spring bound the first value, so status=A&status=B answered A's and limit=1&limit=500 one entry
		ResponseEntity<String> response = getAsStaff(
				"/api/v1/things/search?name=Ada&name=Lovelace&limit=1&limit=500&cursor=a&cursor=b&status=A&zzz=1&zzz=2");
		assertProblem(response, 400);
		var errors = this.json.readTree(response.getBody()).path("errors");
		assertThat(errors.valueStream().map((error) -> error.path("field").asString() + ": "
				+ error.path("message").asString()))
			.containsExactlyInAnyOrder("name: " + UnknownQueryParameters.REPEATED,
					"limit: " + UnknownQueryParameters.REPEATED, "cursor: " + UnknownQueryParameters.REPEATED,
					"zzz: " + UnknownQueryParameters.UNKNOWN);
		assertThat(response.getBody()).doesNotContain("Ada").doesNotContain("Lovelace");
		// a list, an array or a set of the filter's or the operation's takes each value, as the DLQ's statuses do
		assertThat(this.client.get()
			.uri("/api/v1/things/search?status=A&status=B&tag=x&tag=y&sort=s&sort=t&name=Ada&limit=1")
			.header("Authorization", "Bearer " + staff())
			.retrieve()
			.body(String.class)).isEqualTo("[A, B]|[x, y]|Ada|1|[s, t]");
	}

	@Test
	void answersBadRequestForAQueryDateTheDatabaseCannotStore() {
		ResponseEntity<String> response = getAsStaff("/api/v1/things/due?at={at}", "+300000-01-01T00:00:00Z");
		assertProblem(response, 400);
		assertThat(this.json.readTree(response.getBody()).path("detail").asString()).contains("out of range");
		assertThat(this.client.get()
			.uri("/api/v1/things/due?at={at}", "2999-01-01T00:00:00Z")
			.header("Authorization", "Bearer " + staff())
			.retrieve()
			.body(String.class)).isEqualTo("true");
	}

	@Test
	void answersBadRequestNamingTheNulCharacterForTextTheDatabaseCannotStore() {
		ResponseEntity<String> response = getAsStaff("/api/v1/things/named?name={name}", "a\u0000b");
		assertProblem(response, 400);
		// before: "out of range (dates must fall between the years 0001 and 9999)"
		assertThat(this.json.readTree(response.getBody()).path("detail").asString()).contains("NUL, U+0000")
			.doesNotContain("dates");
		assertThat(this.client.get()
			.uri("/api/v1/things/named?name={name}", "thing")
			.header("Authorization", "Bearer " + staff())
			.retrieve()
			.body(String.class)).isEqualTo("true");
	}

	@Test
	void refusesDatesPastTheYear9999InEventDataToo() {
		// the application's mapper, which reads event data (PlatformEvents) as it reads request bodies
		assertThatThrownBy(() -> this.json.readValue("{\"at\":\"+300000-01-01T00:00:00Z\"}", Dated.class))
			.isInstanceOf(JacksonException.class)
			.hasMessageContaining(TimeRangeModule.MESSAGE);
		assertThatThrownBy(() -> this.json.readValue("{\"day\":\"-5000-01-01\"}", Dated.class))
			.hasMessageContaining(TimeRangeModule.MESSAGE);
		assertThat(this.json.readValue("{\"at\":\"2025-03-14T09:55:00Z\",\"day\":\"2025-03-14\"}", Dated.class))
			.isEqualTo(new Dated(Instant.parse("2025-03-14T09:55:00Z"), LocalDate.parse("2025-03-14")));
	}

	record Dated(Instant at, LocalDate day) {
	}

	@Test
	void namesEveryFieldThatDoesNotMapNotOnlyTheFirst() {
		ResponseEntity<String> response = post(staff(), """
				{"value": "a", "due": "soon", "count": "many", "weight": {"kg": 3},
				 "refs": ["2f1c6a3e-8d7b-4c5a-9e0f-1a2b3c4d5e6f", "not-a-uuid"],
				 "detail": {"note": {"a": "b"}, "seen": "+300000-01-01T00:00:00Z"}, "contact": 7}
				""", MediaType.APPLICATION_JSON);
		assertProblem(response, 400);
		var errors = this.json.readTree(response.getBody()).path("errors");
		// before: only "due"
		assertThat(errors.valueStream().map((error) -> error.path("field").asString() + ": " + error.path("message")
			.asString())).containsExactly("due: " + DATE_TIME, "count: " + WHOLE_NUMBER,
					"weight: " + WHOLE_NUMBER, "refs[1]: must be a UUID", "detail.note: " + TEXT,
					"detail.seen: " + TimeRangeModule.MESSAGE,
					// a number for text (before: read as the text "7")
					"contact: " + TEXT);
		// a scalar for an object or a list says which it must be
		assertThat(this.json.readTree(post(staff(), "{\"value\": \"a\", \"detail\": \"x\", \"refs\": 3}",
				MediaType.APPLICATION_JSON).getBody()).path("errors").valueStream().map((error) -> error.path("field")
			.asString() + ": " + error.path("message").asString())).containsExactly("detail: must be an object",
					"refs: must be a list");
		assertThat(response.getBody()).doesNotContain("soon").doesNotContain("many").doesNotContain("not-a-uuid");
		// an array for a single value ends the reading there, with the fields noted before it
		ResponseEntity<String> listed = post(staff(), "{\"due\": \"soon\", \"count\": [1, 2], \"weight\": \"x\"}",
				MediaType.APPLICATION_JSON);
		assertProblem(listed, 400);
		assertThat(this.json.readTree(listed.getBody()).path("errors").valueStream().map((error) -> error.path("field")
			.asString())).startsWith("due", "count").doesNotContain("weight");

		// a body that is not JSON part way leaves nothing behind for the next request on the thread
		assertProblem(post(staff(), "{\"value\": \"a\", \"count\": \"x\", ", MediaType.APPLICATION_JSON), 400);
		for (int i = 0; i < 4; i++) {
			assertThat(post(staff(), "{\"value\":\"a\",\"count\":3,\"refs\":[]}", MediaType.APPLICATION_JSON)
				.getStatusCode()
				.value()).isEqualTo(201);
		}
	}

	@Test
	void tellsAWholeNumberPastItsTypeTheFieldsOwnRangeWithTheBodysOtherErrors() {
		// before: an int's or a long's range whatever the field's own bounds, and only the fields before it
		ResponseEntity<String> response = postTo("/api/v1/things/sized", """
				{"capacity": 12345678901234567890, "partition": 2147483648, "offset": 99999999999999999999,
				 "count": -2147483649, "code": "abcd", "shelf": 40000, "counts": [1, 2147483648]}
				""");
		assertProblem(response, 400);
		assertThat(fieldErrors(response)).containsExactlyInAnyOrder("capacity: must be a whole number from 1 to 1000",
				"partition: must be a whole number from 0 to 2147483647",
				"offset: must be a whole number from 0 to 9223372036854775807",
				// without bounds of its own, a field (or a list's element) is told its type's, as before
				"count: must be a whole number from -2147483648 to 2147483647",
				"counts[1]: must be a whole number from -2147483648 to 2147483647",
				"shelf: must be a whole number from -32768 to 10",
				// the body's other fields are read and validated, as beside a capacity of 1001
				"code: size must be between 0 and 3");
		assertThat(response.getBody()).doesNotContain("12345678901234567890").doesNotContain("99999999999999999999");
		// past the bound on the other side: the field's range all the same, with the others' violations
		assertThat(fieldErrors(postTo("/api/v1/things/sized",
				"{\"capacity\": 0, \"partition\": -12345678901234567890}")))
			.containsExactlyInAnyOrder("capacity: must be greater than or equal to 1",
					"partition: must be a whole number from 0 to 2147483647");
		// beside a field of the wrong type, the fields that do not read are listed alone, as before
		assertThat(fieldErrors(postTo("/api/v1/things/sized",
				"{\"capacity\": 12345678901234567890, \"code\": 5, \"partition\": -1}")))
			.containsExactlyInAnyOrder("capacity: must be a whole number from 1 to 1000", "code: " + TEXT);
		// the bounds themselves are taken
		ResponseEntity<String> taken = postTo("/api/v1/things/sized", """
				{"capacity": 1000, "partition": 2147483647, "offset": 9223372036854775807, "shelf": -32768}""");
		assertThat(taken.getStatusCode().value()).isEqualTo(200);
		assertThat(taken.getBody()).contains("capacity=1000", "partition=2147483647", "offset=9223372036854775807",
				"shelf=-32768");
	}

	private ResponseEntity<String> postTo(String path, String body) {
		return this.client.post()
			.uri(path)
			.contentType(MediaType.APPLICATION_JSON)
			.header("Authorization", "Bearer " + staff())
			.body(body)
			.retrieve()
			.toEntity(String.class);
	}

	private List<String> fieldErrors(ResponseEntity<String> response) {
		return this.json.readTree(response.getBody())
			.path("errors")
			.valueStream()
			.map((error) -> error.path("field").asString() + ": " + error.path("message").asString())
			.toList();
	}

	@Test
	void refusesTextWithAnUnpairedSurrogateNamingTheField() {
		// before: read, and stored by PostgreSQL with '?' in its place (or sent to Kafka as a record the broker
		// refused, answered 503 "try again")
		ResponseEntity<String> response = post(staff(),
				"{\"value\": \"a\\ud800b\", \"detail\": {\"note\": \"x\\udc00\"}}", MediaType.APPLICATION_JSON);
		assertProblem(response, 400);
		assertThat(this.json.readTree(response.getBody()).path("errors").valueStream().map((error) -> error.path("field")
			.asString() + ": " + error.path("message").asString())).containsExactly(
					"value: " + BodyFieldErrors.UNPAIRED_SURROGATE, "detail.note: " + BodyFieldErrors.UNPAIRED_SURROGATE);
		// a pair is a character (an emoji), escaped or not
		assertThat(post(staff(), "{\"value\": \"\\ud83d\\ude00 \uD83D\uDE00\"}", MediaType.APPLICATION_JSON)
			.getStatusCode()
			.value()).isEqualTo(201);
	}

	@Test
	void refusesAScalarOfAnotherJsonTypeAndABlankOrNumericDateInABody() {
		// before: 1.5 and true were read as the text "1.5" and "true", a blank date as no date, and a number as
		// seconds since 1970
		ResponseEntity<String> response = post(staff(), """
				{"value": 1.5, "code": true, "due": "  ", "detail": {"note": 7, "seen": 1.5}}
				""", MediaType.APPLICATION_JSON);
		assertProblem(response, 400);
		assertThat(this.json.readTree(response.getBody()).path("errors").valueStream().map((error) -> error.path("field")
			.asString() + ": " + error.path("message").asString())).containsExactly(
					"value: " + TEXT, "code: " + TEXT, "due: " + DATE_TIME, "detail.note: " + TEXT,
					"detail.seen: " + DATE_TIME);
		assertFieldError(post(staff(), "{\"value\": \"a\", \"due\": \"\"}", MediaType.APPLICATION_JSON), "due",
				DATE_TIME);
		assertFieldError(post(staff(), "{\"value\": \"a\", \"due\": 1767225600}", MediaType.APPLICATION_JSON),
				"due", DATE_TIME);
		assertThat(post(staff(), "{\"value\": \"a\", \"code\": null, \"due\": null}", MediaType.APPLICATION_JSON)
			.getStatusCode()
			.value()).isEqualTo(201);
		// text for a number and anything but true or false for a boolean (before: read as 3, true and false)
		assertFieldError(post(staff(), "{\"value\": \"a\", \"count\": \"3\"}", MediaType.APPLICATION_JSON), "count",
				WHOLE_NUMBER);
		// a fraction for a whole number (before: "has the wrong type or format")
		assertFieldError(post(staff(), "{\"value\": \"a\", \"count\": 2.5}", MediaType.APPLICATION_JSON), "count",
				WHOLE_NUMBER);
		for (String flag : List.of("1", "\"true\"", "\"  \"")) {
			assertFieldError(post(staff(), "{\"value\": \"a\", \"urgent\": " + flag + "}", MediaType.APPLICATION_JSON),
					"urgent", "must be true or false");
		}
		assertThat(post(staff(), "{\"value\": \"a\", \"count\": 3, \"urgent\": false}", MediaType.APPLICATION_JSON)
			.getStatusCode()
			.value()).isEqualTo(201);
		// event data and stored JSON read as before
		assertThat(this.json.readValue("{\"at\": 0, \"day\": \"\"}", Dated.class)).isEqualTo(new Dated(Instant.EPOCH,
				null));
	}

	private void assertFieldError(ResponseEntity<String> response, String field, String message) {
		var errors = this.json.readTree(response.getBody()).path("errors");
		assertThat(errors.size()).isEqualTo(1);
		assertThat(errors.get(0).path("field").asString()).isEqualTo(field);
		assertThat(errors.get(0).path("message").asString()).isEqualTo(message);
	}

	@Test
	void namesAPathVariableOrQueryParameterGivenAsSpacesAndTheFormItTakes() {
		// before: "Required path variable 'id' is not present." (and the same of the parameter), though it was given
		for (String[] given : List.of(new String[] { "/api/v1/things/by-id/%20", "id", "must be a UUID" },
				new String[] { "/api/v1/things/due?at=%20%20", "at",
						"must be a date-time with its offset, such as 2026-01-31T09:30:00Z" })) {
			ResponseEntity<String> response = getAsStaff(URI.create("http://127.0.0.1:" + this.port + given[0]));
			assertProblem(response, 400);
			assertFieldError(response, given[1], given[2]);
		}
		// not given at all: as before
		ResponseEntity<String> missing = getAsStaff("/api/v1/things/due");
		assertProblem(missing, 400);
		assertThat(this.json.readTree(missing.getBody()).path("detail").asString()).contains("'at' is not present");
	}

	@Test
	void saysWhatIsMalformedWhenTomcatRefusesARequestWithoutAReason() throws Exception {
		// percent escapes that do not give UTF-8 in the path, a header line without a colon: Tomcat gives no
		// reason, and the detail was "Bad Request"
		for (String head : List.of("GET /api/v1/things/by-id/%FF%FE HTTP/1.1\r\nHost: 127.0.0.1\r\n",
				"GET /api/v1/things/created HTTP/1.1\r\nHost: 127.0.0.1\r\nNo colon here\r\n")) {
			String response;
			try (java.net.Socket socket = new java.net.Socket("127.0.0.1", this.port)) {
				socket.getOutputStream()
					.write((head + "Connection: close\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
				socket.getOutputStream().flush();
				response = new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
			}
			assertThat(response).as(head).startsWith("HTTP/1.1 400").contains("application/problem+json");
			String detail = this.json.readTree(response.substring(response.indexOf("\r\n\r\n") + 4))
				.path("detail")
				.asString();
			assertThat(detail).as(head).isNotEqualTo("Bad Request").contains("malformed");
		}
	}

	@Test
	void answersTheErrorPageAsProblemAndItsPathRequestedDirectlyAs404() {
		// before: Boot's error page, application/json {"timestamp", "status": 409, "error", "path"}
		ResponseEntity<String> sent = getAsStaff("/api/v1/things/send-error");
		assertProblem(sent, 409);
		assertThat(this.json.readTree(sent.getBody()).path("detail").asString()).isEqualTo("The thing is busy.");
		// before: 500 application/json {"status": 999, "error": "None"}, with a token or without
		for (String token : java.util.Arrays.asList(staff(), null)) {
			var request = this.client.get().uri("/error");
			if (token != null) {
				request.header("Authorization", "Bearer " + token);
			}
			assertProblem(request.retrieve().toEntity(String.class), 404);
		}
		assertProblem(this.client.post().uri("/error").retrieve().toEntity(String.class), 404);
		// not an operation of the API
		var paths = this.json.readTree(this.client.get().uri("/v3/api-docs").retrieve().body(String.class))
			.path("paths");
		assertThat(paths.has("/error")).isFalse();
		// every POST under /api/ takes an Idempotency-Key (the filter covers them all) and documents what a reused key
		// answers; before, only an operation that named the header itself did (/events did not, though the filter ran)
		for (String path : List.of("/api/v1/things", "/api/v1/things/events")) {
			JsonNode post = paths.path(path).path("post");
			assertThat(post.path("responses").propertyNames()).as(path)
				.contains("409", "422", "400", "401", "403", "413", "415", "503");
			assertThat(post.path("parameters").valueStream()
				.filter((parameter) -> "header".equals(parameter.path("in").asString()))
				.map((parameter) -> parameter.path("name").asString())
				.toList()).as(path)
				.containsExactly("Idempotency-Key");
		}
		// a GET takes neither the key nor a body
		JsonNode created = paths.path("/api/v1/things/created").path("get");
		assertThat(created.path("responses").propertyNames()).doesNotContain("409", "413", "415", "422");
		assertThat(created.path("parameters").isMissingNode() || created.path("parameters").isEmpty()).isTrue();
		// a member that may be null is documented so (before: every one as never null, and a validator of the answers
		// refused each null): a scalar or list gains the type null, a nested record is either itself or null
		JsonNode newThing = this.json.readTree(this.client.get().uri("/v3/api-docs").retrieve().body(String.class))
			.at("/components/schemas/NewThing/properties");
		assertThat(newThing.at("/count/type").valueStream().map(JsonNode::asString).toList())
			.containsExactlyInAnyOrder("integer", "null");
		assertThat(newThing.at("/refs/type").valueStream().map(JsonNode::asString).toList())
			.containsExactlyInAnyOrder("array", "null");
		assertThat(newThing.at("/detail/anyOf/0/$ref").asString()).isEqualTo("#/components/schemas/Detail");
		assertThat(newThing.at("/detail/anyOf/1/type").toString()).contains("null");
		assertThat(newThing.at("/value/type").toString()).doesNotContain("null");
		assertThat(newThing.at("/due/type").toString()).doesNotContain("null");
		// a 2xx an operation does not type otherwise is JSON, as the API answers (springdoc's own default: */*)
		assertThat(created.path("responses").path("200").path("content").propertyNames())
			.containsExactly("application/json");
	}

	@Test
	void answersAPathNoOperationHasWithoutNamingTheFrameworksStaticResources() {
		// before: "No static resource api/v1/nothing.", Spring's resource handling, which the API does not use
		ResponseEntity<String> response = getAsStaff("/api/v1/nothing");
		assertProblem(response, 404);
		assertThat(this.json.readTree(response.getBody()).path("detail").asString())
			.isEqualTo("No resource /api/v1/nothing.");
	}

	@Test
	void answersJsonOnlyNotYamlThoughAYamlConverterIsOnTheClassPath() {
		// before: 200 application/yaml written by Jackson 2's own mapper (times as epoch seconds)
		assertProblem(createdAccepting(MediaType.APPLICATION_YAML), 406);
		assertProblem(createdAccepting(MediaType.APPLICATION_XML), 406);
		// asked for YAML or JSON: JSON
		ResponseEntity<String> json = createdAccepting(MediaType.APPLICATION_YAML, MediaType.APPLICATION_JSON);
		assertThat(json.getStatusCode().value()).isEqualTo(200);
		assertThat(json.getHeaders().getContentType()).isEqualTo(MediaType.APPLICATION_JSON);
		// the OpenAPI document's YAML is written by springdoc itself, not by a converter
		ResponseEntity<String> document = this.client.get()
			.uri("/v3/api-docs.yaml")
			.retrieve()
			.toEntity(String.class);
		assertThat(document.getStatusCode().value()).as(document.getBody()).isEqualTo(200);
		assertThat(document.getBody()).startsWith("openapi:").contains("/api/v1/things");
	}

	@Test
	void answersProblemJsonWhenTheAcceptHeaderIsNoListOfMediaTypes() throws Exception {
		// before: each answer below had an empty body and no content type (Spring could not read the header to
		// choose how to write the problem)
		String patient = this.signingKey.mint("patient-1", List.of("patient"), null, Duration.ofMinutes(5));
		for (Object[] given : List.of(new Object[] { "/api/v1/things/created", staff(), 406 },
				new Object[] { "/api/v1/things/due?at=soon", staff(), 400 },
				new Object[] { "/api/v1/things/created", patient, 403 },
				new Object[] { "/api/v1/things/boom", staff(), 500 })) {
			HttpURLConnection connection = (HttpURLConnection) URI
				.create("http://127.0.0.1:" + this.port + given[0])
				.toURL()
				.openConnection();
			connection.setRequestProperty("Authorization", "Bearer " + given[1]);
			connection.setRequestProperty("Accept", "garbage");
			int status = connection.getResponseCode();
			java.io.InputStream stream = connection.getErrorStream();
			String body = (stream != null) ? new String(stream.readAllBytes(), StandardCharsets.UTF_8) : "";
			assertThat(status).as((String) given[0]).isEqualTo(given[2]);
			assertThat(connection.getContentType()).as((String) given[0]).isEqualTo("application/problem+json");
			assertThat(this.json.readTree(body).path("detail").asString()).as((String) given[0]).isNotBlank();
		}
	}

	@Test
	void saysWhatTheFirewallRefusedAHeaderOrAMethodNotThePath() throws Exception {
		// before: each was "The request's path is not allowed (for example a double slash, ...)"
		for (Object[] given : List.of(
				new Object[] { "GET /api/v1/things/created HTTP/1.1\r\nAuthorization: Bearer " + staff()
						+ "\r\nAccept: application/json\u0085\r\n", 400, "header" },
				new Object[] { "FOO /api/v1/things/created HTTP/1.1\r\nAuthorization: Bearer " + staff() + "\r\n", 405,
						"method" })) {
			String response;
			try (java.net.Socket socket = new java.net.Socket("127.0.0.1", this.port)) {
				socket.getOutputStream()
					.write((given[0] + "Host: 127.0.0.1\r\nConnection: close\r\n\r\n")
						.getBytes(StandardCharsets.ISO_8859_1));
				socket.getOutputStream().flush();
				response = new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
			}
			assertThat(response).as((String) given[2]).startsWith("HTTP/1.1 " + given[1])
				.contains("application/problem+json");
			String body = response.substring(response.indexOf("\r\n\r\n") + 4);
			assertThat(body).as((String) given[2]).contains(given[2] + "").doesNotContain("path");
		}
	}

	@Test
	void hidesTheCauseOfAnUnexpectedError() {
		ResponseEntity<String> response = getAsStaff("/api/v1/things/boom");
		assertProblem(response, 500);
		assertThat(response.getBody()).doesNotContain("secret internal detail").doesNotContain("IllegalStateException");
		// the trace id to quote is in the answer, and is the one the server logged the error under
		String traceId = this.json.readTree(response.getBody()).path("traceId").asString();
		assertThat(traceId).matches("[0-9a-f]{32}");
		assertThat(this.json.readTree(response.getBody()).path("detail").asString()).contains(traceId);
	}

	@Test
	void servesHealthAndTheApiDocumentWithoutToken() {
		assertThat(this.client.get().uri("/actuator/health").retrieve().toEntity(String.class).getStatusCode().value())
			.isEqualTo(200);
		String document = this.client.get().uri("/v3/api-docs").retrieve().toEntity(String.class).getBody();
		assertThat(document).contains("/api/v1/things");
		// the scheme the operations name is declared (before: only where a service declared it itself, so Swagger
		// UI had no Authorize button), and the title names the service
		JsonNode api = this.json.readTree(document);
		assertThat(api.path("components").path("securitySchemes").path("bearer").path("scheme").asString())
			.isEqualTo("bearer");
		assertThat(api.path("info").path("title").asString()).isEqualTo("kit-test");
		assertThat(api.path("paths").path("/api/v1/ops/jobs").path("get").path("security").toString())
			.contains("bearer");
		// a transient database failure's 503, with the seconds to wait, is documented for every operation
		JsonNode unavailable = api.path("paths").path("/api/v1/things").path("post").path("responses").path("503");
		assertThat(unavailable.at("/content/application~1problem+json/schema/$ref").asString())
			.isEqualTo("#/components/schemas/Problem");
		assertThat(unavailable.at("/headers/Retry-After/schema/type").asString()).isEqualTo("integer");
	}

	@Test
	void servesTheReadsAServiceListsAsPublicWithoutTokenAndNothingElse() {
		// the test application lists GET /api/v1/about (as the patient service lists its FHIR metadata)
		for (String token : java.util.Arrays.asList(null, "not-a-token")) {
			var request = this.client.get().uri("/api/v1/about");
			if (token != null) {
				// a public read reads no token: a stale or foreign one does not keep a client from discovering
				request.header("Authorization", "Bearer " + token);
			}
			ResponseEntity<String> about = request.retrieve().toEntity(String.class);
			assertThat(about.getStatusCode().value()).as(String.valueOf(token)).isEqualTo(200);
			assertThat(about.getBody()).isEqualTo("kit-test");
		}
		assertThat(this.client.head().uri("/api/v1/about").retrieve().toBodilessEntity().getStatusCode().value())
			.isEqualTo(200);
		// another method on that path, a path under it or beside it, and the rest of the API still need a token
		assertProblem(this.client.post().uri("/api/v1/about").retrieve().toEntity(String.class), 401);
		assertProblem(this.client.delete().uri("/api/v1/about").retrieve().toEntity(String.class), 401);
		for (String path : List.of("/api/v1/about/more", "/api/v1/aboutx", "/api/v1/things/named?name=thing")) {
			assertProblem(this.client.get().uri(path).retrieve().toEntity(String.class), 401);
		}
		ResponseEntity<String> withToken = this.client.get()
			.uri("/api/v1/things/named?name=thing")
			.header("Authorization", "Bearer " + staff())
			.retrieve()
			.toEntity(String.class);
		assertThat(withToken.getStatusCode().value()).isEqualTo(200);
		// documented so: an operation that declares no security requirement is not said to answer 401 or 403
		JsonNode paths = this.json.readTree(this.client.get().uri("/v3/api-docs").retrieve().body(String.class))
			.path("paths");
		assertThat(paths.at("/~1api~1v1~1about/get/responses").has("401")).isFalse();
		assertThat(paths.at("/~1api~1v1~1about/get/responses").has("403")).isFalse();
		assertThat(paths.at("/~1api~1v1~1things~1named/get/responses").has("401")).isTrue();
	}

	private String staff() {
		return this.signingKey.mint("staff-1", List.of("staff"), null, Duration.ofMinutes(5));
	}

	private ResponseEntity<String> post(String token, String body, MediaType type) {
		var request = this.client.post().uri("/api/v1/things").contentType(type).body(body);
		if (token != null) {
			request.header("Authorization", "Bearer " + token);
		}
		return request.retrieve().toEntity(String.class);
	}

	@Test
	void answersAQueryParameterThatIsNotValidlyPercentEncodedAsBadRequestWithoutLoggingIt(CapturedOutput output)
			throws Exception {
		RawResponse response = raw("/api/v1/things/due?at=Ada%zzLovelace", staff());
		assertThat(response.status()).isEqualTo(400);
		assertThat(response.contentType()).isEqualTo(MediaType.APPLICATION_PROBLEM_JSON_VALUE);
		assertThat(response.body()).contains("not validly percent-encoded").doesNotContain("Ada");
		assertThat(output.getAll()).doesNotContain("Lovelace").doesNotContain("Unexpected error");
		// well-formed escapes of bytes that are not UTF-8: the answer says what is wrong with them
		RawResponse notUtf8 = raw("/api/v1/things/due?at=%ff%fe", staff());
		assertThat(notUtf8.status()).isEqualTo(400);
		assertThat(notUtf8.body()).contains("must be UTF-8");
	}

	@Test
	void answersARequestLineTomcatRefusesWithoutLoggingItsQuery(CapturedOutput output) throws Exception {
		// a character RFC 3986 does not allow in a query (a client that does not encode it): Tomcat refuses the
		// request line, and before, logged it whole at INFO ("Invalid character found in the request target
		// [/api/v1/things/due?at=Ada<Lovelace ]"), the query's values (an MRN, a name) with it
		String request = "GET /api/v1/things/due?at=Ada<Lovelace HTTP/1.1\r\nHost: 127.0.0.1:" + this.port
				+ "\r\nAuthorization: Bearer " + staff() + "\r\nConnection: close\r\n\r\n";
		String response;
		try (java.net.Socket socket = new java.net.Socket("127.0.0.1", this.port)) {
			socket.getOutputStream().write(request.getBytes(StandardCharsets.US_ASCII));
			socket.getOutputStream().flush();
			response = new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
		}
		assertThat(response).startsWith("HTTP/1.1 400");
		assertThat(output.getAll()).doesNotContain("Lovelace");
	}

	@Test
	void answersAPathTheFirewallRefusesAsProblem() throws Exception {
		for (String path : List.of("/api/v1/things//due?at=2026-01-01T00:00:00Z",
				"/api/v1/things/due;x=1?at=2026-01-01T00:00:00Z")) {
			RawResponse response = raw(path, staff());
			assertThat(response.status()).as(path).isEqualTo(400);
			assertThat(response.contentType()).as(path).isEqualTo(MediaType.APPLICATION_PROBLEM_JSON_VALUE);
			assertThat(response.body()).as(path).contains("\"status\":400").contains("not allowed");
		}
	}

	/** A GET sent as written: no client here re-encodes or normalizes the path and query. */
	private RawResponse raw(String pathAndQuery, String token) throws Exception {
		@SuppressWarnings("deprecation")
		java.net.HttpURLConnection connection = (java.net.HttpURLConnection) new java.net.URL(
				"http://127.0.0.1:" + this.port + pathAndQuery).openConnection();
		connection.setRequestProperty("Authorization", "Bearer " + token);
		int status = connection.getResponseCode();
		java.io.InputStream stream = (status >= 400) ? connection.getErrorStream() : connection.getInputStream();
		String body = (stream != null) ? new String(stream.readAllBytes(), StandardCharsets.UTF_8)
				: "";
		return new RawResponse(status, connection.getContentType(), body);
	}

	record RawResponse(int status, String contentType, String body) {
	}

	private static void assertProblem(ResponseEntity<String> response, int status) {
		assertThat(response.getStatusCode().value()).isEqualTo(status);
		assertThat(response.getHeaders().getContentType()).isEqualTo(MediaType.APPLICATION_PROBLEM_JSON);
		assertThat(response.getBody()).contains("\"status\":" + status);
		// every problem names the request it answers, whether a controller, a filter or the container wrote it
		assertThat(response.getBody()).contains("\"instance\":\"/");
	}

}
