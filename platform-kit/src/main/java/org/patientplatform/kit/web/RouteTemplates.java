package org.patientplatform.kit.web;

import java.util.regex.Pattern;

import io.micrometer.common.KeyValue;

import org.springframework.http.server.observation.DefaultServerRequestObservationConvention;
import org.springframework.http.server.observation.ServerRequestObservationContext;

/**
 * {@code http.server.requests} (and its trace spans) named by each route's template without the patterns of its
 * path variables: {@code /api/v1/dlq/reports/{day}}, not {@code /api/v1/dlq/reports/{day:[^.]*}}. A pattern is
 * how the route is matched, not what it is; in a metric label it made a dashboard's query name a regex, and a route
 * whose pattern changed became another series. Otherwise Spring's own names and labels.
 */
public class RouteTemplates extends DefaultServerRequestObservationConvention {

	/** A path variable with a pattern, {@code {name:regex}}; the regex may hold one level of braces ({@code \d{4}}). */
	private static final Pattern VARIABLE_PATTERN = Pattern.compile("\\{(\\*?\\w+):(?:[^{}]|\\{[^{}]*\\})*\\}");

	@Override
	protected KeyValue uri(ServerRequestObservationContext context) {
		KeyValue uri = super.uri(context);
		return KeyValue.of(uri.getKey(), withoutPatterns(uri.getValue()));
	}

	@Override
	public String getContextualName(ServerRequestObservationContext context) {
		return withoutPatterns(super.getContextualName(context));
	}

	/** The template with each path variable's pattern left out: {@code {day:[^.]*}} is {@code {day}}. */
	static String withoutPatterns(String template) {
		return (template.indexOf(':') < 0) ? template : VARIABLE_PATTERN.matcher(template).replaceAll("{$1}");
	}

}
