package org.patientplatform.kit.web;

import java.sql.SQLException;
import java.time.DateTimeException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;
import tools.jackson.core.JacksonException;

import org.springframework.context.MessageSourceResolvable;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.http.converter.HttpMessageNotReadableException;
import org.springframework.security.access.AccessDeniedException;
import org.springframework.security.core.AuthenticationException;
import org.springframework.validation.FieldError;
import org.springframework.validation.method.ParameterErrors;
import org.springframework.validation.method.ParameterValidationResult;
import org.springframework.web.bind.MethodArgumentNotValidException;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.context.request.WebRequest;
import org.springframework.web.method.annotation.HandlerMethodValidationException;
import org.springframework.web.servlet.mvc.method.annotation.ResponseEntityExceptionHandler;

/**
 * Every error leaves as RFC 9457 problem+json: validation failures list each field error, and
 * unexpected errors say nothing of their cause (it goes to the log with the trace id, never to the
 * client).
 */
@RestControllerAdvice
public class ProblemDetailsAdvice extends ResponseEntityExceptionHandler {

	private static final Logger log = LoggerFactory.getLogger(ProblemDetailsAdvice.class);

	@Override
	protected @Nullable ResponseEntity<Object> handleMethodArgumentNotValid(MethodArgumentNotValidException ex,
			HttpHeaders headers, HttpStatusCode status, WebRequest request) {
		ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.BAD_REQUEST, "The request is not valid.");
		problem.setTitle("Validation failed");
		List<Map<String, Object>> errors = ex.getBindingResult()
			.getFieldErrors()
			.stream()
			.map(ProblemDetailsAdvice::describe)
			.toList();
		problem.setProperty("errors", errors);
		return handleExceptionInternal(ex, problem, headers, HttpStatus.BAD_REQUEST, request);
	}

	/** Raised instead when a controller method also constrains a plain parameter (a path variable). */
	@Override
	protected @Nullable ResponseEntity<Object> handleHandlerMethodValidationException(
			HandlerMethodValidationException ex, HttpHeaders headers, HttpStatusCode status, WebRequest request) {
		List<Map<String, Object>> errors = new ArrayList<>();
		for (ParameterValidationResult result : ex.getParameterValidationResults()) {
			if (result instanceof ParameterErrors bean) {
				bean.getFieldErrors().stream().map(ProblemDetailsAdvice::describe).forEach(errors::add);
			}
			else {
				String name = String.valueOf(result.getMethodParameter().getParameterName());
				result.getResolvableErrors().forEach((error) -> errors.add(Map.of("field", name, "message", message(error))));
			}
		}
		ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.BAD_REQUEST, "The request is not valid.");
		problem.setTitle("Validation failed");
		problem.setProperty("errors", errors);
		return handleExceptionInternal(ex, problem, headers, HttpStatus.BAD_REQUEST, request);
	}

	/**
	 * A body that does not map names the field and why, when Jackson can say (a wrong type or format, a date
	 * out of range); never the value, which can be patient data.
	 */
	@Override
	protected @Nullable ResponseEntity<Object> handleHttpMessageNotReadable(HttpMessageNotReadableException ex,
			HttpHeaders headers, HttpStatusCode status, WebRequest request) {
		if (ex.getCause() instanceof JacksonException jackson && !jackson.getPath().isEmpty()) {
			StringBuilder field = new StringBuilder();
			for (JacksonException.Reference reference : jackson.getPath()) {
				if (reference.getPropertyName() != null) {
					field.append((field.isEmpty()) ? "" : ".").append(reference.getPropertyName());
				}
				else if (reference.getIndex() >= 0) {
					field.append('[').append(reference.getIndex()).append(']');
				}
			}
			String why = (TimeRangeModule.MESSAGE.equals(jackson.getOriginalMessage())) ? TimeRangeModule.MESSAGE
					: "has the wrong type or format";
			ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.BAD_REQUEST, "The request is not valid.");
			problem.setTitle("Validation failed");
			problem.setProperty("errors", List.of(Map.of("field", field.toString(), "message", why)));
			return handleExceptionInternal(ex, problem, headers, HttpStatus.BAD_REQUEST, request);
		}
		return super.handleHttpMessageNotReadable(ex, headers, status, request);
	}

	/** A date-time out of the supported range, or a database data exception (SQLSTATE class 22). */
	private static boolean isOutOfRange(Throwable failure) {
		for (Throwable t = failure; t != null; t = t.getCause()) {
			if (t instanceof DateTimeException || (t instanceof SQLException sql && sql.getSQLState() != null
					&& sql.getSQLState().startsWith("22"))) {
				return true;
			}
			if (t.getCause() == t) {
				break;
			}
		}
		return false;
	}

	private static Map<String, Object> describe(FieldError error) {
		return Map.of("field", error.getField(), "message", message(error));
	}

	private static String message(MessageSourceResolvable error) {
		return (error.getDefaultMessage() != null) ? error.getDefaultMessage() : "invalid";
	}

	@ExceptionHandler(NotFoundException.class)
	ProblemDetail notFound(NotFoundException ex) {
		return ProblemDetail.forStatusAndDetail(HttpStatus.NOT_FOUND, ex.getMessage());
	}

	@ExceptionHandler(AccessDeniedException.class)
	ProblemDetail forbidden(AccessDeniedException ex) {
		return ProblemDetail.forStatusAndDetail(HttpStatus.FORBIDDEN, "Your role does not allow this.");
	}

	@ExceptionHandler(AuthenticationException.class)
	ProblemDetail unauthorized(AuthenticationException ex) {
		return ProblemDetail.forStatusAndDetail(HttpStatus.UNAUTHORIZED, "A valid bearer token is required.");
	}

	@ExceptionHandler(Page.InvalidCursorException.class)
	ProblemDetail invalidCursor(Page.InvalidCursorException ex) {
		return ProblemDetail.forStatusAndDetail(HttpStatus.BAD_REQUEST, ex.getMessage());
	}

	@ExceptionHandler(ConflictException.class)
	ProblemDetail conflict(ConflictException ex) {
		return ProblemDetail.forStatusAndDetail(HttpStatus.CONFLICT, ex.getMessage());
	}

	@ExceptionHandler(Exception.class)
	ProblemDetail unexpected(Exception ex) {
		if (isOutOfRange(ex)) {
			// a value of the request that no check refused and the database (or the date arithmetic) cannot take,
			// such as a date in the year 300000 in a query parameter: the caller's to fix, not a server error
			log.info("Refused a request with a value out of range: {}", ex.getClass().getName());
			ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.BAD_REQUEST,
					"A value of the request is out of range (dates must fall between the years 0001 and 9999).");
			problem.setTitle("Bad Request");
			return problem;
		}
		log.error("Unexpected error answering a request", ex);
		String traceId = MDC.get("traceId");
		ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.INTERNAL_SERVER_ERROR,
				(traceId != null) ? "An unexpected error occurred. Quote the trace id " + traceId + " to support."
						: "An unexpected error occurred.");
		problem.setTitle("Internal Server Error");
		if (traceId != null) {
			problem.setProperty("traceId", traceId);
		}
		return problem;
	}

}
