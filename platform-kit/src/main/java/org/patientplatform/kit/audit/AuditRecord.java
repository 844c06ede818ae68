package org.patientplatform.kit.audit;

import java.time.Instant;

import org.jspecify.annotations.Nullable;

/**
 * One line of the audit log, as ops read it.
 *
 * @param id the record's number, in the order written
 * @param occurredAt when
 * @param actor who: the token's subject, or {@code system} for the service's own work
 * @param actorRole the caller's roles, comma separated, or null for the service's own work
 * @param action what was done
 * @param resourceType the kind of thing acted on
 * @param resourceId the thing's id, or null for an action on no one thing (a search, a dry run)
 * @param outcome how it ended
 * @param reason why, as the caller gave it, or what the service noted
 * @param traceId the request's trace id, to find its logs
 */
public record AuditRecord(long id, Instant occurredAt, String actor, @Nullable String actorRole, String action,
		String resourceType, @Nullable String resourceId, String outcome, @Nullable String reason,
		@Nullable String traceId) {

}
