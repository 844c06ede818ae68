package org.patientplatform.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.jspecify.annotations.Nullable;

/**
 * The command line: {@code <benchmark>|all [--smoke] [--count N] [--results FILE]}.
 *
 * @param benchmarks the benchmarks to run, in order
 * @param smoke tiny sizes, to prove the benchmarks work (the test suite's mode)
 * @param count the main count of each benchmark instead of its default, or null
 * @param results the JSON lines file results are appended to
 */
record Options(List<String> benchmarks, boolean smoke, @Nullable Long count, Path results) {

	static final String USAGE = """
			usage: Bench <benchmark>|all [--smoke] [--count N] [--results FILE]
			  benchmarks: %s (all), %s (by name only); pending: %s
			  --smoke     tiny sizes (seconds), to check that everything runs; figures are meaningless
			  --count N   the main count of each benchmark instead of its default
			  --results   the JSON lines file to append to (default bench/results/results.jsonl)"""
		.formatted(String.join(", ", Benchmarks.NAMES), String.join(", ", Benchmarks.BY_NAME_ONLY),
				String.join(", ", Benchmarks.PENDING.keySet()));

	static Options parse(String... args) {
		List<String> benchmarks = new ArrayList<>();
		boolean smoke = false;
		Long count = null;
		Path results = defaultResults();
		for (int i = 0; i < args.length; i++) {
			String arg = args[i];
			switch (arg) {
				case "--smoke" -> smoke = true;
				case "--count" -> count = positive(value(args, ++i, arg));
				case "--results" -> results = Path.of(value(args, ++i, arg));
				case "all" -> benchmarks.addAll(Benchmarks.NAMES);
				default -> {
					if (Benchmarks.PENDING.containsKey(arg)) {
						throw new IllegalArgumentException("'" + arg + "' is not measured yet: " + Benchmarks.PENDING.get(arg));
					}
					if (!Benchmarks.exists(arg)) {
						throw new IllegalArgumentException("Unknown benchmark or option '" + arg + "'\n" + USAGE);
					}
					benchmarks.add(arg);
				}
			}
		}
		if (benchmarks.isEmpty()) {
			throw new IllegalArgumentException("Name a benchmark or 'all'\n" + USAGE);
		}
		return new Options(List.copyOf(benchmarks.stream().distinct().toList()), smoke, count, results);
	}

	/** {@code bench/results/results.jsonl} from the repository root or from the module folder. */
	static Path defaultResults() {
		Path module = Files.isRegularFile(Path.of("bench", "pom.xml")) ? Path.of("bench") : Path.of("");
		return module.resolve("results").resolve("results.jsonl");
	}

	/** The count to run: --count when given, else the smoke or full default. */
	long size(long full, long smokeSize) {
		if (this.count != null) {
			return this.count;
		}
		return this.smoke ? smokeSize : full;
	}

	/**
	 * How many rounds a benchmark splits its count into, alternating its raw and platform measurements
	 * within each: the machine is shared, so alternating often puts both under the same noise.
	 */
	int rounds(int full) {
		return this.smoke ? 1 : full;
	}

	private static String value(String[] args, int index, String option) {
		if (index >= args.length) {
			throw new IllegalArgumentException(option + " needs a value\n" + USAGE);
		}
		return args[index];
	}

	private static long positive(String text) {
		try {
			long value = Long.parseLong(text.replace("_", "").replace(",", ""));
			if (value > 0) {
				return value;
			}
		}
		catch (NumberFormatException ex) {
			// reported below
		}
		throw new IllegalArgumentException("--count needs a positive number, not '" + text + "'");
	}

}
