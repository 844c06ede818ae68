package org.patientplatform.kit.security;

import java.util.ArrayList;
import java.util.List;

import org.springframework.http.HttpMethod;
import org.springframework.security.web.servlet.util.matcher.PathPatternRequestMatcher;
import org.springframework.security.web.util.matcher.RequestMatcher;

/**
 * Requests of a service's API served without a token, beside the platform's own public endpoints (health,
 * Prometheus, info, the OpenAPI document): a bean of this type adds its matchers to the chain that permits every
 * request it matches and reads no token. Meant for what a client must read before it holds a token, such as a FHIR
 * server's capability statement; a service without such a bean keeps every {@code /api/**} request behind a token.
 * Match a method and a whole path, never a prefix of an API: whatever a matcher takes is open to anyone.
 */
@FunctionalInterface
public interface PublicRequests {

	/**
	 * The requests served without a token.
	 * @return the matchers, none of them null
	 */
	List<RequestMatcher> matchers();

	/**
	 * GET and HEAD (which Spring MVC answers as a GET without its body) of exactly these paths, whatever their query;
	 * every other method, and every other path, still needs a token.
	 * @param paths whole paths, such as {@code /api/fhir/r4/metadata} (path patterns, so use no wildcard unless
	 * everything it matches is public)
	 * @return the requests
	 */
	static PublicRequests reads(String... paths) {
		List<RequestMatcher> matchers = new ArrayList<>();
		for (String path : paths) {
			matchers.add(PathPatternRequestMatcher.withDefaults().matcher(HttpMethod.GET, path));
			matchers.add(PathPatternRequestMatcher.withDefaults().matcher(HttpMethod.HEAD, path));
		}
		List<RequestMatcher> fixed = List.copyOf(matchers);
		return () -> fixed;
	}

}
