package org.patientplatform.kit.audit;

import io.micrometer.tracing.Span;
import io.micrometer.tracing.Tracer;
import org.jspecify.annotations.Nullable;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.GrantedAuthority;
import org.springframework.security.core.context.SecurityContextHolder;

/**
 * Writes the append-only audit log: who (the token's subject and role), did what, to which resource
 * (type and id), when, with what outcome, and the trace id. Never pass PHI: ids only.
 */
public class AuditLog {

	private final JdbcTemplate jdbc;

	private final ObjectProvider<Tracer> tracer;

	public AuditLog(JdbcTemplate jdbc, ObjectProvider<Tracer> tracer) {
		this.jdbc = jdbc;
		this.tracer = tracer;
	}

	/** Records an action by the current caller. */
	public void record(String action, String resourceType, @Nullable String resourceId, String outcome,
			@Nullable String reason) {
		Authentication caller = SecurityContextHolder.getContext().getAuthentication();
		String actor = (caller != null) ? caller.getName() : "system";
		String role = (caller != null) ? caller.getAuthorities()
			.stream()
			.map(GrantedAuthority::getAuthority)
			.filter((a) -> a != null && a.startsWith("ROLE_"))
			.map((a) -> a.substring(5))
			.sorted()
			.reduce((a, b) -> a + "," + b)
			.orElse(null) : null;
		this.jdbc.update("""
				INSERT INTO audit_log (actor, actor_role, action, resource_type, resource_id, outcome, reason, trace_id)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?)
				""", actor, role, action, resourceType, resourceId, outcome, reason, traceId());
	}

	private @Nullable String traceId() {
		Tracer current = this.tracer.getIfAvailable();
		Span span = (current != null) ? current.currentSpan() : null;
		return (span != null) ? span.context().traceId() : null;
	}

}
