package org.patientplatform.kit.audit;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.patientplatform.kit.KitIntegrationTest;
import org.patientplatform.local.infra.LocalSigningKey;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.ResponseEntity;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.web.client.RestClient;

import static org.assertj.core.api.Assertions.assertThat;

@KitIntegrationTest
class AuditEndpointIntegrationTests {

	@Autowired
	JdbcTemplate jdbc;

	@Autowired
	JsonMapper json;

	@Autowired
	LocalSigningKey signingKey;

	@LocalServerPort
	int port;

	RestClient client;

	String ops;

	@BeforeEach
	void setUp() {
		this.client = RestClient.builder()
			.baseUrl("http://127.0.0.1:" + this.port)
			.defaultStatusHandler(HttpStatusCode::isError, (request, response) -> {
			})
			.build();
		this.ops = this.signingKey.mint("ops-" + UUID.randomUUID(), List.of("ops"), null, Duration.ofMinutes(5));
	}

	@Test
	void opsPageThroughOneResourcesRecordsNewestFirstAcrossRecordsOfTheSameInstant() throws Exception {
		String entry = UUID.randomUUID().toString();
		String other = UUID.randomUUID().toString();
		// three records in the same microsecond across a page's end: the order written breaks the tie, and no page
		// loses or repeats one; a record of another resource is never listed
		insert("2026-12-01T08:00:00Z", "alice", "dlq.payload.reveal", "dlq-entry", entry, "SUCCEEDED", "ticket 1");
		insert("2026-12-01T09:00:00Z", "bob", "dlq.entry.redrive", "dlq-entry", entry, "SUCCEEDED", "fixed");
		insert("2026-12-01T09:00:00Z", "alice", "dlq.payload.reveal", "dlq-entry", entry, "UNREADABLE", "ticket 2");
		insert("2026-12-01T09:00:00Z", "carol", "dlq.entry.discard", "dlq-entry", entry, "SUCCEEDED", "noise");
		insert("2026-12-01T10:00:00Z", "alice", "dlq.payload.reveal", "dlq-entry", other, "SUCCEEDED", "other");
		insert("2026-12-01T07:00:00Z", "alice", "dlq.payload.reveal", "patient", entry, "SUCCEEDED", "same id, other type");
		List<Long> expected = this.jdbc.queryForList("""
				SELECT id FROM audit_log WHERE resource_type = 'dlq-entry' AND resource_id = ?
				ORDER BY occurred_at DESC, id DESC""", Long.class, entry);
		assertThat(expected).hasSize(4);

		List<JsonNode> listed = new ArrayList<>();
		String cursor = null;
		int pages = 0;
		do {
			JsonNode page = get("/api/v1/ops/audit?resourceType=dlq-entry&resourceId=" + entry + "&limit=2"
					+ ((cursor != null) ? "&cursor=" + cursor : ""), 200);
			page.path("items").forEach(listed::add);
			cursor = page.hasNonNull("nextCursor") ? page.path("nextCursor").asString() : null;
			pages++;
		}
		while (cursor != null && pages < 10);
		assertThat(pages).isEqualTo(2);
		assertThat(listed).extracting((item) -> item.path("id").asLong()).isEqualTo(expected);
		assertThat(listed).extracting((item) -> item.path("actor").asString())
			.containsExactly("carol", "alice", "bob", "alice");
		JsonNode first = listed.getLast();
		assertThat(first.path("occurredAt").asString()).isEqualTo("2026-12-01T08:00:00Z");
		assertThat(first.path("action").asString()).isEqualTo("dlq.payload.reveal");
		assertThat(first.path("resourceType").asString()).isEqualTo("dlq-entry");
		assertThat(first.path("resourceId").asString()).isEqualTo(entry);
		assertThat(first.path("outcome").asString()).isEqualTo("SUCCEEDED");
		assertThat(first.path("reason").asString()).isEqualTo("ticket 1");
		assertThat(first.path("actorRole").asString()).isEqualTo("ops");
		assertThat(first.has("resource_id")).as("no column names").isFalse();
	}

	@Test
	void everyCriterionNarrowsTheRecordsAndTheOutcomeMatchesInAnyCase() throws Exception {
		String actor = "dana-" + UUID.randomUUID();
		String thing = UUID.randomUUID().toString();
		insert("2026-12-02T08:00:00Z", actor, "read", "patient", thing, "OK", null);
		insert("2026-12-02T09:00:00Z", actor, "read", "patient", thing, "denied", "not the caller's own");
		insert("2026-12-02T10:00:00Z", actor, "search", "patient", null, "NOT_FOUND", "family");
		insert("2026-12-02T11:00:00Z", actor, "read", "patient", thing, "DENIED", "again");

		assertThat(reasons("actor=" + actor)).containsExactly("again", "family", "not the caller's own", null);
		assertThat(reasons("actor=" + actor + "&action=read")).containsExactly("again", "not the caller's own", null);
		assertThat(reasons("actor=" + actor + "&outcome=denied")).containsExactly("again", "not the caller's own");
		assertThat(reasons("actor=" + actor + "&outcome=DENIED&resourceId=" + thing)).containsExactly("again",
				"not the caller's own");
		// from inclusive, to exclusive
		assertThat(reasons("actor=" + actor + "&from=2026-12-02T09:00:00Z&to=2026-12-02T11:00:00Z"))
			.containsExactly("family", "not the caller's own");
		// 11:00 at +01:00 is 10:00Z
		assertThat(reasons("actor=" + actor + "&from=2026-12-02T11:00:00%2B01:00")).containsExactly("again", "family");
		// an empty box is no criterion
		assertThat(reasons("actor=" + actor + "&action=&outcome=")).hasSize(4);
		assertThat(reasons("actor=nobody-" + UUID.randomUUID())).isEmpty();
	}

	@Test
	void aRequestRefusedForTheCallersRoleIsReadBackByOps() throws Exception {
		String subject = "p-" + UUID.randomUUID();
		String patient = this.signingKey.mint(subject, List.of("patient"), subject, Duration.ofMinutes(5));
		ResponseEntity<String> refused = this.client.get()
			.uri("/api/v1/ops/audit?actor=" + subject)
			.header("Authorization", "Bearer " + patient)
			.retrieve()
			.toEntity(String.class);
		assertThat(refused.getStatusCode().value()).isEqualTo(403);
		assertThat(this.client.get().uri("/api/v1/ops/audit").retrieve().toEntity(String.class).getStatusCode().value())
			.isEqualTo(401);

		JsonNode items = get("/api/v1/ops/audit?actor=" + subject, 200).path("items");
		assertThat(items).hasSize(1);
		assertThat(items.get(0).path("action").asString()).isEqualTo("access.denied");
		assertThat(items.get(0).path("resourceType").asString()).isEqualTo("endpoint");
		assertThat(items.get(0).path("resourceId").asString()).isEqualTo("GET /api/v1/ops/audit");
		assertThat(items.get(0).path("actorRole").asString()).isEqualTo("patient");
	}

	@Test
	void refusesWhatItCannotAnswerNamingTheParameter() throws Exception {
		assertThat(get("/api/v1/ops/audit?cursor=bm90LWEtY3Vyc29y", 400).path("detail").asString())
			.contains("cursor");
		assertThat(get("/api/v1/ops/audit?from=2026-12-02T10:00:00Z&to=2026-12-02T09:00:00Z", 400).toString())
			.contains("from", "must be before to");
		assertThat(get("/api/v1/ops/audit?from=1765000000", 400).toString()).contains("from");
		// read as written: hour 24 had been the next day's midnight, a leap second 23:59:59
		for (String query : List.of("from=2026-12-02T24:00:00Z", "to=2026-12-02T23:59:60Z")) {
			String parameter = query.substring(0, query.indexOf('='));
			assertThat(get("/api/v1/ops/audit?" + query, 400).path("errors").valueStream()
				.map((error) -> error.path("field").asString() + " " + error.path("message").asString()))
				.as(query)
				.containsExactly(parameter + " must be a date-time with its offset, such as 2026-01-31T09:30:00Z");
		}
		assertThat(get("/api/v1/ops/audit?limit=500", 400).toString()).contains("limit");
		assertThat(get("/api/v1/ops/audit?acter=alice", 400).toString()).contains("acter");
		assertThat(get("/api/v1/ops/audit?actor=a&actor=b", 400).toString()).contains("actor");
	}

	private List<String> reasons(String query) throws Exception {
		List<String> reasons = new ArrayList<>();
		get("/api/v1/ops/audit?" + query, 200).path("items")
			.forEach((item) -> reasons.add(item.path("reason").isNull() ? null : item.path("reason").asString()));
		return reasons;
	}

	private JsonNode get(String uri, int status) throws Exception {
		// as written: %2B stays the encoded + of an offset
		ResponseEntity<String> response = this.client.get()
			.uri(URI.create("http://127.0.0.1:" + this.port + uri))
			.header("Authorization", "Bearer " + this.ops)
			.retrieve()
			.toEntity(String.class);
		assertThat(response.getStatusCode().value()).as(response.getBody()).isEqualTo(status);
		if (status >= 400) {
			assertThat(response.getHeaders().getContentType()).hasToString("application/problem+json");
		}
		return this.json.readTree(response.getBody());
	}

	private void insert(String at, String actor, String action, String type, String id, String outcome,
			String reason) {
		this.jdbc.update("""
				INSERT INTO audit_log (occurred_at, actor, actor_role, action, resource_type, resource_id, outcome, reason)
				VALUES (?::timestamptz, ?, 'ops', ?, ?, ?, ?, ?)""", at, actor, action, type, id, outcome, reason);
	}

}
