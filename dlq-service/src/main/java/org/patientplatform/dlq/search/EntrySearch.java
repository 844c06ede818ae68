package org.patientplatform.dlq.search;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.jspecify.annotations.Nullable;
import org.patientplatform.dlq.capture.DeadLetterEntry;
import org.patientplatform.dlq.capture.Utf8Text;
import org.patientplatform.kit.web.Page;
import org.patientplatform.kit.web.TimeCursor;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.RowCallbackHandler;
import org.springframework.stereotype.Repository;
import org.springframework.transaction.annotation.Transactional;

/**
 * Reads entries for operators: newest failure first ({@code last_failed_at DESC, id DESC}), a page at a
 * time after a keyset cursor, so a page costs the same on the first page as on the thousandth.
 */
@Repository
class EntrySearch {

	static final int FACET_VALUES = 50;

	/** The columns of an {@link EntrySummary}; {@code %s} is the alias whose last failure time is listed. */
	private static final String SUMMARY_COLUMNS = """
			s.id, r.kind, s.status, r.source_service, r.consumer_group, r.original_topic, r.original_partition,
			r.original_offset, r.record_key, r.error_class, left(r.error_message, 500) AS error_message,
			r.fingerprint, r.non_retryable, r.attempts, s.retry_count, r.first_failed_at,
			%slast_failed_at AS last_failed_at, s.next_attempt_at""";

	private final JdbcTemplate jdbc;

	private final SearchProperties properties;

	private final Clock clock;

	EntrySearch(JdbcTemplate jdbc, SearchProperties properties) {
		this.jdbc = jdbc;
		this.properties = properties;
		this.clock = Clock.systemUTC();
	}

	@Transactional(readOnly = true)
	Page<EntrySummary> search(EntryFilter filter, @Nullable String cursor, int limit) {
		if (EntryFilter.textQuery(filter.q()) != null) {
			// A text search with custom plans only, without parallel workers, for this transaction. A generic plan
			// knows neither the words nor how many entries hold them, and takes the words' checks (EntryFilter) for
			// rare: it read every entry holding them from the text index and sorted them, 418 ms for the README's
			// sourceService=patient-service&status=NEW&q=timed+out at a million entries (200,000 hold the words),
			// where the custom plan walks the service's newest entries in 4 ms; a parallel walk took 20.
			this.jdbc.queryForList("SELECT set_config('plan_cache_mode', 'force_custom_plan', true), "
					+ "set_config('max_parallel_workers_per_gather', '0', true)");
		}
		List<Object> args = new ArrayList<>();
		List<String> conditions = new ArrayList<>();
		String sql;
		if (walksState(filter)) {
			// status (and time) only: each status's newest entries from the state's (status, last_failed_at, id)
			// index, at most a page each, merged, then their records (one ANY(...) scan of that index is not in
			// time order: it would sort every entry of those statuses)
			args.add(filter.status().stream().distinct().toArray(String[]::new));
			timeConditions(filter, "s.", conditions, args);
			keyset(cursor, "s.", conditions, args);
			args.add(limit + 1);
			args.add(limit + 1);
			sql = """
					WITH page AS (
					    SELECT p.id, p.last_failed_at FROM unnest(?::text[]) AS st(status)
					    CROSS JOIN LATERAL (
					        SELECT s.id, s.last_failed_at FROM dead_letter_state s
					        WHERE s.status = st.status%s
					        ORDER BY s.last_failed_at DESC, s.id DESC LIMIT ?) p
					    ORDER BY p.last_failed_at DESC, p.id DESC LIMIT ?)
					SELECT %s
					FROM page JOIN dead_letter_state s ON s.id = page.id JOIN dead_letter_record r ON r.id = page.id
					ORDER BY page.last_failed_at DESC, page.id DESC
					""".formatted(and(conditions), SUMMARY_COLUMNS.formatted("page."));
		}
		else {
			EntryFilter.Where where = filter.where("r.", "s.", "r.");
			args.addAll(where.args());
			keyset(cursor, "r.", conditions, args);
			args.add(limit + 1);
			sql = """
					SELECT %s
					FROM dead_letter_record r JOIN dead_letter_state s ON s.id = r.id
					WHERE %s%s
					ORDER BY r.last_failed_at DESC, r.id DESC
					LIMIT ?
					""".formatted(SUMMARY_COLUMNS.formatted("r."), where.sql(), and(conditions));
		}
		List<EntrySummary> rows = this.jdbc.query(sql, (rs, n) -> {
			byte[] key = rs.getBytes("record_key");
			var next = rs.getTimestamp("next_attempt_at");
			return new EntrySummary(rs.getObject("id", UUID.class), rs.getString("kind"), rs.getString("status"),
					rs.getString("source_service"), DeadLetterEntry.consumerGroup(rs.getString("consumer_group")),
					rs.getString("original_topic"),
					(Integer) rs.getObject("original_partition"), (Long) rs.getObject("original_offset"),
					Utf8Text.strict(key), rs.getString("error_class"),
					rs.getString("error_message"), rs.getString("fingerprint"), rs.getBoolean("non_retryable"),
					rs.getInt("attempts"), rs.getInt("retry_count"), rs.getTimestamp("first_failed_at").toInstant(),
					rs.getTimestamp("last_failed_at").toInstant(), (next != null) ? next.toInstant() : null);
		}, args.toArray());
		return Page.of(rows, limit, (row) -> new TimeCursor(row.lastFailedAt(), row.id()).sortKey());
	}

	private static String and(List<String> conditions) {
		return conditions.stream().map((c) -> " AND " + c).reduce("", String::concat);
	}

	private static void timeConditions(EntryFilter filter, String alias, List<String> conditions, List<Object> args) {
		if (filter.from() != null) {
			conditions.add(alias + "last_failed_at >= ?");
			args.add(filter.from().atOffset(ZoneOffset.UTC));
		}
		if (filter.to() != null) {
			conditions.add(alias + "last_failed_at < ?");
			args.add(filter.to().atOffset(ZoneOffset.UTC));
		}
	}

	/** The keyset bound after the cursor's (last failure, id), on the table the search walks. */
	private static void keyset(@Nullable String cursor, String alias, List<String> conditions, List<Object> args) {
		TimeCursor after = TimeCursor.decodeOrFirst(cursor);
		if (after != null) {
			conditions.add("(%1$slast_failed_at, %1$sid) < (?, ?)".formatted(alias));
			args.add(after.at().atOffset(ZoneOffset.UTC));
			args.add(after.id());
		}
	}

	/**
	 * Counts per status, source service, topic and error class of the entries the filter selects; a
	 * filter with neither {@code from} nor {@code to} counts the entries of the default window only (the
	 * last {@code dlq.search.facets-window}, one hour unless configured), which the answer names.
	 */
	@Transactional(readOnly = true)
	Facets facets(EntryFilter filter) {
		EntryFilter windowed = filter;
		if (filter.from() == null && filter.to() == null) {
			Instant from = this.clock.instant().minus(this.properties.facetsWindow()).truncatedTo(ChronoUnit.SECONDS);
			windowed = new EntryFilter(filter.sourceService(), filter.topic(), filter.status(), filter.errorClass(),
					filter.fingerprint(), filter.key(), filter.keyBase64(), from, null, filter.q());
		}
		Map<String, Map<String, Long>> groups = new LinkedHashMap<>();
		long[] total = { 0 };
		// All three for this transaction only, in one round trip. Grouped by hashing, not sorting: the planner
		// underestimates the rows a window gives (for a join, it takes the record's and the state's time bounds,
		// one condition twice, as independent) and sorts them by text columns to group them. Hashed, a day of
		// one service took 30 ms instead of 43 (docs/benchmarks.md, eleventh pass). No parallel workers: the
		// planner gives the two counts below one each, and starting them took 37 ms of a statement that runs in
		// 8 alone (a day of one service; twelfth pass). Custom plans only: a generic plan, without the window's
		// bounds, would scan both tables for an hour's counts.
		this.jdbc.queryForList("SELECT set_config('plan_cache_mode', 'force_custom_plan', true), "
				+ "set_config('enable_sort', 'off', true), set_config('max_parallel_workers_per_gather', '0', true)");
		RowCallbackHandler count = (rs) -> {
			long entries = rs.getLong("entries");
			// GROUPING is a bit mask, one bit per column, set when the column is not in the row's set
			switch (rs.getInt("grouping_set")) {
				case 0b0111 -> add(groups, "status", rs.getString("status"), entries);
				case 0b1011 -> add(groups, "sourceService", rs.getString("source_service"), entries);
				case 0b1101 -> add(groups, "topic", rs.getString("original_topic"), entries);
				case 0b1110 -> add(groups, "errorClass", rs.getString("error_class"), entries);
				default -> total[0] = entries;
			}
		};
		if (countsApart(windowed)) {
			// No status criterion, and no record criterion the state cannot answer: the statuses are counted
			// from the state alone (its copy of the service and of last_failed_at), the rest from the record
			// alone, each from one index, in one statement (one snapshot: both sides count the same entries).
			// A join of the two was most of a day's facets of one service (ADR 0014).
			EntryFilter.Where records = windowed.where("r.", "s.", "r.");
			// the same criteria on the state, which holds copies of the service and of last_failed_at
			EntryFilter.Where states = windowed.where("s.", "s.", "s.");
			List<Object> args = new ArrayList<>(records.args());
			args.addAll(states.args());
			String everyStatus = "";
			if (!windowed.hasRecordCriteria()) {
				// no service: the state's window is read status by status
				everyStatus = " AND s.status = ANY(?::text[])";
				args.add(DeadLetterEntry.STATUSES.toArray(String[]::new));
			}
			this.jdbc.query("""
					SELECT 8 + GROUPING(source_service, original_topic, error_class) AS grouping_set,
					       NULL AS status, source_service, original_topic, error_class, sum(entries)::bigint AS entries
					FROM (SELECT r.source_service, r.original_topic, r.error_class, count(*) AS entries
					      FROM dead_letter_record r
					      WHERE %s
					      GROUP BY r.source_service, r.original_topic, r.error_class) AS counted
					GROUP BY GROUPING SETS ((source_service), (original_topic), (error_class), ())
					UNION ALL
					SELECT 7, s.status, NULL, NULL, NULL, count(*)
					FROM dead_letter_state s
					WHERE %s%s
					GROUP BY s.status
					""".formatted(records.sql(), states.sql(), everyStatus), count, args.toArray());
		}
		else {
			// One join of the window's records and the window's states (the state's copy of last_failed_at,
			// all statuses unless the filter names some): both read from their indexes alone, hashed, for a
			// large selection; the planner keeps a primary-key lookup per selected record for a small one.
			EntryFilter.Where where = windowed.where("r.", "s.", "r.");
			List<Object> args = new ArrayList<>(where.args());
			List<String> state = new ArrayList<>();
			if (!windowed.hasStatus()) {
				state.add("s.status = ANY(?::text[])");
				// every status: the state's window is read status by status
				args.add(DeadLetterEntry.STATUSES.toArray(String[]::new));
			}
			timeConditions(windowed, "s.", state, args);
			// Counted once per distinct (status, service, topic, error class), a few hundred groups at most,
			// and the four groupings and the total summed from those: hashing every selected entry into four
			// groupings took a tenth of a day's facets of one service, and half of the facets over a million
			// entries.
			this.jdbc.query("""
					SELECT GROUPING(status, source_service, original_topic, error_class) AS grouping_set,
					       status, source_service, original_topic, error_class, sum(entries)::bigint AS entries
					FROM (SELECT s.status, r.source_service, r.original_topic, r.error_class, count(*) AS entries
					      FROM dead_letter_record r JOIN dead_letter_state s ON s.id = r.id
					      WHERE %s%s
					      GROUP BY s.status, r.source_service, r.original_topic, r.error_class) AS counted
					GROUP BY GROUPING SETS ((status), (source_service), (original_topic), (error_class), ())
					""".formatted(where.sql(), and(state)), count, args.toArray());
		}
		return new Facets(total[0], top(groups.get("status")), top(groups.get("sourceService")),
				top(groups.get("topic")), top(groups.get("errorClass")), windowed.from(), windowed.to(),
				windowed != filter);
	}

	/**
	 * True when facets can count the statuses on the state alone and the rest on the record alone: no status
	 * criterion (else each side's counts depend on the other's columns) and no record criterion but the
	 * source service, which the state holds a copy of, as it does the time range's {@code last_failed_at}.
	 */
	private static boolean countsApart(EntryFilter filter) {
		return !filter.hasStatus() && !filter.hasRecordCriteriaBesideService();
	}

	/**
	 * True when a search walks the state's {@code (status, last_failed_at, id)} index, false when it walks
	 * the record's indexes: an entry's state and its record both hold {@code (last_failed_at, id)}, each with
	 * its own indexes (status on the state; service, topic, error class, fingerprint, key, text and time
	 * alone on the record). Status alone walks the state's; anything else the record's.
	 */
	private static boolean walksState(EntryFilter filter) {
		return filter.hasStatus() && !filter.hasRecordCriteria();
	}

	private static void add(Map<String, Map<String, Long>> groups, String group, @Nullable String value, long count) {
		groups.computeIfAbsent(group, (g) -> new LinkedHashMap<>()).put((value != null) ? value : EntryFilter.NONE, count);
	}

	private static Map<String, Long> top(@Nullable Map<String, Long> counts) {
		Map<String, Long> top = new LinkedHashMap<>();
		if (counts != null) {
			counts.entrySet()
				.stream()
				.sorted(Map.Entry.<String, Long>comparingByValue(Comparator.reverseOrder())
					.thenComparing(Map.Entry.comparingByKey()))
				.limit(FACET_VALUES)
				.forEach((e) -> top.put(e.getKey(), e.getValue()));
		}
		return top;
	}

	/**
	 * One entry in a result list: what an operator scans for, without stack trace, headers or payload.
	 *
	 * @param keyText the record key as text when its bytes are valid UTF-8, else null (as in the entry's detail)
	 * @param errorMessage the first 500 characters of the error message
	 */
	record EntrySummary(UUID id, String kind, String status, @Nullable String sourceService,
			@Nullable String consumerGroup, @Nullable String originalTopic, @Nullable Integer originalPartition,
			@Nullable Long originalOffset, @Nullable String keyText, @Nullable String errorClass,
			@Nullable String errorMessage, @Nullable String fingerprint, boolean nonRetryable, int attempts,
			int retryCount, Instant firstFailedAt, Instant lastFailedAt, @Nullable Instant nextAttemptAt) {
	}

	/**
	 * Entry counts of a selection, each group's 50 largest values, largest first.
	 *
	 * @param total every entry the filter selects
	 * @param from the counted entries' earliest last failure: the caller's {@code from}, or the start of the
	 * default window
	 * @param to the caller's {@code to}, if any
	 * @param defaultWindow true when the caller gave neither {@code from} nor {@code to} and the default
	 * window was applied
	 */
	record Facets(long total, Map<String, Long> status, Map<String, Long> sourceService, Map<String, Long> topic,
			Map<String, Long> errorClass, @Nullable Instant from, @Nullable Instant to, boolean defaultWindow) {
	}

}
