package org.patientplatform.kit.web;

import java.io.IOException;
import java.lang.annotation.Annotation;
import java.lang.reflect.Type;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.validation.Validator;
import org.jspecify.annotations.Nullable;

import org.springframework.core.MethodParameter;
import org.springframework.http.HttpInputMessage;
import org.springframework.http.converter.HttpMessageConverter;
import org.springframework.http.converter.HttpMessageNotReadableException;
import org.springframework.http.converter.AbstractJacksonHttpMessageConverter;
import org.springframework.validation.BeanPropertyBindingResult;
import org.springframework.validation.FieldError;
import org.springframework.validation.annotation.ValidationAnnotationUtils;
import org.springframework.validation.beanvalidation.SpringValidatorAdapter;
import org.springframework.web.bind.annotation.ControllerAdvice;
import org.springframework.web.filter.OncePerRequestFilter;
import org.springframework.web.servlet.mvc.method.annotation.RequestBodyAdviceAdapter;

/**
 * Reads each JSON request body with {@link BodyFieldErrors} collecting, and refuses one with wrong fields with all
 * of them: an {@link HttpMessageNotReadableException} caused by {@link FieldErrorsException}, answered by
 * {@code ProblemDetailsAdvice} as a 400 listing each. When the only wrong fields are whole numbers past their range
 * (told the field's own range), the body's constraint violations are listed with them.
 */
@ControllerAdvice
public class BodyFieldErrorsAdvice extends RequestBodyAdviceAdapter {

	@Override
	public boolean supports(MethodParameter parameter, Type targetType,
			Class<? extends HttpMessageConverter<?>> converterType) {
		return AbstractJacksonHttpMessageConverter.class.isAssignableFrom(converterType);
	}

	@Override
	public HttpInputMessage beforeBodyRead(HttpInputMessage input, MethodParameter parameter, Type targetType,
			Class<? extends HttpMessageConverter<?>> converterType) {
		BodyFieldErrors.collect();
		return input;
	}

	private final @Nullable Validator validator;

	public BodyFieldErrorsAdvice() {
		this(null);
	}

	/**
	 * @param validator checks the constraints of a body whose only wrong fields are whole numbers past their range,
	 * so that they are refused with the body's other constraint violations; without it, they are refused alone
	 */
	public BodyFieldErrorsAdvice(@Nullable Validator validator) {
		this.validator = validator;
	}

	@Override
	public Object afterBodyRead(Object body, HttpInputMessage input, MethodParameter parameter, Type targetType,
			Class<? extends HttpMessageConverter<?>> converterType) {
		boolean onlyOutOfRange = BodyFieldErrors.onlyOutOfRange();
		List<Map<String, Object>> wrong = BodyFieldErrors.drain();
		if (!wrong.isEmpty()) {
			List<Map<String, Object>> errors = new ArrayList<>(wrong);
			if (onlyOutOfRange) {
				errors.addAll(violations(body, parameter, wrong));
			}
			throw new HttpMessageNotReadableException("Fields of the wrong type or format",
					new FieldErrorsException("Fields of the wrong type or format", errors),
					input);
		}
		return body;
	}

	/**
	 * The constraint violations of a body whose only wrong fields are whole numbers past their range, as the
	 * operation's validation would find them ({@code @Valid} or {@code @Validated} and its groups), but for those
	 * fields (read as null): such a number is a value past a bound, and is refused with the others as 0 or 1001
	 * would be for a capacity of 1 to 1000. Before, the body's other fields were not read. None when the body is
	 * not validated, or when its validation fails (a check reading a field left null).
	 */
	private List<Map<String, Object>> violations(Object body, MethodParameter parameter,
			List<Map<String, Object>> wrong) {
		Object[] hints = null;
		for (Annotation annotation : parameter.getParameterAnnotations()) {
			hints = ValidationAnnotationUtils.determineValidationHints(annotation);
			if (hints != null) {
				break;
			}
		}
		if (this.validator == null || hints == null) {
			return List.of();
		}
		Set<Object> noted = new HashSet<>();
		wrong.forEach((error) -> noted.add(error.get("field")));
		BeanPropertyBindingResult result = new BeanPropertyBindingResult(body, "body");
		try {
			new SpringValidatorAdapter(this.validator).validate(body, result, hints);
		}
		catch (RuntimeException ex) {
			return List.of();
		}
		List<Map<String, Object>> violations = new ArrayList<>();
		for (FieldError error : result.getFieldErrors()) {
			Map<String, Object> described = ProblemDetailsAdvice.describe(error);
			if (!noted.contains(described.get("field"))) {
				violations.add(described);
			}
		}
		return violations;
	}

	@Override
	public @Nullable Object handleEmptyBody(@Nullable Object body, HttpInputMessage input, MethodParameter parameter,
			Type targetType, Class<? extends HttpMessageConverter<?>> converterType) {
		BodyFieldErrors.drain();
		return body;
	}

	/**
	 * Stops the collecting when a request ends, whatever happened: a body whose reading failed part way (not JSON
	 * at all) must not leave its thread collecting for the next request, whose own reading of JSON would then
	 * go on past wrong values.
	 */
	public static final class Cleanup extends OncePerRequestFilter {

		@Override
		protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
				throws ServletException, IOException {
			try {
				chain.doFilter(request, response);
			}
			finally {
				BodyFieldErrors.drain();
			}
		}

	}

}
