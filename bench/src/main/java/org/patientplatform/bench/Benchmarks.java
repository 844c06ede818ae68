package org.patientplatform.bench;

import java.util.List;

/** The benchmarks by name, in the order {@code all} runs them, and those run only by name. */
final class Benchmarks {

	static final List<String> NAMES = List.of(RawKafkaBenchmark.NAME, RawPostgresBenchmark.NAME,
			DlqCaptureBenchmark.NAME, JobQueueBenchmark.NAME);

	/**
	 * Not in {@code all}: over a minute at full size (the dead-worker cases wait for the libraries'
	 * timeouts, JobRunr's at least 20 s).
	 */
	static final List<String> BY_NAME_ONLY = List.of(JobLibrariesBenchmark.NAME);

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
			case JobLibrariesBenchmark.NAME -> new JobLibrariesBenchmark();
			default -> throw new IllegalArgumentException("No benchmark " + name);
		};
	}

}
