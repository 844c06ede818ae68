package org.patientplatform.notification.digests;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import org.jspecify.annotations.Nullable;
import org.patientplatform.notification.delivery.ChannelTarget;
import org.patientplatform.notification.delivery.Delivery;
import org.patientplatform.notification.delivery.DeliveryState;
import org.patientplatform.notification.delivery.NewNotification;
import org.patientplatform.notification.delivery.Notification;
import org.patientplatform.notification.delivery.NotificationId;
import org.patientplatform.notification.delivery.Notifications;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * Gathers a patient's result notices into one while the digest window is open. The first
 * result of a patient is stored as its own notice, held until the window closes
 * ({@code not-before}, deliveries scheduled for then); each further result released
 * before then, while that notice has not been sent, turns it into a
 * {@value #DIGEST_TYPE} notice and raises its {@code count} instead of making a
 * notification. A result after the window closed, or after its digest started sending,
 * starts a new one.
 * <p>
 * Every result taken is recorded by its idempotency key and event id, so a redelivered
 * event or a republished result changes nothing, as without digests. Each patient's
 * results are serialised by a transaction-scoped advisory lock, so concurrent consumers
 * (a rebalance, a zombie) never make two open digests for one patient or count a result
 * twice.
 */
@Service
public class ResultDigests {

	/** The type of a notice that stands for more than one result. */
	public static final String DIGEST_TYPE = "results-digest";

	/** The parameter that holds how many results a digest stands for. */
	public static final String COUNT = "count";

	private final DigestsProperties properties;

	private final Notifications notifications;

	private final JdbcTemplate jdbc;

	ResultDigests(DigestsProperties properties, Notifications notifications, JdbcTemplate jdbc) {
		this.properties = properties;
		this.notifications = notifications;
		this.jdbc = jdbc;
	}

	/** True when results are gathered into digests (the window is above zero). */
	public boolean isOn() {
		return this.properties.isOn();
	}

	/**
	 * Stores the result notices of one poll, in the caller's transaction, each one merged
	 * into its patient's open digest or starting one.
	 * @param notices result notices as they would be stored without digests (one per
	 * result, idempotency key and source event id set)
	 * @return how many results were new
	 */
	@Transactional
	public int store(List<Notification> notices, Instant now) {
		if (notices.isEmpty()) {
			return 0;
		}
		lockPatients(notices.stream().map(Notification::patientId).distinct().sorted().toList());
		Map<String, List<Notification>> fresh = freshByPatient(notices);
		if (fresh.isEmpty()) {
			return 0;
		}
		Map<String, OpenDigest> open = openDigests(fresh.keySet(), now);
		int taken = 0;
		for (Map.Entry<String, List<Notification>> entry : fresh.entrySet()) {
			List<Notification> results = entry.getValue();
			OpenDigest digest = open.get(entry.getKey());
			if (digest != null && merge(digest, results, now)) {
				taken += results.size();
				continue;
			}
			taken += start(entry.getKey(), results, now);
		}
		return taken;
	}

	private boolean merge(OpenDigest digest, List<Notification> results, Instant now) {
		int count = digest.members() + results.size();
		if (!this.notifications.reviseUnsent(digest.id(), DIGEST_TYPE, Map.of(COUNT, Integer.toString(count)), now)) {
			return false;
		}
		this.jdbc.update("UPDATE result_digest SET members = ? WHERE notification_id = ?", count, digest.id().value());
		addMembers(digest.id(), results, now);
		return true;
	}

	/** A new digest for the patient's results, held until the window closes. */
	private int start(String patientId, List<Notification> results, Instant now) {
		Notification first = results.getFirst();
		Instant closesAt = now.plus(this.properties.window());
		boolean several = results.size() > 1;
		NewNotification content = new NewNotification(several ? DIGEST_TYPE : first.type(), patientId,
				first.priority(), first.idempotencyKey(), first.sourceEventId(),
				several ? Map.of(COUNT, Integer.toString(results.size())) : first.parameters(), closesAt,
				first.sourceEventAt(), first.channels());
		Notification digest;
		if (first.isWaitingForContact()) {
			digest = Notification.awaitingContact(content, (first.reason() != null) ? first.reason() : "", now);
		}
		else {
			// with its not-before ahead, each usable delivery waits as SCHEDULED until the window closes
			digest = Notification.create(content, targets(first), now);
		}
		if (this.notifications.storeNew(List.of(digest)) == 0) {
			// taken meanwhile outside the digest (a replica with digests off): nothing of this poll to add
			return 0;
		}
		this.jdbc.update("INSERT INTO result_digest (notification_id, patient_id, closes_at, members) VALUES (?, ?, ?, ?)",
				digest.id().value(), patientId, timestamp(closesAt), results.size());
		addMembers(digest.id(), results, now);
		return results.size();
	}

	/** The channels the first result was to go on, as it found them. */
	private static List<ChannelTarget> targets(Notification notice) {
		List<ChannelTarget> targets = new ArrayList<>();
		for (Delivery delivery : notice.deliveries()) {
			String reason = delivery.reason();
			targets.add((delivery.state() == DeliveryState.UNDELIVERABLE && reason != null)
					? ChannelTarget.unreachable(delivery.channel(), reason) : ChannelTarget.reachable(delivery.channel()));
		}
		return targets;
	}

	private void addMembers(NotificationId digest, List<Notification> results, Instant now) {
		this.jdbc.batchUpdate("""
				INSERT INTO result_digest_member (idempotency_key, source_event_id, notification_id, joined_at)
				VALUES (?, ?, ?, ?)
				""", results.stream()
			.map((result) -> new Object[] { result.idempotencyKey(), sourceEventId(result), digest.value(),
					timestamp(now) })
			.toList());
	}

	/**
	 * The notices whose result is new, by patient in arrival order: neither taken into a
	 * digest nor stored as a notification before, nor earlier in this poll.
	 */
	private Map<String, List<Notification>> freshByPatient(List<Notification> notices) {
		String[] keys = notices.stream().map(Notification::idempotencyKey).toArray(String[]::new);
		String[] events = notices.stream().map(ResultDigests::sourceEventId).toArray(String[]::new);
		Set<String> seen = new HashSet<>();
		this.jdbc.query("""
				SELECT idempotency_key, source_event_id FROM result_digest_member
				WHERE idempotency_key = ANY(?) OR source_event_id = ANY(?)
				UNION ALL
				SELECT idempotency_key, source_event_id FROM notification
				WHERE idempotency_key = ANY(?) OR source_event_id = ANY(?)
				""", (rs) -> {
			seen.add("k:" + rs.getString("idempotency_key"));
			String event = rs.getString("source_event_id");
			if (event != null) {
				seen.add("e:" + event);
			}
		}, keys, events, keys, events);
		Map<String, List<Notification>> fresh = new LinkedHashMap<>();
		for (Notification notice : notices) {
			if (seen.add("k:" + notice.idempotencyKey()) & seen.add("e:" + sourceEventId(notice))) {
				fresh.computeIfAbsent(notice.patientId(), (patient) -> new ArrayList<>()).add(notice);
			}
		}
		return fresh;
	}

	/** Each patient's latest digest still open at {@code now}. */
	private Map<String, OpenDigest> openDigests(Set<String> patientIds, Instant now) {
		Map<String, OpenDigest> open = new LinkedHashMap<>();
		this.jdbc.query("""
				SELECT DISTINCT ON (patient_id) patient_id, notification_id, members FROM result_digest
				WHERE patient_id = ANY(?) AND closes_at > ?
				ORDER BY patient_id, closes_at DESC
				""", (rs) -> {
			open.put(rs.getString("patient_id"),
					new OpenDigest(new NotificationId(rs.getObject("notification_id", UUID.class)), rs.getInt("members")));
		}, patientIds.toArray(String[]::new), timestamp(now));
		return open;
	}

	/** Serialises digests per patient until the transaction ends; sorted, so never a deadlock. */
	private void lockPatients(List<String> sortedPatientIds) {
		this.jdbc.query("""
				SELECT count(pg_advisory_xact_lock(hashtextextended('result-digest:' || p.patient_id, 0)))
				FROM (SELECT patient_id FROM unnest(?::text[]) AS u(patient_id) ORDER BY patient_id) AS p
				""", (rs) -> {
		}, (Object) sortedPatientIds.toArray(String[]::new));
	}

	private static String sourceEventId(Notification notice) {
		// result notices always carry their event id; the key stands in should one not
		return (notice.sourceEventId() != null) ? notice.sourceEventId() : notice.idempotencyKey();
	}

	private static @Nullable OffsetDateTime timestamp(@Nullable Instant instant) {
		return (instant != null) ? instant.atOffset(ZoneOffset.UTC) : null;
	}

	private record OpenDigest(NotificationId id, int members) {
	}

}
