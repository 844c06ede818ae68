package org.patientplatform.notification.delivery;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

import org.jspecify.annotations.Nullable;
import org.patientplatform.kit.web.TimeCursor;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;
import org.springframework.transaction.annotation.Propagation;
import org.springframework.transaction.annotation.Transactional;

/**
 * Notifications in PostgreSQL. New ones go in as two JDBC batches (notifications, then
 * the deliveries of those actually inserted), so a whole poll of events costs two round
 * trips.
 * <p>
 * A delivery changes only while its notification's row is locked: {@link #lock} takes
 * the locks in id order, and the send queue's claim takes them with {@code SKIP LOCKED}
 * (it never waits), so writers never deadlock and each one sees the other deliveries of
 * its notifications as they are, which keeps the notification's state right.
 */
@Repository
class JdbcNotifications implements Notifications, DeliveryQueue {

	private static final TypeReference<Map<String, String>> PARAMETERS = new TypeReference<>() {
	};

	private static final String INSERT_NOTIFICATION = """
			INSERT INTO notification (id, patient_id, type, priority, idempotency_key, source_event_id, parameters,
			    state, waiting_for_contact, reason, not_before, created_at, updated_at, source_event_at, channels,
			    cancelled_at)
			VALUES (?, ?, ?, ?, ?, ?, ?::jsonb, ?, ?, ?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT DO NOTHING
			""";

	private static final String INSERT_DELIVERY = """
			INSERT INTO delivery (id, notification_id, channel, state, reason, attempts, provider_message_id,
			    next_attempt_at, state_changed_at, created_at, updated_at, sending_started_at, recipient, subject, body,
			    urgent)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (notification_id, channel) DO NOTHING
			""";

	private static final String UPDATE_DELIVERY = """
			UPDATE delivery SET state = ?, reason = ?, attempts = ?, provider_message_id = ?, next_attempt_at = ?,
			    state_changed_at = ?, sending_started_at = ?, updated_at = ?,
			    recipient = CASE WHEN ? THEN ? ELSE recipient END, subject = CASE WHEN ? THEN ? ELSE subject END,
			    body = CASE WHEN ? THEN ? ELSE body END
			WHERE id = ?
			""";

	private static final String NOTIFICATION_COLUMNS = """
			SELECT id, patient_id, type, priority, idempotency_key, source_event_id, parameters::text AS parameters,
			       waiting_for_contact, reason, not_before, created_at, updated_at, source_event_at, channels,
			       cancelled_at
			FROM notification
			""";

	private static final String DUE = "d.state IN ('PENDING', 'SCHEDULED') "
			+ "AND coalesce(d.next_attempt_at, d.created_at) <= ?";

	private final JdbcTemplate jdbc;

	private final JdbcClient client;

	private final JsonMapper json;

	private final ObjectProvider<CreatedDeliveries> created;

	JdbcNotifications(JdbcTemplate jdbc, JsonMapper json, ObjectProvider<CreatedDeliveries> created) {
		this.jdbc = jdbc;
		this.client = JdbcClient.create(jdbc);
		this.json = json;
		this.created = created;
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
		List<Notification> stored = new ArrayList<>();
		for (int i = 0; i < counts.length; i++) {
			if (counts[i] == Statement.SUCCESS_NO_INFO) {
				throw new IllegalStateException("The JDBC driver hides which notifications were inserted; "
						+ "do not set reWriteBatchedInserts on the notification datasource");
			}
			if (counts[i] > 0) {
				Notification notification = notifications.get(i);
				stored.add(notification);
				notification.deliveries().forEach((delivery) -> deliveries.add(deliveryRow(notification, delivery)));
			}
		}
		if (!deliveries.isEmpty()) {
			this.jdbc.batchUpdate(INSERT_DELIVERY, deliveries);
		}
		// only those stored: a redelivered event's notification, skipped, was counted the first time
		this.created.ifAvailable((listener) -> listener.created(stored));
		return stored.size();
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
		this.created.ifAvailable((listener) -> listener.created(waiting));
		return waiting.size();
	}

	@Override
	@Transactional
	public int moveWaitingForContact(String fromPatientId, String toPatientId, Instant now) {
		return this.jdbc.update("UPDATE notification SET patient_id = ?, updated_at = ? "
				+ "WHERE patient_id = ? AND waiting_for_contact", toPatientId, timestamp(now), fromPatientId);
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

	@Override
	@Transactional(readOnly = true)
	public Optional<NotificationId> findIdByIdempotencyKey(String idempotencyKey) {
		return this.client.sql("SELECT id FROM notification WHERE idempotency_key = ?")
			.param(idempotencyKey)
			.query((rs, row) -> new NotificationId(rs.getObject("id", UUID.class)))
			.optional();
	}

	@Override
	@Transactional(readOnly = true)
	public List<NotificationId> findIdsByIdempotencyKeys(Collection<String> idempotencyKeys) {
		if (idempotencyKeys.isEmpty()) {
			return List.of();
		}
		return this.client.sql("SELECT id FROM notification WHERE idempotency_key = ANY(?)")
			.param(idempotencyKeys.stream().distinct().toArray(String[]::new))
			.query((rs, row) -> new NotificationId(rs.getObject("id", UUID.class)))
			.list();
	}

	@Override
	@Transactional(propagation = Propagation.MANDATORY)
	public boolean reviseUnsent(NotificationId id, String type, Map<String, String> parameters, Instant now) {
		List<Notification> locked = lock(List.of(id));
		if (locked.isEmpty() || locked.getFirst().cancelledAt() != null) {
			return false;
		}
		// untouched by the senders: waiting, scheduled or pending, or unreachable from the start
		boolean unsent = locked.getFirst()
			.deliveries()
			.stream()
			.allMatch((d) -> d.attempts() == 0 && (d.state() == DeliveryState.PENDING
					|| d.state() == DeliveryState.SCHEDULED || d.state() == DeliveryState.UNDELIVERABLE));
		if (!unsent) {
			return false;
		}
		this.jdbc.update("UPDATE notification SET type = ?, parameters = ?::jsonb, updated_at = ? WHERE id = ?", type,
				this.json.writeValueAsString(parameters), timestamp(now), id.value());
		return true;
	}

	@Override
	@Transactional(readOnly = true)
	public Optional<NotificationId> findIdByProviderMessage(Channel channel, String providerMessageId) {
		return this.client.sql("SELECT notification_id FROM delivery WHERE channel = ? AND provider_message_id = ?")
			.params(channel.name(), providerMessageId)
			.query((rs, row) -> new NotificationId(rs.getObject("notification_id", UUID.class)))
			.optional();
	}

	@Override
	@Transactional(propagation = Propagation.MANDATORY)
	public List<UnconfirmedSend> claimUnconfirmedSends(Channel channel, Instant sentBefore, Duration giveUpAfter,
			Instant now, int limit) {
		// next ask when the message has been sent twice as long as at the last one (15 min, 30 min, 1 h ... the
		// give-up age), the last one at or after the give-up age
		return this.client.sql("""
				WITH due AS (
				    SELECT id, status_checked_at FROM delivery
				    WHERE channel = ? AND state = 'SENT' AND reason IS NULL AND provider_message_id IS NOT NULL
				      AND state_changed_at <= ?
				      AND (status_checked_at IS NULL
				           OR (status_checked_at < state_changed_at + ? * interval '1 microsecond'
				               AND ? >= state_changed_at + least(2 * (status_checked_at - state_changed_at),
				                                                 ? * interval '1 microsecond')))
				    ORDER BY state_changed_at
				    LIMIT ?
				    FOR UPDATE SKIP LOCKED)
				UPDATE delivery d SET status_checked_at = ?
				FROM due WHERE d.id = due.id
				RETURNING d.id, d.notification_id, d.provider_message_id, d.state_changed_at,
				          due.status_checked_at AS last_checked_at
				""")
			.params(channel.name(), timestamp(sentBefore), micros(giveUpAfter), timestamp(now), micros(giveUpAfter),
					limit, timestamp(now))
			.query((rs, row) -> new UnconfirmedSend(new NotificationId(rs.getObject("notification_id", UUID.class)),
					new DeliveryId(rs.getObject("id", UUID.class)), rs.getString("provider_message_id"),
					requiredInstant(rs, "state_changed_at"), instant(rs, "last_checked_at")))
			.list()
			.stream()
			.sorted(Comparator.comparing(UnconfirmedSend::sentAt))
			.toList();
	}

	private static long micros(Duration duration) {
		return duration.toNanos() / 1_000;
	}

	@Override
	@Transactional(propagation = Propagation.MANDATORY)
	public List<Notification> lock(Collection<NotificationId> ids) {
		if (ids.isEmpty()) {
			return List.of();
		}
		UUID[] sorted = ids.stream().map(NotificationId::value).distinct().sorted().toArray(UUID[]::new);
		// the locks first, in id order; then the rows as they are now that nobody else may change them
		this.jdbc.queryForList("SELECT id FROM notification WHERE id = ANY(?) ORDER BY id FOR UPDATE", UUID.class,
				(Object) sorted);
		return load(Arrays.asList(sorted));
	}

	@Override
	@Transactional(propagation = Propagation.MANDATORY)
	public void saveChanges(Collection<Notification> notifications, Instant now) {
		List<Object[]> inserts = new ArrayList<>();
		List<Object[]> updates = new ArrayList<>();
		List<Object[]> states = new ArrayList<>();
		for (Notification notification : notifications) {
			if (!notification.isChanged()) {
				continue;
			}
			for (Delivery delivery : notification.deliveries()) {
				if (delivery.isNew()) {
					inserts.add(deliveryRow(notification, delivery));
				}
				else if (delivery.isChanged()) {
					updates.add(deliveryUpdate(delivery, now));
				}
			}
			states.add(new Object[] { notification.state().name(), notification.isWaitingForContact(),
					notification.reason(), timestamp(notification.cancelledAt()), timestamp(now),
					notification.id().value() });
		}
		if (!inserts.isEmpty()) {
			this.jdbc.batchUpdate(INSERT_DELIVERY, inserts);
		}
		if (!updates.isEmpty()) {
			this.jdbc.batchUpdate(UPDATE_DELIVERY, updates);
		}
		if (!states.isEmpty()) {
			this.jdbc.batchUpdate("UPDATE notification SET state = ?, waiting_for_contact = ?, reason = ?, "
					+ "cancelled_at = ?, updated_at = ? WHERE id = ?", states);
		}
		notifications.forEach(Notification::markStored);
	}

	@Override
	@Transactional(propagation = Propagation.MANDATORY)
	public Claim claimDue(int limit, Channel channel, Instant now) {
		Set<DeliveryId> claimed = new java.util.LinkedHashSet<>();
		Set<UUID> notificationIds = new java.util.LinkedHashSet<>();
		// FOR UPDATE OF both rows, SKIP LOCKED: another sender's claim, or any writer holding the
		// notification, makes this one pass the row by instead of waiting
		this.client.sql("SELECT d.id, d.notification_id FROM delivery d JOIN notification n ON n.id = d.notification_id"
				// one channel, urgent first, then in the order they fell due (V6's index): a batch no longer holds
				// back an urgent notice, nor the pending ones a reminder already due, nor a slow provider the others
				+ " WHERE d.channel = ? AND " + DUE
				+ " ORDER BY d.urgent DESC, coalesce(d.next_attempt_at, d.created_at), d.created_at"
				+ " LIMIT ? FOR UPDATE OF d, n SKIP LOCKED")
			.params(channel.name(), timestamp(now), limit)
			.query((rs) -> {
				claimed.add(new DeliveryId(rs.getObject("id", UUID.class)));
				notificationIds.add(rs.getObject("notification_id", UUID.class));
			});
		if (claimed.isEmpty()) {
			return new Claim(List.of(), Set.of());
		}
		return new Claim(load(notificationIds), claimed);
	}

	@Override
	@Transactional(readOnly = true)
	public List<StaleAttempt> findStaleSending(Instant startedBefore, int limit) {
		return this.client
			.sql("SELECT id, notification_id, attempts, coalesce(sending_started_at, state_changed_at) AS started_at"
					+ " FROM delivery WHERE state = 'SENDING'"
					+ " AND coalesce(sending_started_at, state_changed_at) < ? ORDER BY started_at LIMIT ?")
			.params(timestamp(startedBefore), limit)
			.query((rs, row) -> new StaleAttempt(new NotificationId(rs.getObject("notification_id", UUID.class)),
					new DeliveryId(rs.getObject("id", UUID.class)), rs.getInt("attempts"),
					requiredInstant(rs, "started_at")))
			.list();
	}

	@Override
	@Transactional(readOnly = true)
	public List<Notification> findAll(Collection<NotificationId> ids) {
		return load(ids.stream().map(NotificationId::value).distinct().toList());
	}

	@Override
	@Transactional(readOnly = true)
	public long countDue(Instant now) {
		Long count = this.jdbc.queryForObject("SELECT count(*) FROM delivery d WHERE " + DUE, Long.class,
				timestamp(now));
		return (count != null) ? count : 0;
	}

	@Override
	@Transactional(readOnly = true)
	public List<RecentSend> findRecentSends(Collection<String> patientIds, Instant since) {
		if (patientIds.isEmpty()) {
			return List.of();
		}
		// the patients' notifications by the patient index, each checked by a subquery on its own
		// deliveries: as a join, a plan made while the table was small, or with statistics older than the
		// window (recent sending_started_at beyond the histogram), scans every recent delivery instead, which
		// took 150 to 400 ms a claim in bench notification-e2e
		return this.client.sql("""
				SELECT n.patient_id, n.type, n.id
				FROM notification n
				WHERE n.patient_id = ANY(?)
				  AND (SELECT max(d.sending_started_at) FROM delivery d
				       WHERE d.notification_id = n.id AND d.state IN ('SENDING', 'SENT', 'DELIVERED', 'READ')) >= ?
				""")
			.params(patientIds.stream().distinct().toArray(String[]::new), timestamp(since))
			.query((rs, row) -> new RecentSend(rs.getString("patient_id"), rs.getString("type"),
					new NotificationId(rs.getObject("id", UUID.class))))
			.list();
	}

	@Override
	@Transactional(propagation = Propagation.MANDATORY)
	public void parkReceipt(Channel channel, String providerMessageId, ReceiptStatus status, @Nullable String reason,
			Instant occurredAt) {
		this.jdbc.update("""
				INSERT INTO early_receipt (channel, provider_message_id, status, reason, occurred_at)
				VALUES (?, ?, ?, ?, ?)
				ON CONFLICT DO NOTHING
				""", channel.name(), providerMessageId, status.name(), reason, timestamp(occurredAt));
	}

	@Override
	@Transactional(propagation = Propagation.MANDATORY)
	public List<ParkedReceipt> takeParkedReceipts(Channel channel, Collection<String> providerMessageIds) {
		if (providerMessageIds.isEmpty()) {
			return List.of();
		}
		return this.client.sql("""
				DELETE FROM early_receipt WHERE channel = ? AND provider_message_id = ANY(?)
				RETURNING provider_message_id, status, reason, occurred_at
				""")
			.params(channel.name(), providerMessageIds.toArray(String[]::new))
			.query((rs, row) -> new ParkedReceipt(channel, rs.getString("provider_message_id"),
					ReceiptStatus.valueOf(rs.getString("status")), rs.getString("reason"),
					requiredInstant(rs, "occurred_at")))
			.list()
			.stream()
			.sorted(Comparator.comparing(ParkedReceipt::status))
			.toList();
	}

	@Override
	@Transactional(readOnly = true)
	public List<MatchedReceipt> findMatchedParkedReceipts(int limit) {
		return this.client.sql("""
				SELECT DISTINCT d.notification_id, e.channel, e.provider_message_id
				FROM early_receipt e
				JOIN delivery d ON d.channel = e.channel AND d.provider_message_id = e.provider_message_id
				LIMIT ?
				""")
			.param(limit)
			.query((rs, row) -> new MatchedReceipt(new NotificationId(rs.getObject("notification_id", UUID.class)),
					Channel.valueOf(rs.getString("channel")), rs.getString("provider_message_id")))
			.list();
	}

	@Override
	@Transactional
	public int deleteParkedReceiptsBefore(Instant before) {
		return this.jdbc.update("DELETE FROM early_receipt WHERE received_at < ?", timestamp(before));
	}

	/**
	 * One page of a patient's notifications, newest first, after the cursor when there is
	 * one.
	 */
	@Transactional(readOnly = true)
	List<Notification> findByPatient(String patientId, @Nullable TimeCursor after, int limit) {
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
				.params(patientId, timestamp(after.at()), after.id(), limit)
				.query(this::notification)
				.list();
		}
		return withDeliveries(page);
	}

	private List<Notification> load(Collection<UUID> ids) {
		if (ids.isEmpty()) {
			return List.of();
		}
		return withDeliveries(this.client.sql(NOTIFICATION_COLUMNS + " WHERE id = ANY(?) ORDER BY id")
			.param(ids.toArray(UUID[]::new))
			.query(this::notification)
			.list());
	}

	private List<Notification> withDeliveries(List<Notification> shells) {
		if (shells.isEmpty()) {
			return shells;
		}
		Map<UUID, List<Delivery>> byNotification = new LinkedHashMap<>();
		String[] ids = shells.stream().map((n) -> n.id().value().toString()).toArray(String[]::new);
		this.client
			.sql("SELECT id, notification_id, channel, state, reason, attempts, provider_message_id, next_attempt_at,"
					+ " state_changed_at, created_at, sending_started_at, recipient, subject, body"
					+ " FROM delivery WHERE notification_id = ANY(?::uuid[]) ORDER BY created_at, channel")
			.param(ids)
			.query((rs) -> {
				byNotification.computeIfAbsent(rs.getObject("notification_id", UUID.class), (k) -> new ArrayList<>())
					.add(delivery(rs));
			});
		return shells.stream()
			.map((n) -> Notification.restore(n.id(), n.content(), n.isWaitingForContact(), n.reason(),
					byNotification.getOrDefault(n.id().value(), List.of()), n.createdAt(), n.updatedAt(),
					n.cancelledAt()))
			.toList();
	}

	private Notification notification(ResultSet rs, int row) throws SQLException {
		NewNotification content = new NewNotification(rs.getString("type"), rs.getString("patient_id"),
				Priority.valueOf(rs.getString("priority")), rs.getString("idempotency_key"),
				rs.getString("source_event_id"), this.json.readValue(rs.getString("parameters"), PARAMETERS),
				instant(rs, "not_before"), instant(rs, "source_event_at"), channels(rs));
		return Notification.restore(new NotificationId(rs.getObject("id", UUID.class)), content,
				rs.getBoolean("waiting_for_contact"), rs.getString("reason"), List.of(),
				requiredInstant(rs, "created_at"), requiredInstant(rs, "updated_at"), instant(rs, "cancelled_at"));
	}

	private static @Nullable Set<Channel> channels(ResultSet rs) throws SQLException {
		java.sql.Array array = rs.getArray("channels");
		if (array == null) {
			return null;
		}
		Set<Channel> channels = EnumSet.noneOf(Channel.class);
		for (String name : (String[]) array.getArray()) {
			channels.add(Channel.valueOf(name));
		}
		return channels;
	}

	private static Delivery delivery(ResultSet rs) throws SQLException {
		String recipient = rs.getString("recipient");
		String body = rs.getString("body");
		MessageContent content = (recipient != null && body != null)
				? new MessageContent(recipient, rs.getString("subject"), body) : null;
		return Delivery.restore(new DeliveryId(rs.getObject("id", UUID.class)),
				Channel.valueOf(rs.getString("channel")), DeliveryState.valueOf(rs.getString("state")),
				rs.getString("reason"), rs.getInt("attempts"), rs.getString("provider_message_id"),
				instant(rs, "next_attempt_at"), requiredInstant(rs, "state_changed_at"),
				requiredInstant(rs, "created_at"), instant(rs, "sending_started_at"), content);
	}

	private Object[] notificationRow(Notification n) {
		Set<Channel> channels = n.channels();
		return new Object[] { n.id().value(), n.patientId(), n.type(), n.priority().name(), n.idempotencyKey(),
				n.sourceEventId(), this.json.writeValueAsString(n.parameters()), n.state().name(),
				n.isWaitingForContact(), n.reason(), timestamp(n.notBefore()), timestamp(n.createdAt()),
				timestamp(n.updatedAt()), timestamp(n.sourceEventAt()),
				(channels != null) ? channels.stream().sorted().map(Channel::name).toArray(String[]::new) : null,
				timestamp(n.cancelledAt()) };
	}

	private static Object[] deliveryRow(Notification n, Delivery d) {
		MessageContent content = d.content();
		return new Object[] { d.id().value(), n.id().value(), d.channel().name(), d.state().name(), d.reason(),
				d.attempts(), d.providerMessageId(), timestamp(d.nextAttemptAt()), timestamp(d.stateChangedAt()),
				timestamp(d.createdAt()), timestamp(n.updatedAt()), timestamp(d.sendingStartedAt()),
				(content != null) ? content.recipient() : null, (content != null) ? content.subject() : null,
				(content != null) ? content.text() : null, n.priority() == Priority.URGENT };
	}

	private static Object[] deliveryUpdate(Delivery d, Instant now) {
		// the content is written only by the attempt that rendered it: a later change never
		// brings back a body that housekeeping purged meanwhile
		MessageContent content = d.content();
		boolean write = d.isContentChanged() && content != null;
		return new Object[] { d.state().name(), d.reason(), d.attempts(), d.providerMessageId(),
				timestamp(d.nextAttemptAt()), timestamp(d.stateChangedAt()), timestamp(d.sendingStartedAt()),
				timestamp(now), write, write ? content.recipient() : null, write, write ? content.subject() : null,
				write, write ? content.text() : null, d.id().value() };
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
