package org.patientplatform.notification.batches;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import org.jspecify.annotations.Nullable;
import org.patientplatform.kit.jobs.Jobs;
import org.patientplatform.kit.web.ConflictException;
import org.patientplatform.kit.web.NotFoundException;
import org.patientplatform.notification.contacts.StaffRecipients;
import org.patientplatform.notification.delivery.Channel;
import org.patientplatform.notification.delivery.Priority;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Repository;
import org.springframework.transaction.annotation.Transactional;

/**
 * The batches and their recipients. Creating a batch fixes its recipients and enqueues its
 * job in one transaction, so a batch exists with its job or not at all.
 */
@Repository
class Batches {

	static final String JOB_TYPE = "notification.batch";

	private static final TypeReference<Map<String, String>> PARAMETERS = new TypeReference<>() {
	};

	private static final String COLUMNS = """
			SELECT id, type, priority, parameters::text AS parameters, not_before, selection::text AS selection, state,
			       total, created, skipped, waiting_for_contact, created_by, cancelled_by, created_at, started_at,
			       finished_at, updated_at
			FROM notification_batch
			""";

	private final JdbcTemplate jdbc;

	private final Jobs jobs;

	private final JsonMapper json;

	private final StaffRecipients staff;

	Batches(JdbcTemplate jdbc, Jobs jobs, JsonMapper json, StaffRecipients staff) {
		this.jdbc = jdbc;
		this.jobs = jobs;
		this.json = json;
		this.staff = staff;
	}

	/**
	 * Creates a batch to the patients listed (each once, in the order first named) and
	 * enqueues its job.
	 */
	@Transactional
	NotificationBatch createForList(BatchContent content, List<String> patientIds, String createdBy, Instant now) {
		UUID id = insert(content, NotificationBatch.Selection.list(patientIds.size()), createdBy, now);
		int total = this.jdbc.update("""
				INSERT INTO notification_batch_recipient (batch_id, seq, patient_id)
				SELECT ?, row_number() OVER (ORDER BY min(u.ord)), u.patient_id
				FROM unnest(?::text[]) WITH ORDINALITY AS u(patient_id, ord)
				GROUP BY u.patient_id
				""", id, patientIds.toArray(String[]::new));
		return started(id, total, now);
	}

	/**
	 * Creates a batch to every patient with a known contact, optionally only those whose
	 * language (primary subtag) matches and who can be reached on the channel (opted in,
	 * with an address, a device token for push), and enqueues its job. The segment is
	 * fixed now: patients who arrive later are not added.
	 */
	@Transactional
	NotificationBatch createForSegment(BatchContent content, @Nullable String language, @Nullable Channel channel,
			String createdBy, Instant now) {
		UUID id = insert(content, NotificationBatch.Selection.segment(language, channel), createdBy, now);
		// a read of the contact projection: one statement snapshots the segment, however large, without moving
		// the patient ids through the service
		String reachable = switch (channel) {
			case null -> "true";
			case SMS -> "sms_opt_in AND phone_e164 IS NOT NULL";
			case EMAIL -> "email_opt_in AND email IS NOT NULL";
			case PUSH -> "push_opt_in AND cardinality(push_tokens) > 0";
		};
		int total = this.jdbc.update("""
				INSERT INTO notification_batch_recipient (batch_id, seq, patient_id)
				SELECT ?, row_number() OVER (ORDER BY patient_id), patient_id FROM contact
				WHERE details_at IS NOT NULL
				  -- a merged patient's record is the survivor's person: the survivor is written to once
				  AND merged_into IS NULL
				  AND NOT (patient_id = ANY (?))
				  AND (?::text IS NULL OR lower(split_part(language, '-', 1)) = lower(split_part(?::text, '-', 1)))
				  AND %s
				""".formatted(reachable), id, this.staff.ids().toArray(String[]::new), language, language);
		return started(id, total, now);
	}

	private UUID insert(BatchContent content, NotificationBatch.Selection selection, String createdBy, Instant now) {
		UUID id = UUID.randomUUID();
		this.jdbc.update("""
				INSERT INTO notification_batch (id, type, priority, parameters, not_before, selection, state, created_by,
				    created_at, updated_at)
				VALUES (?, ?, ?, ?::jsonb, ?, ?::jsonb, 'QUEUED', ?, ?, ?)
				""", id, content.type(), content.priority().name(), this.json.writeValueAsString(content.parameters()),
				timestamp(content.notBefore()), this.json.writeValueAsString(selection), createdBy, timestamp(now),
				timestamp(now));
		return id;
	}

	private NotificationBatch started(UUID id, int total, Instant now) {
		if (total == 0) {
			this.jdbc.update("UPDATE notification_batch SET state = 'COMPLETED', finished_at = ?, updated_at = ? "
					+ "WHERE id = ?", timestamp(now), timestamp(now), id);
		}
		else {
			this.jdbc.update("UPDATE notification_batch SET total = ? WHERE id = ?", total, id);
			this.jobs.enqueue(Jobs.BATCH_PUBLISHER, JOB_TYPE, Map.of("batchId", id.toString()), null,
					JOB_TYPE + ":" + id, 25);
		}
		return find(id).orElseThrow();
	}

	/**
	 * Cancels a batch: waits for a chunk in progress to commit (it holds the batch's row),
	 * so no notification is created after this returns, and enqueues the job that cancels
	 * the deliveries not yet sent. A completed batch can be cancelled too: all its
	 * notifications exist, but those scheduled for later (its not-before), held for quiet
	 * hours or still queued behind a rate limit have not gone out.
	 * @throws NotFoundException when there is no such batch
	 * @throws ConflictException when it was cancelled already
	 */
	@Transactional
	NotificationBatch cancel(UUID id, String cancelledBy, Instant now) {
		BatchState state = lockState(id).orElseThrow(() -> new NotFoundException("No batch " + id));
		if (state == BatchState.CANCELLED) {
			throw new ConflictException("Batch " + id + " was cancelled already");
		}
		// a completed batch keeps the time its last notification was created
		this.jdbc.update("""
				UPDATE notification_batch SET state = 'CANCELLED', cancelled_by = ?, finished_at = coalesce(finished_at, ?),
				    updated_at = ?
				WHERE id = ?
				""", cancelledBy, timestamp(now), timestamp(now), id);
		this.jobs.enqueue(Jobs.BATCH_PUBLISHER, JOB_TYPE, Map.of("batchId", id.toString()), null,
				JOB_TYPE + ":" + id + ":cancel", 25);
		return find(id).orElseThrow();
	}

	/** A batch's state, its row locked until the transaction ends. */
	Optional<BatchState> lockState(UUID id) {
		return this.jdbc.queryForList("SELECT state FROM notification_batch WHERE id = ? FOR UPDATE", String.class, id)
			.stream()
			.findFirst()
			.map(BatchState::valueOf);
	}

	/** What the batch's notifications say, and where its job stands. */
	Optional<Progress> progress(UUID id) {
		return this.jdbc.query("""
				SELECT type, priority, parameters::text AS parameters, not_before, state, cursor_seq
				FROM notification_batch WHERE id = ?
				""", (rs, n) -> new Progress(
				new BatchContent(rs.getString("type"), Priority.valueOf(rs.getString("priority")),
						this.json.readValue(rs.getString("parameters"), PARAMETERS), instant(rs, "not_before")),
				BatchState.valueOf(rs.getString("state")), rs.getInt("cursor_seq")), id).stream().findFirst();
	}

	/** Up to {@code limit} recipients after {@code afterSeq}, in order. */
	List<Recipient> recipients(UUID id, int afterSeq, int limit) {
		return this.jdbc.query("""
				SELECT seq, patient_id FROM notification_batch_recipient
				WHERE batch_id = ? AND seq > ? ORDER BY seq LIMIT ?
				""", (rs, n) -> new Recipient(rs.getInt("seq"), rs.getString("patient_id")), id, afterSeq, limit);
	}

	void markRunning(UUID id, Instant now) {
		this.jdbc.update("""
				UPDATE notification_batch SET state = 'RUNNING', started_at = coalesce(started_at, ?), updated_at = ?
				WHERE id = ? AND state = 'QUEUED'
				""", timestamp(now), timestamp(now), id);
	}

	/** Moves the cursor past a chunk and adds its counts, in the chunk's transaction. */
	void recordChunk(UUID id, int lastSeq, int created, int skipped, int waitingForContact, Instant now) {
		this.jdbc.update("""
				UPDATE notification_batch SET cursor_seq = ?, created = created + ?, skipped = skipped + ?,
				    waiting_for_contact = waiting_for_contact + ?, updated_at = ?
				WHERE id = ?
				""", lastSeq, created, skipped, waitingForContact, timestamp(now), id);
	}

	void markCompleted(UUID id, Instant now) {
		this.jdbc.update("UPDATE notification_batch SET state = 'COMPLETED', finished_at = ?, updated_at = ? "
				+ "WHERE id = ? AND state = 'RUNNING'", timestamp(now), timestamp(now), id);
	}

	/** Hands the rest of a batch to a fresh job (one per cursor position). */
	void enqueueContinuation(UUID id, int afterSeq) {
		this.jobs.enqueue(Jobs.BATCH_PUBLISHER, JOB_TYPE, Map.of("batchId", id.toString()), null,
				JOB_TYPE + ":" + id + ":after:" + afterSeq, 25);
	}

	Optional<NotificationBatch> find(UUID id) {
		return this.jdbc.query(COLUMNS + " WHERE id = ?", this::batch, id).stream().findFirst();
	}

	/** Newest first, after the cursor when there is one; {@code limit + 1} rows at most. */
	List<NotificationBatch> page(@Nullable Instant afterCreatedAt, @Nullable UUID afterId, int limit) {
		if (afterCreatedAt == null || afterId == null) {
			return this.jdbc.query(COLUMNS + " ORDER BY created_at DESC, id DESC LIMIT ?", this::batch, limit + 1);
		}
		return this.jdbc.query(COLUMNS + " WHERE (created_at, id) < (?, ?) ORDER BY created_at DESC, id DESC LIMIT ?",
				this::batch, timestamp(afterCreatedAt), afterId, limit + 1);
	}

	private NotificationBatch batch(ResultSet rs, int row) throws SQLException {
		return new NotificationBatch(rs.getObject("id", UUID.class), rs.getString("type"),
				Priority.valueOf(rs.getString("priority")), this.json.readValue(rs.getString("parameters"), PARAMETERS),
				instant(rs, "not_before"),
				this.json.readValue(rs.getString("selection"), NotificationBatch.Selection.class),
				BatchState.valueOf(rs.getString("state")), rs.getInt("total"), rs.getInt("created"),
				rs.getInt("skipped"), rs.getInt("waiting_for_contact"), rs.getString("created_by"),
				rs.getString("cancelled_by"), requiredInstant(rs, "created_at"), instant(rs, "started_at"),
				instant(rs, "finished_at"), requiredInstant(rs, "updated_at"));
	}

	private static @Nullable OffsetDateTime timestamp(@Nullable Instant instant) {
		return (instant != null) ? instant.atOffset(ZoneOffset.UTC) : null;
	}

	private static @Nullable Instant instant(ResultSet rs, String column) throws SQLException {
		OffsetDateTime value = rs.getObject(column, OffsetDateTime.class);
		return (value != null) ? value.toInstant() : null;
	}

	private static Instant requiredInstant(ResultSet rs, String column) throws SQLException {
		return rs.getObject(column, OffsetDateTime.class).toInstant();
	}

	/** What every notification of a batch carries. */
	record BatchContent(String type, Priority priority, Map<String, String> parameters, @Nullable Instant notBefore) {
	}

	/** A batch's content, state and cursor. */
	record Progress(BatchContent content, BatchState state, int cursor) {
	}

	/** One recipient of a batch, by its place in the batch. */
	record Recipient(int seq, String patientId) {
	}

}
