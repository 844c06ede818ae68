package org.patientplatform.kit.web;

import java.util.List;
import java.util.Map;

/**
 * Every field of a request that did not read, with why (a body's fields of the wrong type or unknown, the query's
 * parameters an operation does not take), answered by {@code ProblemDetailsAdvice} as a 400 listing each.
 */
public final class FieldErrorsException extends RuntimeException {

	private final transient List<Map<String, Object>> errors;

	FieldErrorsException(String message, List<Map<String, Object>> errors) {
		super(message + ": " + errors.size(), null, false, false);
		this.errors = List.copyOf(errors);
	}

	public List<Map<String, Object>> errors() {
		return this.errors;
	}

}
