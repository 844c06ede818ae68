package org.patientplatform.notification.delivery;

import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.jspecify.annotations.Nullable;

/**
 * The stored notifications with their deliveries. A delivery changes only while its
 * notification is locked ({@link #lock}, in the caller's transaction), then
 * {@link #saveChanges} writes what changed together with the notification's state.
 */
public interface Notifications {

	/**
	 * Stores new notifications and their deliveries, in the caller's transaction. One
	 * whose idempotency key or source event id is already stored (or comes earlier in the
	 * same list) is skipped, deliveries and all: a redelivered event never makes a second
	 * notification.
	 * @return how many were stored
	 */
	int storeNew(List<Notification> notifications);

	Optional<Notification> findById(NotificationId id);

	Optional<NotificationId> findIdByIdempotencyKey(String idempotencyKey);

	/** The ids of those of these idempotency keys' notifications that exist. */
	List<NotificationId> findIdsByIdempotencyKeys(Collection<String> idempotencyKeys);

	/**
	 * Gives a notification that nothing was sent of yet a new type and parameters (a
	 * digest that gathers one more result), in the caller's transaction, with the
	 * notification locked: a sender claims it either before (then this answers false) or
	 * after, with the new content.
	 * @return false when it does not exist, was cancelled, or one of its deliveries was
	 * claimed by a sender already (sending, sent, suppressed, failed...)
	 */
	boolean reviseUnsent(NotificationId id, String type, Map<String, String> parameters, Instant now);

	/** The notification of the delivery a provider knows under {@code providerMessageId}. */
	Optional<NotificationId> findIdByProviderMessage(Channel channel, String providerMessageId);

	/**
	 * Gives the patient's notifications that wait for a contact their deliveries, in the caller's
	 * transaction (the one that stored the contact).
	 * @return how many notifications were released
	 */
	int releaseWaitingForContact(String patientId, List<ChannelTarget> targets, Instant now);

	/**
	 * Gives the notifications waiting for {@code fromPatientId}'s contact to {@code toPatientId} (the patient it
	 * was merged into, the same person), in the caller's transaction; they then wait for, or are released by,
	 * that patient's contact.
	 * @return how many notifications were moved
	 */
	int moveWaitingForContact(String fromPatientId, String toPatientId, Instant now);

	/**
	 * Locks the notifications until the caller's transaction ends (in id order, so two
	 * writers never deadlock) and returns them with their deliveries as they are once
	 * locked. Unknown ids are left out.
	 */
	List<Notification> lock(Collection<NotificationId> ids);

	/**
	 * Writes, in the caller's transaction, what changed in these notifications (locked by
	 * {@link #lock} or claimed from the {@link DeliveryQueue}): new deliveries (a fallback
	 * channel), changed deliveries, and each notification's state.
	 */
	void saveChanges(Collection<Notification> notifications, Instant now);

	/**
	 * Keeps a provider receipt whose delivery is not known by that provider id yet (the
	 * receipt overtook the recording of the send), in the caller's transaction.
	 */
	void parkReceipt(Channel channel, String providerMessageId, ReceiptStatus status, @Nullable String reason,
			Instant occurredAt);

	/**
	 * Removes and returns the parked receipts of these provider ids, in the order they
	 * apply (delivered before read), in the caller's transaction.
	 */
	List<ParkedReceipt> takeParkedReceipts(Channel channel, Collection<String> providerMessageIds);

	/**
	 * Parked receipts whose delivery is now recorded under their provider id (the receipt
	 * was parked while the send's outcome was being recorded).
	 */
	List<MatchedReceipt> findMatchedParkedReceipts(int limit);

	/**
	 * Deletes parked receipts that never found their delivery.
	 * @return how many were deleted
	 */
	int deleteParkedReceiptsBefore(Instant before);

	/**
	 * Claims, in the caller's transaction, up to {@code limit} deliveries on the channel that the provider accepted
	 * ({@code SENT}, with its id) and whose final status it has not reported, oldest first: sent before
	 * {@code sentBefore}, without a reason (one whose status lookups were given up keeps why), and due to be asked
	 * (never asked, or asked when the message had been sent for some time, and that time again has passed, at most
	 * {@code giveUpAfter} after it was sent; one asked at or after that is not claimed again). Each is marked asked
	 * at {@code now} as it is claimed ({@code FOR UPDATE SKIP LOCKED}), so concurrent claims take different ones and
	 * a delivery is asked about a bounded number of times. Only that mark is written: the delivery itself changes
	 * through its notification, locked.
	 */
	List<UnconfirmedSend> claimUnconfirmedSends(Channel channel, Instant sentBefore, Duration giveUpAfter, Instant now,
			int limit);

	/**
	 * A delivery the provider accepted whose final status is not known.
	 *
	 * @param sentAt when it became {@code SENT}
	 * @param lastCheckedAt when the provider was asked before this claim; null the first time
	 */
	record UnconfirmedSend(NotificationId notificationId, DeliveryId deliveryId, String providerMessageId,
			Instant sentAt, @Nullable Instant lastCheckedAt) {
	}

	/** A parked receipt's delivery, found by its provider id. */
	record MatchedReceipt(NotificationId notificationId, Channel channel, String providerMessageId) {
	}

	/** A receipt that arrived before its delivery's send was recorded. */
	record ParkedReceipt(Channel channel, String providerMessageId, ReceiptStatus status, @Nullable String reason,
			Instant occurredAt) {
	}

}
