package org.patientplatform.notification.delivery;

import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Set;

/**
 * The {@code delivery} table read as the senders' work queue (ADR 0010): deliveries
 * {@code PENDING} or {@code SCHEDULED} whose time has come are due; {@code SENDING} ones
 * whose attempt started long ago have an unknown outcome.
 */
public interface DeliveryQueue {

	/**
	 * Claims up to {@code limit} due deliveries on one channel, urgent first, then oldest due
	 * first, in the caller's transaction: each claimed delivery and its notification stay
	 * locked until it ends. Rows another transaction holds are passed by ({@code SKIP
	 * LOCKED}), so several senders share the queue without waiting for each other. One
	 * channel at a time, so a slow provider holds back only its own channel's batches.
	 */
	Claim claimDue(int limit, Channel channel, Instant now);

	/** {@code SENDING} deliveries whose attempt started before {@code startedBefore}. */
	List<StaleAttempt> findStaleSending(Instant startedBefore, int limit);

	/** The notifications with their deliveries, unlocked (to read what was sent). */
	List<Notification> findAll(Collection<NotificationId> ids);

	/** How many deliveries are due now. */
	long countDue(Instant now);

	/**
	 * The notifications of these patients with a delivery that went out (or is going)
	 * since {@code since}: what the frequency cap counts.
	 */
	List<RecentSend> findRecentSends(Collection<String> patientIds, Instant since);

	/**
	 * What a claim took: the notifications (with all their deliveries) and which of their
	 * deliveries are claimed.
	 */
	record Claim(List<Notification> notifications, Set<DeliveryId> deliveries) {

		public Claim {
			notifications = List.copyOf(notifications);
			deliveries = Set.copyOf(deliveries);
		}

	}

	/** A {@code SENDING} delivery and the attempt it is in. */
	record StaleAttempt(NotificationId notificationId, DeliveryId deliveryId, int attempt, Instant startedAt) {
	}

	/** A notification of a patient that had a delivery sent recently. */
	record RecentSend(String patientId, String type, NotificationId notificationId) {
	}

}
