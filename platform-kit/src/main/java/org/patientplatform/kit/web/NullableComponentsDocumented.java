package org.patientplatform.kit.web;

import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.swagger.v3.core.converter.AnnotatedType;
import io.swagger.v3.core.converter.ModelConverter;
import io.swagger.v3.core.converter.ModelConverterContext;
import io.swagger.v3.core.util.Json;
import io.swagger.v3.oas.models.media.JsonSchema;
import io.swagger.v3.oas.models.media.Schema;
import org.jspecify.annotations.Nullable;

/**
 * Documents a record component marked {@link Nullable} as one that may be {@code null}: its schema's types gain
 * {@code "null"} (OpenAPI 3.1, JSON Schema), or, for a component whose schema is a reference to another (a nested
 * record, an enum), it is {@code anyOf} that reference and {@code null}. The APIs write {@code null} members as they
 * are (Jackson's default), and springdoc documented every one as never null: a client generated from the document,
 * or a validator of its answers, refused the first answer with a null in it (a probe's check of the live answers
 * against the documents failed on nearly every 200).
 */
public final class NullableComponentsDocumented implements ModelConverter {

	private static final String SCHEMAS = "#/components/schemas/";

	@Override
	public @Nullable Schema resolve(AnnotatedType type, ModelConverterContext context, Iterator<ModelConverter> chain) {
		if (!chain.hasNext()) {
			return null;
		}
		Schema<?> resolved = chain.next().resolve(type, context, chain);
		if (resolved == null || type.getType() == null) {
			return resolved;
		}
		Class<?> raw = Json.mapper().constructType(type.getType()).getRawClass();
		if (!raw.isRecord()) {
			return resolved;
		}
		Schema<?> model = resolved;
		if (resolved.get$ref() != null && resolved.get$ref().startsWith(SCHEMAS)) {
			model = context.getDefinedModels().get(resolved.get$ref().substring(SCHEMAS.length()));
		}
		if (model != null && model.getProperties() != null) {
			markNullable(raw, model.getProperties());
		}
		return resolved;
	}

	@SuppressWarnings({ "rawtypes", "unchecked" })
	private static void markNullable(Class<?> record, Map<String, Schema> properties) {
		for (RecordComponent component : record.getRecordComponents()) {
			if (!component.getAnnotatedType().isAnnotationPresent(Nullable.class)) {
				continue;
			}
			String name = propertyName(component);
			Schema property = properties.get(name);
			if (property != null) {
				properties.put(name, nullable(property));
			}
		}
	}

	private static String propertyName(RecordComponent component) {
		JsonProperty renamed = component.getAccessor().getAnnotation(JsonProperty.class);
		if (renamed == null) {
			try {
				renamed = component.getDeclaringRecord()
					.getDeclaredField(component.getName())
					.getAnnotation(JsonProperty.class);
			}
			catch (NoSuchFieldException ex) {
				renamed = null;
			}
		}
		return (renamed != null && !renamed.value().isEmpty()) ? renamed.value() : component.getName();
	}

	@SuppressWarnings("rawtypes")
	private static boolean allowsNull(@Nullable List<Schema> anyOf) {
		return anyOf != null && anyOf.stream()
			.anyMatch((schema) -> schema.getTypes() != null && schema.getTypes().contains("null"));
	}

	/** The property's schema allowing null as well (the same schema when it already does). */
	@SuppressWarnings({ "rawtypes", "unchecked" })
	static Schema nullable(Schema property) {
		Set<String> types = new LinkedHashSet<>();
		if (property.getTypes() != null) {
			types.addAll(property.getTypes());
		}
		if (types.isEmpty() && property.getType() != null) {
			types.add(property.getType());
		}
		if (types.contains("null") || allowsNull(property.getAnyOf())) {
			return property;
		}
		if (!types.isEmpty()) {
			types.add("null");
			property.setTypes(types);
			if (property.getEnum() != null && !property.getEnum().contains(null)) {
				List<Object> values = new ArrayList<>(property.getEnum());
				values.add(null);
				property.setEnum(values);
			}
			return property;
		}
		// a reference (a nested record, an enum) or a composition: a null member satisfies neither, so the property is
		// either that or null; a description stays on the property
		JsonSchema either = new JsonSchema();
		either.setDescription(property.getDescription());
		property.setDescription(null);
		either.setAnyOf(List.of(property, new JsonSchema().types(new LinkedHashSet<>(List.of("null")))));
		return either;
	}

}
