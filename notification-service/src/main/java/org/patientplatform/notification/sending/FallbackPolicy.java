package org.patientplatform.notification.sending;

import java.time.Instant;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import org.jspecify.annotations.Nullable;
import org.patientplatform.notification.contacts.Contact;
import org.patientplatform.notification.delivery.Channel;
import org.patientplatform.notification.delivery.ChannelTarget;
import org.patientplatform.notification.delivery.Delivery;
import org.patientplatform.notification.delivery.Notification;

/**
 * Fallback between channels (by default push, then SMS, then email): once a delivery
 * ends {@code FAILED} or {@code UNDELIVERABLE} and nothing of its notification went out
 * or is still on its way, the first channel in the order that the notification has not
 * tried and the patient can be reached on (opted in, with an address) gets a new pending
 * delivery. Suppressed and cancelled deliveries never fall back: policy said no.
 */
public final class FallbackPolicy {

	private final List<Channel> order;

	FallbackPolicy(List<Channel> order) {
		this.order = List.copyOf(order);
	}

	/**
	 * Adds the fallback delivery to the notification when one is due.
	 * @param contact the patient's contact as it is now (after any address was dropped)
	 * @return the new delivery, or empty
	 */
	public Optional<Delivery> afterFailure(Notification notification, @Nullable Contact contact, Instant now) {
		if (contact == null || !contact.isKnown() || notification.cancelledAt() != null
				|| notification.deliveries().stream().noneMatch(Delivery::hasFailed)
				|| notification.deliveries().stream().anyMatch(Delivery::isSentOrInFlight)) {
			return Optional.empty();
		}
		Set<Channel> reachable = EnumSet.noneOf(Channel.class);
		contact.deliveryTargets()
			.stream()
			.filter((target) -> target.unreachableReason() == null)
			.map(ChannelTarget::channel)
			.forEach(reachable::add);
		for (Channel channel : this.order) {
			if (reachable.contains(channel) && notification.delivery(channel).isEmpty()) {
				return notification.addFallback(channel, now);
			}
		}
		return Optional.empty();
	}

}
