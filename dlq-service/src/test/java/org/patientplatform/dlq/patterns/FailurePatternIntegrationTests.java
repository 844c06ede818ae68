package org.patientplatform.dlq.patterns;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.patientplatform.dlq.DlqIntegrationTest;
import org.patientplatform.dlq.TestApi;
import org.patientplatform.dlq.TestKafka;
import org.patientplatform.local.infra.LocalSigningKey;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.core.ParameterizedTypeReference;
import org.springframework.http.MediaType;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.context.TestPropertySource;
import org.springframework.web.client.RestClient;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

@DlqIntegrationTest
@TestPropertySource(properties = "platform.roles=app,consumer-retry-message")
class FailurePatternIntegrationTests {

	static final ParameterizedTypeReference<List<Map<String, Object>>> LIST = new ParameterizedTypeReference<>() {
	};

	static final ParameterizedTypeReference<Map<String, Object>> MAP = new ParameterizedTypeReference<>() {
	};

	@Autowired
	JdbcTemplate jdbc;

	@Autowired
	LocalSigningKey signingKey;

	@LocalServerPort
	int port;

	@Value("${spring.kafka.bootstrap-servers}")
	String bootstrapServers;

	@Test
	void groupsEntriesByFingerprintWithCountsTimesTopicsAndASample() {
		try (TestKafka kafka = new TestKafka(this.bootstrapServers)) {
			for (int i = 0; i < 6; i++) {
				kafka.sendAsync(TestKafka.failedRecord("notification-service", (i % 2 == 0) ? "sms.v1" : "email.v1", i,
						"k" + i, "{}", "java.net.SocketTimeoutException", "provider timed out", "1111111111111111",
						false));
			}
			for (int i = 0; i < 3; i++) {
				kafka.sendAsync(TestKafka.failedRecord("patient-service", "lis.inbound.v1", 100 + i, "m" + i, "MSH|",
						"ca.uhn.hl7v2.HL7Exception", "bad segment", "2222222222222222", true));
			}
			kafka.flush();
		}
		await().atMost(Duration.ofSeconds(60))
			.until(() -> this.jdbc.queryForObject("SELECT count(*) FROM dead_letter_entry", Integer.class), (n) -> n == 9);
		this.jdbc.update("UPDATE dead_letter_entry SET last_failed_at = now() + interval '1 minute', "
				+ "status = 'DISCARDED' WHERE original_topic = 'lis.inbound.v1' AND original_offset = 100");
		RestClient ops = TestApi.as(this.signingKey, this.port, "ops-ed", "ops");

		List<Map<String, Object>> all = ops.get().uri("/api/v1/dlq/patterns?unresolvedOnly=false").retrieve().body(LIST);
		// the most entries first: the six timeouts before the three HL7 errors, though one of those failed later
		assertThat(all).extracting((p) -> p.get("fingerprint")).containsExactly("1111111111111111", "2222222222222222");
		assertThat(ops.get().uri("/api/v1/dlq/patterns?unresolvedOnly=false&sort=lastSeen").retrieve().body(LIST))
			.extracting((p) -> p.get("fingerprint"))
			.containsExactly("2222222222222222", "1111111111111111");
		Map<String, Object> timeouts = all.get(0);
		assertThat(timeouts).containsEntry("entries", 6)
			.containsEntry("failures", 6)
			.containsEntry("unresolved", 6)
			.containsEntry("topics", List.of("email.v1", "sms.v1"))
			.containsEntry("sourceServices", List.of("notification-service"))
			.containsEntry("errorClass", "java.net.SocketTimeoutException")
			.containsKeys("firstSeen", "lastSeen");
		UUID sample = UUID.fromString((String) timeouts.get("sampleEntryId"));
		assertThat(this.jdbc.queryForObject("SELECT fingerprint FROM dead_letter_entry WHERE id = ?", String.class, sample))
			.isEqualTo("1111111111111111");
		assertThat(all.get(1)).containsEntry("entries", 3).containsEntry("unresolved", 2);

		List<Map<String, Object>> unresolved = ops.get().uri("/api/v1/dlq/patterns").retrieve().body(LIST);
		assertThat(unresolved).filteredOn((p) -> "2222222222222222".equals(p.get("fingerprint")))
			.singleElement()
			.satisfies((p) -> assertThat(p).containsEntry("entries", 2));

		// by default the view covers the last hour: a pattern seen only before that shows when asked for
		this.jdbc.update("UPDATE dead_letter_entry SET first_failed_at = now() - interval '3 days', "
				+ "last_failed_at = now() - interval '3 days' WHERE original_topic = 'lis.inbound.v1'");
		assertThat(ops.get().uri("/api/v1/dlq/patterns?unresolvedOnly=false").retrieve().body(LIST))
			.extracting((p) -> p.get("fingerprint"))
			.containsExactly("1111111111111111");
		assertThat(ops.get()
			.uri("/api/v1/dlq/patterns?unresolvedOnly=false&since={since}", Instant.now().minus(Duration.ofDays(4)))
			.retrieve()
			.body(LIST)).extracting((p) -> p.get("fingerprint")).containsExactly("1111111111111111", "2222222222222222");

		var staff = TestApi.as(this.signingKey, this.port, "staff-1", "staff")
			.get()
			.uri("/api/v1/dlq/patterns")
			.retrieve()
			.toEntity(String.class);
		assertThat(staff.getStatusCode().value()).isEqualTo(403);
	}

	@Test
	void keepsThePatternsWithTheMostEntriesWhenThereAreMoreThanTheLimit() {
		// an incident's big pattern, seen last ten minutes ago, and three patterns of one entry each seen since
		for (int i = 0; i < 8; i++) {
			entry("aaaaaaaaaaaaaaaa", 10, i);
		}
		entry("bbbbbbbbbbbbbbbb", 3, 100);
		entry("cccccccccccccccc", 2, 101);
		entry("dddddddddddddddd", 1, 102);
		RestClient ops = TestApi.as(this.signingKey, this.port, "ops-ed", "ops");

		// before: ordered by last seen, the limit left out the pattern of eight entries and listed those of one
		List<Map<String, Object>> biggest = ops.get().uri("/api/v1/dlq/patterns?limit=3").retrieve().body(LIST);
		assertThat(biggest).extracting((p) -> p.get("fingerprint") + ":" + p.get("entries"))
			.containsExactly("aaaaaaaaaaaaaaaa:8", "dddddddddddddddd:1", "cccccccccccccccc:1");
		assertThat(ops.get().uri("/api/v1/dlq/patterns?limit=3&sort=entries").retrieve().body(LIST))
			.isEqualTo(biggest);
		assertThat(ops.get().uri("/api/v1/dlq/patterns?limit=3&sort=lastSeen").retrieve().body(LIST))
			.extracting((p) -> p.get("fingerprint"))
			.containsExactly("dddddddddddddddd", "cccccccccccccccc", "bbbbbbbbbbbbbbbb");

		for (String sort : List.of("count", "LASTSEEN", "last_seen")) {
			var refused = ops.get().uri("/api/v1/dlq/patterns?sort={sort}", sort).retrieve().toEntity(MAP);
			assertThat(refused.getStatusCode().value()).as(sort).isEqualTo(400);
			assertThat(refused.getHeaders().getContentType()).isEqualTo(MediaType.APPLICATION_PROBLEM_JSON);
			assertThat(refused.getBody().get("errors")).as(sort)
				.isEqualTo(List.of(Map.of("field", "sort", "message",
						"must be entries (the most entries first) or lastSeen (the most recently seen first)")));
		}

		// the API's document says the same (before: "most recently seen first", and the docs "most frequent")
		JsonNode operation = JsonMapper.shared()
			.readTree(ops.get().uri("/v3/api-docs").retrieve().body(String.class))
			.at("/paths/~1api~1v1~1dlq~1patterns/get");
		assertThat(operation.at("/summary").asString()).isEqualTo("Failure patterns, the most entries first");
		assertThat(operation.at("/parameters").valueStream()
			.filter((parameter) -> parameter.at("/name").asString().equals("sort"))
			.map((parameter) -> parameter.at("/schema/default").asString() + " of "
					+ parameter.at("/schema/enum").valueStream().map(JsonNode::asString).toList())
			.toList()).containsExactly("entries of [entries, lastSeen]");
	}

	private void entry(String fingerprint, int minutesAgo, int offset) {
		this.jdbc.update("""
				INSERT INTO dead_letter_entry (id, kind, status, source_service, consumer_group, original_topic,
				    original_partition, original_offset, fingerprint, error_class, dlq_partition, dlq_offset,
				    first_failed_at, last_failed_at)
				VALUES (?, 'FAILED_RECORD', 'NEW', 'patient-service', 'g', 'patterns.v1', 0, ?, ?,
				    'java.lang.IllegalStateException', 9, ?, now() - make_interval(mins => ?),
				    now() - make_interval(mins => ?))
				""", UUID.randomUUID(), offset, fingerprint, 900_000 + offset, minutesAgo, minutesAgo);
	}

	@AfterEach
	void deleteEntries() {
		// each test counts the patterns of its own entries only
		this.jdbc.update("DELETE FROM dead_letter_entry");
	}

}
