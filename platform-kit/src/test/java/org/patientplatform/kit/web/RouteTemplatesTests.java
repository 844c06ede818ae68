package org.patientplatform.kit.web;

import org.junit.jupiter.api.Test;

import org.springframework.http.server.observation.ServerRequestObservationContext;
import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.mock.web.MockHttpServletResponse;

import static org.assertj.core.api.Assertions.assertThat;

class RouteTemplatesTests {

	private final RouteTemplates convention = new RouteTemplates();

	@Test
	void labelsARouteByItsTemplateWithoutItsPathVariablesPatterns() {
		ServerRequestObservationContext context = context("/api/v1/dlq/reports/{day:[^.]*}");

		// it was the route's pattern, regex and all: a dashboard's query had to name the regex
		assertThat(this.convention.getLowCardinalityKeyValues(context).stream()
			.filter((keyValue) -> keyValue.getKey().equals("uri"))
			.map((keyValue) -> keyValue.getValue())).containsExactly("/api/v1/dlq/reports/{day}");
		assertThat(this.convention.getContextualName(context)).isEqualTo("http get /api/v1/dlq/reports/{day}");
		// Spring's other labels as before
		assertThat(this.convention.getLowCardinalityKeyValues(context).stream().map((keyValue) -> keyValue.getKey()))
			.contains("method", "status", "outcome", "exception");
	}

	@Test
	void leavesEveryOtherPartOfATemplateAsItIs() {
		assertThat(RouteTemplates.withoutPatterns("/api/v1/sites/{siteId}/slots")).isEqualTo("/api/v1/sites/{siteId}/slots");
		assertThat(RouteTemplates.withoutPatterns("/a/{year:\\d{4}}-{month:\\d{2}}/{*rest}"))
			.isEqualTo("/a/{year}-{month}/{*rest}");
		assertThat(RouteTemplates.withoutPatterns("/b/{id:[0-9a-f]+}.csv")).isEqualTo("/b/{id}.csv");
		assertThat(RouteTemplates.withoutPatterns("/c/x:y")).isEqualTo("/c/x:y");
	}

	private static ServerRequestObservationContext context(String pattern) {
		MockHttpServletRequest request = new MockHttpServletRequest("GET", "/api/v1/dlq/reports/2026-12-07");
		MockHttpServletResponse response = new MockHttpServletResponse();
		response.setStatus(200);
		ServerRequestObservationContext context = new ServerRequestObservationContext(request, response);
		context.setPathPattern(pattern);
		return context;
	}

}
