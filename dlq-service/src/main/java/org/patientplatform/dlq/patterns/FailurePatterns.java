package org.patientplatform.dlq.patterns;

import java.sql.Array;
import java.sql.SQLException;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;

import org.jspecify.annotations.Nullable;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Repository;

/** Entries grouped by fingerprint: the most entries first, or the most recently seen first. */
@Repository
class FailurePatterns {

	private final JdbcTemplate jdbc;

	FailurePatterns(JdbcTemplate jdbc) {
		this.jdbc = jdbc;
	}

	/**
	 * @param unresolvedOnly only entries not resolved or discarded
	 * @param since only entries that failed at or after this time
	 * @param limit the most patterns returned
	 * @param order which patterns come first, and are kept when there are more than {@code limit}
	 */
	List<Pattern> find(boolean unresolvedOnly, Instant since, int limit, Order order) {
		String where = "r.fingerprint IS NOT NULL AND r.last_failed_at >= ?";
		if (unresolvedOnly) {
			where += " AND s.status NOT IN ('RESOLVED', 'DISCARDED')";
		}
		// the window's start for the counts, the number of patterns, the window's start for the samples
		Object[] args = { since.atOffset(ZoneOffset.UTC), limit, since.atOffset(ZoneOffset.UTC) };
		// counted per fingerprint, topic and service first (no sort of every row, as ordered aggregates
		// needed), then the sample of each pattern read newest first from the fingerprint's index; the window's
		// records from the record's indexes, each one's status by its state's primary key (OFFSET 0 keeps that
		// a lookup per row: joined, the planner would hash the whole state table for a window of a few rows)
		return this.jdbc.query("""
				WITH g AS (
				    SELECT r.fingerprint, r.original_topic, r.source_service, count(*) AS entries,
				           sum(r.attempts) AS failures,
				           count(*) FILTER (WHERE s.status NOT IN ('RESOLVED', 'DISCARDED')) AS unresolved,
				           min(r.first_failed_at) AS first_seen, max(r.last_failed_at) AS last_seen
				    FROM dead_letter_record r
				    CROSS JOIN LATERAL (SELECT status FROM dead_letter_state WHERE id = r.id OFFSET 0) s
				    WHERE %1$s
				    GROUP BY fingerprint, original_topic, source_service),
				p AS (
				    SELECT fingerprint, sum(entries) AS entries, sum(failures) AS failures, sum(unresolved) AS unresolved,
				           min(first_seen) AS first_seen, max(last_seen) AS last_seen,
				           array_agg(DISTINCT original_topic) FILTER (WHERE original_topic IS NOT NULL) AS topics,
				           array_agg(DISTINCT source_service) FILTER (WHERE source_service IS NOT NULL) AS services
				    FROM g
				    GROUP BY fingerprint
				    ORDER BY %3$s
				    LIMIT ?)
				SELECT p.*, s.id AS sample_entry_id, s.error_class, s.error_message
				FROM p
				CROSS JOIN LATERAL (
				    SELECT r.id, r.error_class, left(r.error_message, 300) AS error_message
				    FROM dead_letter_record r
				    CROSS JOIN LATERAL (SELECT status FROM dead_letter_state WHERE id = r.id OFFSET 0) s
				    WHERE %2$s AND r.fingerprint = p.fingerprint
				    ORDER BY r.last_failed_at DESC, r.id DESC
				    LIMIT 1) s
				ORDER BY %4$s
				""".formatted(where, where, order.sql(""), order.sql("p.")),
				(rs, n) -> new Pattern(rs.getString("fingerprint"), rs.getLong("entries"), rs.getLong("failures"),
						rs.getLong("unresolved"), rs.getTimestamp("first_seen").toInstant(),
						rs.getTimestamp("last_seen").toInstant(), strings(rs.getArray("topics")),
						strings(rs.getArray("services")), rs.getObject("sample_entry_id", UUID.class),
						rs.getString("error_class"), rs.getString("error_message")),
				args);
	}

	/** The order of the patterns, and so which ones a limit keeps. */
	enum Order {

		/**
		 * The most entries first (an incident's biggest patterns), then the most recently seen: what an operator
		 * looks at first.
		 */
		ENTRIES("entries"),

		/** The most recently seen first (what failed last), then the most entries. */
		LAST_SEEN("lastSeen");

		/** The orders as the API names them. */
		static final String NAMES = "entries|lastSeen";

		/** What a name that is none of them is told. */
		static final String RULE = "must be entries (the most entries first) or lastSeen (the most recently seen first)";

		private final String apiName;

		Order(String apiName) {
			this.apiName = apiName;
		}

		static Order of(String apiName) {
			for (Order order : values()) {
				if (order.apiName.equals(apiName)) {
					return order;
				}
			}
			throw new IllegalArgumentException(RULE);
		}

		/** The ORDER BY of the patterns, their columns named with the prefix. */
		String sql(String prefix) {
			return switch (this) {
				case ENTRIES -> prefix + "entries DESC, " + prefix + "last_seen DESC, " + prefix + "fingerprint";
				case LAST_SEEN -> prefix + "last_seen DESC, " + prefix + "entries DESC, " + prefix + "fingerprint";
			};
		}

	}

	private static List<String> strings(@Nullable Array array) throws SQLException {
		if (array == null) {
			return List.of();
		}
		return Arrays.stream((Object[]) array.getArray()).map(String::valueOf).sorted().toList();
	}

	/**
	 * One failure pattern.
	 *
	 * @param fingerprint the failure fingerprint (root cause class and top application frames, hashed)
	 * @param entries entries with it
	 * @param failures their failures in all (each entry can fail several times)
	 * @param unresolved entries not resolved or discarded
	 * @param firstSeen the earliest first failure
	 * @param lastSeen the latest failure
	 * @param topics the original topics affected
	 * @param sourceServices the services affected
	 * @param sampleEntryId the most recent entry, to look at
	 * @param errorClass the sample's exception class
	 * @param errorMessage the first 300 characters of the sample's error message
	 */
	record Pattern(String fingerprint, long entries, long failures, long unresolved, Instant firstSeen,
			Instant lastSeen, List<String> topics, List<String> sourceServices, UUID sampleEntryId,
			@Nullable String errorClass, @Nullable String errorMessage) {
	}

}
