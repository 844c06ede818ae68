package org.patientplatform.bench;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Runs the benchmarks: {@code raw-kafka}, {@code raw-postgres}, {@code dlq-capture}, {@code job-queue},
 * {@code dlq-redrive}, {@code failure-path}, {@code dlq-search}, {@code api-latency}, {@code notification-e2e}, or
 * {@code all}, and
 * {@code job-libraries} by name, with {@code --smoke} (tiny sizes), {@code --count N} and {@code --results FILE}. Each
 * benchmark measures the raw limit it compares with in the same run, on the same broker and PostgreSQL,
 * prints a one-line summary and appends one JSON line to the results file (default
 * {@code bench/results/results.jsonl}). See {@code docs/benchmarks.md}.
 */
public final class Bench {

	private Bench() {
	}

	public static void main(String[] args) {
		Options options;
		try {
			options = Options.parse(args);
		}
		catch (IllegalArgumentException ex) {
			System.err.println(ex.getMessage());
			System.exit(2);
			return;
		}
		int status = 0;
		try {
			run(options);
		}
		catch (Exception ex) {
			ex.printStackTrace();
			status = 1;
		}
		// the broker's and the services' threads would keep the JVM alive
		System.exit(status);
	}

	/** Runs the benchmarks of the options in order; returns their results, already appended to the log. */
	static List<Result> run(Options options) throws Exception {
		try (Infrastructure infrastructure = new Infrastructure()) {
			return run(options, infrastructure);
		}
	}

	/**
	 * Runs the benchmarks of the options in order on the given infrastructure; returns their results,
	 * already appended to the log.
	 */
	static List<Result> run(Options options, Infrastructure infrastructure) throws Exception {
		List<Result> results = new ArrayList<>();
		ResultLog log = new ResultLog(options.results(), infrastructure.describe());
		for (String name : options.benchmarks()) {
			Benchmark benchmark = Benchmarks.named(name);
			System.out.println("[bench] running " + name + (options.smoke() ? " (smoke sizes)" : "") + " ...");
			double load = ResultLog.loadAverage();
			long started = System.nanoTime();
			Result result = benchmark.run(infrastructure, options).took(Duration.ofNanos(System.nanoTime() - started));
			log.append(result, options.smoke(), load);
			results.add(result);
			System.out.println("[bench] " + result.summary() + " (" + result.duration().toSeconds() + " s)");
		}
		System.out.println("[bench] results appended to " + log.file().toAbsolutePath().normalize());
		if (!options.smoke()) {
			System.out.println("[bench] chart of the latest ratios: "
					+ RatioChart.write(log.file()).toAbsolutePath().normalize());
			if (options.benchmarks().contains(ApiLatencyBenchmark.NAME)) {
				Path latency = LatencyChart.write(log.file(), false);
				if (latency != null) {
					System.out.println("[bench] chart of the latency percentiles: " + latency.toAbsolutePath().normalize());
				}
			}
		}
		return results;
	}

}
