package org.patientplatform.dlq.search;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.patientplatform.dlq.DlqIntegrationTest;
import org.patientplatform.dlq.TestApi;
import org.patientplatform.dlq.TestKafka;
import org.patientplatform.local.infra.LocalSigningKey;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.core.ParameterizedTypeReference;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.context.TestPropertySource;
import org.springframework.web.client.RestClient;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Text in the error message is found as an operator types it, whatever PostgreSQL's text parser makes of
 * the punctuation around it: ids, topic names and numbers are what operators paste.
 */
@DlqIntegrationTest
@TestPropertySource(properties = "platform.roles=app,consumer-retry-message")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ErrorTextSearchIntegrationTests {

	static final ParameterizedTypeReference<Map<String, Object>> MAP = new ParameterizedTypeReference<>() {
	};

	static final List<String> MESSAGES = List.of("No booking 02c8e9cb-2b85-4536-8354-f9d6835952bd at site site-north",
			"Topic lab.test-results.v1 not present after 30.5 s", "Contact projection is stale for Zürich_clinic",
			"Unrelated failure 4536");

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
		this.ops = TestApi.as(this.signingKey, this.port, "ops-text", "ops");
		try (TestKafka kafka = new TestKafka(this.bootstrapServers)) {
			for (int i = 0; i < MESSAGES.size(); i++) {
				kafka.sendAsync(TestKafka.failedRecord("patient-service", "patient.events.v1", i, "key-" + i, "{}",
						"java.lang.IllegalStateException", MESSAGES.get(i), "cccccccccccccccc", false));
			}
			kafka.flush();
		}
		await().atMost(Duration.ofSeconds(60))
			.until(() -> this.jdbc.queryForObject("SELECT count(*) FROM dead_letter_entry", Integer.class),
					(n) -> n == MESSAGES.size());
	}

	@Test
	void findsAnIdWhoseGroupsTheParserReadsAsSignedNumbers() {
		assertThat(messagesFound("02c8e9cb-2b85-4536-8354-f9d6835952bd")).containsExactly(MESSAGES.get(0));
		assertThat(messagesFound("8354")).containsExactly(MESSAGES.get(0));
		assertThat(messagesFound("02c8e9cb-2b85")).containsExactly(MESSAGES.get(0));
		assertThat(messagesFound("4536")).containsExactlyInAnyOrder(MESSAGES.get(0), MESSAGES.get(3));
	}

	@Test
	void findsATopicNameAndADecimalNumber() {
		assertThat(messagesFound("lab.test-results.v1")).containsExactly(MESSAGES.get(1));
		assertThat(messagesFound("test-results")).containsExactly(MESSAGES.get(1));
		assertThat(messagesFound("30.5 s")).containsExactly(MESSAGES.get(1));
	}

	@Test
	void findsWordsJoinedByUnderscoresAndLettersBeyondAscii() {
		assertThat(messagesFound("zürich clinic")).containsExactly(MESSAGES.get(2));
		assertThat(messagesFound("site-north")).containsExactly(MESSAGES.get(0));
		assertThat(messagesFound("nothing-like-this")).isEmpty();
	}

	@Test
	void saysWhatFormAParameterTakesWhenItsValueDoesNotConvert() {
		var badTime = this.ops.get().uri("/api/v1/dlq/messages?from=yesterday").retrieve().toEntity(String.class);
		assertThat(badTime.getStatusCode().value()).isEqualTo(400);
		assertThat(badTime.getBody()).contains("\"field\":\"from\"")
			.contains("must be a date-time with its offset")
			.doesNotContain("java.")
			.doesNotContain("yesterday");
		var badId = this.ops.get().uri("/api/v1/dlq/messages/not-an-id").retrieve().toEntity(String.class);
		assertThat(badId.getStatusCode().value()).isEqualTo(400);
		// the path stays in the problem's instance; the detail and errors do not repeat the value
		assertThat(badId.getBody()).contains("\"field\":\"id\"")
			.contains("must be a UUID")
			.doesNotContain("with value")
			.doesNotContain("'not-an-id'");
	}

	@SuppressWarnings("unchecked")
	private List<Object> messagesFound(String q) {
		Map<String, Object> page = this.ops.get()
			.uri((uri) -> uri.path("/api/v1/dlq/messages").queryParam("q", q).queryParam("limit", 50).build())
			.retrieve()
			.body(MAP);
		return ((List<Map<String, Object>>) page.get("items")).stream().map((item) -> item.get("errorMessage")).toList();
	}

}
