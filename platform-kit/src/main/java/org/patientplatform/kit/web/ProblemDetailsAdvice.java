package org.patientplatform.kit.web;

import java.lang.reflect.Method;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.sql.SQLException;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import jakarta.validation.ConstraintViolation;
import jakarta.validation.Path;
import org.jspecify.annotations.Nullable;
import org.patientplatform.kit.audit.RoleDenials;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;
import tools.jackson.core.JacksonException;
import tools.jackson.core.exc.StreamReadException;

import org.springframework.beans.TypeMismatchException;
import org.springframework.context.MessageSourceResolvable;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.http.converter.HttpMessageNotReadableException;
import org.springframework.security.access.AccessDeniedException;
import org.springframework.security.authorization.AuthorizationDeniedException;
import org.springframework.security.authorization.AuthorizationResult;
import org.springframework.security.authorization.method.PreAuthorizeAuthorizationManager;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.AuthenticationException;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.security.util.SimpleMethodInvocation;
import org.springframework.util.ReflectionUtils;
import org.springframework.validation.FieldError;
import org.springframework.validation.method.ParameterErrors;
import org.springframework.validation.method.ParameterValidationResult;
import org.springframework.web.bind.MethodArgumentNotValidException;
import org.springframework.web.bind.MissingPathVariableException;
import org.springframework.web.bind.MissingServletRequestParameterException;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.context.request.RequestAttributes;
import org.springframework.web.context.request.ServletWebRequest;
import org.springframework.web.context.request.WebRequest;
import org.springframework.web.method.HandlerMethod;
import org.springframework.web.method.annotation.HandlerMethodValidationException;
import org.springframework.web.method.annotation.MethodArgumentTypeMismatchException;
import org.springframework.web.servlet.HandlerMapping;
import org.springframework.web.servlet.mvc.method.annotation.ResponseEntityExceptionHandler;
import org.springframework.web.servlet.resource.NoResourceFoundException;

/**
 * Every error leaves as RFC 9457 problem+json: validation failures list each field error, a transient
 * database failure is a 503 with {@code Retry-After} ({@link TransientDatabaseFailures}), and unexpected
 * errors say nothing of their cause (it goes to the log with the trace id, never to the client).
 */
@RestControllerAdvice
public class ProblemDetailsAdvice extends ResponseEntityExceptionHandler {

	private static final Logger log = LoggerFactory.getLogger(ProblemDetailsAdvice.class);

	/** What a query parameter Tomcat could not percent-decode is told (never its value, which its message quotes). */
	public static final String BADLY_ENCODED_PARAMETER = "A query parameter is not validly percent-encoded UTF-8 (a % "
			+ "must be followed by two hex digits, and the bytes they give must be UTF-8).";

	/** Tomcat's refusal of a request with more parameters than its connector reads, and that limit. */
	private static final Pattern TOO_MANY_PARAMETERS = Pattern
		.compile("^More than the maximum number of request parameters .*\\(\\[([0-9][0-9,. ]*)\\]\\)");

	/**
	 * What a request whose parameters Tomcat could not read is told: more of them than it reads (the number of
	 * parameters, never their values), else one not validly percent-encoded. A thousand parameters had been told
	 * the second, which none of them was.
	 * @param failure the failure, Tomcat's InvalidParameterException among its causes
	 * @return the detail
	 */
	public static String unreadableParameterDetail(Throwable failure) {
		for (Throwable t = failure; t != null; t = t.getCause()) {
			if (t.getClass().getName().equals("org.apache.tomcat.util.http.InvalidParameterException")
					&& t.getMessage() != null) {
				Matcher tooMany = TOO_MANY_PARAMETERS.matcher(t.getMessage());
				if (tooMany.find()) {
					return "The request has more parameters than this service reads (at most " + tooMany.group(1)
							+ ").";
				}
			}
		}
		return BADLY_ENCODED_PARAMETER;
	}

	/** A date-time whose offset has a space where its sign was: {@code 2026-12-07T01:30:00 01:00}. */
	private static final Pattern OFFSET_SIGN_AS_SPACE = Pattern
		.compile("\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}(:\\d{2}(\\.\\d{1,9})?)? \\d{2}(:?\\d{2})?");

	private final PreAuthorizeAuthorizationManager preAuthorize = new PreAuthorizeAuthorizationManager();

	private final TransientDatabaseFailures transientFailures;

	private final @Nullable RoleDenials roleDenials;

	public ProblemDetailsAdvice() {
		this(new TransientDatabaseFailures(null), null);
	}

	/**
	 * @param transientFailures answers (logs and counts) a transient database failure as 503
	 * @param roleDenials audits a request refused for its caller's role, when the service keeps an audit log
	 */
	public ProblemDetailsAdvice(TransientDatabaseFailures transientFailures, @Nullable RoleDenials roleDenials) {
		this.transientFailures = transientFailures;
		this.roleDenials = roleDenials;
	}

	/**
	 * A request refused as bad (400) is first weighed against its operation's {@code @PreAuthorize}: the
	 * role is checked when the method is called, after Spring has read and validated its arguments, so a
	 * caller without the role got the body's field errors (what the operation takes) instead of 403.
	 */
	@Override
	protected @Nullable ResponseEntity<Object> handleExceptionInternal(Exception ex, @Nullable Object body,
			HttpHeaders headers, HttpStatusCode statusCode, WebRequest request) {
		HttpHeaders problemHeaders = problemHeaders(headers);
		if (statusCode.value() == HttpStatus.BAD_REQUEST.value() && deniedByRole(request)) {
			auditRoleDenial(request);
			return super.handleExceptionInternal(ex, forbiddenProblem(), problemHeaders, HttpStatus.FORBIDDEN, request);
		}
		return super.handleExceptionInternal(ex, body, problemHeaders, statusCode, request);
	}

	/**
	 * The headers of a problem answer, with its content type set: Spring then writes it without weighing the
	 * request's {@code Accept}, which it could not read when it was not a list of media types ({@code Accept:
	 * garbage}); every error then left with an empty body and no content type, and a 406 for the header itself
	 * too.
	 */
	private static HttpHeaders problemHeaders(HttpHeaders headers) {
		HttpHeaders copy = new HttpHeaders();
		copy.putAll(headers);
		copy.setContentType(MediaType.APPLICATION_PROBLEM_JSON);
		return copy;
	}

	/** A problem as an answer, its content type set ({@link #problemHeaders}). */
	static ResponseEntity<ProblemDetail> answer(ProblemDetail problem) {
		return ResponseEntity.status(problem.getStatus()).contentType(MediaType.APPLICATION_PROBLEM_JSON).body(problem);
	}

	/** True when the operation the request was mapped to has a {@code @PreAuthorize} its caller fails. */
	private boolean deniedByRole(WebRequest request) {
		Object handler = request.getAttribute(HandlerMapping.BEST_MATCHING_HANDLER_ATTRIBUTE,
				RequestAttributes.SCOPE_REQUEST);
		Authentication caller = SecurityContextHolder.getContext().getAuthentication();
		if (!(handler instanceof HandlerMethod method) || caller == null) {
			return false;
		}
		try {
			// the expression is weighed without the arguments (they did not read): one that needs them is left
			// to the method call, as before
			AuthorizationResult result = this.preAuthorize.authorize(() -> caller, new SimpleMethodInvocation(
					method.getBean(), method.getMethod(), new Object[method.getMethodParameters().length]));
			return result != null && !result.isGranted();
		}
		catch (RuntimeException ex) {
			return false;
		}
	}

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
	 * A body that does not map names each field and why, when Jackson can say (a wrong type or format, a date
	 * out of range; every such field, {@link BodyFieldErrors}); never the value, which can be patient data. A
	 * missing body says so (Spring's answer is "Failed to read request").
	 */
	@Override
	protected @Nullable ResponseEntity<Object> handleHttpMessageNotReadable(HttpMessageNotReadableException ex,
			HttpHeaders headers, HttpStatusCode status, WebRequest request) {
		// the fields noted wrong before the reading failed, if it failed part way
		List<Map<String, Object>> noted = BodyFieldErrors.drain();
		RequestSizeLimitFilter.BodyTooLargeException tooLarge = cause(ex,
				RequestSizeLimitFilter.BodyTooLargeException.class);
		if (tooLarge != null) {
			// a body sent without its length (chunked) passed the limit while Jackson read it: the filter's 413,
			// which Jackson's wrapping of the read error had turned into a 400 "not valid JSON"
			ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.CONTENT_TOO_LARGE,
					tooLarge.getMessage());
			problem.setTitle(HttpStatus.CONTENT_TOO_LARGE.getReasonPhrase());
			return handleExceptionInternal(ex, problem, headers, HttpStatus.CONTENT_TOO_LARGE, request);
		}
		if (ex.getCause() instanceof FieldErrorsException wrong) {
			return fieldErrors(ex, wrong.errors(), headers, request);
		}
		String twice = BodyFieldErrors.duplicateField(ex);
		if (twice != null) {
			List<Map<String, Object>> errors = new ArrayList<>(noted);
			errors.add(Map.of("field", twice, "message", BodyFieldErrors.DUPLICATE_FIELD));
			return fieldErrors(ex, errors, headers, request);
		}
		if (ex.getCause() instanceof JacksonException jackson && !jackson.getPath().isEmpty()) {
			String field = BodyFieldErrors.path(jackson);
			// what the field takes, when Jackson says (a fraction for a whole number: 2.5 for ratePerSecond was told
			// "has the wrong type or format")
			// and a number too large for the field's type says its range (it was "has the wrong type or format")
			String why = (TimeRangeModule.MESSAGE.equals(jackson.getOriginalMessage())) ? TimeRangeModule.MESSAGE
					: (jackson instanceof tools.jackson.core.exc.InputCoercionException coercion)
							? outOfRange(coercion.getTargetType())
					: (jackson instanceof tools.jackson.databind.exc.MismatchedInputException mismatch
							&& mismatch.getTargetType() != null) ? BodyFieldErrors.expected(mismatch.getTargetType())
									: BodyFieldErrors.WRONG_TYPE;
			List<Map<String, Object>> errors = new ArrayList<>(noted);
			errors.add(Map.of("field", field, "message", why));
			return fieldErrors(ex, errors, headers, request);
		}
		if (ex.getCause() instanceof JacksonException jackson) {
			// not JSON at all, cut short, or JSON of another shape: where, never what (it can be patient data)
			var at = jackson.getLocation();
			String where = (at != null && at.getLineNr() > 0)
					? " (line " + at.getLineNr() + ", column " + at.getColumnNr() + ")." : ".";
			ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.BAD_REQUEST,
					(jackson instanceof StreamReadException) ? "The body is not valid JSON" + where
							: "The body is not the JSON object this operation takes" + where);
			problem.setTitle("Malformed body");
			return handleExceptionInternal(ex, problem, headers, HttpStatus.BAD_REQUEST, request);
		}
		if (ex.getMessage() != null && ex.getMessage().startsWith("Required request body is missing")) {
			ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.BAD_REQUEST,
					"The request has no body; this operation takes a JSON body (its schema is in the OpenAPI "
							+ "document).");
			problem.setTitle("Body required");
			return handleExceptionInternal(ex, problem, headers, HttpStatus.BAD_REQUEST, request);
		}
		return super.handleHttpMessageNotReadable(ex, headers, status, request);
	}

	private @Nullable ResponseEntity<Object> fieldErrors(Exception ex, List<Map<String, Object>> errors,
			HttpHeaders headers, WebRequest request) {
		ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.BAD_REQUEST, "The request is not valid.");
		problem.setTitle("Validation failed");
		problem.setProperty("errors", errors);
		return handleExceptionInternal(ex, problem, headers, HttpStatus.BAD_REQUEST, request);
	}

	/** The servlet container could not decode a request parameter (Tomcat's InvalidParameterException). */
	private static boolean isBadlyEncodedParameter(Throwable failure) {
		return anyCause(failure,
				(t) -> t.getClass().getName().equals("org.apache.tomcat.util.http.InvalidParameterException"));
	}

	/**
	 * A NUL character in a text value: pgjdbc's own refusal of a string parameter (SQLSTATE 22023 with its
	 * message), or the server's for text it cannot take (22021, 22P05).
	 */
	private static boolean holdsNul(Throwable failure) {
		return anyCause(failure, (t) -> t instanceof SQLException sql && sql.getSQLState() != null
				&& (sql.getSQLState().equals("22021") || sql.getSQLState().equals("22P05")
						|| (sql.getSQLState().equals("22023")
								&& String.valueOf(sql.getMessage()).startsWith("Zero bytes"))));
	}

	/** A date-time out of the supported range, or a database data exception (SQLSTATE class 22). */
	private static boolean isOutOfRange(Throwable failure) {
		return anyCause(failure, (t) -> t instanceof DateTimeException
				|| (t instanceof SQLException sql && sql.getSQLState() != null && sql.getSQLState().startsWith("22")));
	}

	/** True when the failure or one of its causes is such. */
	private static boolean anyCause(Throwable failure, Predicate<Throwable> such) {
		return cause(failure, Throwable.class, such) != null;
	}

	/** The first of a failure's causes (itself included) of a type. */
	private static <T extends Throwable> @Nullable T cause(Throwable failure, Class<T> type) {
		return cause(failure, type, (t) -> true);
	}

	private static <T extends Throwable> @Nullable T cause(Throwable failure, Class<T> type, Predicate<T> such) {
		for (Throwable t = failure; t != null; t = t.getCause()) {
			if (type.isInstance(t) && such.test(type.cast(t))) {
				return type.cast(t);
			}
			if (t.getCause() == t) {
				break;
			}
		}
		return null;
	}

	/**
	 * A query parameter or path variable that does not convert (a date that is not one, an id that is not
	 * a UUID) names the parameter and the form it takes; never the value, which can be patient data.
	 */
	@Override
	protected @Nullable ResponseEntity<Object> handleTypeMismatch(TypeMismatchException ex, HttpHeaders headers,
			HttpStatusCode status, WebRequest request) {
		String name = (ex instanceof MethodArgumentTypeMismatchException argument) ? argument.getName()
				: String.valueOf(ex.getPropertyName());
		ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.BAD_REQUEST, "The request is not valid.");
		problem.setTitle("Validation failed");
		problem.setProperty("errors",
				List.of(Map.of("field", name, "message", expected(ex.getRequiredType(), ex.getValue()))));
		return handleExceptionInternal(ex, problem, headers, HttpStatus.BAD_REQUEST, request);
	}

	/**
	 * A path variable given as nothing but spaces (an encoded space, {@code /bookings/%20}) converts to no value:
	 * Spring said "Required path variable 'id' is not present", though it was there and not the form it takes. It
	 * is answered as a value that does not convert: the variable and the form.
	 */
	@Override
	protected @Nullable ResponseEntity<Object> handleMissingPathVariable(MissingPathVariableException ex,
			HttpHeaders headers, HttpStatusCode status, WebRequest request) {
		if (!ex.isMissingAfterConversion()) {
			return super.handleMissingPathVariable(ex, headers, status, request);
		}
		return fieldErrors(ex, List.of(Map.of("field", ex.getVariableName(), "message",
				expected(ex.getParameter().getNestedParameterType()))), headers, request);
	}

	/** The same for a required query parameter given as nothing but spaces ({@code ?at=%20}). */
	@Override
	protected @Nullable ResponseEntity<Object> handleMissingServletRequestParameter(
			MissingServletRequestParameterException ex, HttpHeaders headers, HttpStatusCode status, WebRequest request) {
		if (!ex.isMissingAfterConversion() || ex.getMethodParameter() == null) {
			return super.handleMissingServletRequestParameter(ex, headers, status, request);
		}
		return fieldErrors(ex, List.of(Map.of("field", ex.getParameterName(), "message",
				expected(ex.getMethodParameter().getNestedParameterType()))), headers, request);
	}

	/**
	 * A path no operation has: Spring's detail, "No static resource api/v1/nothing.", named its static resource
	 * handling, which the API does not use; said here as the error page says it ({@link ProblemErrorController}).
	 */
	@Override
	protected @Nullable ResponseEntity<Object> handleNoResourceFoundException(NoResourceFoundException ex,
			HttpHeaders headers, HttpStatusCode status, WebRequest request) {
		String path = (request instanceof ServletWebRequest servlet) ? servlet.getRequest().getRequestURI()
				: "/" + ex.getResourcePath();
		ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.NOT_FOUND, "No resource " + path + ".");
		return handleExceptionInternal(ex, problem, headers, HttpStatus.NOT_FOUND, request);
	}

	/** A field error as the problem's errors list it: the field (or the one it reports on) and the message. */
	static Map<String, Object> describe(FieldError error) {
		if (error.isBindingFailure()) {
			// a query parameter bound into an object: Spring's own message names Java types (and the value)
			Class<?> type = null;
			try {
				type = error.unwrap(TypeMismatchException.class).getRequiredType();
			}
			catch (IllegalArgumentException ex) {
				// not a conversion failure: no type to name
			}
			return Map.of("field", error.getField(), "message", expected(type, error.getRejectedValue()));
		}
		return Map.of("field", field(error), "message", message(error));
	}

	/**
	 * The field an error names: the one a cross-field check reports on ({@link ReportedOn}) instead of the
	 * check's own name, which the request has no field for.
	 */
	static String field(FieldError error) {
		String field = error.getField();
		if (!error.contains(ConstraintViolation.class)) {
			return field;
		}
		ConstraintViolation<?> violation = error.unwrap(ConstraintViolation.class);
		Object leaf = violation.getLeafBean();
		String property = null;
		for (Path.Node node : violation.getPropertyPath()) {
			property = node.getName();
		}
		if (leaf == null || property == null || property.isEmpty()) {
			return field;
		}
		String accessor = Character.toUpperCase(property.charAt(0)) + property.substring(1);
		for (String name : List.of("is" + accessor, "get" + accessor)) {
			Method method = ReflectionUtils.findMethod(leaf.getClass(), name);
			ReportedOn on = (method != null) ? method.getAnnotation(ReportedOn.class) : null;
			if (on != null) {
				int parent = field.lastIndexOf('.');
				return (parent >= 0) ? field.substring(0, parent + 1) + on.value() : on.value();
			}
		}
		return field;
	}

	/**
	 * What a value of the type looks like, for a value that did not convert: a query parameter, a path variable or
	 * a field of a body. A body's field of the wrong form said only "has the wrong type or format", so a client sending
	 * {@code "due": "2026-01-31"} for a date-time was not told it lacks its time and offset.
	 */
	static String expected(@Nullable Class<?> type, @Nullable Object rejected) {
		String expected = expected(type);
		if (rejected instanceof String text && OFFSET_SIGN_AS_SPACE.matcher(text).matches()
				&& (type == Instant.class || type == OffsetDateTime.class || type == ZonedDateTime.class)) {
			// never the value: only that its offset's + came as a space, as a URL's query reads a bare +
			return expected + " (its offset's + arrived as a space: in a URL's query, send + as %2B)";
		}
		return expected;
	}

	/** What a number out of the range of the field's type is told (its type's range: no field is known here). */
	static String outOfRange(@Nullable Class<?> type) {
		String range = (type != null) ? BodyFieldErrors.outOfRange(type, null) : null;
		return (range != null) ? range : "is out of range for this field";
	}

	static String expected(@Nullable Class<?> type) {
		if (type == null) {
			return BodyFieldErrors.WRONG_TYPE;
		}
		if (type == Instant.class || type == OffsetDateTime.class || type == ZonedDateTime.class) {
			return "must be a date-time with its offset, such as 2026-01-31T09:30:00Z";
		}
		if (type == LocalDate.class) {
			return "must be a date, such as 2026-01-31";
		}
		if (type == LocalDateTime.class) {
			return "must be a date-time without offset, such as 2026-01-31T09:30:00";
		}
		if (type == LocalTime.class) {
			return "must be a time of day, such as 09:30";
		}
		if (type == UUID.class) {
			return "must be a UUID";
		}
		if (type == Duration.class) {
			return BodyFieldErrors.DURATION;
		}
		if (type == Integer.class || type == int.class || type == Long.class || type == long.class
				|| type == Short.class || type == short.class || type == Byte.class || type == byte.class
				|| type == BigInteger.class) {
			return "must be a whole number";
		}
		if (type == Double.class || type == double.class || type == Float.class || type == float.class
				|| type == BigDecimal.class) {
			return "must be a number";
		}
		if (type == Boolean.class || type == boolean.class) {
			return "must be true or false";
		}
		if (type == String.class) {
			return "must be text";
		}
		if (type.isEnum()) {
			return "must be one of " + Arrays.stream(type.getEnumConstants())
				.map(String::valueOf)
				.collect(Collectors.joining(", "));
		}
		return BodyFieldErrors.WRONG_TYPE;
	}

	private static String message(MessageSourceResolvable error) {
		return (error.getDefaultMessage() != null) ? error.getDefaultMessage() : "invalid";
	}

	/** A request's fields refused before its operation ran, each named (the query's, {@link UnknownQueryParameters}). */
	@ExceptionHandler(FieldErrorsException.class)
	@Nullable ResponseEntity<Object> refusedFields(FieldErrorsException ex, WebRequest request) {
		return fieldErrors(ex, ex.errors(), new HttpHeaders(), request);
	}

	@ExceptionHandler(NotFoundException.class)
	ResponseEntity<ProblemDetail> notFound(NotFoundException ex) {
		return answer(ProblemDetail.forStatusAndDetail(HttpStatus.NOT_FOUND, ex.getMessage()));
	}

	/**
	 * A refusal by a {@code @PreAuthorize} (Spring's {@link AuthorizationDeniedException}) is audited here and told
	 * as the role's; one a service throws itself (an object-level check, such as a patient asking for another's
	 * record) was audited by the service with its resource, and its message says why (before, it too was told "Your
	 * role does not allow this", which a patient whose role does allow the operation could not make sense of).
	 */
	@ExceptionHandler(AccessDeniedException.class)
	ResponseEntity<ProblemDetail> forbidden(AccessDeniedException ex, WebRequest request) {
		if (ex instanceof AuthorizationDeniedException) {
			auditRoleDenial(request);
			return answer(forbiddenProblem());
		}
		String why = ex.getMessage();
		return answer((why == null || why.isBlank()) ? forbiddenProblem()
				: ProblemDetail.forStatusAndDetail(HttpStatus.FORBIDDEN, why.endsWith(".") ? why : why + "."));
	}

	private void auditRoleDenial(WebRequest request) {
		if (this.roleDenials != null && request instanceof ServletWebRequest servlet) {
			this.roleDenials.record(servlet.getRequest());
		}
	}

	private static ProblemDetail forbiddenProblem() {
		return ProblemDetail.forStatusAndDetail(HttpStatus.FORBIDDEN, "Your role does not allow this.");
	}

	@ExceptionHandler(AuthenticationException.class)
	ResponseEntity<ProblemDetail> unauthorized(AuthenticationException ex) {
		return answer(ProblemDetail.forStatusAndDetail(HttpStatus.UNAUTHORIZED, "A valid bearer token is required."));
	}

	@ExceptionHandler(Page.InvalidCursorException.class)
	ResponseEntity<ProblemDetail> invalidCursor(Page.InvalidCursorException ex) {
		return answer(ProblemDetail.forStatusAndDetail(HttpStatus.BAD_REQUEST, ex.getMessage()));
	}

	@ExceptionHandler(ConflictException.class)
	ResponseEntity<ProblemDetail> conflict(ConflictException ex) {
		return answer(ProblemDetail.forStatusAndDetail(HttpStatus.CONFLICT, ex.getMessage()));
	}

	@ExceptionHandler(Exception.class)
	ResponseEntity<ProblemDetail> unexpected(Exception ex) {
		TransientDatabaseFailures.Failure transientFailure = TransientDatabaseFailures.classify(ex);
		if (transientFailure != null) {
			// a deadlock, a serialization failure, a lock timeout, or no database just now: nothing wrong with the
			// request, which can be sent again (it was a 500 "unexpected error")
			ResponseEntity<ProblemDetail> answer = this.transientFailures.answer(transientFailure, ex);
			return ResponseEntity.status(answer.getStatusCode())
				.headers(problemHeaders(answer.getHeaders()))
				.body(answer.getBody());
		}
		return answer(unexpectedProblem(ex));
	}

	private ProblemDetail unexpectedProblem(Exception ex) {
		if (holdsNul(ex)) {
			// PostgreSQL stores no NUL in text (pgjdbc refuses it in a parameter, the server in a cast or array):
			// the caller's to fix, and not a date out of range
			log.info("Refused a request with a NUL character in a value: {}", ex.getClass().getName());
			ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.BAD_REQUEST,
					"A value of the request holds a character the database cannot store (such as NUL, U+0000).");
			problem.setTitle("Bad Request");
			return problem;
		}
		if (isOutOfRange(ex)) {
			// a value of the request that no check refused and the database (or the date arithmetic) cannot take,
			// such as a date in the year 300000 in a query parameter: the caller's to fix, not a server error
			log.info("Refused a request with a value out of range: {}", ex.getClass().getName());
			ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.BAD_REQUEST,
					"A value of the request is out of range for the database (dates must fall between the years 0001 and "
							+ "9999, numbers within their type).");
			problem.setTitle("Bad Request");
			return problem;
		}
		if (isBadlyEncodedParameter(ex)) {
			// Tomcat could not percent-decode a query parameter; its message quotes the value, so it stays out
			// of the log
			String detail = unreadableParameterDetail(ex);
			log.info("Refused a request whose parameters could not be read: {}", detail);
			ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.BAD_REQUEST, detail);
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
