package org.patientplatform.notification.delivery;

import java.time.Instant;

import org.jspecify.annotations.Nullable;

/**
 * One channel's delivery of a {@link Notification}. Its state changes only through the
 * methods below, each of which checks the move against {@link DeliveryState} and throws
 * {@link IllegalDeliveryTransitionException} otherwise. Receipts ({@link #markDelivered},
 * {@link #markRead}) arrive duplicated and out of order, so a receipt the delivery is
 * already past changes nothing and returns {@code false}.
 */
public final class Delivery {

	private final DeliveryId id;

	private final Channel channel;

	private DeliveryState state;

	private @Nullable String reason;

	private int attempts;

	private @Nullable String providerMessageId;

	private @Nullable Instant nextAttemptAt;

	private Instant stateChangedAt;

	private final Instant createdAt;

	private Delivery(DeliveryId id, Channel channel, DeliveryState state, @Nullable String reason, int attempts,
			@Nullable String providerMessageId, @Nullable Instant nextAttemptAt, Instant stateChangedAt,
			Instant createdAt) {
		this.id = id;
		this.channel = channel;
		this.state = state;
		this.reason = reason;
		this.attempts = attempts;
		this.providerMessageId = providerMessageId;
		this.nextAttemptAt = nextAttemptAt;
		this.stateChangedAt = stateChangedAt;
		this.createdAt = createdAt;
	}

	/** A new delivery waiting for a sender. */
	static Delivery pending(Channel channel, Instant now) {
		return new Delivery(DeliveryId.random(), channel, DeliveryState.PENDING, null, 0, null, null, now, now);
	}

	/** A delivery as stored. */
	static Delivery restore(DeliveryId id, Channel channel, DeliveryState state, @Nullable String reason, int attempts,
			@Nullable String providerMessageId, @Nullable Instant nextAttemptAt, Instant stateChangedAt,
			Instant createdAt) {
		return new Delivery(id, channel, state, reason, attempts, providerMessageId, nextAttemptAt, stateChangedAt,
				createdAt);
	}

	/** Holds the delivery until {@code at} (not-before, quiet hours). */
	public void scheduleFor(Instant at, Instant now) {
		requireCurrent(DeliveryState.SCHEDULED, DeliveryState.PENDING);
		moveTo(DeliveryState.SCHEDULED, now);
		this.nextAttemptAt = at;
	}

	/**
	 * Records the attempt before the provider is called, so an unknown outcome is never
	 * blindly resent.
	 */
	public void startSending(Instant now) {
		moveTo(DeliveryState.SENDING, now);
		this.attempts++;
		this.nextAttemptAt = null;
		this.reason = null;
	}

	/** The provider accepted the message under {@code providerMessageId}. */
	public void markSent(String providerMessageId, Instant now) {
		moveTo(DeliveryState.SENT, now);
		this.providerMessageId = providerMessageId;
	}

	/**
	 * The provider reports the message delivered.
	 * @return false when the delivery is already delivered or read (a duplicate or late
	 * receipt)
	 */
	public boolean markDelivered(Instant now) {
		if (this.state == DeliveryState.DELIVERED || this.state == DeliveryState.READ) {
			return false;
		}
		moveTo(DeliveryState.DELIVERED, now);
		return true;
	}

	/**
	 * The patient opened the message (a provider receipt or the patient API).
	 * @return false when it is already read
	 */
	public boolean markRead(Instant now) {
		if (this.state == DeliveryState.READ) {
			return false;
		}
		moveTo(DeliveryState.READ, now);
		return true;
	}

	/**
	 * The attempt failed; {@link #scheduleRetry} or {@link #markUndeliverable} decides
	 * what follows.
	 */
	public void markFailed(String reason, Instant now) {
		moveTo(DeliveryState.FAILED, now);
		this.reason = reason;
	}

	/**
	 * Tries again at {@code at}: after a failure, a rate limit, or an outcome reconciled
	 * as never received.
	 */
	public void scheduleRetry(Instant at, String reason, Instant now) {
		requireCurrent(DeliveryState.SCHEDULED, DeliveryState.SENDING, DeliveryState.FAILED);
		moveTo(DeliveryState.SCHEDULED, now);
		this.nextAttemptAt = at;
		this.reason = reason;
	}

	/** There is no way to reach the patient on this channel. */
	public void markUndeliverable(String reason, Instant now) {
		moveTo(DeliveryState.UNDELIVERABLE, now);
		this.reason = reason;
		this.nextAttemptAt = null;
	}

	/** Policy says not to send (opt-out, frequency cap). */
	public void suppress(String reason, Instant now) {
		moveTo(DeliveryState.SUPPRESSED, now);
		this.reason = reason;
		this.nextAttemptAt = null;
	}

	/** Cancelled on request, e.g. the booking it reminds of was cancelled. */
	public void cancel(String reason, Instant now) {
		moveTo(DeliveryState.CANCELLED, now);
		this.reason = reason;
		this.nextAttemptAt = null;
	}

	private void requireCurrent(DeliveryState target, DeliveryState... allowed) {
		for (DeliveryState state : allowed) {
			if (this.state == state) {
				return;
			}
		}
		throw new IllegalDeliveryTransitionException(this.id, this.state, target);
	}

	private void moveTo(DeliveryState next, Instant now) {
		if (!this.state.canMoveTo(next)) {
			throw new IllegalDeliveryTransitionException(this.id, this.state, next);
		}
		this.state = next;
		this.stateChangedAt = now;
	}

	public DeliveryId id() {
		return this.id;
	}

	public Channel channel() {
		return this.channel;
	}

	public DeliveryState state() {
		return this.state;
	}

	/**
	 * Why the delivery is where it is, for the undeliverable, suppressed, failed and
	 * cancelled ones.
	 */
	public @Nullable String reason() {
		return this.reason;
	}

	public int attempts() {
		return this.attempts;
	}

	public @Nullable String providerMessageId() {
		return this.providerMessageId;
	}

	public @Nullable Instant nextAttemptAt() {
		return this.nextAttemptAt;
	}

	public Instant stateChangedAt() {
		return this.stateChangedAt;
	}

	public Instant createdAt() {
		return this.createdAt;
	}

}
