package org.patientplatform.kit.logging;

import org.springframework.boot.json.JsonWriter;
import org.springframework.boot.logging.structured.StructuredLoggingJsonMembersCustomizer;

/**
 * Writes the service a log line's thread works for ({@link ServiceThreads}) as its {@code service.name},
 * the field of the ECS format the platform logs in (other formats' fields are left alone). Registered in
 * {@code META-INF/spring.factories}, so every structured format of every service has it; a thread no
 * launcher named keeps the configured name.
 */
public final class ServiceNameCustomizer implements StructuredLoggingJsonMembersCustomizer<Object> {

	static final String PATH = "service.name";

	@Override
	public void customize(JsonWriter.Members<Object> members) {
		members.applyingValueProcessor(JsonWriter.ValueProcessor
			.of(String.class, (name) -> ServiceThreads.current().orElse(name))
			.whenHasPath((path) -> PATH.equals(path.toUnescapedString())));
	}

}
