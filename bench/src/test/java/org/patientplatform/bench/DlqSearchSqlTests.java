package org.patientplatform.bench;

import java.time.Instant;
import java.util.List;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The SQL the search benchmarks take from bin/dlq-seed and bench/dlq-search, read as they read it. */
class DlqSearchSqlTests {

	@Test
	void takesTheSeedStatementsOfTheScriptForTheGivenCount() {
		List<String> statements = DlqSeed.statements(1234);
		assertThat(statements).hasSize(5);
		assertThat(statements.getFirst()).startsWith("INSERT INTO dead_letter_record")
			.contains("generate_series(seeded.base + 1234, seeded.base + 1, -1)")
			.contains("'[]'::jsonb")
			.doesNotContain(":n");
		assertThat(statements).noneMatch((sql) -> sql.startsWith("\\"));
		assertThat(statements.get(1)).startsWith("-- each new record's state")
			.contains("INSERT INTO dead_letter_state");
		assertThat(statements.get(2)).startsWith("-- each new record's history")
			.contains("INSERT INTO dead_letter_attempt");
		assertThat(statements.get(3))
			.endsWith("VACUUM ANALYZE dead_letter_record, dead_letter_state, dead_letter_attempt");
	}

	@Test
	void movesTheDeepPageToTheGivenCursor() {
		String sql = DlqSearchBenchmark.atCursor(DlqSearchBenchmark.sql("q7-deep-page"),
				Instant.parse("2026-11-20T10:15:30.123456Z"), "0f0e0d0c-0000-4000-8000-000000000001");
		assertThat(sql).contains("(r.last_failed_at, r.id) < ('2026-11-20T10:15:30.123456Z'::timestamptz, "
				+ "'0f0e0d0c-0000-4000-8000-000000000001'::uuid)")
			.doesNotContain("now()")
			.endsWith("LIMIT 51");
	}

	@Test
	void readsEverySearchOfTheScript() {
		for (DlqSearchBenchmark.Search search : DlqSearchBenchmark.searches(Instant.now(), Instant.now(), "x")) {
			// as EntrySearch reads a page: newest first on the table it walks, a page and one more
			assertThat(DlqSearchBenchmark.sql(search.name())).contains("SELECT s.id, r.kind, s.status")
				.containsPattern("ORDER BY (r|s|p)\\.last_failed_at DESC, \\1\\.id DESC LIMIT 51");
		}
	}

}
