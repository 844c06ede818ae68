package org.patientplatform.dlq.redrive;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.utils.Utils;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.patientplatform.dlq.DlqIntegrationTest;
import org.patientplatform.dlq.TestApi;
import org.patientplatform.dlq.TestKafka;
import org.patientplatform.kit.events.PlatformEvents;
import org.patientplatform.kit.kafka.DeadLetterHeaders;
import org.patientplatform.local.infra.LocalSigningKey;

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
class EntryRedriveIntegrationTests {

	static final ParameterizedTypeReference<Map<String, Object>> MAP = new ParameterizedTypeReference<>() {
	};

	@Autowired
	JdbcTemplate jdbc;

	@Autowired
	PlatformEvents events;

	@Autowired
	LocalSigningKey signingKey;

	@LocalServerPort
	int port;

	@Value("${spring.kafka.bootstrap-servers}")
	String bootstrapServers;

	TestKafka kafka;

	RestClient ops;

	@BeforeEach
	void setUp() {
		this.kafka = new TestKafka(this.bootstrapServers);
		this.ops = TestApi.as(this.signingKey, this.port, "ops-bo", "ops");
	}

	@AfterEach
	void tearDown() {
		this.kafka.close();
	}

	@Test
	void redrivesAnEntryToItsOriginalTopicAsItWasAndAuditsWhoAndWhy() {
		UUID id = capture("labs.v1", 1, "lab-1", "{\"result\":\"pending\"}");

		var response = this.ops.post()
			.uri("/api/v1/dlq/messages/{id}/redrive", id)
			.body(Map.of("reason", "lab system is back"))
			.retrieve()
			.toEntity(MAP);

		assertThat(response.getStatusCode().value()).isEqualTo(200);
		assertThat(response.getBody()).containsEntry("status", "RETRYING").containsEntry("topic", "labs.v1");
		ConsumerRecord<byte[], byte[]> sent = single("labs.v1", id);
		assertThat(new String(sent.key(), StandardCharsets.UTF_8)).isEqualTo("lab-1");
		assertThat(new String(sent.value(), StandardCharsets.UTF_8)).isEqualTo("{\"result\":\"pending\"}");
		assertThat(TestKafka.header(sent, "x-origin")).isEqualTo("lab-7");
		assertThat(TestKafka.header(sent, DeadLetterHeaders.ATTEMPT)).isEqualTo("1");
		assertThat(sent.headers()).noneMatch((h) -> h.key().startsWith("kafka_dlt-"));
		assertThat(this.jdbc.queryForMap("SELECT status, retry_count, status_changed_by FROM dead_letter_entry WHERE id = ?",
				id))
			.containsEntry("status", "RETRYING")
			.containsEntry("retry_count", 0)
			.containsEntry("status_changed_by", "ops-bo");
		assertThat(audit("dlq.redrive", id)).containsExactly("ops-bo|SUCCEEDED|lab system is back");

		// sent 9 of dlq.retry.outcome-timeout's 10 minutes ago: settled at the latest in a minute
		this.jdbc.update("UPDATE dead_letter_state SET redriven_at = redriven_at - interval '9 minutes' WHERE id = ?",
				id);
		var again = this.ops.post()
			.uri("/api/v1/dlq/messages/{id}/redrive", id)
			.body(Map.of("reason", "try again"))
			.retrieve()
			.toEntity(MAP);
		assertThat(again.getStatusCode().value()).isEqualTo(409);
		assertThat(again.getHeaders().getContentType()).isEqualTo(MediaType.APPLICATION_PROBLEM_JSON);
		// before: no Retry-After, and a detail that did not say when to try again
		long retryAfter = Long.parseLong(String.valueOf(again.getHeaders().getFirst("Retry-After")));
		assertThat(retryAfter).isBetween(1L, 60L).isGreaterThan(30L);
		assertThat(String.valueOf(again.getBody().get("detail"))).contains("is in flight",
				"settled at the latest " + retryAfter + " s from now", "dlq.retry.outcome-timeout (PT10M)",
				"Retry-After");
		assertThat(audit("dlq.redrive", id)).hasSize(2).last().asString().isEqualTo("ops-bo|REJECTED|try again");
	}

	@Test
	void redrivesAHeaderWhoseNameHoldsANulUnderItsOriginalName() {
		// jsonb holds no NUL: the name was stored with U+FFFD in its place, and a redrive sent that other name
		ProducerRecord<byte[], byte[]> failed = TestKafka.failedRecord("nul-header-name.v1", 0, 1, "k-1", "{}", true);
		failed.headers()
			.add("x-field\u0000name", "v".getBytes(StandardCharsets.UTF_8))
			.add("\u0000", null)
			.add("x-plain", "p".getBytes(StandardCharsets.UTF_8));
		this.kafka.send(failed);
		UUID id = stored("nul-header-name.v1");

		// the entry shows the name as it was (JSON writes the NUL as \u0000)
		Map<String, Object> entry = this.ops.get().uri("/api/v1/dlq/messages/{id}", id).retrieve().body(MAP);
		assertThat(entry.get("headers")).asString().contains("key=x-field\u0000name,").doesNotContain("\uFFFD");

		assertThat(this.ops.post()
			.uri("/api/v1/dlq/messages/{id}/redrive", id)
			.body(Map.of("reason", "consumer fixed"))
			.retrieve()
			.toEntity(MAP)
			.getStatusCode()
			.value()).isEqualTo(200);
		ConsumerRecord<byte[], byte[]> sent = single("nul-header-name.v1", id);
		List<String> names = new java.util.ArrayList<>();
		sent.headers().forEach((h) -> names.add(h.key()));
		assertThat(names).startsWith("x-origin", "x-field\u0000name", "\u0000", "x-plain");
		assertThat(TestKafka.header(sent, "x-field\u0000name")).isEqualTo("v");
		assertThat(sent.headers().lastHeader("\u0000").value()).isNull();
	}

	@Test
	void redrivesACloudEventInStructuredModeAsItWasSoItsConsumerReadsItAgain() {
		// a structured-mode record keeps its mode through the DLQ: the content-type header and the value's bytes
		String event = """
				{"specversion":"1.0","id":"e-structured","source":"urn:lab:front-desk","type":"test.Thing.v1",
				 "data":{"name":"Ada"}}""";
		ProducerRecord<byte[], byte[]> failed = TestKafka.failedRecord("things-structured.v1", 0, 1, "k-1", event, true);
		failed.headers().add("content-type", "application/cloudevents+json; charset=UTF-8".getBytes(StandardCharsets.UTF_8));
		this.kafka.send(failed);
		UUID id = stored("things-structured.v1");

		assertThat(this.ops.post()
			.uri("/api/v1/dlq/messages/{id}/redrive", id)
			.body(Map.of("reason", "producer fixed"))
			.retrieve()
			.toEntity(MAP)
			.getStatusCode()
			.value()).isEqualTo(200);

		ConsumerRecord<byte[], byte[]> sent = single("things-structured.v1", id);
		assertThat(sent.value()).isEqualTo(event.getBytes(StandardCharsets.UTF_8));
		assertThat(TestKafka.header(sent, "content-type")).isEqualTo("application/cloudevents+json; charset=UTF-8");
		assertThat(this.events.envelope(sent).getId()).isEqualTo("e-structured");
		assertThat(this.events.envelope(sent).getSource()).hasToString("urn:lab:front-desk");
	}

	@Test
	void aResolvedEntryRedrivenIsUnresolvedSinceTheRedriveNotSinceItsFirstFailure() {
		UUID resolved = capture("replays.v1", 1, "replay-1", "{}");
		UUID waiting = capture("waits.v1", 1, "wait-1", "{}");
		this.jdbc.update("UPDATE dead_letter_entry SET status = 'RESOLVED', resolved_at = now(), "
				+ "first_failed_at = now() - interval '10 days' WHERE id = ?", resolved);
		this.jdbc.update("UPDATE dead_letter_entry SET first_failed_at = now() - interval '10 days' WHERE id = ?",
				waiting);

		for (UUID id : List.of(resolved, waiting)) {
			assertThat(this.ops.post()
				.uri("/api/v1/dlq/messages/{id}/redrive", id)
				.body(Map.of("reason", "replay for the audit"))
				.retrieve()
				.toEntity(MAP)
				.getStatusCode()
				.value()).isEqualTo(200);
		}

		// before: the replayed entry counted ten days unresolved at once (the oldest-unresolved gauge, alert and
		// report), though it was resolved until the operator sent it again
		assertThat(this.jdbc.queryForObject("SELECT now() - first_failed_at < interval '1 minute' FROM "
				+ "dead_letter_state WHERE id = ?", Boolean.class, resolved)).isTrue();
		// its detail still says when the record first failed
		assertThat(this.jdbc.queryForObject("SELECT now() - first_failed_at > interval '9 days' FROM "
				+ "dead_letter_record WHERE id = ?", Boolean.class, resolved)).isTrue();
		// an entry unresolved all along keeps its age
		assertThat(this.jdbc.queryForObject("SELECT now() - first_failed_at > interval '9 days' FROM "
				+ "dead_letter_state WHERE id = ?", Boolean.class, waiting)).isTrue();
	}

	@Test
	void refusesAReasonWithANulBeforeActing() {
		// PostgreSQL cannot store a NUL in text: before, the redrive went out, then recording it (and its audit
		// row) failed, and the answer was a 400 as if nothing had been done; the record was on the topic, the
		// entry had no redrive in flight and the audit log had no row for it
		this.kafka.createTopic("nul-reason.v1");
		UUID id = capture("nul-reason.v1", 1, "n-1", "{}");
		var redriven = this.ops.post()
			.uri("/api/v1/dlq/messages/{id}/redrive", id)
			.body(Map.of("reason", "INC-7\u0000 replay"))
			.retrieve()
			.toEntity(MAP);
		assertThat(redriven.getStatusCode().value()).isEqualTo(400);
		assertThat(redriven.getBody().get("errors").toString()).contains("field=reason", "NUL");
		var edited = this.ops.post()
			.uri("/api/v1/dlq/messages/{id}/edit-and-redrive", id)
			.body(Map.of("payload", "{}", "reason", "\u0000"))
			.retrieve()
			.toEntity(MAP);
		assertThat(edited.getStatusCode().value()).isEqualTo(400);
		assertThat(this.kafka.readAll("nul-reason.v1")).isEmpty();
		assertThat(this.jdbc.queryForObject("SELECT count(*) FROM dead_letter_redrive WHERE entry_id = ?", Integer.class,
				id))
			.isZero();

		// nor is a retry policy changed without its audit row
		var policy = this.ops.put()
			.uri("/api/v1/dlq/retry-policies/nul-reason.v1")
			.body(Map.of("maxAttempts", 1, "initialDelaySeconds", 5, "multiplier", 1, "maxDelaySeconds", 5, "jitter", 0,
					"reason", "a\u0000b"))
			.retrieve()
			.toEntity(MAP);
		assertThat(policy.getStatusCode().value()).isEqualTo(400);
		assertThat(this.jdbc.queryForObject("SELECT count(*) FROM retry_policy WHERE topic = 'nul-reason.v1'",
				Integer.class))
			.isZero();
	}

	@Test
	void answersConflictForAnOriginalTopicTheBrokerNoLongerHasAndDoesNotCreateIt() throws Exception {
		UUID id = capture("retired.v1", 4, "r-4", "{}");
		try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, this.bootstrapServers))) {
			admin.deleteTopics(List.of("retired.v1")).all().get(30, TimeUnit.SECONDS);
			await().atMost(Duration.ofSeconds(30))
				.until(() -> !admin.listTopics().names().get(10, TimeUnit.SECONDS).contains("retired.v1"));

			// before: the producer made the topic afresh (the broker's default), sent the record to it, and the entry
			// waited in RETRYING for an outcome no consumer would report
			var redriven = this.ops.post()
				.uri("/api/v1/dlq/messages/{id}/redrive", id)
				.body(Map.of("reason", "try again"))
				.retrieve()
				.toEntity(MAP);
			assertThat(redriven.getStatusCode().value()).isEqualTo(409);
			assertThat((String) redriven.getBody().get("detail")).isEqualTo("Entry " + id + " is not redriven: the "
					+ "broker has no topic retired.v1; a redrive does not create topics. Create the topic, or redrive the "
					+ "entry to another with targetTopic.");
			assertThat(this.jdbc.queryForObject("SELECT status FROM dead_letter_entry WHERE id = ?", String.class, id))
				.isEqualTo("NEW");
			assertThat(admin.listTopics().names().get(10, TimeUnit.SECONDS)).doesNotContain("retired.v1");
		}
	}

	@Test
	void answersConflictWhenThePayloadsKeyIsNoLongerConfigured() {
		UUID id = capture("vault-keys.v1", 3, "v-3", "{\"sealed\":true}");
		// the key it was sealed with retired from dlq.encryption.keys too early
		this.jdbc.update("UPDATE dead_letter_record SET payload_key_id = 'retired-2025' WHERE id = ?", id);

		var revealed = this.ops.post()
			.uri("/api/v1/dlq/messages/{id}/reveal", id)
			.body(Map.of("reason", "what was it"))
			.retrieve()
			.toEntity(MAP);
		assertThat(revealed.getStatusCode().value()).isEqualTo(409);
		assertThat(revealed.getHeaders().getContentType()).isEqualTo(MediaType.APPLICATION_PROBLEM_JSON);
		assertThat((String) revealed.getBody().get("detail")).contains("cannot be decrypted")
			.contains("no key 'retired-2025' is configured");
		assertThat(audit("dlq.payload.reveal", id)).containsExactly("ops-bo|UNREADABLE|what was it");

		var redriven = this.ops.post()
			.uri("/api/v1/dlq/messages/{id}/redrive", id)
			.body(Map.of("reason", "try it"))
			.retrieve()
			.toEntity(MAP);
		assertThat(redriven.getStatusCode().value()).isEqualTo(409);
		assertThat((String) redriven.getBody().get("detail")).contains("no key 'retired-2025' is configured");
		assertThat(this.jdbc.queryForObject("SELECT status FROM dead_letter_entry WHERE id = ?", String.class, id))
			.isEqualTo("NEW");
		assertThat(this.kafka.readAll("vault-keys.v1")).isEmpty();
		// audited as the reveal was: the payload is unreadable, not a state the DLQ refuses
		assertThat(audit("dlq.redrive", id)).containsExactly("ops-bo|UNREADABLE|try it");
	}

	@Test
	void neverSendsAnEntryWhoseOriginalTopicIsTheDlqsOwn() {
		// an entry stored before the capture kept such records raw
		UUID id = capture("own-topic-origin.v1", 4, "o-4", "{}");
		this.jdbc.update("UPDATE dead_letter_record SET original_topic = 'dlq.messages.v1' WHERE id = ?", id);
		long before = this.kafka.readAll("dlq.messages.v1").size();

		var redriven = this.ops.post()
			.uri("/api/v1/dlq/messages/{id}/redrive", id)
			.body(Map.of("reason", "try it"))
			.retrieve()
			.toEntity(MAP);

		assertThat(redriven.getStatusCode().value()).isEqualTo(409);
		assertThat((String) redriven.getBody().get("detail")).contains("one of the DLQ's own");
		assertThat(this.kafka.readAll("dlq.messages.v1")).hasSize((int) before);
	}

	@Test
	void keepsARecordOrAHeaderWithoutAValueWithoutOneAndRedrivesThemSo() {
		// a deletion on a compacted topic (key, no value) that its consumer failed on, as a recoverer sends it
		ProducerRecord<byte[], byte[]> tombstone = TestKafka.failedRecord("accounts.v1", 0, 11, "account-9", "", true);
		tombstone.headers().add("x-deleted-by", null);
		this.kafka.send(new ProducerRecord<>(tombstone.topic(), null, tombstone.key(), null, tombstone.headers()));
		UUID id = stored("accounts.v1");
		Map<String, Object> detail = this.ops.get().uri("/api/v1/dlq/messages/{id}", id).retrieve().body(MAP);
		assertThat(detail).containsEntry("payloadSize", 0).containsEntry("tombstone", true);
		Map<String, Object> revealed = this.ops.post()
			.uri("/api/v1/dlq/messages/{id}/reveal", id)
			.body(Map.of("reason", "what was deleted"))
			.retrieve()
			.body(MAP);
		assertThat(revealed).containsKey("original");
		assertThat(revealed.get("original")).as("no value, not an empty one").isNull();

		var response = this.ops.post()
			.uri("/api/v1/dlq/messages/{id}/redrive", id)
			.body(Map.of("reason", "accounts service is back"))
			.retrieve()
			.toEntity(MAP);
		assertThat(response.getStatusCode().value()).isEqualTo(200);
		ConsumerRecord<byte[], byte[]> sent = single("accounts.v1", id);
		assertThat(sent.key()).isEqualTo("account-9".getBytes(StandardCharsets.UTF_8));
		assertThat(sent.value()).as("a tombstone again").isNull();
		assertThat(sent.headers().lastHeader("x-deleted-by")).as("a header without a value").isNotNull()
			.satisfies((header) -> assertThat(header.value()).isNull());
	}

	@Test
	void refusesToRedriveAnEntryWhoseValueWasTooLargeToDeadLetterAndSendsAnEditedOne() {
		// as the kit's failure path sends a record too large for the DLQ: no value, its size, not retryable
		ProducerRecord<byte[], byte[]> failed = TestKafka.failedRecord("hl7-results.v1", 0, 12, "oru-1", "", true);
		failed.headers().add(DeadLetterHeaders.VALUE_OMITTED, "9437184".getBytes(StandardCharsets.UTF_8));
		this.kafka.send(new ProducerRecord<>(failed.topic(), null, failed.key(), null, failed.headers()));
		UUID id = stored("hl7-results.v1");

		Map<String, Object> detail = this.ops.get().uri("/api/v1/dlq/messages/{id}", id).retrieve().body(MAP);
		assertThat(detail).containsEntry("status", "NEW")
			.containsEntry("payloadSize", 9437184)
			.containsEntry("valueOmitted", true)
			.containsEntry("tombstone", false)
			.containsEntry("originalOffset", 12)
			.containsEntry("errorClass", "java.lang.IllegalStateException");
		assertThat(detail.get("headers").toString()).as("the record's own headers, not the failure path's")
			.contains("x-origin")
			.doesNotContain(DeadLetterHeaders.VALUE_OMITTED);
		Map<String, Object> revealed = this.ops.post()
			.uri("/api/v1/dlq/messages/{id}/reveal", id)
			.body(Map.of("reason", "what was it"))
			.retrieve()
			.body(MAP);
		assertThat(revealed).containsEntry("original", null).containsEntry("originalOmittedSize", 9437184);

		var refused = this.ops.post()
			.uri("/api/v1/dlq/messages/{id}/redrive", id)
			.body(Map.of("reason", "lab system is back"))
			.retrieve()
			.toEntity(MAP);
		assertThat(refused.getStatusCode().value()).isEqualTo(409);
		assertThat(refused.getHeaders().getContentType()).isEqualTo(MediaType.APPLICATION_PROBLEM_JSON);
		assertThat((String) refused.getBody().get("detail")).isEqualTo("Entry " + id + " is not redriven: its value "
				+ "(9437184 bytes) was too large to dead-letter; read it at hl7-results.v1-0@12 and use edit-and-redrive");
		// refused by the DLQ from what it holds; nothing sent (a record without a value is a tombstone)
		assertThat(audit("dlq.redrive", id)).containsExactly("ops-bo|REJECTED|lab system is back");
		assertThat(this.kafka.readAll("hl7-results.v1")).isEmpty();
		assertThat(this.jdbc.queryForObject("SELECT status FROM dead_letter_entry WHERE id = ?", String.class, id))
			.isEqualTo("NEW");

		var edited = this.ops.post()
			.uri("/api/v1/dlq/messages/{id}/edit-and-redrive", id)
			.body(Map.of("payload", "MSH|^~\\&|LAB|", "reason", "the result without its PDF, read at its offset"))
			.retrieve()
			.toEntity(MAP);
		assertThat(edited.getStatusCode().value()).isEqualTo(200);
		ConsumerRecord<byte[], byte[]> sent = single("hl7-results.v1", id);
		assertThat(new String(sent.value(), StandardCharsets.UTF_8)).isEqualTo("MSH|^~\\&|LAB|");
		assertThat(sent.key()).isEqualTo("oru-1".getBytes(StandardCharsets.UTF_8));
		assertThat(sent.headers()).noneMatch((h) -> h.key().equals(DeadLetterHeaders.VALUE_OMITTED));
		assertThat(audit("dlq.edit-and-redrive", id))
			.containsExactly("ops-bo|SUCCEEDED|the result without its PDF, read at its offset");
	}

	@Test
	void refusesARedriveWithoutAReasonAndSendsNothing() {
		UUID id = capture("pathology.v1", 3, "path-3", "{}");

		var blank = this.ops.post()
			.uri("/api/v1/dlq/messages/{id}/redrive", id)
			.body(Map.of("reason", " "))
			.retrieve()
			.toEntity(MAP);
		var none = this.ops.post().uri("/api/v1/dlq/messages/{id}/redrive", id).body(Map.of()).retrieve().toEntity(MAP);
		var noBody = this.ops.post().uri("/api/v1/dlq/messages/{id}/redrive", id).retrieve().toEntity(MAP);

		for (var refused : List.of(blank, none)) {
			assertThat(refused.getStatusCode().value()).isEqualTo(400);
			assertThat(refused.getHeaders().getContentType()).isEqualTo(MediaType.APPLICATION_PROBLEM_JSON);
			assertThat(refused.getBody().get("errors").toString()).contains("field=reason");
		}
		assertThat(noBody.getStatusCode().value()).isEqualTo(400);
		assertThat((String) noBody.getBody().get("detail")).contains("no body");
		assertThat(this.jdbc.queryForObject("SELECT status FROM dead_letter_entry WHERE id = ?", String.class, id))
			.isEqualTo("NEW");
		assertThat(this.kafka.readAll("pathology.v1")).isEmpty();
		// refused as invalid before the operation ran: not an action, no audit row (ADR 0015)
		assertThat(audit("dlq.redrive", id)).isEmpty();
	}

	@Test
	void redrivesToAnotherTopicOnlyWhenAskedExplicitly() {
		UUID id = capture("scans.v1", 2, "scan-1", "{}");
		// a topic that does not exist is not made by the redrive (a broker creating topics on first use would
		// have made one from a typo, and the entry would wait for an outcome nobody reports)
		var noSuchTopic = this.ops.post()
			.uri("/api/v1/dlq/messages/{id}/redrive", id)
			.body(Map.of("targetTopic", "scans.replay.v1", "reason", "replay into the sandbox"))
			.retrieve()
			.toEntity(MAP);
		assertThat(noSuchTopic.getStatusCode().value()).isEqualTo(400);
		assertThat((String) noSuchTopic.getBody().get("detail")).contains("no topic scans.replay.v1");
		var bulkToNoSuchTopic = this.ops.post()
			.uri("/api/v1/dlq/redrives")
			.body(Map.of("ids", List.of(id), "targetTopic", "scans.replay.v1", "reason", "replay", "dryRun", true))
			.retrieve()
			.toEntity(MAP);
		assertThat(bulkToNoSuchTopic.getStatusCode().value()).isEqualTo(400);
		assertThat(this.jdbc.queryForList("SELECT outcome FROM audit_log WHERE action = 'dlq.bulk-redrive.dry-run' "
				+ "AND reason = 'to scans.replay.v1: replay'", String.class)).containsExactly("FAILED");
		assertThat(this.jdbc.queryForObject("SELECT status FROM dead_letter_entry WHERE id = ?", String.class, id))
			.isEqualTo("NEW");
		this.kafka.createTopic("scans.replay.v1");
		var response = this.ops.post()
			.uri("/api/v1/dlq/messages/{id}/redrive", id)
			.body(Map.of("targetTopic", "scans.replay.v1", "reason", "replay into the sandbox"))
			.retrieve()
			.toEntity(MAP);
		assertThat(response.getStatusCode().value()).isEqualTo(200);
		assertThat(single("scans.replay.v1", id).key()).isEqualTo("scan-1".getBytes());
		assertThat(this.kafka.readAll("scans.v1")).isEmpty();
		// the attempt the broker answered "no such topic" is audited too, as FAILED: valid, tried, not taken (it was
		// REJECTED, the word for what the DLQ itself refuses, as the second redrive in flight below)
		assertThat(audit("dlq.redrive", id)).containsExactly(
				"ops-bo|FAILED|to scans.replay.v1: replay into the sandbox",
				"ops-bo|SUCCEEDED|to scans.replay.v1: replay into the sandbox");
	}

	@Test
	void sendsAnEditedPayloadAndKeepsTheOriginal() {
		UUID id = capture("forms.v1", 3, "form-1", "{\"age\":\"forty\"}");
		var response = this.ops.post()
			.uri("/api/v1/dlq/messages/{id}/edit-and-redrive", id)
			.body(Map.of("payload", "{\"age\":40}", "reason", "age must be a number"))
			.retrieve()
			.toEntity(MAP);
		assertThat(response.getStatusCode().value()).isEqualTo(200);
		assertThat(new String(single("forms.v1", id).value(), StandardCharsets.UTF_8)).isEqualTo("{\"age\":40}");

		Map<String, Object> revealed = this.ops.post()
			.uri("/api/v1/dlq/messages/{id}/reveal", id)
			.body(Map.of("reason", "check the edit"))
			.retrieve()
			.body(MAP);
		assertThat(((Map<?, ?>) revealed.get("original")).get("text")).isEqualTo("{\"age\":\"forty\"}");
		assertThat(((Map<?, ?>) revealed.get("edited")).get("text")).isEqualTo("{\"age\":40}");
		assertThat(revealed).containsEntry("editedBy", "ops-bo");
		Map<String, Object> detail = this.ops.get().uri("/api/v1/dlq/messages/{id}", id).retrieve().body(MAP);
		assertThat(detail).containsEntry("edited", true).containsEntry("editedPayloadSize", 10);
		assertThat(this.jdbc.queryForObject("SELECT kind FROM dead_letter_redrive WHERE entry_id = ?", String.class, id))
			.isEqualTo("EDITED");
		assertThat(audit("dlq.edit-and-redrive", id)).containsExactly("ops-bo|SUCCEEDED|age must be a number");

		var bothPayloads = this.ops.post()
			.uri("/api/v1/dlq/messages/{id}/edit-and-redrive", id)
			.body(Map.of("payload", "x", "payloadBase64", "eA==", "reason", "r"))
			.retrieve()
			.toEntity(MAP);
		assertThat(bothPayloads.getStatusCode().value()).isEqualTo(400);
	}

	@Test
	void discardsOnlyWithAReasonAndNeverRedrivesADiscardedEntry() {
		UUID id = capture("claims.v1", 4, "claim-1", "{}");
		var noReason = this.ops.post().uri("/api/v1/dlq/messages/{id}/discard", id).body(Map.of()).retrieve().toEntity(MAP);
		assertThat(noReason.getStatusCode().value()).isEqualTo(400);
		assertThat(noReason.getBody().get("errors").toString()).contains("reason");

		var discarded = this.ops.post()
			.uri("/api/v1/dlq/messages/{id}/discard", id)
			.body(Map.of("reason", "duplicate claim, handled by phone"))
			.retrieve()
			.toEntity(MAP);
		assertThat(discarded.getStatusCode().value()).isEqualTo(200);
		assertThat(this.jdbc.queryForMap("SELECT status, status_reason FROM dead_letter_entry WHERE id = ?", id))
			.containsEntry("status", "DISCARDED")
			.containsEntry("status_reason", "discarded: duplicate claim, handled by phone");
		assertThat(audit("dlq.discard", id)).containsExactly("ops-bo|SUCCEEDED|duplicate claim, handled by phone");

		var redrive = this.ops.post()
			.uri("/api/v1/dlq/messages/{id}/redrive", id)
			.body(Map.of("reason", "try again"))
			.retrieve()
			.toEntity(MAP);
		assertThat(redrive.getStatusCode().value()).isEqualTo(409);

		// the same original record failing again does not bring a discarded entry back
		this.kafka.send(TestKafka.failedRecord("claims.v1", 0, 4, "claim-1", "{}", false));
		await().atMost(Duration.ofSeconds(30))
			.until(() -> this.jdbc.queryForObject("SELECT attempts FROM dead_letter_entry WHERE id = ?", Integer.class, id),
					(attempts) -> attempts == 2);
		assertThat(this.jdbc.queryForObject("SELECT status FROM dead_letter_entry WHERE id = ?", String.class, id))
			.isEqualTo("DISCARDED");
	}

	@Test
	void redrivesARawEntryOnlyToAGivenTopic() {
		var sent = this.kafka.send(new ProducerRecord<>("dlq.messages.v1", null, "free text".getBytes()));
		UUID id = await().atMost(Duration.ofSeconds(30))
			.until(() -> this.jdbc.queryForList(
					"SELECT id FROM dead_letter_entry WHERE kind = 'RAW' AND dlq_partition = ? AND dlq_offset = ?",
					UUID.class, sent.partition(), sent.offset()), (ids) -> ids.size() == 1)
			.getFirst();
		var noTopic = this.ops.post()
			.uri("/api/v1/dlq/messages/{id}/redrive", id)
			.body(Map.of("reason", "try again"))
			.retrieve()
			.toEntity(MAP);
		assertThat(noTopic.getStatusCode().value()).isEqualTo(409);
		assertThat((String) noTopic.getBody().get("detail")).contains("targetTopic");

		// nor to the DLQ's own topics: it would be captured again as a new entry, this one waiting for an
		// outcome that never comes
		for (String own : List.of("dlq.messages.v1", "dlq.retry-outcomes.v1")) {
			var toOwn = this.ops.post()
				.uri("/api/v1/dlq/messages/{id}/redrive", id)
				.body(Map.of("targetTopic", own, "reason", "try it"))
				.retrieve()
				.toEntity(MAP);
			assertThat(toOwn.getStatusCode().value()).isEqualTo(400);
			assertThat(toOwn.getBody().get("errors").toString()).contains("field=targetTopic", "the DLQ's own topics");
			var editedToOwn = this.ops.post()
				.uri("/api/v1/dlq/messages/{id}/edit-and-redrive", id)
				.body(Map.of("payload", "x", "targetTopic", own, "reason", "try it"))
				.retrieve()
				.toEntity(MAP);
			assertThat(editedToOwn.getStatusCode().value()).isEqualTo(400);
			var bulkToOwn = this.ops.post()
				.uri("/api/v1/dlq/redrives")
				.body(Map.of("ids", List.of(id), "targetTopic", own, "reason", "try it"))
				.retrieve()
				.toEntity(MAP);
			assertThat(bulkToOwn.getStatusCode().value()).isEqualTo(400);
			assertThat(bulkToOwn.getBody().get("errors").toString()).contains("field=targetTopic");
		}
		// nor to "." or "..", which Kafka refuses as topic names: before, the broker was asked about them and its
		// refusal answered 503 "try again", which no retry mends
		for (String illegal : List.of(".", "..")) {
			var toIllegal = this.ops.post()
				.uri("/api/v1/dlq/messages/{id}/redrive", id)
				.body(Map.of("targetTopic", illegal, "reason", "try it"))
				.retrieve()
				.toEntity(MAP);
			assertThat(toIllegal.getStatusCode().value()).as(illegal).isEqualTo(400);
			assertThat(toIllegal.getBody().get("errors").toString()).contains("field=targetTopic", "Kafka topic name");
			var bulkToIllegal = this.ops.post()
				.uri("/api/v1/dlq/redrives")
				.body(Map.of("ids", List.of(id), "targetTopic", illegal, "reason", "try it", "dryRun", true))
				.retrieve()
				.toEntity(MAP);
			assertThat(bulkToIllegal.getStatusCode().value()).as(illegal).isEqualTo(400);
		}
		assertThat(this.jdbc.queryForObject("SELECT status FROM dead_letter_entry WHERE id = ?", String.class, id))
			.isEqualTo("NEW");

		this.kafka.createTopic("raw.replay.v1");
		var toTopic = this.ops.post()
			.uri("/api/v1/dlq/messages/{id}/redrive", id)
			.body(Map.of("targetTopic", "raw.replay.v1", "reason", "read it as text"))
			.retrieve()
			.toEntity(MAP);
		assertThat(toTopic.getStatusCode().value()).isEqualTo(200);
		assertThat(single("raw.replay.v1", id).value()).isEqualTo("free text".getBytes());
	}

	@Test
	void answersConflictNamingTheWayOutWhenKafkaRefusesTheEntrysOwnTopic() {
		UUID id = capture("wards.v1", 3, "ward-1", "{}");
		// an original topic Kafka does not allow, as a producer of the DLQ's records may write one
		this.jdbc.update("UPDATE dead_letter_record SET original_topic = 'bad topic!' WHERE id = ?", id);

		var refused = this.ops.post()
			.uri("/api/v1/dlq/messages/{id}/redrive", id)
			.body(Map.of("reason", "try again"))
			.retrieve()
			.toEntity(MAP);

		// before: 503 "try again", which no retry mends
		assertThat(refused.getStatusCode().value()).isEqualTo(409);
		assertThat(String.valueOf(refused.getBody().get("detail"))).contains("InvalidTopicException", "targetTopic");
		assertThat(this.jdbc.queryForObject("SELECT status FROM dead_letter_entry WHERE id = ?", String.class, id))
			.isEqualTo("NEW");
		// a valid request, tried, that Kafka refused: audited, and apart from what the DLQ refuses (REJECTED)
		assertThat(audit("dlq.redrive", id)).containsExactly("ops-bo|FAILED|try again");
		var noSuchTarget = this.ops.post()
			.uri("/api/v1/dlq/messages/{id}/redrive", id)
			.body(Map.of("reason", "to the sandbox", "targetTopic", "wards.sandbox.v1"))
			.retrieve()
			.toEntity(MAP);
		assertThat(noSuchTarget.getStatusCode().value()).isEqualTo(400);
		assertThat(audit("dlq.redrive", id)).containsExactly("ops-bo|FAILED|try again",
				"ops-bo|FAILED|to wards.sandbox.v1: to the sandbox");
	}

	@Test
	void answersNotFoundForAnUnknownEntryAndForbiddenForAService() {
		var missing = this.ops.post()
			.uri("/api/v1/dlq/messages/{id}/redrive", UUID.randomUUID())
			.body(Map.of("reason", "is it there"))
			.retrieve()
			.toEntity(MAP);
		assertThat(missing.getStatusCode().value()).isEqualTo(404);
		assertThat(missing.getHeaders().getContentType()).isEqualTo(MediaType.APPLICATION_PROBLEM_JSON);

		var service = TestApi.as(this.signingKey, this.port, "svc", "service")
			.post()
			.uri("/api/v1/dlq/messages/{id}/discard", UUID.randomUUID())
			.body(Map.of("reason", "x"))
			.retrieve()
			.toEntity(MAP);
		assertThat(service.getStatusCode().value()).isEqualTo(403);
	}

	@Test
	void sendsARecordBackToThePartitionItFailedOnEvenWhereItsKeyHashesElsewhere() throws Exception {
		createTopic("visits.v1", 6);
		int byKey = keyPartition("visit-1", 6);
		// a producer with another partitioner (librdkafka's, as kcat uses) had put the key elsewhere
		int original = (byKey + 1) % 6;
		UUID id = capture("visits.v1", original, 5, "visit-1", "{}");

		var response = this.ops.post()
			.uri("/api/v1/dlq/messages/{id}/redrive", id)
			.body(Map.of("reason", "try again"))
			.retrieve()
			.toEntity(MAP);

		assertThat(response.getStatusCode().value()).isEqualTo(200);
		assertThat(response.getBody()).containsEntry("partition", original);
		assertThat(single("visits.v1", id).partition()).isEqualTo(original);
	}

	@Test
	void leavesARecordToItsKeyWhenTheTopicNoLongerHasItsPartition() throws Exception {
		createTopic("rounds.v1", 3);
		UUID id = capture("rounds.v1", 7, 5, "round-1", "{}");

		var response = this.ops.post()
			.uri("/api/v1/dlq/messages/{id}/redrive", id)
			.body(Map.of("reason", "try again"))
			.retrieve()
			.toEntity(MAP);

		assertThat(response.getStatusCode().value()).isEqualTo(200);
		assertThat(single("rounds.v1", id).partition()).isEqualTo(keyPartition("round-1", 3));
	}

	@Test
	void pagesThroughBulkRedrivesNewestFirstWithAKeysetCursor() {
		List<String> created = new java.util.ArrayList<>();
		for (int i = 0; i < 5; i++) {
			// only unknown ids: each job completes at once, with nothing to send
			Map<String, Object> bulk = this.ops.post()
				.uri("/api/v1/dlq/redrives")
				.body(Map.of("ids", List.of(UUID.randomUUID().toString()), "reason", "page " + i))
				.retrieve()
				.body(MAP);
			created.add((String) bulk.get("id"));
		}
		List<String> seen = new java.util.ArrayList<>();
		String cursor = null;
		int pages = 0;
		do {
			Map<String, Object> page = this.ops.get()
				.uri("/api/v1/dlq/redrives?limit=2&status=COMPLETED" + ((cursor != null) ? "&cursor=" + cursor : ""))
				.retrieve()
				.body(MAP);
			@SuppressWarnings("unchecked")
			List<Map<String, Object>> items = (List<Map<String, Object>>) page.get("items");
			assertThat(items).hasSizeLessThanOrEqualTo(2).allSatisfy((item) -> assertThat(item).containsEntry("status", "COMPLETED"));
			items.forEach((item) -> seen.add((String) item.get("id")));
			cursor = (String) page.get("nextCursor");
			pages++;
		}
		while (cursor != null);
		int completed = this.jdbc.queryForObject("SELECT count(*) FROM bulk_redrive WHERE status = 'COMPLETED'",
				Integer.class);
		assertThat(seen).hasSize(completed).doesNotHaveDuplicates().containsAll(created);
		assertThat(pages).isEqualTo((completed + 1) / 2);
		// newest first: the five jobs appear in the reverse order of their creation
		assertThat(seen.stream().filter(created::contains).toList()).isEqualTo(created.reversed());
		assertThat(((List<?>) this.ops.get().uri("/api/v1/dlq/redrives?status=RUNNING").retrieve().body(MAP).get("items")))
			.isEmpty();

		var badStatus = this.ops.get().uri("/api/v1/dlq/redrives?status=DONE").retrieve().toEntity(String.class);
		assertThat(badStatus.getStatusCode().value()).isEqualTo(400);
		assertThat(badStatus.getBody()).contains("must be RUNNING, PAUSED, CANCELLED or COMPLETED");
		assertThat(this.ops.get().uri("/api/v1/dlq/redrives?cursor=bm9wZQ").retrieve().toEntity(String.class)
			.getStatusCode().value()).isEqualTo(400);
	}

	private void createTopic(String topic, int partitions) throws Exception {
		try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, this.bootstrapServers))) {
			admin.createTopics(List.of(new NewTopic(topic, partitions, (short) 1))).all().get();
		}
	}

	/** The partition the Java client's default partitioner gives a key. */
	private static int keyPartition(String key, int partitions) {
		return Utils.toPositive(Utils.murmur2(key.getBytes(StandardCharsets.UTF_8))) % partitions;
	}

	private UUID capture(String topic, long offset, String key, String value) {
		return capture(topic, 0, offset, key, value);
	}

	private UUID capture(String topic, int partition, long offset, String key, String value) {
		this.kafka.send(TestKafka.failedRecord(topic, partition, offset, key, value, true));
		return stored(topic);
	}

	/** The one entry of a record that failed on this topic, once the capture stored it. */
	private UUID stored(String topic) {
		return await().atMost(Duration.ofSeconds(30))
			.until(() -> this.jdbc.queryForList("SELECT id FROM dead_letter_entry WHERE original_topic = ?", UUID.class,
					topic), (ids) -> ids.size() == 1)
			.getFirst();
	}

	private ConsumerRecord<byte[], byte[]> single(String topic, UUID id) {
		List<ConsumerRecord<byte[], byte[]>> records = this.kafka.readAll(topic);
		assertThat(records).singleElement().satisfies((r) -> assertThat(TestKafka.entryId(r)).isEqualTo(id));
		return records.getFirst();
	}

	private List<String> audit(String action, UUID id) {
		return this.jdbc.queryForList("SELECT actor || '|' || outcome || '|' || coalesce(reason, '') FROM audit_log "
				+ "WHERE action = ? AND resource_id = ? ORDER BY id", String.class, action, id.toString());
	}

}
