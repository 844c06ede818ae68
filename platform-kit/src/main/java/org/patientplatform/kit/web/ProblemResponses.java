package org.patientplatform.kit.web;

import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.List;

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

	private final List<PathFormat> formats;

	public ProblemResponses(JsonMapper jsonMapper) {
		this(jsonMapper, List.of());
	}

	public ProblemResponses(JsonMapper jsonMapper, List<PathFormat> formats) {
		this.jsonMapper = jsonMapper;
		this.formats = List.copyOf(formats);
	}

	/**
	 * A service's own error format for the requests under a path prefix, for the errors answered outside its
	 * controllers (the firewall, the container's error page and error valve, the kit's filters): a FHIR base's
	 * OperationOutcomes, say, where a FHIR client reads no problem+json. A bean of this type is picked up.
	 */
	public interface PathFormat {

		/** The path prefix, from the context path on ({@code /api/fhir/}), whose errors this writes. */
		String pathPrefix();

		/** Whether this writes the problem; false leaves it problem+json (a 401 of the security layer, say). */
		default boolean writes(ProblemDetail problem) {
			return true;
		}

		/** Writes the problem's status and a body of its own; it must not read the request's parameters. */
		void write(HttpServletRequest request, HttpServletResponse response, ProblemDetail problem) throws IOException;

		/**
		 * How the OpenAPI document names the error answers of the operations under {@link #pathPrefix()}, the
		 * statuses {@link #writes} takes (the operations' own errors are expected in the same format); null leaves
		 * them documented as problem+json.
		 */
		default ProblemResponsesDocumented.@Nullable Format documented() {
			return null;
		}

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
		writeUnder(request, response, problem);
	}

	/**
	 * Writes the problem as the {@link PathFormat} of the request's path does, else as problem+json with its
	 * status (no {@code instance} is set).
	 */
	public void writeUnder(HttpServletRequest request, HttpServletResponse response, ProblemDetail problem)
			throws IOException {
		PathFormat format = formatOf(request, problem);
		if (format != null) {
			format.write(request, response, problem);
			return;
		}
		write(response, problem);
	}

	private @Nullable PathFormat formatOf(HttpServletRequest request, ProblemDetail problem) {
		if (this.formats.isEmpty()) {
			return null;
		}
		Object forwarded = request.getAttribute(RequestDispatcher.ERROR_REQUEST_URI);
		String uri = (forwarded instanceof String path) ? path : request.getRequestURI();
		if (uri == null) {
			return null;
		}
		String contextPath = request.getContextPath();
		String path = (contextPath != null && !contextPath.isEmpty() && uri.startsWith(contextPath))
				? uri.substring(contextPath.length()) : uri;
		for (PathFormat format : this.formats) {
			if (path.startsWith(format.pathPrefix()) && format.writes(problem)) {
				return format;
			}
		}
		return null;
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
