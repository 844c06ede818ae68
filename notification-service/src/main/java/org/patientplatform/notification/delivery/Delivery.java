package org.patientplatform.notification.delivery;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

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

	private @Nullable Instant sendingStartedAt;

	private @Nullable MessageContent content;

	/** The state when loaded or last stored; null while the delivery was never stored. */
	private @Nullable DeliveryState storedState;

	/** Each state entered since the delivery was loaded or last stored, in order (a new one's first). */
	private final List<DeliveryState> entered = new ArrayList<>(2);

	/** True when something changed since the delivery was loaded or last stored. */
	private boolean changed;

	/** True when the content changed since the delivery was loaded or last stored. */
	private boolean contentChanged;

	private Delivery(DeliveryId id, Channel channel, DeliveryState state, @Nullable String reason, int attempts,
			@Nullable String providerMessageId, @Nullable Instant nextAttemptAt, Instant stateChangedAt,
			Instant createdAt, @Nullable Instant sendingStartedAt, @Nullable MessageContent content,
			@Nullable DeliveryState storedState) {
		this.id = id;
		this.channel = channel;
		this.state = state;
		this.reason = reason;
		this.attempts = attempts;
		this.providerMessageId = providerMessageId;
		this.nextAttemptAt = nextAttemptAt;
		this.stateChangedAt = stateChangedAt;
		this.createdAt = createdAt;
		this.sendingStartedAt = sendingStartedAt;
		this.content = content;
		this.storedState = storedState;
		if (storedState == null) {
			this.entered.add(state);
		}
	}

	/** A new delivery waiting for a sender. */
	static Delivery pending(Channel channel, Instant now) {
		return new Delivery(DeliveryId.random(), channel, DeliveryState.PENDING, null, 0, null, null, now, now, null,
				null, null);
	}

	/** A delivery as stored. */
	static Delivery restore(DeliveryId id, Channel channel, DeliveryState state, @Nullable String reason, int attempts,
			@Nullable String providerMessageId, @Nullable Instant nextAttemptAt, Instant stateChangedAt,
			Instant createdAt, @Nullable Instant sendingStartedAt, @Nullable MessageContent content) {
		return new Delivery(id, channel, state, reason, attempts, providerMessageId, nextAttemptAt, stateChangedAt,
				createdAt, sendingStartedAt, content, state);
	}

	/** Holds the delivery until {@code at} (not-before, quiet hours). */
	public void scheduleFor(Instant at, Instant now) {
		requireCurrent(DeliveryState.SCHEDULED, DeliveryState.PENDING);
		moveTo(DeliveryState.SCHEDULED, now);
		this.nextAttemptAt = at;
	}

	/**
	 * Holds the delivery until {@code at} with the reason (quiet hours); a scheduled
	 * delivery may be held again.
	 */
	public void scheduleFor(Instant at, String reason, Instant now) {
		requireCurrent(DeliveryState.SCHEDULED, DeliveryState.PENDING, DeliveryState.SCHEDULED);
		if (this.state == DeliveryState.SCHEDULED) {
			this.stateChangedAt = now;
			this.changed = true;
		}
		else {
			moveTo(DeliveryState.SCHEDULED, now);
		}
		this.nextAttemptAt = at;
		this.reason = reason;
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
		this.sendingStartedAt = now;
	}

	/**
	 * Records the attempt with what it sends, before the provider is called: committed
	 * first, so a process that dies during the call leaves a {@code SENDING} delivery to
	 * reconcile, never one that is sent again blindly.
	 */
	public void startSending(MessageContent content, Instant now) {
		startSending(now);
		this.content = content;
		this.contentChanged = true;
	}

	/**
	 * Takes up again an attempt whose claim's commit was in doubt and turned out made: nothing was sent yet, and the
	 * attempt counts from {@code now}, so reconciliation waits for it as for a new one.
	 */
	public void resumeSending(Instant now) {
		requireCurrent(DeliveryState.SENDING, DeliveryState.SENDING);
		this.sendingStartedAt = now;
		this.changed = true;
	}

	/**
	 * The attempt never reached the provider (the batch ran out of time waiting for the
	 * rate limit): back to the queue, due at once, the attempt not counted.
	 */
	public void returnUnsent(String reason, Instant now) {
		requireCurrent(DeliveryState.SCHEDULED, DeliveryState.SENDING);
		moveTo(DeliveryState.SCHEDULED, now);
		this.attempts--;
		this.nextAttemptAt = now;
		this.reason = reason;
	}

	/**
	 * The provider's answer did not come (a timeout, a reset): the delivery stays
	 * {@code SENDING} with the reason until reconciliation asks the provider.
	 */
	public void recordUnknownOutcome(String reason, Instant now) {
		requireCurrent(DeliveryState.SENDING, DeliveryState.SENDING);
		this.reason = reason;
		this.changed = true;
	}

	/**
	 * Applies a provider receipt or the patient's read. Receipts come duplicated, late and
	 * out of order: one the delivery is already past, or one its state cannot take (a
	 * failure report after delivery), changes nothing.
	 * @return true when the delivery changed
	 */
	public boolean applyReceipt(ReceiptStatus receipt, @Nullable String reason, Instant now) {
		return switch (receipt) {
			case DELIVERED -> this.state.canMoveTo(DeliveryState.DELIVERED) && markDelivered(now);
			case READ -> this.state.canMoveTo(DeliveryState.READ) && markRead(now);
			case FAILED -> failFromReceipt(DeliveryState.FAILED, reason, now);
			case UNDELIVERABLE -> failFromReceipt(DeliveryState.UNDELIVERABLE, reason, now);
		};
	}

	private boolean failFromReceipt(DeliveryState target, @Nullable String reason, Instant now) {
		if (this.state != DeliveryState.SENT && this.state != DeliveryState.SENDING) {
			return false;
		}
		String why = (reason != null) ? reason : "The provider reported the message " + target.name().toLowerCase();
		if (target == DeliveryState.FAILED) {
			markFailed(why, now);
		}
		else {
			markUndeliverable(why, now);
		}
		return true;
	}

	/**
	 * The provider accepted the message under {@code providerMessageId}: at once, or as a lookup found after no
	 * answer came. Why the answer was unknown is no reason of a message that went out: it showed under a delivered
	 * SMS ("no answer before the read timeout").
	 */
	public void markSent(String providerMessageId, Instant now) {
		moveTo(DeliveryState.SENT, now);
		this.providerMessageId = providerMessageId;
		this.reason = null;
	}

	/**
	 * The provider accepted the message, and its final status never came: neither a callback nor the provider's
	 * answer when asked, until the lookups were given up. The delivery stays {@code SENT} (the provider took it;
	 * it may well have arrived) and keeps the reason, by which it is not asked about again. A receipt that still
	 * comes moves it on as any other.
	 */
	public void leaveUnconfirmed(String reason, Instant now) {
		requireCurrent(DeliveryState.SENT, DeliveryState.SENT);
		this.reason = reason;
		this.changed = true;
	}

	/**
	 * The provider accepted the message under {@code providerMessageId} after the patient had already
	 * read it (the patient API, while the attempt was {@code SENDING}): the delivery stays read, and keeps
	 * the provider's id, by which its receipts and the provider's records are found.
	 * @return false when the delivery is not read or has a provider id already
	 */
	public boolean keepProviderMessageIdOfRead(String providerMessageId) {
		if (this.state != DeliveryState.READ || this.providerMessageId != null) {
			return false;
		}
		this.providerMessageId = providerMessageId;
		this.changed = true;
		return true;
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
		// a receipt that overtook the send's answer finds the delivery still SENDING, perhaps with an unknown outcome
		this.reason = null;
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
		this.reason = null;
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

	/** True when the delivery ended without reaching the patient on its channel. */
	public boolean hasFailed() {
		return this.state == DeliveryState.FAILED || this.state == DeliveryState.UNDELIVERABLE;
	}

	/** True when the message went out (the provider took it) or is on its way there. */
	public boolean isSentOrInFlight() {
		return switch (this.state) {
			case PENDING, SCHEDULED, SENDING, SENT, DELIVERED, READ -> true;
			case FAILED, UNDELIVERABLE, SUPPRESSED, CANCELLED -> false;
		};
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
		this.changed = true;
		this.entered.add(next);
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
	 * cancelled ones, and for a sent one whose final status never came ({@link #leaveUnconfirmed}).
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

	/** When the latest attempt started; null before the first. */
	public @Nullable Instant sendingStartedAt() {
		return this.sendingStartedAt;
	}

	/** What the latest attempt sent; null before the first (or once purged). */
	public @Nullable MessageContent content() {
		return this.content;
	}

	/**
	 * Each state the delivery entered since it was loaded or last stored (a new one's first state too), in
	 * order: the transitions to count. One transaction can take a delivery through several (sent, then
	 * delivered by a receipt that had overtaken the provider's answer), and each is counted.
	 */
	public List<DeliveryState> statesEntered() {
		return List.copyOf(this.entered);
	}

	boolean isNew() {
		return this.storedState == null;
	}

	boolean isChanged() {
		return this.changed || isNew();
	}

	boolean isContentChanged() {
		return this.contentChanged;
	}

	void markStored() {
		this.storedState = this.state;
		this.changed = false;
		this.contentChanged = false;
		this.entered.clear();
	}

}
