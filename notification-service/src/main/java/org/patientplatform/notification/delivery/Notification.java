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

	private Notification(NotificationId id, NewNotification content, boolean waitingForContact, @Nullable String reason,
			List<Delivery> deliveries, Instant createdAt, Instant updatedAt) {
		this.id = id;
		this.content = content;
		this.waitingForContact = waitingForContact;
		this.reason = reason;
		this.deliveries = new ArrayList<>(deliveries);
		this.createdAt = createdAt;
		this.updatedAt = updatedAt;
	}

	/**
	 * A notification with one delivery per target channel: pending, or undeliverable with
	 * the reason.
	 */
	public static Notification create(NewNotification content, List<ChannelTarget> targets, Instant now) {
		Notification notification = new Notification(NotificationId.random(), content, false, null, List.of(), now,
				now);
		notification.addDeliveries(targets, now);
		return notification;
	}

	/**
	 * A notification that waits, without deliveries, until the patient's contact details
	 * arrive.
	 */
	public static Notification awaitingContact(NewNotification content, String reason, Instant now) {
		return new Notification(NotificationId.random(), content, true, reason, List.of(), now, now);
	}

	/** A notification as stored. */
	static Notification restore(NotificationId id, NewNotification content, boolean waitingForContact,
			@Nullable String reason, List<Delivery> deliveries, Instant createdAt, Instant updatedAt) {
		return new Notification(id, content, waitingForContact, reason, deliveries, createdAt, updatedAt);
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
		addDeliveries(targets, now);
		this.updatedAt = now;
	}

	private void addDeliveries(List<ChannelTarget> targets, Instant now) {
		Set<Channel> seen = EnumSet.noneOf(Channel.class);
		for (ChannelTarget target : targets) {
			if (!seen.add(target.channel())) {
				continue;
			}
			Delivery delivery = Delivery.pending(target.channel(), now);
			if (target.unreachableReason() != null) {
				delivery.markUndeliverable(target.unreachableReason(), now);
			}
			this.deliveries.add(delivery);
		}
		if (this.deliveries.isEmpty()) {
			this.reason = NO_CHANNEL;
		}
	}

	/** The state of the most advanced delivery; pending while waiting for a contact. */
	public DeliveryState state() {
		if (this.waitingForContact) {
			return DeliveryState.PENDING;
		}
		if (this.deliveries.isEmpty()) {
			return DeliveryState.UNDELIVERABLE;
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

}
