package org.patientplatform.kit.testapp;

import jakarta.validation.constraints.NotBlank;
import org.jspecify.annotations.Nullable;

/**
 * The test event's data ({@code kit.Thing.v1}).
 *
 * @param value what the listener records
 * @param fail {@code retryable} makes the listener throw an IllegalStateException, {@code not-yet} a
 * failure configured to be dead-lettered at once
 * @param patientName PHI that must never reach a log
 * @param phone PHI that must never reach a log
 */
public record Thing(@NotBlank String value, @Nullable String fail, @Nullable String patientName,
		@Nullable String phone) {

	public static final String TYPE = "kit.Thing.v1";

}
