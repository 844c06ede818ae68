package org.patientplatform.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.HdrHistogram.Histogram;
import org.patientplatform.bench.Infrastructure.Database;
import org.patientplatform.kit.web.Page;
import org.patientplatform.local.infra.LocalSigningKey;
import tools.jackson.databind.JsonNode;

import org.springframework.context.ConfigurableApplicationContext;

/**
 * DLQ search at scale: the DLQ service (role {@code app}) on a fresh database holding N entries loaded by
 * {@code bin/dlq-seed}'s SQL (1,000,000 by default), then p50/p99 of the typical operator searches and of
 * a page deep in a keyset scan, one client after another (like {@code bench/dlq-search/run.sh}), through
 * the HTTP API with an ops token. The raw limit, in the same run: the same searches as the SQL the
 * service issues ({@code bench/dlq-search/q*.sql}, the statements of {@code EntrySearch} with the values
 * filled in) over plain JDBC, reading every row.
 */
final class DlqSearchBenchmark implements Benchmark {

	static final String NAME = "dlq-search";

	/** The keyset cursor of {@code q7-deep-page.sql}: {@code (last_failed_at, id) < (now() - interval '…', '…'::uuid)} */
	private static final Pattern CURSOR = Pattern
		.compile("\\(r\\.last_failed_at, r\\.id\\) < \\(now\\(\\) - interval '[^']*', '[0-9a-f-]+'::uuid\\)");

	@Override
	public String name() {
		return NAME;
	}

	/**
	 * A search: its SQL file in {@code bench/dlq-search} and the same search as API query parameters.
	 *
	 * @param name e.g. {@code q2-status}
	 * @param query the query string of {@code GET /api/v1/dlq/messages}
	 */
	record Search(String name, String query) {

		String key() {
			return ApiLatencyBenchmark.camel(this.name.substring(this.name.indexOf('-') + 1));
		}

	}

	/**
	 * The searches of {@code run.sh} but the facets: the five typical ones, a service and topic with no entries,
	 * the newest page, and a page deep in a keyset scan, after the given cursor position (last failure time and
	 * id).
	 */
	static List<Search> searches(Instant now, Instant deepAt, String deepId) {
		String weekAgo = now.minus(7, ChronoUnit.DAYS).toString();
		String cursor = Page.encode(List.of(deepAt.toString(), deepId));
		return List.of(new Search("q1-recent", ""), new Search("q2-status", "status=PERMANENTLY_FAILED"),
				new Search("q3-service-topic", "sourceService=patient-service&topic=lis.inbound.v1"),
				// a pair with no entries: a topic the service does not consume
				new Search("q11-service-topic-none", "sourceService=patient-service&topic=patient.events.v1"),
				new Search("q4-error-week", "errorClass=java.net.SocketTimeoutException&from=" + encode(weekAgo)),
				new Search("q5-key", "key=patient-4242"), new Search("q6-text", "q=" + encode("timed sms")),
				new Search("q7-deep-page", "cursor=" + encode(cursor)));
	}

	@Override
	public Result run(Infrastructure infrastructure, Options options) throws Exception {
		long entries = options.size(1_000_000, 3_000);
		int iterations = options.smoke() ? 20 : 500;
		int warmup = options.smoke() ? 5 : 300;
		String bootstrap = infrastructure.broker().bootstrapServers();
		LocalSigningKey key = Services.signingKey();
		Result.Builder result = Result.of(NAME);
		List<String> summary = new ArrayList<>();
		Map<String, Object> rows = new LinkedHashMap<>();
		Map<String, String> queries = new LinkedHashMap<>();
		Map<String, Object> cpu = new LinkedHashMap<>();
		double seedSeconds;
		double vacuumSeconds;
		try (Database db = infrastructure.freshDatabase("dlqsearch");
				ConfigurableApplicationContext dlq = Services.dlq("app", bootstrap, db, key);
				Connection jdbc = db.connect();
				Statement statement = jdbc.createStatement()) {
			seedSeconds = DlqSeed.load(db, entries);
			long vacuum = System.nanoTime();
			// the seed's 1,000,000 fresh rows: settle visibility and statistics before timing, not during
			db.execute("VACUUM ANALYZE dead_letter_record, dead_letter_state");
			vacuumSeconds = (System.nanoTime() - vacuum) / 1e9;
			Api api = new Api(Api.client(), Services.port(dlq), Services.token(key, "ops"));
			// the deep page: half-way through the whole table in the keyset order
			long depth = entries / 2;
			Instant deepAt;
			String deepId;
			try (ResultSet rs = statement.executeQuery("SELECT last_failed_at, id FROM dead_letter_record "
					+ "ORDER BY last_failed_at DESC, id DESC OFFSET " + depth + " LIMIT 1")) {
				rs.next();
				deepAt = rs.getObject(1, OffsetDateTime.class).toInstant();
				deepId = rs.getString(2);
			}
			rows.put("deepPageDepth", depth);
			List<Search> searches = searches(Instant.now(), deepAt, deepId);
			Map<String, String> sqls = new LinkedHashMap<>();
			Map<String, HttpRequest> requests = new LinkedHashMap<>();
			for (Search search : searches) {
				String sql = sql(search.name());
				sqls.put(search.name(),
						search.name().equals("q7-deep-page") ? atCursor(sql, deepAt, deepId) : sql);
				String path = "/api/v1/dlq/messages" + (search.query().isEmpty() ? "" : "?" + search.query());
				queries.put(search.name(), "GET " + path);
				requests.put(search.name(), api.get(path));
			}
			// warm-up: every search, in turns, so the whole HTTP path is compiled before the first is timed
			for (int i = 0; i < warmup; i++) {
				for (Search search : searches) {
					jdbcSearch(statement, sqls.get(search.name()));
					api.json(requests.get(search.name()));
				}
			}
			for (Search search : searches) {
				String sql = sqls.get(search.name());
				HttpRequest request = requests.get(search.name());
				int sqlRows = jdbcSearch(statement, sql);
				int items = api.json(request).path("items").size();
				if (items != Math.min(sqlRows, Page.DEFAULT_LIMIT)) {
					throw new IllegalStateException(search.name() + ": the API listed " + items + " entries, the SQL found "
							+ sqlRows + " rows (a page of 50 and one more)");
				}
				rows.put(search.name(), items);
				Histogram raw = Latencies.histogram();
				Histogram http = Latencies.histogram();
				CpuMeter jdbcCpu = CpuMeter.start(db);
				for (int i = 0; i < iterations; i++) {
					long started = System.nanoTime();
					jdbcSearch(statement, sql);
					Latencies.record(raw, System.nanoTime() - started);
				}
				cpu.put(search.name() + "Jdbc", jdbcCpu.stop().perUnit(iterations, "Search"));
				CpuMeter httpCpu = CpuMeter.start(db);
				for (int i = 0; i < iterations; i++) {
					long started = System.nanoTime();
					JsonNode page = api.json(request);
					Latencies.record(http, System.nanoTime() - started);
					if (page.path("items").size() != items) {
						throw new IllegalStateException(search.name() + " listed " + page.path("items").size() + " entries");
					}
				}
				cpu.put(search.name() + "Http", httpCpu.stop().perUnit(iterations, "Search"));
				report(result, summary, search.name(), search.key(), http, raw);
			}
			// facets: the default window (the last hour) and a day of one service, as q8-facets-day.sql
			String dayAgo = Instant.now().minus(1, ChronoUnit.DAYS).truncatedTo(ChronoUnit.SECONDS).toString();
			Map<String, String> facets = new LinkedHashMap<>();
			facets.put("f1-facets-hour", "/api/v1/dlq/messages/facets");
			facets.put("q8-facets-day", "/api/v1/dlq/messages/facets?sourceService=patient-service&from=" + encode(dayAgo));
			// the failure patterns view, its default window (the last hour)
			facets.put("q10-patterns-hour", "/api/v1/dlq/patterns");
			String hourSql = "SELECT 8 + GROUPING(source_service, original_topic, error_class), NULL AS status, "
					+ "source_service, original_topic, error_class, sum(entries)::bigint FROM (SELECT r.source_service, "
					+ "r.original_topic, r.error_class, count(*) AS entries FROM dead_letter_record r "
					+ "WHERE r.last_failed_at >= now() - interval '1 hour' "
					+ "GROUP BY r.source_service, r.original_topic, r.error_class) AS counted "
					+ "GROUP BY GROUPING SETS ((source_service), (original_topic), (error_class), ()) "
					+ "UNION ALL SELECT 7, s.status, NULL, NULL, NULL, count(*) FROM dead_letter_state s "
					+ "WHERE s.status = ANY('{NEW,RETRY_SCHEDULED,RETRYING,RESOLVED,PERMANENTLY_FAILED,DISCARDED}'::text[]) "
					+ "AND s.last_failed_at >= now() - interval '1 hour' GROUP BY s.status";
			int facetIterations = Math.max(iterations / 5, 10);
			for (Map.Entry<String, String> facet : facets.entrySet()) {
				String sql = facet.getKey().startsWith("f1") ? hourSql : sql(facet.getKey());
				// as EntrySearch.facets runs its statement: grouped by hashing, no parallel workers (the patterns
				// view sets neither)
				boolean patterns = facet.getKey().startsWith("q10");
				statement.execute(patterns ? "RESET enable_sort" : "SET enable_sort = off");
				statement.execute(patterns ? "RESET max_parallel_workers_per_gather" : "SET max_parallel_workers_per_gather = 0");
				HttpRequest request = api.get(facet.getValue());
				queries.put(facet.getKey(), "GET " + facet.getValue());
				for (int i = 0; i < Math.max(warmup / 10, 3); i++) {
					jdbcSearch(statement, sql);
					api.json(request);
				}
				JsonNode answer = api.json(request);
				long total = answer.isArray() ? answer.size() : answer.path("total").asLong(-1);
				if (total < 0) {
					throw new IllegalStateException(facet.getKey() + ": the facets have no total");
				}
				rows.put(facet.getKey() + (answer.isArray() ? "Patterns" : "Total"), total);
				Histogram raw = Latencies.histogram();
				Histogram http = Latencies.histogram();
				for (int i = 0; i < facetIterations; i++) {
					long started = System.nanoTime();
					jdbcSearch(statement, sql);
					Latencies.record(raw, System.nanoTime() - started);
				}
				for (int i = 0; i < facetIterations; i++) {
					long started = System.nanoTime();
					api.json(request);
					Latencies.record(http, System.nanoTime() - started);
				}
				report(result, summary, facet.getKey(),
						ApiLatencyBenchmark.camel(facet.getKey().substring(facet.getKey().indexOf('-') + 1)), http, raw);
			}
			rows.put("entries", db.count("SELECT count(*) FROM dead_letter_entry"));
		}
		return result.parameter("entries", entries)
			.parameter("seed", "bin/dlq-seed (its SQL), then VACUUM ANALYZE")
			.parameter("iterations", iterations)
			.parameter("facetIterations", Math.max(iterations / 5, 10))
			.parameter("warmupIterations", warmup + " of every search, in turns, before the first is timed")
			.parameter("clients", 1)
			.parameter("searches", queries)
			.parameter("rawLimit", "bench/dlq-search/q*.sql over plain JDBC, every row read")
			.diagnostic("seedSeconds", Result.round(seedSeconds))
			.diagnostic("vacuumAnalyzeSeconds", Result.round(vacuumSeconds))
			.diagnostic("rows", rows)
			.diagnostic("cpu", cpu)
			.build(NAME + ": p50/p99 over HTTP with " + entries + " entries: " + String.join(", ", summary));
	}

	/** A timed search's figures (HTTP), raw limits (the SQL alone) and ratios, and its summary line. */
	private static void report(Result.Builder result, List<String> summary, String name, String prefix, Histogram http,
			Histogram raw) {
		result.figure(prefix + "HttpP50Ms", Latencies.ms(http, 50))
			.figure(prefix + "HttpP99Ms", Latencies.ms(http, 99))
			.raw(prefix + "JdbcP50Ms", Latencies.ms(raw, 50))
			.raw(prefix + "JdbcP99Ms", Latencies.ms(raw, 99))
			// raw limit over platform, as everywhere: 1 = as fast as the SQL alone
			.ratio(prefix + "P50", Latencies.ms(raw, 50), Latencies.ms(http, 50))
			.ratio(prefix + "P99", Latencies.ms(raw, 99), Latencies.ms(http, 99));
		summary.add(String.format(Locale.ROOT, "%s %.2f/%.2f ms (SQL %.2f/%.2f)", name, Latencies.ms(http, 50),
				Latencies.ms(http, 99), Latencies.ms(raw, 50), Latencies.ms(raw, 99)));
	}

	/** Runs the SQL and reads every column of every row, as the service's row mapper does. */
	private static int jdbcSearch(Statement statement, String sql) throws Exception {
		int rows = 0;
		try (ResultSet rs = statement.executeQuery(sql)) {
			int columns = rs.getMetaData().getColumnCount();
			while (rs.next()) {
				for (int column = 1; column <= columns; column++) {
					rs.getObject(column);
				}
				rows++;
			}
		}
		return rows;
	}

	/** {@code bench/dlq-search/<name>.sql}, from the repository root or from the bench module's folder. */
	static String sql(String name) {
		for (Path folder : List.of(Path.of("bench", "dlq-search"), Path.of("dlq-search"))) {
			Path file = folder.resolve(name + ".sql");
			if (Files.isRegularFile(file)) {
				try {
					return Files.readString(file, StandardCharsets.UTF_8).strip().replaceAll(";$", "");
				}
				catch (IOException ex) {
					throw new UncheckedIOException(ex);
				}
			}
		}
		throw new IllegalStateException("bench/dlq-search/" + name + ".sql not found from " + Path.of("").toAbsolutePath());
	}

	/** The deep-page SQL of {@code run.sh} with its cursor replaced by the given one. */
	static String atCursor(String sql, Instant at, String id) {
		Matcher cursor = CURSOR.matcher(sql);
		if (!cursor.find()) {
			throw new IllegalStateException("No keyset cursor (r.last_failed_at, r.id) < (..., ...) in " + sql);
		}
		return cursor.replaceFirst(Matcher.quoteReplacement("(r.last_failed_at, r.id) < ('" + at + "'::timestamptz, '" + id
				+ "'::uuid)"));
	}

	private static String encode(String value) {
		return URLEncoder.encode(value, StandardCharsets.UTF_8);
	}

}
