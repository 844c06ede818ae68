package org.patientplatform.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Draws the latency percentile curves of the latest {@code api-latency} result in a results file
 * ({@code latency.svg} beside it): one panel per request rate, one curve per endpoint and the raw limit
 * (the trivial endpoint) dashed. The x axis counts nines (50%, 90%, 99%, 99.9%, 99.99%, then the
 * maximum), the y axis is logarithmic milliseconds, shared by the panels. The points are the
 * HdrHistogram percentiles the benchmark stored in its JSON line.
 */
final class LatencyChart {

	static final String FILE = "latency.svg";

	private static final int PANEL_WIDTH = 430;

	private static final int PANEL_HEIGHT = 300;

	private static final int LEFT = 60;

	private static final int TOP = 90;

	private static final double MAX_X = 4.6;

	private static final Map<String, String> COLOURS = Map.of(ApiLatencyBenchmark.LIVENESS, "#777777",
			ApiLatencyBenchmark.DLQ_READ, "#4a7ab7", ApiLatencyBenchmark.DLQ_SEARCH, "#d08a3c",
			ApiLatencyBenchmark.NOTIFICATION_READ, "#4f9a55", ApiLatencyBenchmark.NOTIFICATION_POST, "#8a5bb0");

	private LatencyChart() {
	}

	/**
	 * Writes the chart beside {@code results} from its latest {@code api-latency} line (a full-size one
	 * unless {@code includeSmoke}); returns its path, or null when there is no such line.
	 */
	static @Nullable Path write(Path results, boolean includeSmoke) {
		JsonNode line = latest(results, includeSmoke);
		if (line == null) {
			return null;
		}
		JsonNode curves = line.path("diagnostics").path("percentileCurves");
		List<String> rates = new ArrayList<>();
		curves.properties().forEach((rate) -> rates.add(rate.getKey()));
		double low = Double.MAX_VALUE;
		double high = 0;
		for (String rate : rates) {
			for (Map.Entry<String, JsonNode> series : curves.path(rate).properties()) {
				for (JsonNode point : series.getValue()) {
					low = Math.min(low, Math.max(point.get(1).asDouble(), 0.01));
					high = Math.max(high, point.get(1).asDouble());
				}
			}
		}
		double yLow = Math.floor(Math.log10(Math.max(low, 0.01)));
		double yHigh = Math.ceil(Math.log10(Math.max(high, 0.1)));
		if (yHigh <= yLow) {
			yHigh = yLow + 1;
		}
		int width = LEFT + rates.size() * (PANEL_WIDTH + LEFT) + 20;
		int height = TOP + PANEL_HEIGHT + 70;
		StringBuilder svg = new StringBuilder();
		svg.append(("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" font-family=\"sans-serif\" "
				+ "font-size=\"12\">\n").formatted(width, height));
		svg.append("<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n");
		svg.append("<text x=\"10\" y=\"22\" font-size=\"15\" font-weight=\"bold\">API latency by percentile at fixed "
				+ "request rates (open loop, corrected for coordinated omission)</text>\n");
		svg.append("<text x=\"10\" y=\"40\" fill=\"#555\">%s</text>\n".formatted(escape(subtitle(line))));
		legend(svg, curves, rates);
		for (int panel = 0; panel < rates.size(); panel++) {
			panel(svg, rates.get(panel), curves.path(rates.get(panel)), LEFT + panel * (PANEL_WIDTH + LEFT), yLow, yHigh);
		}
		svg.append("</svg>\n");
		Path chart = results.resolveSibling(FILE);
		try {
			Files.writeString(chart, svg.toString(), StandardCharsets.UTF_8);
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		return chart;
	}

	private static void legend(StringBuilder svg, JsonNode curves, List<String> rates) {
		List<String> names = new ArrayList<>();
		for (String rate : rates) {
			curves.path(rate).properties().forEach((series) -> {
				if (!names.contains(series.getKey())) {
					names.add(series.getKey());
				}
			});
		}
		int x = 10;
		for (String name : names) {
			svg.append("<line x1=\"%d\" y1=\"58\" x2=\"%d\" y2=\"58\" stroke=\"%s\" stroke-width=\"2.5\"%s/>\n".formatted(x,
					x + 24, colour(name), dash(name)));
			String label = name.equals(ApiLatencyBenchmark.LIVENESS) ? "raw limit: liveness (trivial endpoint)" : name;
			svg.append("<text x=\"%d\" y=\"62\">%s</text>\n".formatted(x + 30, escape(label)));
			x += 40 + label.length() * 7;
		}
	}

	private static void panel(StringBuilder svg, String rate, JsonNode series, int left, double yLow, double yHigh) {
		int top = TOP;
		int bottom = top + PANEL_HEIGHT;
		int right = left + PANEL_WIDTH;
		svg.append("<text x=\"%d\" y=\"%d\" font-weight=\"bold\">%s requests/s</text>\n".formatted(left, top - 10,
				escape(rate)));
		svg.append("<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"none\" stroke=\"#999\"/>\n".formatted(left,
				top, PANEL_WIDTH, PANEL_HEIGHT));
		// x: nines
		String[] labels = { "0%", "90%", "99%", "99.9%", "99.99%" };
		for (int nines = 0; nines < labels.length; nines++) {
			int x = left + (int) Math.round(nines / MAX_X * PANEL_WIDTH);
			svg.append("<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#e3e3e3\"/>\n".formatted(x, top, x, bottom));
			svg.append("<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">%s</text>\n".formatted(x, bottom + 16, labels[nines]));
		}
		svg.append("<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">max</text>\n".formatted(right, bottom + 16));
		svg.append("<text x=\"%d\" y=\"%d\" text-anchor=\"middle\" fill=\"#555\">percentile</text>\n"
			.formatted(left + PANEL_WIDTH / 2, bottom + 34));
		// y: log milliseconds
		for (double decade = yLow; decade <= yHigh + 1e-9; decade++) {
			for (int step : new int[] { 1, 2, 5 }) {
				double value = step * Math.pow(10, decade);
				double position = Math.log10(value);
				if (position > yHigh + 1e-9) {
					continue;
				}
				int y = y(position, yLow, yHigh, top);
				svg.append("<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"%s\"/>\n".formatted(left, y, right, y,
						(step == 1) ? "#d0d0d0" : "#f0f0f0"));
				svg.append("<text x=\"%d\" y=\"%d\" text-anchor=\"end\" font-size=\"11\">%s</text>\n".formatted(left - 4,
						y + 4, number(value)));
			}
		}
		svg.append("<text x=\"%d\" y=\"%d\" fill=\"#555\" transform=\"rotate(-90 %d %d)\" text-anchor=\"middle\">ms</text>\n"
			.formatted(left - 42, top + PANEL_HEIGHT / 2, left - 42, top + PANEL_HEIGHT / 2));
		for (Map.Entry<String, JsonNode> curve : series.properties()) {
			StringBuilder points = new StringBuilder();
			for (JsonNode point : curve.getValue()) {
				double percentile = point.get(0).asDouble();
				double ms = Math.max(point.get(1).asDouble(), Math.pow(10, yLow));
				double nines = (percentile >= 100) ? MAX_X : -Math.log10(1 - percentile / 100);
				int x = left + (int) Math.round(Math.min(nines, MAX_X) / MAX_X * PANEL_WIDTH);
				points.append(x).append(',').append(y(Math.log10(ms), yLow, yHigh, top)).append(' ');
			}
			svg.append("<polyline points=\"%s\" fill=\"none\" stroke=\"%s\" stroke-width=\"2\"%s/>\n"
				.formatted(points.toString().trim(), colour(curve.getKey()), dash(curve.getKey())));
		}
	}

	private static int y(double log, double yLow, double yHigh, int top) {
		return top + PANEL_HEIGHT - (int) Math.round((log - yLow) / (yHigh - yLow) * PANEL_HEIGHT);
	}

	private static String number(double value) {
		return (value >= 1) ? String.format(Locale.ROOT, "%.0f", value)
				: String.format(Locale.ROOT, "%s", Double.toString(Math.round(value * 1000) / 1000.0));
	}

	private static String colour(String series) {
		return COLOURS.getOrDefault(series, "#333333");
	}

	private static String dash(String series) {
		return series.equals(ApiLatencyBenchmark.LIVENESS) ? " stroke-dasharray=\"5 4\"" : "";
	}

	private static @Nullable JsonNode latest(Path results, boolean includeSmoke) {
		if (!Files.isRegularFile(results)) {
			return null;
		}
		JsonMapper json = JsonMapper.builder().build();
		JsonNode latest = null;
		try {
			for (String text : Files.readAllLines(results, StandardCharsets.UTF_8)) {
				if (text.isBlank()) {
					continue;
				}
				JsonNode line = json.readTree(text);
				if (ApiLatencyBenchmark.NAME.equals(line.path("name").asString())
						&& (includeSmoke || !line.path("smoke").asBoolean(false))
						&& line.path("diagnostics").path("percentileCurves").size() > 0) {
					latest = line;
				}
			}
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		return latest;
	}

	private static String subtitle(JsonNode line) {
		String commit = line.path("commit").asString();
		return "api-latency " + line.path("date").asString() + ", commit "
				+ commit.substring(0, Math.min(8, commit.length()))
				+ (line.path("uncommittedChanges").asBoolean(false) ? " with uncommitted changes" : "")
				+ (line.path("smoke").asBoolean(false) ? " (smoke sizes: meaningless)" : "") + "; "
				+ line.path("machine").path("cores").asInt() + " cores, requests per rate: "
				+ line.path("parameters").path("requestsAtTopRate").asLong() + " at the top rate";
	}

	private static String escape(String text) {
		return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
	}

}
