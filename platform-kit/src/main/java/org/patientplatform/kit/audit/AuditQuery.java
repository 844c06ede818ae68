package org.patientplatform.kit.audit;

import java.time.Instant;

import com.fasterxml.jackson.annotation.JsonIgnore;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.media.Schema;
import jakarta.validation.constraints.AssertTrue;
import jakarta.validation.constraints.Size;
import org.jspecify.annotations.Nullable;
import org.patientplatform.kit.web.ReportedOn;

import org.springframework.format.annotation.DateTimeFormat;

/**
 * Which audit records: every given criterion must match, exactly but for the outcome's case (none given: every
 * record).
 *
 * @param resourceType the kind of thing acted on, as the service writes it ({@code dlq-entry}, {@code patient})
 * @param resourceId the thing's id
 * @param actor who acted: a token's subject, or {@code system}
 * @param action what was done ({@code dlq.payload.reveal}, {@code read})
 * @param outcome how it ended ({@code SUCCEEDED}, {@code denied}), matched in any case
 * @param from at or after
 * @param to before
 */
public record AuditQuery(
		@Parameter(description = "The kind of thing acted on, exactly (dlq-entry, patient, ...)") @Nullable @Size(max = 255) String resourceType,
		@Parameter(description = "The id of the thing acted on, exactly") @Nullable @Size(max = 255) String resourceId,
		@Parameter(description = "Who acted: a token's subject, or system, exactly") @Nullable @Size(max = 255) String actor,
		@Parameter(description = "What was done, exactly (the service's action name)") @Nullable @Size(max = 255) String action,
		@Parameter(description = "How it ended, in any case (SUCCEEDED, denied, ...)") @Nullable @Size(max = 255) String outcome,
		@Parameter(description = "At or after (ISO-8601 instant)") @DateTimeFormat(
				iso = DateTimeFormat.ISO.DATE_TIME) @Nullable Instant from,
		@Parameter(description = "Before (ISO-8601 instant)") @DateTimeFormat(
				iso = DateTimeFormat.ISO.DATE_TIME) @Nullable Instant to) {

	public AuditQuery {
		// a form's empty box is no criterion, not a search for the empty text
		resourceType = blankToNull(resourceType);
		resourceId = blankToNull(resourceId);
		actor = blankToNull(actor);
		action = blankToNull(action);
		outcome = blankToNull(outcome);
	}

	@ReportedOn("from")
	@AssertTrue(message = "must be before to")
	@JsonIgnore
	@Schema(hidden = true)
	@Parameter(hidden = true)
	public boolean isFromBeforeTo() {
		return this.from == null || this.to == null || this.from.isBefore(this.to);
	}

	private static @Nullable String blankToNull(@Nullable String value) {
		return (value != null && !value.isBlank()) ? value : null;
	}

}
