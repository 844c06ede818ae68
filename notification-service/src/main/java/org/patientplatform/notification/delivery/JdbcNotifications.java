package org.patientplatform.notification.delivery;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import org.jspecify.annotations.Nullable;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;
import org.springframework.transaction.annotation.Transactional;

/**
 * Notifications in PostgreSQL. New ones go in as two JDBC batches (notifications, then
 * the deliveries of those actually inserted), so a whole poll of events costs two round
 * trips.
 */
@Repository
class JdbcNotifications implements Notifications {

	private static final TypeReference<Map<String, String>> PARAMETERS = new TypeReference<>() {
	};

	private static final String INSERT_NOTIFICATION = """
			INSERT INTO notification (id, patient_id, type, priority, idempotency_key, source_event_id, parameters,
			    state, waiting_for_contact, reason, not_before, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?::jsonb, ?, ?, ?, ?, ?, ?)
			ON CONFLICT DO NOTHING
			""";

	private static final String INSERT_DELIVERY = """
			INSERT INTO delivery (id, notification_id, channel, state, reason, attempts, provider_message_id,
			    next_attempt_at, state_changed_at, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
			""";

	private static final String NOTIFICATION_COLUMNS = """
			SELECT id, patient_id, type, priority, idempotency_key, source_event_id, parameters::text AS parameters,
			       waiting_for_contact, reason, not_before, created_at, updated_at
			FROM notification
			""";

	private final JdbcTemplate jdbc;

	private final JdbcClient client;

	private final JsonMapper json;

	JdbcNotifications(JdbcTemplate jdbc, JsonMapper json) {
		this.jdbc = jdbc;
		this.client = JdbcClient.create(jdbc);
		this.json = json;
	}

	@Override
	@Transactional
	public int storeNew(List<Notification> notifications) {
		if (notifications.isEmpty()) {
			return 0;
		}
		int[] counts = this.jdbc.batchUpdate(INSERT_NOTIFICATION,
				notifications.stream().map(this::notificationRow).toList());
		List<Object[]> deliveries = new ArrayList<>();
		int stored = 0;
		for (int i = 0; i < counts.length; i++) {
			if (counts[i] == Statement.SUCCESS_NO_INFO) {
				throw new IllegalStateException("The JDBC driver hides which notifications were inserted; "
						+ "do not set reWriteBatchedInserts on the notification datasource");
			}
			if (counts[i] > 0) {
				stored++;
				Notification notification = notifications.get(i);
				notification.deliveries().forEach((delivery) -> deliveries.add(deliveryRow(notification, delivery)));
			}
		}
		if (!deliveries.isEmpty()) {
			this.jdbc.batchUpdate(INSERT_DELIVERY, deliveries);
		}
		return stored;
	}

	@Override
	@Transactional
	public int releaseWaitingForContact(String patientId, List<ChannelTarget> targets, Instant now) {
		List<Notification> waiting = withDeliveries(this.client
			.sql(NOTIFICATION_COLUMNS + " WHERE patient_id = ? AND waiting_for_contact ORDER BY created_at FOR UPDATE")
			.param(patientId)
			.query(this::notification)
			.list());
		List<Object[]> deliveries = new ArrayList<>();
		for (Notification notification : waiting) {
			notification.contactArrived(targets, now);
			notification.deliveries().forEach((delivery) -> deliveries.add(deliveryRow(notification, delivery)));
			this.jdbc.update("UPDATE notification SET waiting_for_contact = false, reason = ?, state = ?, updated_at = ? "
					+ "WHERE id = ?", notification.reason(), notification.state().name(), timestamp(now),
					notification.id().value());
		}
		if (!deliveries.isEmpty()) {
			this.jdbc.batchUpdate(INSERT_DELIVERY, deliveries);
		}
		return waiting.size();
	}

	@Override
	@Transactional(readOnly = true)
	public Optional<Notification> findById(NotificationId id) {
		List<Notification> found = withDeliveries(this.client.sql(NOTIFICATION_COLUMNS + " WHERE id = ?")
			.param(id.value())
			.query(this::notification)
			.list());
		return found.stream().findFirst();
	}

	/**
	 * One page of a patient's notifications, newest first, after the cursor when there is
	 * one.
	 */
	@Transactional(readOnly = true)
	List<Notification> findByPatient(String patientId, @Nullable PageCursor after, int limit) {
		List<Notification> page;
		if (after == null) {
			page = this.client
				.sql(NOTIFICATION_COLUMNS + " WHERE patient_id = ? ORDER BY created_at DESC, id DESC LIMIT ?")
				.params(patientId, limit)
				.query(this::notification)
				.list();
		}
		else {
			page = this.client
				.sql(NOTIFICATION_COLUMNS + " WHERE patient_id = ? AND (created_at, id) < (?, ?)"
						+ " ORDER BY created_at DESC, id DESC LIMIT ?")
				.params(patientId, timestamp(after.createdAt()), after.id(), limit)
				.query(this::notification)
				.list();
		}
		return withDeliveries(page);
	}

	private List<Notification> withDeliveries(List<Notification> shells) {
		if (shells.isEmpty()) {
			return shells;
		}
		Map<UUID, List<Delivery>> byNotification = new LinkedHashMap<>();
		String[] ids = shells.stream().map((n) -> n.id().value().toString()).toArray(String[]::new);
		this.client
			.sql("SELECT id, notification_id, channel, state, reason, attempts, provider_message_id, next_attempt_at,"
					+ " state_changed_at, created_at FROM delivery WHERE notification_id = ANY(?::uuid[])"
					+ " ORDER BY created_at, channel")
			.param(ids)
			.query((rs) -> {
				byNotification.computeIfAbsent(rs.getObject("notification_id", UUID.class), (k) -> new ArrayList<>())
					.add(delivery(rs));
			});
		return shells.stream()
			.map((n) -> Notification.restore(n.id(), n.content(), n.isWaitingForContact(), n.reason(),
					byNotification.getOrDefault(n.id().value(), List.of()), n.createdAt(), n.updatedAt()))
			.toList();
	}

	private Notification notification(ResultSet rs, int row) throws SQLException {
		NewNotification content = new NewNotification(rs.getString("type"), rs.getString("patient_id"),
				Priority.valueOf(rs.getString("priority")), rs.getString("idempotency_key"),
				rs.getString("source_event_id"), this.json.readValue(rs.getString("parameters"), PARAMETERS),
				instant(rs, "not_before"));
		return Notification.restore(new NotificationId(rs.getObject("id", UUID.class)), content,
				rs.getBoolean("waiting_for_contact"), rs.getString("reason"), List.of(),
				requiredInstant(rs, "created_at"), requiredInstant(rs, "updated_at"));
	}

	private static Delivery delivery(ResultSet rs) throws SQLException {
		return Delivery.restore(new DeliveryId(rs.getObject("id", UUID.class)),
				Channel.valueOf(rs.getString("channel")), DeliveryState.valueOf(rs.getString("state")),
				rs.getString("reason"), rs.getInt("attempts"), rs.getString("provider_message_id"),
				instant(rs, "next_attempt_at"), requiredInstant(rs, "state_changed_at"),
				requiredInstant(rs, "created_at"));
	}

	private Object[] notificationRow(Notification n) {
		return new Object[] { n.id().value(), n.patientId(), n.type(), n.priority().name(), n.idempotencyKey(),
				n.sourceEventId(), this.json.writeValueAsString(n.parameters()), n.state().name(),
				n.isWaitingForContact(), n.reason(), timestamp(n.notBefore()), timestamp(n.createdAt()),
				timestamp(n.updatedAt()) };
	}

	private static Object[] deliveryRow(Notification n, Delivery d) {
		return new Object[] { d.id().value(), n.id().value(), d.channel().name(), d.state().name(), d.reason(),
				d.attempts(), d.providerMessageId(), timestamp(d.nextAttemptAt()), timestamp(d.stateChangedAt()),
				timestamp(d.createdAt()), timestamp(n.updatedAt()) };
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

}
