package org.patientplatform.bench;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * What one benchmark measured: its own figures, the raw limits measured in the same run, and the ratios
 * of the former to the latter.
 *
 * @param name the benchmark
 * @param parameters what was run (counts, sizes, threads, settings)
 * @param figures the platform's figures (for a raw benchmark, the raw figures themselves)
 * @param raw the raw limits measured in the same run
 * @param ratios figure divided by raw limit
 * @param diagnostics what explains the ratios (CPU per unit of work, bytes written, statements)
 * @param summary a one-line human summary
 * @param duration how long the whole benchmark took, setup included
 */
record Result(String name, Map<String, Object> parameters, Map<String, Number> figures, Map<String, Number> raw,
		Map<String, Number> ratios, Map<String, Object> diagnostics, String summary, Duration duration) {

	/** This result with the time its benchmark took, setup included. */
	Result took(Duration duration) {
		return new Result(this.name, this.parameters, this.figures, this.raw, this.ratios, this.diagnostics,
				this.summary, duration);
	}

	static Builder of(String name) {
		return new Builder(name);
	}

	static double ratio(double figure, double limit) {
		return (limit > 0) ? Math.round(figure / limit * 1000.0) / 1000.0 : 0.0;
	}

	static double round(double value) {
		return (Math.abs(value) >= 100) ? Math.round(value) : Math.round(value * 100.0) / 100.0;
	}

	/** Formats a rate for the summary line, e.g. {@code 12,345/s}. */
	static String rate(double perSecond) {
		return String.format(Locale.ROOT, "%,.0f/s", perSecond);
	}

	static final class Builder {

		private final String name;

		private final Map<String, Object> parameters = new LinkedHashMap<>();

		private final Map<String, Number> figures = new LinkedHashMap<>();

		private final Map<String, Number> raw = new LinkedHashMap<>();

		private final Map<String, Number> ratios = new LinkedHashMap<>();

		private final Map<String, Object> diagnostics = new LinkedHashMap<>();

		private Builder(String name) {
			this.name = name;
		}

		Builder parameter(String key, Object value) {
			this.parameters.put(key, value);
			return this;
		}

		Builder figure(String key, double value) {
			this.figures.put(key, round(value));
			return this;
		}

		Builder raw(String key, double value) {
			this.raw.put(key, round(value));
			return this;
		}

		Builder ratio(String key, double figure, double limit) {
			this.ratios.put(key, Result.ratio(figure, limit));
			return this;
		}

		/** Adds what explains the figures, under a name such as {@code kitWorkers}. */
		Builder diagnostic(String key, Object value) {
			this.diagnostics.put(key, value);
			return this;
		}

		Result build(String summary) {
			return new Result(this.name, this.parameters, this.figures, this.raw, this.ratios, this.diagnostics, summary,
					Duration.ZERO);
		}

	}

}
