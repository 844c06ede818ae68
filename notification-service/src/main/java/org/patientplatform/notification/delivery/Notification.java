package org.patientplatform.notification.delivery;

import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import org.jspecify.annotations.Nullable;

/**
 * A message to one patient and its deliveries, at most one per {@link Channel}. A notice
 * for a patient whose contact details are not known yet is kept waiting (state
 * {@link DeliveryState#PENDING}, {@link #isWaitingForContact()}, with the reason) and
 * gets its deliveries when the contact arrives; it is never dropped. Its {@link #state()}
 * is that of its most advanced delivery.
 */
public final class Notification {

	/** The reason stored when no channel can be used at all. */
	public static final String NO_CHANNEL = "The patient has no opted-in channel with a usable address";

	/**
	 * Precedence of delivery states when summing up a notification: the first one present
	 * wins.
	 */
	private static final List<DeliveryState> PRECEDENCE = List.of(DeliveryState.READ, DeliveryState.DELIVERED,
			DeliveryState.SENT, DeliveryState.SENDING, DeliveryState.PENDING, DeliveryState.SCHEDULED,
			DeliveryState.FAILED, DeliveryState.UNDELIVERABLE, DeliveryState.SUPPRESSED, DeliveryState.CANCELLED);

	private final NotificationId id;

	private final NewNotification content;

	private boolean waitingForContact;

	private @Nullable String reason;

	private final List<Delivery> deliveries;

	private final Instant createdAt;

	private Instant updatedAt;

	private @Nullable Instant cancelledAt;

	private boolean changed;

	private Notification(NotificationId id, NewNotification content, boolean waitingForContact, @Nullable String reason,
			List<Delivery> deliveries, Instant createdAt, Instant updatedAt, @Nullable Instant cancelledAt) {
		this.id = id;
		this.content = content;
		this.waitingForContact = waitingForContact;
		this.reason = reason;
		this.deliveries = new ArrayList<>(deliveries);
		this.createdAt = createdAt;
		this.updatedAt = updatedAt;
		this.cancelledAt = cancelledAt;
	}

	/**
	 * A notification with one delivery per target channel: pending (scheduled with a
	 * not-before ahead), or undeliverable with the reason when the patient has no usable
	 * address on it.
	 */
	public static Notification create(NewNotification content, List<ChannelTarget> targets, Instant now) {
		Notification notification = new Notification(NotificationId.random(), content, false, null, List.of(), now,
				now, null);
		notification.addDeliveries(targets, now);
		return notification;
	}

	/**
	 * A notification that waits, without deliveries, until the patient's contact details
	 * arrive.
	 */
	public static Notification awaitingContact(NewNotification content, String reason, Instant now) {
		return new Notification(NotificationId.random(), content, true, reason, List.of(), now, now, null);
	}

	/** A notification as stored. */
	static Notification restore(NotificationId id, NewNotification content, boolean waitingForContact,
			@Nullable String reason, List<Delivery> deliveries, Instant createdAt, Instant updatedAt,
			@Nullable Instant cancelledAt) {
		return new Notification(id, content, waitingForContact, reason, deliveries, createdAt, updatedAt, cancelledAt);
	}

	/**
	 * The patient's contact details arrived: the waiting notification gets its
	 * deliveries.
	 */
	public void contactArrived(List<ChannelTarget> targets, Instant now) {
		if (!this.waitingForContact) {
			throw new IllegalStateException("Notification " + this.id + " is not waiting for a contact");
		}
		this.waitingForContact = false;
		this.reason = null;
		this.changed = true;
		addDeliveries(targets, now);
		this.updatedAt = now;
	}

	/**
	 * Adds a delivery on another channel after the others failed (fallback by policy).
	 * @return the new pending delivery, or empty when the notification already has one on
	 * that channel
	 */
	public Optional<Delivery> addFallback(Channel channel, Instant now) {
		if (delivery(channel).isPresent()) {
			return Optional.empty();
		}
		Delivery delivery = Delivery.pending(channel, now);
		this.deliveries.add(delivery);
		this.updatedAt = now;
		return Optional.of(delivery);
	}

	/**
	 * Cancels what was not sent yet: pending and scheduled deliveries end
	 * {@link DeliveryState#CANCELLED} with the reason; a notification still waiting for
	 * its contact stops waiting and is cancelled. Sent deliveries stay as they are.
	 * @return the deliveries cancelled (none for a waiting notification)
	 */
	public List<Delivery> cancel(String reason, Instant now) {
		List<Delivery> cancelled = new ArrayList<>();
		for (Delivery delivery : this.deliveries) {
			if (delivery.state() == DeliveryState.PENDING || delivery.state() == DeliveryState.SCHEDULED) {
				delivery.cancel(reason, now);
				cancelled.add(delivery);
			}
		}
		if (this.waitingForContact) {
			this.waitingForContact = false;
			this.reason = reason;
			this.changed = true;
		}
		if (this.cancelledAt == null && (this.changed || !cancelled.isEmpty())) {
			this.cancelledAt = now;
			this.changed = true;
		}
		this.updatedAt = now;
		return cancelled;
	}

	/**
	 * The patient read the notification (in the portal, or a provider's read receipt):
	 * every delivery that reached them, or is on its way, is read.
	 * @return the deliveries that changed
	 */
	public List<Delivery> markRead(Instant now) {
		List<Delivery> read = new ArrayList<>();
		for (Delivery delivery : this.deliveries) {
			if (delivery.state() == DeliveryState.SENDING || delivery.state() == DeliveryState.SENT
					|| delivery.state() == DeliveryState.DELIVERED) {
				delivery.markRead(now);
				read.add(delivery);
			}
		}
		if (!read.isEmpty()) {
			this.updatedAt = now;
		}
		return read;
	}

	/**
	 * The patient's contact details did not arrive within the parked window: the
	 * notification stops waiting and ends without deliveries,
	 * {@link DeliveryState#UNDELIVERABLE} with the reason.
	 */
	public void contactNeverArrived(String reason, Instant now) {
		if (!this.waitingForContact) {
			throw new IllegalStateException("Notification " + this.id + " is not waiting for a contact");
		}
		this.waitingForContact = false;
		this.reason = reason;
		this.changed = true;
		this.updatedAt = now;
	}

	/** Marks the notification updated, after a change to one of its deliveries. */
	public void touch(Instant now) {
		this.updatedAt = now;
	}

	private void addDeliveries(List<ChannelTarget> targets, Instant now) {
		Set<Channel> requested = this.content.channels();
		if (requested != null) {
			targets = requestedTargets(requested);
		}
		Set<Channel> seen = EnumSet.noneOf(Channel.class);
		for (ChannelTarget target : targets) {
			if (!seen.add(target.channel())) {
				continue;
			}
			Delivery delivery = Delivery.pending(target.channel(), now);
			Instant notBefore = this.content.notBefore();
			if (target.unreachableReason() != null) {
				delivery.markUndeliverable(target.unreachableReason(), now);
			}
			else if (notBefore != null && notBefore.isAfter(now)) {
				// waits as SCHEDULED (and can be cancelled) until then
				delivery.scheduleFor(notBefore, "Not to be sent before " + notBefore, now);
			}
			this.deliveries.add(delivery);
		}
		if (this.deliveries.isEmpty()) {
			this.reason = NO_CHANNEL;
		}
	}

	/**
	 * The channels a request named, in place of the patient's preferences: each gets a pending
	 * delivery, which the sender weighs with the patient's contact as it is then: sends it,
	 * suppresses it (opted out) or ends it undeliverable with the reason (no address, or an
	 * unusable one) and falls back to a channel the patient can be reached on, so the
	 * requester sees why and the patient still hears. (An unusable address had ended the
	 * delivery here, before any sender saw it, and so with no fallback.)
	 */
	private static List<ChannelTarget> requestedTargets(Set<Channel> requested) {
		List<ChannelTarget> targets = new ArrayList<>();
		for (Channel channel : Channel.values()) {
			if (requested.contains(channel)) {
				targets.add(ChannelTarget.reachable(channel));
			}
		}
		return targets;
	}

	/**
	 * The state of the most advanced delivery; pending while waiting for a contact,
	 * cancelled when it was cancelled before it had any.
	 */
	public DeliveryState state() {
		if (this.waitingForContact) {
			return DeliveryState.PENDING;
		}
		if (this.deliveries.isEmpty()) {
			return (this.cancelledAt != null) ? DeliveryState.CANCELLED : DeliveryState.UNDELIVERABLE;
		}
		Set<DeliveryState> present = EnumSet.noneOf(DeliveryState.class);
		this.deliveries.forEach((delivery) -> present.add(delivery.state()));
		return PRECEDENCE.stream().filter(present::contains).findFirst().orElseThrow();
	}

	public Optional<Delivery> delivery(Channel channel) {
		return this.deliveries.stream().filter((delivery) -> delivery.channel() == channel).findFirst();
	}

	public NotificationId id() {
		return this.id;
	}

	public String patientId() {
		return this.content.patientId();
	}

	public String type() {
		return this.content.type();
	}

	public Priority priority() {
		return this.content.priority();
	}

	public String idempotencyKey() {
		return this.content.idempotencyKey();
	}

	public @Nullable String sourceEventId() {
		return this.content.sourceEventId();
	}

	public Map<String, String> parameters() {
		return this.content.parameters();
	}

	public @Nullable Instant notBefore() {
		return this.content.notBefore();
	}

	/** When the event it was made from happened, when it was made from one. */
	public @Nullable Instant sourceEventAt() {
		return this.content.sourceEventAt();
	}

	/** The channels a request named; null when the patient's preferences decide. */
	public @Nullable Set<Channel> channels() {
		return this.content.channels();
	}

	/** When it was cancelled; null unless it was. */
	public @Nullable Instant cancelledAt() {
		return this.cancelledAt;
	}

	public boolean isWaitingForContact() {
		return this.waitingForContact;
	}

	/** Why it waits or cannot be delivered at all; null otherwise. */
	public @Nullable String reason() {
		return this.reason;
	}

	public List<Delivery> deliveries() {
		return List.copyOf(this.deliveries);
	}

	public Instant createdAt() {
		return this.createdAt;
	}

	public Instant updatedAt() {
		return this.updatedAt;
	}

	NewNotification content() {
		return this.content;
	}

	boolean isChanged() {
		return this.changed || this.deliveries.stream().anyMatch(Delivery::isChanged);
	}

	void markStored() {
		this.changed = false;
		this.deliveries.forEach(Delivery::markStored);
	}

}
