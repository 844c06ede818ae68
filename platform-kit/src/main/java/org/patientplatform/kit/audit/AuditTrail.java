package org.patientplatform.kit.audit;

import java.time.DateTimeException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;

import org.jspecify.annotations.Nullable;
import org.patientplatform.kit.web.Page;

import org.springframework.jdbc.core.JdbcTemplate;

/** Reads the audit log {@link AuditLog} writes: newest first, in keyset pages. */
public class AuditTrail {

	private final JdbcTemplate jdbc;

	public AuditTrail(JdbcTemplate jdbc) {
		this.jdbc = jdbc;
	}

	/**
	 * One page of the records that match, newest first (ties in time by the order written, last first).
	 * @param cursor the previous page's {@code nextCursor}, or null for the first page
	 * @throws Page.InvalidCursorException (answered 400) for a cursor this method did not write
	 */
	public Page<AuditRecord> find(AuditQuery query, @Nullable String cursor, int limit) {
		StringBuilder sql = new StringBuilder("""
				SELECT id, occurred_at, actor, actor_role, action, resource_type, resource_id, outcome, reason, trace_id
				FROM audit_log WHERE true""");
		List<Object> args = new ArrayList<>();
		equal(sql, args, "resource_type", query.resourceType());
		equal(sql, args, "resource_id", query.resourceId());
		equal(sql, args, "actor", query.actor());
		equal(sql, args, "action", query.action());
		if (query.outcome() != null) {
			// services write it in either case (SUCCEEDED, denied)
			sql.append(" AND lower(outcome) = lower(?)");
			args.add(query.outcome());
		}
		if (query.from() != null) {
			sql.append(" AND occurred_at >= ?");
			args.add(utc(query.from()));
		}
		if (query.to() != null) {
			sql.append(" AND occurred_at < ?");
			args.add(utc(query.to()));
		}
		if (cursor != null && !cursor.isBlank()) {
			List<String> parts = Page.decode(cursor, 2);
			try {
				args.add(utc(Instant.parse(parts.get(0))));
				args.add(Long.valueOf(parts.get(1)));
			}
			catch (DateTimeException | NumberFormatException ex) {
				throw new Page.InvalidCursorException();
			}
			sql.append(" AND (occurred_at, id) < (?, ?)");
		}
		sql.append(" ORDER BY occurred_at DESC, id DESC LIMIT ?");
		args.add(limit + 1);
		List<AuditRecord> rows = this.jdbc.query(sql.toString(),
				(rs, n) -> new AuditRecord(rs.getLong("id"), rs.getTimestamp("occurred_at").toInstant(),
						rs.getString("actor"), rs.getString("actor_role"), rs.getString("action"),
						rs.getString("resource_type"), rs.getString("resource_id"), rs.getString("outcome"),
						rs.getString("reason"), rs.getString("trace_id")),
				args.toArray());
		return Page.of(rows, limit, (row) -> List.of(row.occurredAt().toString(), Long.toString(row.id())));
	}

	private static void equal(StringBuilder sql, List<Object> args, String column, @Nullable String value) {
		if (value != null) {
			sql.append(" AND ").append(column).append(" = ?");
			args.add(value);
		}
	}

	private static OffsetDateTime utc(Instant instant) {
		return instant.atOffset(ZoneOffset.UTC);
	}

}
