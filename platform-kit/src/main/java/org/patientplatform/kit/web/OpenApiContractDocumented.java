package org.patientplatform.kit.web;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

import io.swagger.v3.oas.models.Components;
import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.Operation;
import io.swagger.v3.oas.models.PathItem;
import io.swagger.v3.oas.models.headers.Header;
import io.swagger.v3.oas.models.media.Content;
import io.swagger.v3.oas.models.media.MediaType;
import io.swagger.v3.oas.models.media.Schema;
import io.swagger.v3.oas.models.media.StringSchema;
import io.swagger.v3.oas.models.parameters.Parameter;
import io.swagger.v3.oas.models.responses.ApiResponse;
import io.swagger.v3.oas.models.responses.ApiResponses;
import org.jspecify.annotations.Nullable;
import org.springdoc.core.customizers.OpenApiCustomizer;

/**
 * Makes the OpenAPI document a valid OpenAPI 3.1 description that says what the services answer, whatever the
 * annotations it is made from left out (an independent validator and linter refused what springdoc wrote):
 * <ul>
 * <li>a parameter or a response header without a schema or content (an annotation that named neither) is given one,
 * a string; OpenAPI requires one of the two;</li>
 * <li>a schema's {@code pattern} is a Java regular expression that {@code @Pattern} matches against the whole value,
 * where JSON Schema's is an ECMA-262 one that matches anywhere in it: an alternation of literal words
 * ({@code NEW|RESOLVED}) becomes an {@code enum}; one that uses what only Java has (an inline flag such as
 * {@code (?i)}, a possessive quantifier, {@code \A}) is dropped, its rule kept in the schema's description; any other
 * is anchored, {@code ^(?:…)$}. Every schema is walked: the components', the parameters', the bodies', nested
 * properties and items;</li>
 * <li>an error answer (4xx, 5xx) in {@code application/problem+json} without a schema is given the
 * {@code Problem} schema ({@link ProblemResponsesDocumented} documents the error answers themselves).</li>
 * </ul>
 * Applying it again changes nothing.
 */
public final class OpenApiContractDocumented implements OpenApiCustomizer {

	private static final String PROBLEM_JSON = "application/problem+json";

	private static final String PROBLEM_REF = "#/components/schemas/" + ProblemResponsesDocumented.SCHEMA;

	/** An alternation of literal words, optionally anchored as a whole: {@code NEW|RETRY_SCHEDULED}. */
	private static final Pattern LITERAL_WORDS = Pattern
		.compile("\\^?(?:\\(\\?:)?([A-Za-z0-9_-]+(?:\\|[A-Za-z0-9_-]+)*)\\)?\\$?");

	/**
	 * What Java's regular expressions have and ECMA-262's do not: inline flags ({@code (?i)}, {@code (?s:…)}),
	 * atomic groups, possessive quantifiers, {@code \A \Z \z \G \Q…\E \h \R}, Java's own character classes and class
	 * intersections.
	 */
	private static final Pattern JAVA_ONLY = Pattern.compile("\\(\\?[idmsuxUc-]+[):]|\\(\\?>|[*+?}]\\+"
			+ "|(?<!\\\\)\\\\[AZzGQEhHRX]|\\\\p\\{(?:java|Is|In)|\\\\[pP][A-Z]|&&");

	@Override
	public void customise(OpenAPI openApi) {
		Set<Schema<?>> seen = Collections.newSetFromMap(new IdentityHashMap<>());
		Components components = openApi.getComponents();
		if (components != null) {
			each(components.getSchemas()).forEach((schema) -> patterns(schema, seen));
			each(components.getParameters()).forEach((parameter) -> parameter(parameter, seen));
			each(components.getHeaders()).forEach((header) -> header(header, seen));
			each(components.getResponses()).forEach((response) -> response(null, response, seen));
			each(components.getRequestBodies()).forEach((body) -> content(body.getContent(), seen));
		}
		if (openApi.getPaths() == null) {
			return;
		}
		openApi.getPaths().forEach((path, item) -> {
			each(item.getParameters()).forEach((parameter) -> parameter(parameter, seen));
			for (Map.Entry<PathItem.HttpMethod, Operation> entry : item.readOperationsMap().entrySet()) {
				Operation operation = entry.getValue();
				each(operation.getParameters()).forEach((parameter) -> parameter(parameter, seen));
				if (operation.getRequestBody() != null) {
					content(operation.getRequestBody().getContent(), seen);
				}
				if (operation.getResponses() == null) {
					operation.setResponses(new ApiResponses());
				}
				operation.getResponses().forEach((status, response) -> response(status, response, seen));
			}
		});
	}

	private void parameter(Parameter parameter, Set<Schema<?>> seen) {
		if (parameter.get$ref() != null) {
			return;
		}
		if (parameter.getSchema() == null && parameter.getContent() == null) {
			parameter.setSchema(new StringSchema());
		}
		patterns(parameter.getSchema(), seen);
		content(parameter.getContent(), seen);
	}

	private void header(Header header, Set<Schema<?>> seen) {
		if (header.get$ref() != null) {
			return;
		}
		if (header.getSchema() == null && header.getContent() == null) {
			header.setSchema(new StringSchema());
		}
		patterns(header.getSchema(), seen);
		content(header.getContent(), seen);
	}

	private void response(@Nullable String status, ApiResponse response, Set<Schema<?>> seen) {
		if (response.get$ref() != null) {
			return;
		}
		each(response.getHeaders()).forEach((header) -> header(header, seen));
		if (status != null && (status.startsWith("4") || status.startsWith("5")) && response.getContent() != null) {
			MediaType problem = response.getContent().get(PROBLEM_JSON);
			if (problem != null && problem.getSchema() == null) {
				problem.setSchema(new Schema<>().$ref(PROBLEM_REF));
			}
		}
		content(response.getContent(), seen);
	}

	private void content(@Nullable Content content, Set<Schema<?>> seen) {
		each(content).forEach((mediaType) -> patterns(mediaType.getSchema(), seen));
	}

	/** The schema's pattern, and those of every schema in it, as JSON Schema reads them. */
	@SuppressWarnings({ "rawtypes", "unchecked" })
	private static void patterns(@Nullable Schema<?> schema, Set<Schema<?>> seen) {
		if (schema == null || !seen.add(schema)) {
			return;
		}
		String pattern = schema.getPattern();
		if (pattern != null) {
			java.util.regex.Matcher words = LITERAL_WORDS.matcher(pattern);
			if (words.matches()) {
				if (schema.getEnum() == null || schema.getEnum().isEmpty()) {
					List<Object> values = new ArrayList<>(List.of(words.group(1).split("\\|")));
					if (schema.getTypes() != null && schema.getTypes().contains("null")) {
						// a member that may be null (NullableComponentsDocumented): an enum without null refuses it
						values.add(null);
					}
					((Schema) schema).setEnum(values);
				}
				schema.setPattern(null);
			}
			else if (JAVA_ONLY.matcher(pattern).find()) {
				schema.setPattern(null);
				String rule = "Must match the Java regular expression `" + pattern + "` (as a whole).";
				schema.setDescription((schema.getDescription() == null || schema.getDescription().isBlank()) ? rule
						: schema.getDescription() + " " + rule);
			}
			else if (!anchored(pattern)) {
				schema.setPattern("^(?:" + pattern + ")$");
			}
		}
		each((Map<String, Schema>) (Map) schema.getProperties()).forEach((each) -> patterns(each, seen));
		each((Map<String, Schema>) (Map) schema.getPatternProperties()).forEach((each) -> patterns(each, seen));
		patterns(schema.getItems(), seen);
		if (schema.getAdditionalProperties() instanceof Schema<?> additional) {
			patterns(additional, seen);
		}
		for (List<Schema> all : java.util.Arrays.asList(schema.getAllOf(), schema.getAnyOf(), schema.getOneOf(),
				schema.getPrefixItems())) {
			each(all).forEach((each) -> patterns(each, seen));
		}
		patterns(schema.getNot(), seen);
		patterns(schema.getContains(), seen);
	}

	/**
	 * Whether the pattern matches whole values already: it starts with {@code ^} and ends with an unescaped
	 * {@code $}, with no alternation outside a group ({@code ^a|b$} matches "xb").
	 */
	static boolean anchored(String pattern) {
		if (!pattern.startsWith("^") || !pattern.endsWith("$")
				|| (pattern.length() >= 2 && pattern.charAt(pattern.length() - 2) == '\\')) {
			return false;
		}
		int depth = 0;
		boolean inClass = false;
		for (int i = 0; i < pattern.length(); i++) {
			char c = pattern.charAt(i);
			if (c == '\\') {
				i++;
			}
			else if (inClass) {
				inClass = c != ']';
			}
			else if (c == '[') {
				inClass = true;
			}
			else if (c == '(') {
				depth++;
			}
			else if (c == ')') {
				depth--;
			}
			else if (c == '|' && depth == 0) {
				return false;
			}
		}
		return true;
	}

	private static <T> Collection<T> each(@Nullable Map<String, T> map) {
		return (map != null) ? map.values() : List.of();
	}

	private static <T> Collection<T> each(@Nullable Collection<T> collection) {
		return (collection != null) ? collection : List.of();
	}

	private static Collection<MediaType> each(@Nullable Content content) {
		return (content != null) ? content.values() : List.of();
	}

}
