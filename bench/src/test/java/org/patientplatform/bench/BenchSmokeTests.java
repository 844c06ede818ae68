package org.patientplatform.bench;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

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

	@BeforeAll
	static void runAllBenchmarksAtSmokeSizes() throws Exception {
		Path file = folder.resolve("results.jsonl");
		List<String> arguments = new ArrayList<>(List.of("all"));
		arguments.addAll(Benchmarks.BY_NAME_ONLY);
		arguments.addAll(List.of("--smoke", "--results", file.toString()));
		results = Bench.run(Options.parse(arguments.toArray(String[]::new)));
		JsonMapper json = JsonMapper.builder().build();
		lines = Files.readAllLines(file, StandardCharsets.UTF_8).stream().map(json::readTree).toList();
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
		assertThat(result(DlqCaptureBenchmark.NAME).ratios()).containsOnlyKeys("toRawProduce", "toRawConsume",
				"toRawBatchedInsert");
		assertThat(result(JobQueueBenchmark.NAME).ratios()).containsOnlyKeys("toRawSkipLockedClaim",
				"toKitStatementsOverJdbc");
		assertThat(result(JobLibrariesBenchmark.NAME).ratios()).containsOnlyKeys("dbSchedulerToRawSkipLockedClaim",
				"jobRunrToRawSkipLockedClaim", "kitToRawSkipLockedClaim");
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
