package org.patientplatform.kit.web;

import java.io.IOException;

import jakarta.servlet.RequestDispatcher;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import io.swagger.v3.oas.annotations.Hidden;

import org.springframework.boot.webmvc.error.ErrorController;
import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * The error page the servlet container forwards to ({@code /error}), in place of Spring Boot's, as RFC 9457
 * problem+json: for an error something sent with {@code sendError} or an exception that left the filters,
 * which Boot answered as {@code application/json} with its own fields; and for {@code /error} requested
 * directly, a 404, which Boot answered 500 with {@code "status": 999}. The detail is the error's message for a
 * client error sent with one (never an exception's), else the status's phrase; a server error says nothing of
 * its cause.
 */
@Hidden
@RestController
@RequestMapping("${server.error.path:${error.path:/error}}")
public class ProblemErrorController implements ErrorController {

	private final ProblemResponses problems;

	public ProblemErrorController(ProblemResponses problems) {
		this.problems = problems;
	}

	@RequestMapping
	void error(HttpServletRequest request, HttpServletResponse response) throws IOException {
		if (!(request.getAttribute(RequestDispatcher.ERROR_STATUS_CODE) instanceof Integer status)) {
			// not forwarded by the container: no error to tell of, and no such resource
			this.problems.write(request, response, HttpStatus.NOT_FOUND, "No resource " + request.getRequestURI() + ".");
			return;
		}
		HttpStatus known = HttpStatus.resolve(status);
		String phrase = (known != null) ? known.getReasonPhrase() : "Error";
		Object message = request.getAttribute(RequestDispatcher.ERROR_MESSAGE);
		boolean told = status < 500 && request.getAttribute(RequestDispatcher.ERROR_EXCEPTION) == null
				&& message instanceof String text && !text.isBlank();
		String detail = told ? (String) message
				: (status >= 500) ? "An unexpected error occurred." : phrase;
		if (response.isCommitted()) {
			return;
		}
		response.resetBuffer();
		this.problems.write(request, response, HttpStatusCode.valueOf(status), detail);
	}

}
