package org.patientplatform.bench;

import java.util.List;
import java.util.Map;

/** The benchmarks by name, in the order {@code all} runs them, those run only by name, and those pending. */
final class Benchmarks {

	static final List<String> NAMES = List.of(RawKafkaBenchmark.NAME, RawPostgresBenchmark.NAME,
			DlqCaptureBenchmark.NAME, JobQueueBenchmark.NAME, DlqRedriveBenchmark.NAME, FailurePathBenchmark.NAME,
			DlqSearchBenchmark.NAME, ApiLatencyBenchmark.NAME, NotificationE2eBenchmark.NAME);

	/**
	 * Not in {@code all}: over a minute at full size (the dead-worker cases wait for the libraries'
	 * timeouts, JobRunr's at least 20 s).
	 */
	static final List<String> BY_NAME_ONLY = List.of(JobLibrariesBenchmark.NAME);

	/**
	 * Benchmarks of issue 7 whose platform path does not exist yet: named here so the command says so.
	 * To add one: a {@link Benchmark} that measures its raw limit in the same run (the open-loop load and
	 * percentile curves of {@link OpenLoop}, {@link Latencies} and {@link LatencyChart} are there for
	 * latency at fixed offered rates), its name in {@link #NAMES} and in {@link #named}, and a row in
	 * {@code docs/benchmarks.md}; {@code BenchSmokeTests} then runs it at smoke size.
	 */
	static final Map<String, String> PENDING = Map.of();

	static boolean exists(String name) {
		return NAMES.contains(name) || BY_NAME_ONLY.contains(name);
	}

	private Benchmarks() {
	}

	static Benchmark named(String name) {
		return switch (name) {
			case RawKafkaBenchmark.NAME -> new RawKafkaBenchmark();
			case RawPostgresBenchmark.NAME -> new RawPostgresBenchmark();
			case DlqCaptureBenchmark.NAME -> new DlqCaptureBenchmark();
			case JobQueueBenchmark.NAME -> new JobQueueBenchmark();
			case DlqRedriveBenchmark.NAME -> new DlqRedriveBenchmark();
			case FailurePathBenchmark.NAME -> new FailurePathBenchmark();
			case DlqSearchBenchmark.NAME -> new DlqSearchBenchmark();
			case ApiLatencyBenchmark.NAME -> new ApiLatencyBenchmark();
			case NotificationE2eBenchmark.NAME -> new NotificationE2eBenchmark();
			case JobLibrariesBenchmark.NAME -> new JobLibrariesBenchmark();
			default -> throw new IllegalArgumentException("No benchmark " + name);
		};
	}

}
