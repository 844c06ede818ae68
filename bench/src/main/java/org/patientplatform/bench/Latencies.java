package org.patientplatform.bench;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import org.HdrHistogram.ConcurrentHistogram;
import org.HdrHistogram.Histogram;

/**
 * Latencies in HdrHistogram (microseconds, 3 significant digits, resized as needed), reported in
 * milliseconds: the percentiles of the tables and the percentile curves of {@code latency.svg}.
 */
final class Latencies {

	/** The points of a percentile curve; the last one is the maximum. */
	static final double[] CURVE = { 0, 50, 75, 90, 95, 97.5, 99, 99.5, 99.75, 99.9, 99.95, 99.99, 100 };

	private Latencies() {
	}

	/** A histogram that any thread may record into. */
	static Histogram histogram() {
		return new ConcurrentHistogram(3);
	}

	static void record(Histogram histogram, long nanos) {
		histogram.recordValue(Math.max(1, nanos / 1_000));
	}

	/** A percentile in milliseconds ({@code 100}: the maximum). */
	static double ms(Histogram histogram, double percentile) {
		long micros = (percentile >= 100) ? histogram.getMaxValue() : histogram.getValueAtPercentile(percentile);
		return micros / 1000.0;
	}

	/** p50, p90, p99, p99.9 and max in milliseconds, keyed {@code <prefix>P50Ms} and so on. */
	static Map<String, Double> summary(String prefix, Histogram histogram) {
		Map<String, Double> summary = new LinkedHashMap<>();
		summary.put(prefix + "P50Ms", ms(histogram, 50));
		summary.put(prefix + "P90Ms", ms(histogram, 90));
		summary.put(prefix + "P99Ms", ms(histogram, 99));
		summary.put(prefix + "P999Ms", ms(histogram, 99.9));
		summary.put(prefix + "MaxMs", ms(histogram, 100));
		return summary;
	}

	/** The percentile curve: {@code [percentile, milliseconds]} at each point of {@link #CURVE}. */
	static List<List<Double>> curve(Histogram histogram) {
		List<List<Double>> points = new ArrayList<>();
		for (double percentile : CURVE) {
			points.add(List.of(percentile, Math.round(ms(histogram, percentile) * 1000) / 1000.0));
		}
		return points;
	}

	/** "p50 1.2 / p99 3.4 / max 9.9 ms" for a summary line. */
	static String brief(Histogram histogram) {
		return String.format(Locale.ROOT, "p50 %.2f / p99 %.2f / p99.9 %.2f ms", ms(histogram, 50), ms(histogram, 99),
				ms(histogram, 99.9));
	}

}
