package org.patientplatform.bench;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Runs every benchmark at smoke sizes on the real broker and PostgreSQL, so the benchmarks cannot rot:
 * each must produce positive figures, raw limits and ratios and append its JSON line. Never a speed
 * threshold: the figures of tiny runs on a shared machine mean nothing.
 */
class BenchSmokeTests {

	@TempDir
	static Path folder;

	static List<Result> results;

	static List<JsonNode> lines;

	static @Nullable Path latencyChart;

	@BeforeAll
	static void runAllBenchmarksAtSmokeSizes() throws Exception {
		Path file = folder.resolve("results.jsonl");
		Path byNameFile = folder.resolve("results-by-name.jsonl");
		List<String> byName = new ArrayList<>(Benchmarks.BY_NAME_ONLY);
		byName.addAll(List.of("--smoke", "--results", byNameFile.toString()));
		ExecutorService lane = Executors.newSingleThreadExecutor();
		try (Infrastructure infrastructure = new Infrastructure()) {
			// job-libraries mostly waits for the libraries' dead-worker timers (about a minute even at smoke
			// size): it runs beside the others, on the same broker and PostgreSQL, not after them
			Future<List<Result>> libraries = lane
				.submit(() -> Bench.run(Options.parse(byName.toArray(String[]::new)), infrastructure));
			List<Result> all = new ArrayList<>(
					Bench.run(Options.parse("all", "--smoke", "--results", file.toString()), infrastructure));
			all.addAll(libraries.get());
			results = all;
		}
		finally {
			lane.shutdownNow();
		}
		JsonMapper json = JsonMapper.builder().build();
		List<JsonNode> all = new ArrayList<>();
		for (Path results : List.of(file, byNameFile)) {
			Files.readAllLines(results, StandardCharsets.UTF_8).stream().map(json::readTree).forEach(all::add);
		}
		lines = all;
		latencyChart = LatencyChart.write(file, true);
	}

	static List<String> benchmarks() {
		List<String> names = new ArrayList<>(Benchmarks.NAMES);
		names.addAll(Benchmarks.BY_NAME_ONLY);
		return names;
	}

	@Test
	void runsEveryBenchmarkOnceInOrder() {
		assertThat(results).extracting(Result::name).containsExactlyElementsOf(benchmarks());
		assertThat(lines).extracting((line) -> line.path("name").asString()).containsExactlyElementsOf(benchmarks());
	}

	@Test
	void sendsEachTestResultNoticeOnceAndTimesItFromItsEvent() {
		Result e2e = result(NotificationE2eBenchmark.NAME);
		Map<?, ?> checks = (Map<?, ?>) e2e.diagnostics().get("checks");
		assertThat(((Number) checks.get("notifications")).longValue())
			.isEqualTo(((Number) checks.get("eventsProduced")).longValue());
		assertThat(((Number) checks.get("deliveriesNotSent")).longValue()).isZero();
		assertThat(((Number) checks.get("duplicateMessages")).longValue()).isZero();
		assertThat(((Number) checks.get("unmatchedMessages")).longValue()).isZero();
		String rate = "at" + NotificationE2eBenchmark.SMOKE_RATE;
		assertThat(e2e.figures()).containsKeys(rate + "EventsPerSecond", rate + "P50Ms", rate + "P99Ms",
				rate + "P999Ms", rate + "MaxMs", "burstEventsPerSecond");
		assertThat(e2e.raw()).containsOnlyKeys("produceRecordsPerSecond", "batchedInsertRowsPerSecond",
				"singleRowCommitsPerSecond", "standinSmsAcceptsPerSecond");
	}

	@ParameterizedTest
	@MethodSource("benchmarks")
	void producesPositiveFiguresAndRawLimits(String name) {
		Result result = result(name);
		assertThat(result.figures()).isNotEmpty();
		assertThat(result.raw()).isNotEmpty();
		assertThat(result.figures().values()).allSatisfy((value) -> assertThat(value.doubleValue()).isPositive());
		assertThat(result.raw().values()).allSatisfy((value) -> assertThat(value.doubleValue()).isPositive());
		assertThat(result.ratios().values()).allSatisfy((value) -> assertThat(value.doubleValue()).isPositive());
		assertThat(result.summary()).startsWith(name + ":");
	}

	@ParameterizedTest
	@MethodSource("benchmarks")
	void appendsOneJsonLineWithMachineCommitAndFigures(String name) {
		JsonNode line = lines.stream().filter((l) -> l.path("name").asString().equals(name)).findFirst().orElseThrow();
		assertThat(line.path("date").asString()).isNotBlank();
		assertThat(line.path("commit").asString()).isNotBlank();
		assertThat(line.path("smoke").asBoolean()).isTrue();
		assertThat(line.path("machine").path("cores").asInt()).isPositive();
		assertThat(line.path("machine").path("memoryMb").asLong()).isPositive();
		assertThat(line.path("parameters").size()).isPositive();
		Result result = result(name);
		for (Map.Entry<String, Number> figure : result.figures().entrySet()) {
			assertThat(line.path("figures").path(figure.getKey()).asDouble()).isEqualTo(figure.getValue().doubleValue());
		}
		assertThat(line.path("raw").size()).isEqualTo(result.raw().size());
		assertThat(line.path("ratios").size()).isEqualTo(result.ratios().size());
	}

	@Test
	void comparesEachPlatformPathWithItsRawLimits() {
		assertThat(result(DlqCaptureBenchmark.NAME).ratios()).containsOnlyKeys("toRawCopy", "toRawBatchedInsert",
				"toRawProduce", "toRawConsume", "whileProducedToRawCopy");
		assertThat(result(JobQueueBenchmark.NAME).ratios()).containsOnlyKeys("toRawSkipLockedClaim",
				"toKitStatementsOverJdbc");
		assertThat(result(JobLibrariesBenchmark.NAME).ratios()).containsOnlyKeys("dbSchedulerToRawSkipLockedClaim",
				"jobRunrToRawSkipLockedClaim", "kitToRawSkipLockedClaim");
		assertThat(result(DlqRedriveBenchmark.NAME).ratios()).containsOnlyKeys("toRawProduce", "limitedToLimit");
		assertThat(result(FailurePathBenchmark.NAME).ratios()).containsOnlyKeys("recordPoisonedToClean",
				"batchPoisonedToClean", "recordCleanToRawConsume", "batchCleanToRawConsume");
		assertThat(result(NotificationE2eBenchmark.NAME).ratios()).containsOnlyKeys("burstToRawProduce",
				"burstToRawBatchedInsert", "burstToRawSingleRowCommits", "burstMessagesToRawStandinAccepts");
	}

	@Test
	void redrivesEveryEntryOfTheBacklogToItsOriginalTopic() {
		Result redrive = result(DlqRedriveBenchmark.NAME);
		long entries = ((Number) redrive.parameters().get("entries")).longValue();
		Map<?, ?> checks = (Map<?, ?>) redrive.diagnostics().get("checks");
		assertThat(((Number) checks.get("itemsSent")).longValue()).isEqualTo(entries);
		assertThat(((Number) checks.get("recordsOnTarget")).longValue()).isEqualTo(entries);
		assertThat(((Number) checks.get("entriesRetrying")).longValue()).isEqualTo(entries);
		assertThat(((Number) checks.get("limitedRecordsOnTarget")).longValue())
			.isEqualTo(((Number) redrive.parameters().get("limitedEntries")).longValue());
	}

	@Test
	void deadLettersExactlyThePoisonRecords() {
		Map<String, Number> figures = result(FailurePathBenchmark.NAME).figures();
		assertThat(figures.get("deadLetteredRecords").longValue()).isEqualTo(figures.get("poisonRecords").longValue());
		Map<?, ?> checks = (Map<?, ?>) result(FailurePathBenchmark.NAME).diagnostics().get("checks");
		assertThat(((Number) checks.get("deadLetteredFromCleanStreams")).longValue()).isZero();
	}

	@Test
	void timesEverySearchOverHttpBesideItsSqlOverJdbc() {
		Result search = result(DlqSearchBenchmark.NAME);
		for (DlqSearchBenchmark.Search each : DlqSearchBenchmark.searches(Instant.now(), Instant.now(), "x")) {
			assertThat(search.figures()).containsKeys(each.key() + "HttpP50Ms", each.key() + "HttpP99Ms");
			assertThat(search.raw()).containsKeys(each.key() + "JdbcP50Ms", each.key() + "JdbcP99Ms");
			assertThat(search.ratios()).containsKeys(each.key() + "P50", each.key() + "P99");
		}
		// the facets (default window and a day) and the failure-patterns view
		for (String key : List.of("facetsHour", "facetsDay", "patternsHour")) {
			assertThat(search.figures()).containsKeys(key + "HttpP50Ms", key + "HttpP99Ms");
			assertThat(search.raw()).containsKeys(key + "JdbcP50Ms", key + "JdbcP99Ms");
		}
	}

	@Test
	void measuresEachEndpointAtEachRateBesideTheTrivialEndpoint() {
		Result api = result(ApiLatencyBenchmark.NAME);
		List<String> endpoints = new ArrayList<>(List.of(ApiLatencyBenchmark.DLQ_READ, ApiLatencyBenchmark.DLQ_SEARCH,
				ApiLatencyBenchmark.NOTIFICATION_READ));
		if (!((Map<?, ?>) api.diagnostics().get("pending")).containsKey(ApiLatencyBenchmark.NOTIFICATION_POST)) {
			endpoints.add(ApiLatencyBenchmark.NOTIFICATION_POST);
		}
		for (int rate : ApiLatencyBenchmark.RATES) {
			assertThat(api.raw()).containsKeys("livenessAt" + rate + "P50Ms", "livenessAt" + rate + "P999Ms",
					"livenessAt" + rate + "MaxMs");
			for (String endpoint : endpoints) {
				String prefix = ApiLatencyBenchmark.camel(endpoint) + "At" + rate;
				assertThat(api.figures()).containsKeys(prefix + "P50Ms", prefix + "P90Ms", prefix + "P99Ms",
						prefix + "P999Ms", prefix + "MaxMs");
				assertThat(api.ratios()).containsKeys(prefix + "P50", prefix + "P99");
			}
		}
	}

	@Test
	void drawsTheLatencyPercentileCurves() throws Exception {
		assertThat(latencyChart).isNotNull();
		String svg = Files.readString(latencyChart, StandardCharsets.UTF_8);
		assertThat(svg).startsWith("<svg").contains("requests/s").contains(ApiLatencyBenchmark.DLQ_READ);
		// one curve per endpoint and the raw limit, at each rate
		int curves = ((Map<?, ?>) ((Map<?, ?>) result(ApiLatencyBenchmark.NAME).diagnostics().get("percentileCurves"))
			.get("100")).size();
		assertThat(svg.split("<polyline", -1)).hasSize(curves * ApiLatencyBenchmark.RATES.length + 1);
	}

	@Test
	void measuresHowLongEachLibraryTakesToRunADeadWorkersJobAgain() {
		// the hanging job ran on the other instance (awaited by the benchmark), once its rule let it: not at once
		Map<String, Number> figures = result(JobLibrariesBenchmark.NAME).figures();
		assertThat(figures.get("dbSchedulerTakeoverSeconds").doubleValue()).isGreaterThan(1.0);
		assertThat(figures.get("jobRunrTakeoverSeconds").doubleValue()).isGreaterThan(1.0);
		assertThat(figures.get("kitTakeoverSeconds").doubleValue()).isGreaterThan(1.0);
	}

	private static Result result(String name) {
		return results.stream().filter((r) -> r.name().equals(name)).findFirst().orElseThrow();
	}

}
