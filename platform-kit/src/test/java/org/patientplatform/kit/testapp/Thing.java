package org.patientplatform.kit.testapp;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
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
 * @param quantity a whole number with a range of its own, narrower than its type's
 */
public record Thing(@NotBlank String value, @Nullable String fail, @Nullable String patientName,
		@Nullable String phone, @Nullable @Min(1) @Max(1000) Integer quantity) {

	public static final String TYPE = "kit.Thing.v1";

	/** A thing without a quantity. */
	public Thing(String value, @Nullable String fail, @Nullable String patientName, @Nullable String phone) {
		this(value, fail, patientName, phone, null);
	}

}
