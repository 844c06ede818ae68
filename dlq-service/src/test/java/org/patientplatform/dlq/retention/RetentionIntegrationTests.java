package org.patientplatform.dlq.retention;

import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.patientplatform.dlq.DlqIntegrationTest;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.context.TestPropertySource;

import static org.assertj.core.api.Assertions.assertThat;

@DlqIntegrationTest
@TestPropertySource(properties = { "platform.roles=app", "dlq.retention.resolved-days=30", "dlq.retention.batch-size=2" })
class RetentionIntegrationTests {

	@Autowired
	JdbcTemplate jdbc;

	@Autowired
	Retention retention;

	@Test
	void purgesOldResolvedAndDiscardedEntriesWithTheirHistoryAndKeepsEverythingElse() {
		UUID oldResolved = entry("RESOLVED", 31);
		UUID oldDiscarded = entry("DISCARDED", 45);
		UUID oldResolvedToo = entry("RESOLVED", 400);
		UUID recentResolved = entry("RESOLVED", 29);
		UUID recentDiscarded = entry("DISCARDED", 1);
		UUID oldNew = entry("NEW", 400);
		UUID oldPermanentlyFailed = entry("PERMANENTLY_FAILED", 400);
		UUID oldScheduled = entry("RETRY_SCHEDULED", 400);
		UUID oldRetrying = entry("RETRYING", 400);

		Map<String, Integer> deleted = this.retention.purge();

		assertThat(deleted).containsExactlyInAnyOrderEntriesOf(Map.of("RESOLVED", 2, "DISCARDED", 1));
		String[] all = Stream.of(oldResolved, oldDiscarded, oldResolvedToo, recentResolved, recentDiscarded, oldNew,
				oldPermanentlyFailed, oldScheduled, oldRetrying)
			.map(UUID::toString)
			.toArray(String[]::new);
		assertThat(this.jdbc.queryForList("SELECT id FROM dead_letter_entry WHERE id = ANY(?::uuid[])", UUID.class,
				(Object) all))
			.containsExactlyInAnyOrder(recentResolved, recentDiscarded, oldNew, oldPermanentlyFailed, oldScheduled,
					oldRetrying);
		List<UUID> purged = List.of(oldResolved, oldDiscarded, oldResolvedToo);
		for (String history : List.of("dead_letter_attempt", "dead_letter_redrive", "dead_letter_status_change")) {
			List<UUID> left = this.jdbc.queryForList(
					"SELECT DISTINCT entry_id FROM " + history + " WHERE entry_id = ANY(?::uuid[])", UUID.class,
					(Object) all);
			assertThat(left).hasSize(6).doesNotContainAnyElementsOf(purged);
		}
		assertThat(this.retention.purge()).isEmpty();
	}

	@Test
	void purgesTheStackTracesThatNoEntryHoldsAnyMore() {
		String purgedOnly = "java.lang.IllegalStateException: only old\n\tat org.example.Old.on(Old.java:1)\n";
		String kept = "java.lang.IllegalStateException: shared\n\tat org.example.Both.on(Both.java:2)\n";
		UUID oldResolved = entry("RESOLVED", 31);
		UUID oldDiscarded = entry("DISCARDED", 45);
		UUID unresolved = entry("NEW", 400);
		// through the entry view, as an operator would: its trigger stores the trace once
		this.jdbc.update("UPDATE dead_letter_entry SET error_stacktrace = ? WHERE id = ?", purgedOnly, oldResolved);
		this.jdbc.update("UPDATE dead_letter_entry SET error_stacktrace = ? WHERE id IN (?, ?)", kept, oldDiscarded,
				unresolved);
		assertThat(this.jdbc.queryForObject("SELECT count(*) FROM dead_letter_stacktrace WHERE stacktrace IN (?, ?)",
				Integer.class, purgedOnly, kept)).isEqualTo(2);

		this.retention.purge();

		assertThat(this.jdbc.queryForList("SELECT stacktrace FROM dead_letter_stacktrace", String.class))
			.contains(kept)
			.doesNotContain(purgedOnly);
		assertThat(this.jdbc.queryForObject("SELECT error_stacktrace FROM dead_letter_entry WHERE id = ?", String.class,
				unresolved)).isEqualTo(kept);
	}

	private UUID entry(String status, int daysAgo) {
		UUID id = UUID.randomUUID();
		long offset = this.jdbc.queryForObject("SELECT coalesce(max(dlq_offset), 0) + 1 FROM dead_letter_record",
				Long.class);
		this.jdbc.update("""
				INSERT INTO dead_letter_entry (id, kind, status, source_service, consumer_group, original_topic,
				    original_partition, original_offset, dlq_partition, dlq_offset, first_failed_at, last_failed_at,
				    created_at, updated_at, status_changed_at)
				VALUES (?, 'FAILED_RECORD', ?, 'patient-service', 'patient-service.consumer-x', 'retention.v1', 0, ?,
				    0, ?, now() - make_interval(days => ?), now() - make_interval(days => ?),
				    now() - make_interval(days => ?), now() - make_interval(days => ?),
				    now() - make_interval(days => ?))
				""", id, status, offset, offset, daysAgo + 1, daysAgo + 1, daysAgo + 1, daysAgo, daysAgo);
		this.jdbc.update("""
				INSERT INTO dead_letter_attempt (entry_id, attempt, failed_at, error_class, dlq_partition, dlq_offset)
				VALUES (?, 1, now() - make_interval(days => ?), 'java.lang.IllegalStateException', 0, ?)
				""", id, daysAgo + 1, offset);
		this.jdbc.update("""
				INSERT INTO dead_letter_redrive (entry_id, kind, attempt, actor, target_topic, target_partition,
				    target_offset, outcome, outcome_at)
				VALUES (?, 'AUTOMATIC', 1, 'system', 'retention.v1', 0, ?, 'FAILED', now())
				""", id, offset);
		// it failed permanently once, whatever its status now
		this.jdbc.update("INSERT INTO dead_letter_status_change (entry_id, status, changed_at) "
				+ "VALUES (?, 'PERMANENTLY_FAILED', now() - make_interval(days => ?))", id, daysAgo + 1);
		return id;
	}

}
