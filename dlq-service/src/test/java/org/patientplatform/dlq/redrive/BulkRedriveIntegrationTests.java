package org.patientplatform.dlq.redrive;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.assertj.core.api.InstanceOfAssertFactories;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.patientplatform.dlq.DlqIntegrationTest;
import org.patientplatform.dlq.TestApi;
import org.patientplatform.dlq.TestKafka;
import org.patientplatform.kit.kafka.DeadLetterHeaders;
import org.patientplatform.local.infra.LocalSigningKey;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.core.ParameterizedTypeReference;
import org.springframework.http.MediaType;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.context.TestPropertySource;
import org.springframework.transaction.support.TransactionTemplate;
import org.springframework.web.client.RestClient;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Bulk redrive run by the kit's job worker (role wrk--default), as in production. */
@DlqIntegrationTest
@TestPropertySource(properties = "platform.roles=app,consumer-retry-message,wrk--default")
class BulkRedriveIntegrationTests {

	static final ParameterizedTypeReference<Map<String, Object>> MAP = new ParameterizedTypeReference<>() {
	};

	@Autowired
	JdbcTemplate jdbc;

	@Autowired
	LocalSigningKey signingKey;

	@Autowired
	TransactionTemplate transactions;

	@LocalServerPort
	int port;

	@Value("${spring.kafka.bootstrap-servers}")
	String bootstrapServers;

	TestKafka kafka;

	RestClient ops;

	@BeforeEach
	void setUp() {
		this.kafka = new TestKafka(this.bootstrapServers);
		this.ops = TestApi.as(this.signingKey, this.port, "ops-cy", "ops");
	}

	@AfterEach
	void tearDown() {
		this.kafka.close();
	}

	@Test
	void countsWithADryRunThenSendsEveryEntryOnceNoFasterThanTheRateLimit() {
		capture("rate.v1", 300);
		Map<String, Object> dryRun = this.ops.post()
			.uri("/api/v1/dlq/redrives")
			.body(Map.of("filter", Map.of("topic", "rate.v1"), "dryRun", true, "reason", "INC-12 how many"))
			.retrieve()
			.body(MAP);
		assertThat(dryRun).containsEntry("count", 300);
		assertThat(this.jdbc.queryForObject("SELECT count(*) FROM bulk_redrive", Integer.class)).isZero();

		long started = System.nanoTime();
		var created = this.ops.post()
			.uri("/api/v1/dlq/redrives")
			.body(Map.of("filter", Map.of("topic", "rate.v1"), "ratePerSecond", 100, "reason", "INC-12 replay"))
			.retrieve()
			.toEntity(MAP);
		assertThat(created.getStatusCode().value()).isEqualTo(202);
		// one job's view says why its entries failed, {} while none did (before: no failures member, documented as
		// one that may be null)
		assertThat(created.getBody()).containsEntry("total", 300)
			.containsEntry("status", "RUNNING")
			.containsEntry("failures", Map.of());
		String location = created.getHeaders().getLocation().toString();

		Map<String, Object> done = await().atMost(Duration.ofSeconds(60))
			.pollInterval(Duration.ofMillis(50))
			.until(() -> this.ops.get().uri(location).retrieve().body(MAP), (bulk) -> "COMPLETED".equals(bulk.get("status")));
		double seconds = (System.nanoTime() - started) / 1e9;

		assertThat(done).containsEntry("sent", 300)
			.containsEntry("failed", 0)
			.containsEntry("skipped", 0)
			.containsEntry("pending", 0)
			.containsEntry("failures", Map.of());
		List<UUID> sent = this.kafka.readAll("rate.v1").stream().map(TestKafka::entryId).toList();
		assertThat(sent).hasSize(300).doesNotHaveDuplicates();
		// 300 records at 100/s: the last of 30 chunks of 10 may leave no earlier than 2.9 s after the first
		assertThat(seconds).isGreaterThanOrEqualTo(2.5);
		assertThat(300 / seconds).as("achieved rate").isLessThanOrEqualTo(100 * 1.1);
		double span = this.jdbc.queryForObject("SELECT extract(epoch FROM max(sent_at) - min(sent_at)) "
				+ "FROM dead_letter_redrive WHERE bulk_id = ?::uuid", Double.class, done.get("id"));
		assertThat((300 - 10) / span).as("rate between the first and the last chunk").isLessThanOrEqualTo(100 * 1.1);
		assertThat(this.jdbc.queryForList("SELECT DISTINCT status FROM dead_letter_entry WHERE original_topic = 'rate.v1'",
				String.class))
			.containsExactly("RETRYING");
		// one of the audit's fixed outcomes (it was "SUCCEEDED 300 entries", which an outcome filter never matched)
		assertThat(this.jdbc.queryForObject("SELECT count(*) FROM audit_log WHERE action = 'dlq.bulk-redrive.create' "
				+ "AND actor = 'ops-cy' AND reason = 'INC-12 replay' AND outcome = 'SUCCEEDED'", Integer.class))
			.isEqualTo(1);
	}

	@Test
	void keepsItsRateAfterAStallInsteadOfCatchingUp() {
		capture("stall.v1", 200);
		// 100/s, chunks of 10
		String location = start(Map.of("filter", Map.of("topic", "stall.v1"), "ratePerSecond", 100));
		await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(20)).until(() -> sent(location) >= 30);
		// the run stalls for 1.5 s (a slow database, a pause of the JVM): its next claim waits for the job row
		this.transactions.executeWithoutResult((status) -> {
			this.jdbc.queryForList("SELECT id FROM bulk_redrive WHERE id = ?::uuid FOR UPDATE",
					location.substring(location.lastIndexOf('/') + 1));
			try {
				Thread.sleep(1500);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
			}
		});
		await().atMost(Duration.ofSeconds(60))
			.pollInterval(Duration.ofMillis(100))
			.until(() -> this.ops.get().uri(location).retrieve().body(MAP), (bulk) -> "COMPLETED".equals(bulk.get("status")));

		List<Long> times = this.kafka.readAll("stall.v1")
			.stream()
			.map(ConsumerRecord::timestamp)
			.sorted()
			.toList();
		assertThat(times).hasSize(200);
		// then it goes on at its rate: it does not make up for the stall with a burst of the chunks it owes
		// (the 15 chunks it was behind went out back to back: 160 records within a second)
		int busiestSecond = 0;
		for (int i = 0; i < times.size(); i++) {
			int j = i;
			while (j < times.size() && times.get(j) < times.get(i) + 1000) {
				j++;
			}
			busiestSecond = Math.max(busiestSecond, j - i);
		}
		assertThat(busiestSecond).as("records within any one second at 100/s in chunks of 10").isLessThanOrEqualTo(120);
	}

	@Test
	void stopsSendingWhenCancelled() {
		capture("cancel.v1", 200);
		String location = start(Map.of("filter", Map.of("topic", "cancel.v1"), "ratePerSecond", 20));
		await().atMost(Duration.ofSeconds(30)).until(() -> sent(location) >= 10);

		var cancelled = this.ops.post()
			.uri(location + "/cancel")
			.body(Map.of("reason", "wrong filter"))
			.retrieve()
			.toEntity(MAP);
		assertThat(cancelled.getStatusCode().value()).isEqualTo(200);
		assertThat(cancelled.getBody()).containsEntry("status", "CANCELLED");
		int atCancel = (Integer) cancelled.getBody().get("sent");

		// nothing more goes out: the chunk in flight at most (2 records at 20/s)
		await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(5)).until(() -> sent(location) <= atCancel + 2);
		int finalSent = sent(location);
		assertThat(finalSent).isLessThan(200);
		assertThat(this.kafka.readAll("cancel.v1")).hasSize(finalSent);
		// what it did not send is counted as cancelled, not as pending for ever
		Map<String, Object> view = this.ops.get().uri(location).retrieve().body(MAP);
		assertThat(view).containsEntry("status", "CANCELLED")
			.containsEntry("total", 200)
			.containsEntry("sent", finalSent)
			.containsEntry("pending", 0)
			.containsEntry("cancelled", 200 - finalSent - (Integer) view.get("failed") - (Integer) view.get("skipped"));
		assertThat((Integer) view.get("cancelled")).isPositive();
		assertThat(this.ops.post()
			.uri(location + "/resume")
			.body(Map.of("reason", "go on"))
			.retrieve()
			.toEntity(MAP)
			.getStatusCode().value())
			.isEqualTo(409);
	}

	@Test
	void pausesAndResumesWhereItStopped() {
		capture("pause.v1", 60);
		String location = start(Map.of("filter", Map.of("topic", "pause.v1"), "ratePerSecond", 20));
		await().atMost(Duration.ofSeconds(30)).until(() -> sent(location) >= 6);

		var paused = this.ops.post()
			.uri(location + "/pause")
			.body(Map.of("reason", "check the filter"))
			.retrieve()
			.toEntity(MAP);
		assertThat(paused.getStatusCode().value()).isEqualTo(200);
		int atPause = (Integer) paused.getBody().get("sent");
		await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(5)).until(() -> sent(location) <= atPause + 2);
		assertThat(this.ops.get().uri(location).retrieve().body(MAP)).containsEntry("status", "PAUSED");

		// entries discarded while the job is paused are skipped at their turn, and the job says why
		List<UUID> unsent = this.jdbc.queryForList("SELECT entry_id FROM bulk_redrive_item WHERE bulk_id = ?::uuid "
				+ "AND state = 'PENDING' ORDER BY entry_id LIMIT 2", UUID.class,
				location.substring(location.lastIndexOf('/') + 1));
		assertThat(unsent).hasSize(2);
		this.jdbc.update("UPDATE dead_letter_entry SET status = 'DISCARDED' WHERE id = ANY (?)",
				(Object) unsent.toArray(UUID[]::new));
		var resumed = this.ops.post()
			.uri(location + "/resume")
			.body(Map.of("reason", "filter checked"))
			.retrieve()
			.toEntity(MAP);
		assertThat(resumed.getStatusCode().value()).isEqualTo(200);
		await().atMost(Duration.ofSeconds(30))
			.until(() -> this.ops.get().uri(location).retrieve().body(MAP).get("status"), "COMPLETED"::equals);

		Map<String, Object> done = this.ops.get().uri(location).retrieve().body(MAP);
		assertThat(done).containsEntry("skipped", 2)
			.containsEntry("sent", 58)
			.containsEntry("skips", Map.of("entry was DISCARDED", 2))
			.containsEntry("failures", Map.of());
		List<UUID> sent = this.kafka.readAll("pause.v1").stream().map(TestKafka::entryId).toList();
		assertThat(sent).hasSize(58).doesNotHaveDuplicates().doesNotContainAnyElementsOf(unsent);
		assertThat(this.jdbc.queryForList("SELECT action FROM audit_log WHERE resource_id = ? ORDER BY id", String.class,
				location.substring(location.lastIndexOf('/') + 1)))
			.containsExactly("dlq.bulk-redrive.create", "dlq.bulk-redrive.pause", "dlq.bulk-redrive.resume");
	}

	@Test
	void redrivesAnIdListAndSkipsEntriesDiscardedMeanwhile() {
		List<UUID> ids = capture("ids.v1", 5);
		this.jdbc.update("UPDATE dead_letter_entry SET status = 'DISCARDED' WHERE id = ?", ids.get(0));
		// an id given twice is one item: an entry goes out once per job (no index says so, the selection does)
		List<UUID> asked = new ArrayList<>(ids);
		asked.add(ids.get(1));
		asked.add(ids.get(1));
		// an id of no entry (a typo, or purged by retention) is not selected either, and both say why
		UUID unknown = UUID.randomUUID();
		asked.add(unknown);
		Map<String, Object> dryRun = this.ops.post()
			.uri("/api/v1/dlq/redrives")
			.body(Map.of("ids", asked, "dryRun", true, "reason", "INC-13 which"))
			.retrieve()
			.body(MAP);
		assertThat(dryRun).containsEntry("count", 4);
		assertThat(dryRun.get("notSelected")).asInstanceOf(InstanceOfAssertFactories.LIST)
			.containsExactlyInAnyOrder(Map.of("id", ids.get(0).toString(), "reason", "discarded"),
					Map.of("id", unknown.toString(), "reason", "no such entry"));
		String location = start(Map.of("ids", asked, "ratePerSecond", 1000));
		Map<String, Object> done = await().atMost(Duration.ofSeconds(30))
			.until(() -> this.ops.get().uri(location).retrieve().body(MAP), (bulk) -> "COMPLETED".equals(bulk.get("status")));
		// discarded before the snapshot: not selected at all
		assertThat(done).containsEntry("total", 4).containsEntry("sent", 4);
		assertThat(((Map<?, ?>) done.get("selection")).get("notSelected"))
			.asInstanceOf(InstanceOfAssertFactories.LIST)
			.containsExactlyInAnyOrder(Map.of("id", ids.get(0).toString(), "reason", "discarded"),
					Map.of("id", unknown.toString(), "reason", "no such entry"));
		assertThat(this.kafka.readAll("ids.v1").stream().map(TestKafka::entryId).toList()).hasSize(4)
			.doesNotHaveDuplicates()
			.containsExactlyInAnyOrderElementsOf(ids.subList(1, 5));
	}

	@Test
	void saysForAnIdInFlightWhenItsRedriveIsSettledAtTheLatest() {
		List<UUID> ids = capture("inflight.v1", 3);
		// one sent 3 minutes ago, within dlq.retry.outcome-timeout (10 minutes); one sent 2 hours ago whose consumer
		// group has not read it, waited for up to dlq.retry.outcome-max-wait (24 hours) after its send
		this.jdbc.update("UPDATE dead_letter_state SET status = 'RETRYING', redriven_at = now() - interval '3 minutes' "
				+ "WHERE id = ?", ids.get(0));
		this.jdbc.update("UPDATE dead_letter_state SET status = 'RETRYING', redriven_at = now() - interval '2 hours', "
				+ "outcome_check_at = now() + interval '1 minute' WHERE id = ?", ids.get(1));
		java.time.Instant timesOut = this.jdbc.queryForObject("SELECT redriven_at + interval '10 minutes' FROM "
				+ "dead_letter_state WHERE id = ?", java.sql.Timestamp.class, ids.get(0)).toInstant();
		java.time.Instant waitedForUntil = this.jdbc.queryForObject("SELECT redriven_at + interval '24 hours' FROM "
				+ "dead_letter_state WHERE id = ?", java.sql.Timestamp.class, ids.get(1)).toInstant();
		UUID unknown = UUID.randomUUID();
		List<UUID> asked = List.of(ids.get(0), ids.get(1), ids.get(2), unknown);

		// before: the reason alone, where the single redrive's 409 says when to try again (Retry-After)
		Map<String, Object> dryRun = this.ops.post()
			.uri("/api/v1/dlq/redrives")
			.body(Map.of("ids", asked, "dryRun", true, "reason", "INC-14 which"))
			.retrieve()
			.body(MAP);
		assertThat(dryRun).containsEntry("count", 1);
		List<Map<String, Object>> expected = List.of(
				Map.of("id", ids.get(0).toString(), "reason", "a redrive is in flight", "inFlightUntil", timesOut),
				Map.of("id", ids.get(1).toString(), "reason", "a redrive is in flight", "inFlightUntil", waitedForUntil),
				Map.of("id", unknown.toString(), "reason", "no such entry"));
		assertThat(withInstants(dryRun.get("notSelected"))).containsExactlyInAnyOrderElementsOf(expected);

		String location = start(Map.of("ids", asked, "ratePerSecond", 1000));
		Map<String, Object> done = await().atMost(Duration.ofSeconds(30))
			.until(() -> this.ops.get().uri(location).retrieve().body(MAP), (bulk) -> "COMPLETED".equals(bulk.get("status")));
		assertThat(done).containsEntry("total", 1).containsEntry("sent", 1);
		assertThat(withInstants(((Map<?, ?>) done.get("selection")).get("notSelected")))
			.containsExactlyInAnyOrderElementsOf(expected);
	}

	/** A notSelected list with each inFlightUntil read as an instant. */
	private static List<Map<String, Object>> withInstants(Object notSelected) {
		return ((List<?>) notSelected).stream().map((item) -> {
			Map<String, Object> read = new java.util.HashMap<>();
			((Map<?, ?>) item).forEach((key, value) -> read.put(String.valueOf(key),
					"inFlightUntil".equals(key) ? java.time.Instant.parse(String.valueOf(value)) : value));
			return read;
		}).toList();
	}

	@Test
	void sendsTheRestWhenAPayloadCannotBeDecryptedAndSaysWhy() {
		List<UUID> ids = capture("sealed.v1", 4);
		// its key retired from dlq.encryption.keys too early
		this.jdbc.update("UPDATE dead_letter_record SET payload_key_id = 'retired-2025' WHERE id = ?", ids.get(2));
		String location = start(Map.of("ids", ids, "ratePerSecond", 1000));
		Map<String, Object> done = await().atMost(Duration.ofSeconds(30))
			.until(() -> this.ops.get().uri(location).retrieve().body(MAP), (bulk) -> "COMPLETED".equals(bulk.get("status")));
		assertThat(done).containsEntry("total", 4).containsEntry("sent", 3).containsEntry("failed", 1);
		assertThat(done.get("failures")).isEqualTo(Map.of("the stored payload cannot be decrypted: no key 'retired-2025' "
				+ "is configured (keep retired keys in dlq.encryption.keys)", 1));
		assertThat(this.kafka.readAll("sealed.v1").stream().map(TestKafka::entryId).toList())
			.containsExactlyInAnyOrder(ids.get(0), ids.get(1), ids.get(3));
		// the list of jobs carries no reasons
		Map<String, Object> list = this.ops.get().uri("/api/v1/dlq/redrives").retrieve().body(MAP);
		assertThat((List<?>) list.get("items")).isNotEmpty()
			.allSatisfy((job) -> assertThat(((Map<?, ?>) job).containsKey("failures")).isFalse());
	}

	@Test
	void failsAnEntryWhoseValueWasTooLargeToDeadLetterAndSendsTheRest() {
		List<UUID> ids = capture("omitted.v1", 2);
		ProducerRecord<byte[], byte[]> failed = TestKafka.failedRecord("omitted.v1", 1, 7, "oru-7", "", true);
		failed.headers().add(DeadLetterHeaders.VALUE_OMITTED, "9437184".getBytes(StandardCharsets.UTF_8));
		this.kafka.send(new ProducerRecord<>(failed.topic(), null, failed.key(), null, failed.headers()));
		UUID omitted = await().atMost(Duration.ofSeconds(30))
			.until(() -> this.jdbc.queryForList("SELECT id FROM dead_letter_entry WHERE original_topic = 'omitted.v1' "
					+ "AND original_offset = 7", UUID.class), (found) -> found.size() == 1)
			.getFirst();

		String location = start(Map.of("filter", Map.of("topic", "omitted.v1"), "ratePerSecond", 1000));
		Map<String, Object> done = await().atMost(Duration.ofSeconds(30))
			.until(() -> this.ops.get().uri(location).retrieve().body(MAP), (bulk) -> "COMPLETED".equals(bulk.get("status")));

		assertThat(done).containsEntry("total", 3).containsEntry("sent", 2).containsEntry("failed", 1);
		String why = "its value (9437184 bytes) was too large to dead-letter; read it at omitted.v1-1@7 and use "
				+ "edit-and-redrive";
		assertThat(done.get("failures")).isEqualTo(Map.of(why, 1));
		assertThat(this.jdbc.queryForObject("SELECT detail FROM bulk_redrive_item WHERE entry_id = ?", String.class,
				omitted)).isEqualTo(why);
		// no tombstone went out for it
		assertThat(this.kafka.readAll("omitted.v1").stream().map(TestKafka::entryId).toList())
			.containsExactlyInAnyOrderElementsOf(ids);
		assertThat(this.jdbc.queryForObject("SELECT status FROM dead_letter_entry WHERE id = ?", String.class, omitted))
			.isEqualTo("NEW");
	}

	@Test
	void saysWhyKafkaRefusedARecordWithKafkasOwnMessage() {
		List<UUID> ids = capture("refusing.v1", 2);
		// an original topic Kafka does not allow, as a producer of the DLQ's records may write one
		this.jdbc.update("UPDATE dead_letter_record SET original_topic = 'bad topic!' WHERE id = ?", ids.get(1));
		String location = start(Map.of("ids", ids, "ratePerSecond", 1000));
		Map<String, Object> done = await().atMost(Duration.ofSeconds(30))
			.until(() -> this.ops.get().uri(location).retrieve().body(MAP), (bulk) -> "COMPLETED".equals(bulk.get("status")));
		assertThat(done).containsEntry("sent", 1).containsEntry("failed", 1);
		@SuppressWarnings("unchecked")
		Map<String, Object> failures = (Map<String, Object>) done.get("failures");
		assertThat(failures).hasSize(1).containsValue(1);
		String reason = String.valueOf(failures.keySet().iterator().next());
		// before: "InvalidTopicException", the class's name alone
		assertThat(reason).startsWith("InvalidTopicException: ")
			.hasSizeGreaterThan("InvalidTopicException: ".length())
			.hasSizeLessThanOrEqualTo(Redriver.MAX_WHY)
			.doesNotContain("\n");
		assertThat(this.jdbc.queryForObject("SELECT detail FROM bulk_redrive_item WHERE entry_id = ?", String.class,
				ids.get(1))).isEqualTo(reason);
	}

	@Test
	void keepsTheFilterAsTheSelectionWhenAnEmptyIdListComesWithIt() {
		// a console that always sends "ids" sends [] with a filter: the job selects by the filter, and its view
		// must say so (before: its selection read {"ids": [], "notSelected": []}, a job that selected nothing
		// while it sent every entry of the filter, and the dry run listed an empty notSelected)
		capture("emptyids.v1", 2);
		Map<String, Object> dryRun = this.ops.post()
			.uri("/api/v1/dlq/redrives")
			.body(Map.of("filter", Map.of("topic", "emptyids.v1"), "ids", List.of(), "dryRun", true, "reason", "count"))
			.retrieve()
			.body(MAP);
		assertThat(dryRun).containsEntry("count", 2).containsEntry("notSelected", null);
		String location = start(Map.of("filter", Map.of("topic", "emptyids.v1"), "ids", List.of()));
		Map<String, Object> job = this.ops.get().uri(location).retrieve().body(MAP);
		assertThat(job).containsEntry("total", 2);
		assertThat(List.copyOf(((Map<?, ?>) job.get("selection")).keySet())).isEqualTo(List.of("filter"));
		assertThat(((Map<?, ?>) ((Map<?, ?>) job.get("selection")).get("filter")).get("topic")).isEqualTo("emptyids.v1");
	}

	@Test
	void rejectsAnInvalidRequestAndAnswersNotFoundForAnUnknownJob() {
		var both = this.ops.post()
			.uri("/api/v1/dlq/redrives")
			.body(Map.of("filter", Map.of("topic", "x"), "ids", List.of(UUID.randomUUID()), "ratePerSecond", 0))
			.retrieve()
			.toEntity(MAP);
		assertThat(both.getStatusCode().value()).isEqualTo(400);
		assertThat(both.getBody().get("errors").toString()).contains("field=filter", "give exactly one of filter and ids",
				"field=ratePerSecond")
			.doesNotContain("selectionGiven");
		// a text of punctuation alone would have selected every entry, as if no text were given
		var noWord = this.ops.post()
			.uri("/api/v1/dlq/redrives")
			.body(Map.of("filter", Map.of("q", "!!!"), "dryRun", true, "reason", "x"))
			.retrieve()
			.toEntity(MAP);
		assertThat(noWord.getStatusCode().value()).isEqualTo(400);
		assertThat(noWord.getBody().get("errors").toString()).contains("field=filter.q", "must hold a letter or a digit");

		// an id list holding a null (before: a 500 from the selection, for the dry run and the job alike)
		for (String dryRun : List.of("true", "false")) {
			var nullId = this.ops.post()
				.uri("/api/v1/dlq/redrives")
				.contentType(MediaType.APPLICATION_JSON)
				.body("{\"ids\": [\"" + UUID.randomUUID() + "\", null], \"dryRun\": " + dryRun + ", \"reason\": \"x\"}")
				.retrieve()
				.toEntity(MAP);
			assertThat(nullId.getStatusCode().value()).as(dryRun).isEqualTo(400);
			assertThat(nullId.getBody().get("errors").toString()).as(dryRun).contains("field=ids[1]");
		}

		// every action says why, for the audit log: the job, its dry run, a pause, a resume, a cancel
		var noReason = this.ops.post()
			.uri("/api/v1/dlq/redrives")
			.body(Map.of("filter", Map.of("topic", "x"), "dryRun", true))
			.retrieve()
			.toEntity(MAP);
		assertThat(noReason.getStatusCode().value()).isEqualTo(400);
		assertThat(noReason.getBody().get("errors").toString()).contains("field=reason");
		String location = start(Map.of("ids", List.of(UUID.randomUUID())));
		for (String action : List.of("/pause", "/resume", "/cancel")) {
			var blank = this.ops.post().uri(location + action).body(Map.of("reason", "")).retrieve().toEntity(MAP);
			assertThat(blank.getStatusCode().value()).as(action).isEqualTo(400);
			assertThat(blank.getBody().get("errors").toString()).as(action).contains("field=reason");
			var noBody = this.ops.post().uri(location + action).retrieve().toEntity(MAP);
			assertThat(noBody.getStatusCode().value()).as(action).isEqualTo(400);
		}
		assertThat(this.jdbc.queryForObject("SELECT count(*) FROM audit_log WHERE resource_id = ? "
				+ "AND action <> 'dlq.bulk-redrive.create'", Integer.class, location.substring(location.lastIndexOf('/') + 1)))
			.as("a refused request changes nothing and is not an action")
			.isZero();

		var unknown = this.ops.get().uri("/api/v1/dlq/redrives/{id}", UUID.randomUUID()).retrieve().toEntity(MAP);
		assertThat(unknown.getStatusCode().value()).isEqualTo(404);
		var pauseUnknown = this.ops.post()
			.uri("/api/v1/dlq/redrives/{id}/pause", UUID.randomUUID())
			.body(Map.of("reason", "x"))
			.retrieve()
			.toEntity(MAP);
		assertThat(pauseUnknown.getStatusCode().value()).isEqualTo(404);
	}

	private String start(Map<String, Object> body) {
		Map<String, Object> withReason = new java.util.HashMap<>(body);
		withReason.putIfAbsent("reason", "test run");
		var created = this.ops.post().uri("/api/v1/dlq/redrives").body(withReason).retrieve().toEntity(MAP);
		assertThat(created.getStatusCode().value()).as("%s", created.getBody()).isEqualTo(202);
		return created.getHeaders().getLocation().toString();
	}

	private int sent(String location) {
		return (Integer) this.ops.get().uri(location).retrieve().body(MAP).get("sent");
	}

	private List<UUID> capture(String topic, int count) {
		for (int i = 0; i < count; i++) {
			this.kafka.sendAsync(TestKafka.failedRecord(topic, i % 3, i, "k-" + i, "{\"n\":" + i + "}", true));
		}
		this.kafka.flush();
		return await().atMost(Duration.ofSeconds(60))
			.until(() -> this.jdbc.queryForList("SELECT id FROM dead_letter_entry WHERE original_topic = ?", UUID.class,
					topic), (ids) -> ids.size() == count);
	}

}
