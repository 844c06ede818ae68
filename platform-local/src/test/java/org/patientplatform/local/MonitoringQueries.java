package org.patientplatform.local;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The series a service's alert rules ({@code deploy/monitoring/rules/<module>.yaml}) and dashboard
 * ({@code deploy/monitoring/dashboards/<module>.json}) read, from their PromQL: each selector's metric name, its
 * label matchers, and the labels its expression groups or joins by. Enough PromQL for these files (every
 * selector has braces), not a parser of the language.
 */
final class MonitoringQueries {

	private static final Pattern SELECTOR = Pattern.compile("([a-zA-Z_:][a-zA-Z0-9_:]*)\\s*\\{([^}]*)}");

	private static final Pattern MATCHER = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)\\s*(=~|!~|!=|=)\\s*\"([^\"]*)\"");

	private static final Pattern GROUPING = Pattern.compile("\\b(?:by|on|without|ignoring)\\s*\\(([^)]*)\\)");

	/**
	 * @param where the rule's alert name or the panel's title
	 * @param metric the metric's name as Prometheus spells it
	 * @param matchers label, operator and value
	 * @param grouping the labels of the expression's {@code by (…)} and {@code on (…)} clauses
	 */
	record Selector(String where, String metric, List<LabelMatcher> matchers, Set<String> grouping) {
	}

	record LabelMatcher(String label, String operator, String value) {
	}

	private MonitoringQueries() {
	}

	static List<Selector> of(Path deploy, String module) throws IOException {
		List<Selector> selectors = new ArrayList<>();
		try (Reader reader = Files.newBufferedReader(deploy.resolve("monitoring/rules/" + module + ".yaml"))) {
			Map<String, Object> rule = new Yaml(new SafeConstructor(new LoaderOptions())).load(reader);
			for (Object group : list(map(rule.get("spec")).get("groups"))) {
				for (Object item : list(map(group).get("rules"))) {
					Map<String, Object> entry = map(item);
					add(selectors, "alert " + entry.get("alert"), String.valueOf(entry.get("expr")));
				}
			}
		}
		JsonNode dashboard = JsonMapper.builder().build()
			.readTree(deploy.resolve("monitoring/dashboards/" + module + ".json").toFile());
		panels(selectors, dashboard.path("panels"));
		return selectors;
	}

	/** A dashboard's panels and, in its rows, theirs. */
	private static void panels(List<Selector> selectors, JsonNode panels) {
		for (JsonNode panel : panels) {
			for (JsonNode target : panel.path("targets")) {
				if (target.has("expr")) {
					add(selectors, "panel \"" + panel.path("title").asString() + "\"", target.get("expr").asString());
				}
			}
			panels(selectors, panel.path("panels"));
		}
	}

	private static void add(List<Selector> selectors, String where, String expr) {
		Set<String> grouping = new LinkedHashSet<>();
		Matcher groups = GROUPING.matcher(expr);
		while (groups.find()) {
			for (String label : groups.group(1).split(",")) {
				if (!label.isBlank()) {
					grouping.add(label.strip());
				}
			}
		}
		Matcher selector = SELECTOR.matcher(expr);
		while (selector.find()) {
			List<LabelMatcher> matchers = new ArrayList<>();
			Matcher matcher = MATCHER.matcher(selector.group(2));
			while (matcher.find()) {
				matchers.add(new LabelMatcher(matcher.group(1), matcher.group(2), matcher.group(3)));
			}
			selectors.add(new Selector(where, selector.group(1), matchers, grouping));
		}
	}

	/** The series of a Prometheus text exposition, by metric name: each series' labels. */
	static Map<String, List<Map<String, String>>> series(String exposition) {
		Pattern line = Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\\{(.*)})?\\s+\\S+.*$");
		Pattern label = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"((?:[^\"\\\\]|\\\\.)*)\"");
		Map<String, List<Map<String, String>>> series = new HashMap<>();
		for (String text : exposition.split("\n")) {
			if (text.startsWith("#") || text.isBlank()) {
				continue;
			}
			Matcher matcher = line.matcher(text);
			if (!matcher.matches()) {
				continue;
			}
			Map<String, String> labels = new HashMap<>();
			if (matcher.group(2) != null) {
				Matcher labelMatcher = label.matcher(matcher.group(2));
				while (labelMatcher.find()) {
					labels.put(labelMatcher.group(1), labelMatcher.group(2));
				}
			}
			series.computeIfAbsent(matcher.group(1), (name) -> new ArrayList<>()).add(labels);
		}
		return series;
	}

	@SuppressWarnings("unchecked")
	private static Map<String, Object> map(Object value) {
		return (Map<String, Object>) value;
	}

	@SuppressWarnings("unchecked")
	private static List<Object> list(Object value) {
		return (List<Object>) value;
	}

}
