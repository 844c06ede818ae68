package org.patientplatform.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Draws the ratios of the latest full-size result of each benchmark in a results file as horizontal
 * bars, with the raw limit (ratio 1) marked: {@code ratios.svg} beside the results file. The latency
 * benchmarks ({@code api-latency}, {@code dlq-search}) are left out: their ratios (raw latency over the
 * platform's, per percentile) are many, and {@code latency.svg} shows their percentiles.
 */
final class RatioChart {

	private static final int WIDTH = 760;

	private static final int LABEL_WIDTH = 330;

	private static final int BAR_HEIGHT = 22;

	/** Benchmarks whose results are latencies, drawn by {@link LatencyChart} and tabled in the docs. */
	static final Set<String> LATENCY_BENCHMARKS = Set.of(ApiLatencyBenchmark.NAME, DlqSearchBenchmark.NAME);

	private RatioChart() {
	}

	/** Writes the chart beside {@code results}; returns its path, or null when there is nothing to draw. */
	static Path write(Path results) {
		List<Bar> bars = bars(results);
		Path chart = results.resolveSibling("ratios.svg");
		if (bars.isEmpty()) {
			return chart;
		}
		double max = Math.max(1.25, bars.stream().mapToDouble(Bar::ratio).max().orElse(1.0) * 1.1);
		int plotWidth = WIDTH - LABEL_WIDTH - 70;
		int height = 75 + bars.size() * (BAR_HEIGHT + 8) + 30;
		StringBuilder svg = new StringBuilder();
		svg.append(("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
				+ "font-family=\"sans-serif\" font-size=\"12\">\n")
			.formatted(WIDTH, height));
		svg.append("<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n");
		svg.append("<text x=\"10\" y=\"22\" font-size=\"15\" font-weight=\"bold\">"
				+ "Platform figure / raw limit, same run (1 = as fast as the raw limit)</text>\n");
		svg.append("<text x=\"10\" y=\"40\" fill=\"#555\">%s</text>\n".formatted(escape(subtitle(results))));
		int y = 60;
		for (Bar bar : bars) {
			int width = (int) Math.round(bar.ratio() / max * plotWidth);
			svg.append("<text x=\"%d\" y=\"%d\" text-anchor=\"end\">%s</text>\n".formatted(LABEL_WIDTH - 8,
					y + BAR_HEIGHT - 7, escape(bar.label())));
			svg.append("<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"%s\"/>\n".formatted(LABEL_WIDTH, y,
					Math.max(width, 1), BAR_HEIGHT, (bar.ratio() >= 0.5) ? "#4a7ab7" : "#d08a3c"));
			svg.append("<text x=\"%d\" y=\"%d\">%s</text>\n".formatted(LABEL_WIDTH + width + 5, y + BAR_HEIGHT - 7,
					String.format(Locale.ROOT, "%.3f", bar.ratio())));
			y += BAR_HEIGHT + 8;
		}
		int one = LABEL_WIDTH + (int) Math.round(1.0 / max * plotWidth);
		svg.append("<line x1=\"%d\" y1=\"53\" x2=\"%d\" y2=\"%d\" stroke=\"#333\" stroke-dasharray=\"4 3\"/>\n"
			.formatted(one, one, y));
		svg.append("<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">raw limit = 1</text>\n".formatted(one, y + 16));
		svg.append("</svg>\n");
		try {
			Files.writeString(chart, svg.toString(), StandardCharsets.UTF_8);
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		return chart;
	}

	private static List<Bar> bars(Path results) {
		if (!Files.isRegularFile(results)) {
			return List.of();
		}
		JsonMapper json = JsonMapper.builder().build();
		Map<String, JsonNode> latest = new LinkedHashMap<>();
		try {
			for (String line : Files.readAllLines(results, StandardCharsets.UTF_8)) {
				if (line.isBlank()) {
					continue;
				}
				JsonNode result = json.readTree(line);
				if (!result.path("smoke").asBoolean(false)
						&& !LATENCY_BENCHMARKS.contains(result.path("name").asString())) {
					latest.put(result.path("name").asString(), result);
				}
			}
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		List<Bar> bars = new ArrayList<>();
		for (JsonNode result : latest.values()) {
			for (Map.Entry<String, JsonNode> ratio : result.path("ratios").properties()) {
				bars.add(new Bar(result.path("name").asString() + " " + ratio.getKey(), ratio.getValue().asDouble()));
			}
		}
		return bars;
	}

	/** Where the bars come from: the latest full-size run of each benchmark, its date and commit. */
	private static String subtitle(Path results) {
		JsonMapper json = JsonMapper.builder().build();
		try {
			List<String> lines = Files.readAllLines(results, StandardCharsets.UTF_8);
			for (int i = lines.size() - 1; i >= 0; i--) {
				JsonNode result = json.readTree(lines.get(i));
				if (!result.path("smoke").asBoolean(false)) {
					String commit = result.path("commit").asString();
					return "latest full-size run of each benchmark; the last one " + result.path("date").asString()
							+ ", commit " + commit.substring(0, Math.min(8, commit.length()))
							+ (result.path("uncommittedChanges").asBoolean(false) ? " with uncommitted changes" : "");
				}
			}
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		return "";
	}

	private static String escape(String text) {
		return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
	}

	private record Bar(String label, double ratio) {
	}

}
