package org.patientplatform.kit.web;

import java.lang.reflect.Method;
import java.lang.reflect.RecordComponent;
import java.security.Principal;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.servlet.DispatcherType;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import org.springframework.beans.BeanUtils;
import org.springframework.core.MethodParameter;
import org.springframework.web.bind.annotation.ModelAttribute;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.context.request.WebRequest;
import org.springframework.web.method.HandlerMethod;
import org.springframework.web.servlet.HandlerInterceptor;

/**
 * Refuses a query parameter that the platform's GET operation does not take, naming it (and the parameter a typo
 * meant), as {@link BodyFieldErrors} refuses such a field of a body: ignored, a misspelt filter ({@code
 * sourceServic=}) answered every entry as if it were the one asked for. The parameters an operation takes are its
 * {@code @RequestParam}s and the properties of an object bound from the query (a record's components); an
 * operation that reads the request itself (its parameter map, the servlet request: a FHIR search, which refuses
 * what it does not know in its own terms) is left alone, and so is every handler outside the platform's packages.
 */
public final class UnknownQueryParameters implements HandlerInterceptor {

	/** What a query parameter the operation does not take is told. */
	public static final String UNKNOWN = "is not a parameter of this operation (its parameters are in the OpenAPI "
			+ "document)";

	private static final String PLATFORM = "org.patientplatform.";

	private final Map<Method, Optional<Set<String>>> parametersByMethod = new ConcurrentHashMap<>();

	@Override
	public boolean preHandle(HttpServletRequest request, HttpServletResponse response, Object handler) {
		// the request as the client sent it: not the container's error dispatch, which carries its parameters along
		if (request.getDispatcherType() != DispatcherType.REQUEST
				|| !("GET".equals(request.getMethod()) || "HEAD".equals(request.getMethod()))
				|| !(handler instanceof HandlerMethod method)
				|| !method.getBeanType().getName().startsWith(PLATFORM)) {
			return true;
		}
		Optional<Set<String>> names = this.parametersByMethod.computeIfAbsent(method.getMethod(), (m) -> taken(method));
		if (names.isEmpty()) {
			return true;
		}
		List<Map<String, Object>> errors = new ArrayList<>();
		for (String given : request.getParameterMap().keySet()) {
			if (!names.get().contains(given)) {
				String closest = BodyFieldErrors.closest(given, names.get());
				errors.add(Map.of("field", given,
						"message", UNKNOWN + ((closest != null) ? " (did you mean " + closest + "?)" : "")));
			}
		}
		if (!errors.isEmpty()) {
			throw new FieldErrorsException("Query parameters the operation does not take", errors);
		}
		return true;
	}

	/** The names the operation takes; empty when it may read any. */
	private static Optional<Set<String>> taken(HandlerMethod method) {
		Set<String> names = new HashSet<>();
		for (MethodParameter parameter : method.getMethodParameters()) {
			Class<?> type = parameter.getParameterType();
			RequestParam param = parameter.getParameterAnnotation(RequestParam.class);
			if (param != null) {
				if (Map.class.isAssignableFrom(type)) {
					return Optional.empty();
				}
				String name = !param.name().isEmpty() ? param.name() : param.value();
				names.add(!name.isEmpty() ? name : String.valueOf(parameter.getParameterName()));
			}
			else if (ServletRequest.class.isAssignableFrom(type) || WebRequest.class.isAssignableFrom(type)) {
				return Optional.empty();
			}
			else if (parameter.getParameterAnnotations().length == 0 && !Principal.class.isAssignableFrom(type)) {
				if (!BeanUtils.isSimpleProperty(type)) {
					// an object Spring binds the query to without saying so: left to it
					return Optional.empty();
				}
				// a plain value without annotation is a request parameter of its own name
				names.add(String.valueOf(parameter.getParameterName()));
			}
			else if (boundFromQuery(parameter)) {
				if (type.isRecord()) {
					Arrays.stream(type.getRecordComponents()).map(RecordComponent::getName).forEach(names::add);
				}
				else {
					Arrays.stream(BeanUtils.getPropertyDescriptors(type))
						.filter((property) -> property.getWriteMethod() != null)
						.forEach((property) -> names.add(property.getName()));
				}
			}
		}
		return Optional.of(Set.copyOf(names));
	}

	/** An object the query's parameters are bound to: {@code @ModelAttribute}, or springdoc's parameter object. */
	private static boolean boundFromQuery(MethodParameter parameter) {
		return parameter.hasParameterAnnotation(ModelAttribute.class) || Arrays.stream(parameter.getParameterAnnotations())
			.anyMatch((annotation) -> annotation.annotationType().getSimpleName().equals("ParameterObject"));
	}

}
