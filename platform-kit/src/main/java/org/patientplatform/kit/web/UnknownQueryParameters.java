package org.patientplatform.kit.web;

import java.lang.reflect.Method;
import java.lang.reflect.RecordComponent;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.Principal;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
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
 * Refuses a query parameter that the platform's operation does not take, naming it (and the parameter a typo
 * meant), as {@link BodyFieldErrors} refuses such a field of a body: ignored, a misspelt filter ({@code
 * sourceServic=}) answered every entry as if it were the one asked for, and {@code POST /dlq/redrives?dryRun=true}
 * (whose dry run is a field of the body) started a real bulk redrive. Every method's operation is checked, and only
 * the parameters of the URL's query string count: a form body's fields, which the servlet API mixes into the same
 * parameter map, are the body's. The parameters an operation takes are its
 * {@code @RequestParam}s and the properties of an object bound from the query (a record's components); an
 * operation that reads the request itself (its parameter map, the servlet request: a FHIR search, which refuses
 * what it does not know in its own terms) is left alone, and so is every handler outside the platform's packages.
 * <p>
 * A parameter given more than once where the operation takes one value (not a list, a set or an array) is refused
 * too, naming it, as a body's field named twice is: Spring bound the first value, so {@code
 * ?status=ORDERED&status=RESULTED} answered the ordered ones only and {@code ?limit=1&limit=500} one entry.
 */
public final class UnknownQueryParameters implements HandlerInterceptor {

	/** What a query parameter the operation does not take is told. */
	public static final String UNKNOWN = "is not a parameter of this operation (its parameters are in the OpenAPI "
			+ "document)";

	private static final String PLATFORM = "org.patientplatform.";

	/** What a query parameter given more than once is told, when the operation takes one value of it. */
	public static final String REPEATED = "is given more than once; this operation takes one value";

	/** Each operation's parameters, by name, with whether it takes several values. */
	private final Map<Method, Optional<Map<String, Boolean>>> parametersByMethod = new ConcurrentHashMap<>();

	@Override
	public boolean preHandle(HttpServletRequest request, HttpServletResponse response, Object handler) {
		// the request as the client sent it: not the container's error dispatch, which carries its parameters along
		// every method: before, GET and HEAD only, so a POST's ?dryRun=true or ?targetTopic= was ignored and the
		// operation ran as if it were not there
		if (request.getDispatcherType() != DispatcherType.REQUEST || !(handler instanceof HandlerMethod method)
				|| !method.getBeanType().getName().startsWith(PLATFORM)) {
			return true;
		}
		Optional<Map<String, Boolean>> taken = this.parametersByMethod.computeIfAbsent(method.getMethod(),
				(m) -> taken(method));
		String query = request.getQueryString();
		if (taken.isEmpty() || query == null || query.isEmpty()) {
			return true;
		}
		List<Map<String, Object>> errors = new ArrayList<>();
		for (Map.Entry<String, Integer> given : queryParameters(query).entrySet()) {
			Boolean several = taken.get().get(given.getKey());
			if (several == null) {
				String closest = BodyFieldErrors.closest(given.getKey(), taken.get().keySet());
				errors.add(Map.of("field", given.getKey(),
						"message", UNKNOWN + ((closest != null) ? " (did you mean " + closest + "?)" : "")));
			}
			else if (!several && given.getValue() > 1) {
				// never the values: which one was meant is the client's to say
				errors.add(Map.of("field", given.getKey(), "message", REPEATED));
			}
		}
		if (!errors.isEmpty()) {
			throw new FieldErrorsException("Query parameters the operation does not take, or takes once", errors);
		}
		return true;
	}

	/**
	 * The names in a query string, decoded as the container decodes them, each with how many times it is given.
	 * Read from the query string, not {@code getParameterMap()}: that map holds a form body's fields too (which the
	 * operation reads as its body, and which it would parse here before the operation could read the body).
	 */
	static Map<String, Integer> queryParameters(String query) {
		Map<String, Integer> names = new LinkedHashMap<>();
		for (String pair : query.split("&")) {
			if (pair.isEmpty()) {
				continue;
			}
			int equals = pair.indexOf('=');
			String name = (equals >= 0) ? pair.substring(0, equals) : pair;
			try {
				name = URLDecoder.decode(name, StandardCharsets.UTF_8);
			}
			catch (IllegalArgumentException ex) {
				// a malformed escape: named as sent
			}
			if (!name.isEmpty()) {
				names.merge(name, 1, Integer::sum);
			}
		}
		return names;
	}

	/** The names the operation takes, each with whether it takes several values; empty when it may read any. */
	private static Optional<Map<String, Boolean>> taken(HandlerMethod method) {
		Map<String, Boolean> names = new HashMap<>();
		for (MethodParameter parameter : method.getMethodParameters()) {
			Class<?> type = parameter.getParameterType();
			RequestParam param = parameter.getParameterAnnotation(RequestParam.class);
			if (param != null) {
				if (Map.class.isAssignableFrom(type)) {
					return Optional.empty();
				}
				String name = !param.name().isEmpty() ? param.name() : param.value();
				names.put(!name.isEmpty() ? name : String.valueOf(parameter.getParameterName()),
						several(parameter.nestedIfOptional().getNestedParameterType()));
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
				names.put(String.valueOf(parameter.getParameterName()), several(type));
			}
			else if (boundFromQuery(parameter)) {
				// each property as its own type takes: a record component List<String> status takes several
				if (type.isRecord()) {
					for (RecordComponent component : type.getRecordComponents()) {
						names.put(component.getName(), several(component.getType()));
					}
				}
				else {
					Arrays.stream(BeanUtils.getPropertyDescriptors(type))
						.filter((property) -> property.getWriteMethod() != null)
						.forEach((property) -> names.put(property.getName(), several(property.getPropertyType())));
				}
			}
		}
		return Optional.of(Map.copyOf(names));
	}

	/** True when a value of the type binds from several of a parameter's values: a collection or an array. */
	private static boolean several(Class<?> type) {
		return type.isArray() || Collection.class.isAssignableFrom(type);
	}

	/** An object the query's parameters are bound to: {@code @ModelAttribute}, or springdoc's parameter object. */
	private static boolean boundFromQuery(MethodParameter parameter) {
		return parameter.hasParameterAnnotation(ModelAttribute.class) || Arrays.stream(parameter.getParameterAnnotations())
			.anyMatch((annotation) -> annotation.annotationType().getSimpleName().equals("ParameterObject"));
	}

}
