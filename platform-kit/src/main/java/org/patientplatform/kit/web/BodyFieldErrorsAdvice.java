package org.patientplatform.kit.web;

import java.io.IOException;
import java.lang.reflect.Type;
import java.util.List;
import java.util.Map;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.jspecify.annotations.Nullable;

import org.springframework.core.MethodParameter;
import org.springframework.http.HttpInputMessage;
import org.springframework.http.converter.HttpMessageConverter;
import org.springframework.http.converter.HttpMessageNotReadableException;
import org.springframework.http.converter.AbstractJacksonHttpMessageConverter;
import org.springframework.web.bind.annotation.ControllerAdvice;
import org.springframework.web.filter.OncePerRequestFilter;
import org.springframework.web.servlet.mvc.method.annotation.RequestBodyAdviceAdapter;

/**
 * Reads each JSON request body with {@link BodyFieldErrors} collecting, and refuses one with wrong fields with all
 * of them: an {@link HttpMessageNotReadableException} caused by {@link FieldErrorsException}, answered by
 * {@code ProblemDetailsAdvice} as a 400 listing each.
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

	@Override
	public Object afterBodyRead(Object body, HttpInputMessage input, MethodParameter parameter, Type targetType,
			Class<? extends HttpMessageConverter<?>> converterType) {
		List<Map<String, Object>> wrong = BodyFieldErrors.drain();
		if (!wrong.isEmpty()) {
			throw new HttpMessageNotReadableException("Fields of the wrong type or format",
					new FieldErrorsException("Fields of the wrong type or format", wrong),
					input);
		}
		return body;
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
