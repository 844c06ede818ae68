package org.patientplatform.kit.kafka;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

import org.patientplatform.kit.events.InvalidEventException;

import org.springframework.kafka.support.serializer.DeserializationException;

/**
 * Decides whether a failure can ever succeed on retry. Deserialization, validation and unknown event
 * types cannot; neither can the classes a service lists in {@code platform.kafka.failure.non-retryable}.
 */
public class NonRetryableClassifier {

	private final Set<String> classNames = new LinkedHashSet<>();

	public NonRetryableClassifier(List<String> configured) {
		this.classNames.add(InvalidEventException.class.getName());
		this.classNames.add(DeserializationException.class.getName());
		this.classNames.add(BatchStores.RefusedRecordException.class.getName());
		this.classNames.add("jakarta.validation.ConstraintViolationException");
		this.classNames.add("org.springframework.messaging.converter.MessageConversionException");
		this.classNames.add("org.springframework.kafka.support.converter.ConversionException");
		this.classNames.add("java.lang.ClassCastException");
		this.classNames.addAll(configured);
	}

	public boolean isNonRetryable(Throwable failure) {
		for (Throwable t = failure; t != null; t = t.getCause()) {
			for (Class<?> type = t.getClass(); type != null; type = type.getSuperclass()) {
				if (this.classNames.contains(type.getName())) {
					return true;
				}
			}
			if (t.getCause() == t) {
				break;
			}
		}
		return false;
	}

	public Set<String> classNames() {
		return Set.copyOf(this.classNames);
	}

}
