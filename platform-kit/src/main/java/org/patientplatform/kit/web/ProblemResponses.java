package org.patientplatform.kit.web;

import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;

import jakarta.servlet.RequestDispatcher;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;

/**
 * Writes RFC 9457 problem+json bodies outside Spring MVC (security filters answer before any
 * controller runs; the container's own error answers, {@link ProblemErrorReportValve}).
 */
public class ProblemResponses {

	private final JsonMapper jsonMapper;

	public ProblemResponses(JsonMapper jsonMapper) {
		this.jsonMapper = jsonMapper;
	}

	public void write(HttpServletResponse response, HttpStatusCode status, String detail) throws IOException {
		write(response, ProblemDetail.forStatusAndDetail(status, detail));
	}

	/** Writes the problem with the request's path as its {@code instance}, as Spring MVC's problems have it. */
	public void write(HttpServletRequest request, HttpServletResponse response, HttpStatusCode status, String detail)
			throws IOException {
		write(request, response, ProblemDetail.forStatusAndDetail(status, detail));
	}

	/** Writes the problem with its status and the request's path as its {@code instance}. */
	public void write(HttpServletRequest request, HttpServletResponse response, ProblemDetail problem)
			throws IOException {
		Object forwarded = request.getAttribute(RequestDispatcher.ERROR_REQUEST_URI);
		problem.setInstance(instance((forwarded instanceof String path) ? path : request.getRequestURI()));
		write(response, problem);
	}

	/** The path as a URI reference, or none when it is not one (a path the firewall refused, for one). */
	static @Nullable URI instance(@Nullable String path) {
		if (path == null || path.isEmpty()) {
			return null;
		}
		try {
			return new URI(path);
		}
		catch (URISyntaxException ex) {
			return null;
		}
	}

	/** Writes the problem with its status. */
	public void write(HttpServletResponse response, ProblemDetail problem) throws IOException {
		response.setStatus(problem.getStatus());
		response.setContentType(MediaType.APPLICATION_PROBLEM_JSON_VALUE);
		if (problem.getStatus() == HttpStatus.UNAUTHORIZED.value()) {
			response.setHeader("WWW-Authenticate", "Bearer");
		}
		this.jsonMapper.writeValue(response.getOutputStream(), problem);
	}

}
