package org.patientplatform.bench;

import java.util.List;

/** The benchmarks by name, in the order {@code all} runs them. */
final class Benchmarks {

	static final List<String> NAMES = List.of(RawKafkaBenchmark.NAME, RawPostgresBenchmark.NAME,
			DlqCaptureBenchmark.NAME, JobQueueBenchmark.NAME);

	private Benchmarks() {
	}

	static Benchmark named(String name) {
		return switch (name) {
			case RawKafkaBenchmark.NAME -> new RawKafkaBenchmark();
			case RawPostgresBenchmark.NAME -> new RawPostgresBenchmark();
			case DlqCaptureBenchmark.NAME -> new DlqCaptureBenchmark();
			case JobQueueBenchmark.NAME -> new JobQueueBenchmark();
			default -> throw new IllegalArgumentException("No benchmark " + name);
		};
	}

}
