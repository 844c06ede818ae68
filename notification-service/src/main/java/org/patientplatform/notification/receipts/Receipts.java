package org.patientplatform.notification.receipts;

import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import org.patientplatform.kit.consumption.ProcessedMessages;
import org.patientplatform.kit.events.IncomingEvent;
import org.patientplatform.notification.contacts.Contact;
import org.patientplatform.notification.contacts.ContactDirectory;
import org.patientplatform.notification.delivery.Delivery;
import org.patientplatform.notification.delivery.Notification;
import org.patientplatform.notification.delivery.NotificationId;
import org.patientplatform.notification.delivery.Notifications;
import org.patientplatform.notification.sending.FallbackPolicy;
import org.patientplatform.notification.sending.NotificationMetrics;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * Applies provider receipts to deliveries, a poll at a time in one transaction. Each
 * event applies once (its id is recorded with the effect); a receipt the delivery is
 * already past, or cannot take, changes nothing, so duplicates and late or reordered
 * receipts are harmless. A receipt whose delivery is not recorded as sent yet (it
 * overtook the sender's commit) is parked and applied when the send is recorded. A
 * failure report ends the delivery and falls back to the next channel.
 */
@Service
class Receipts {

	private static final Logger log = LoggerFactory.getLogger(Receipts.class);

	private final Notifications notifications;

	private final ProcessedMessages processed;

	private final ContactDirectory contacts;

	private final FallbackPolicy fallback;

	private final NotificationMetrics metrics;

	private final ReceiptsProperties properties;

	private final Clock clock;

	Receipts(Notifications notifications, ProcessedMessages processed, ContactDirectory contacts,
			FallbackPolicy fallback, NotificationMetrics metrics, ReceiptsProperties properties,
			ObjectProvider<Clock> clock) {
		this.notifications = notifications;
		this.processed = processed;
		this.contacts = contacts;
		this.fallback = fallback;
		this.metrics = metrics;
		this.properties = properties;
		this.clock = clock.getIfAvailable(Clock::systemUTC);
	}

	/**
	 * @return how many receipts changed a delivery
	 */
	@Transactional
	int apply(List<IncomingEvent<DeliveryStatusReported>> events) {
		Map<IncomingEvent<DeliveryStatusReported>, NotificationId> resolved = new LinkedHashMap<>();
		for (IncomingEvent<DeliveryStatusReported> event : events) {
			if (!this.processed.markProcessed(this.properties.consumerGroup(), event)) {
				continue;
			}
			DeliveryStatusReported receipt = event.data();
			Optional<NotificationId> notification = this.notifications.findIdByProviderMessage(receipt.channel(),
					receipt.providerMessageId());
			if (notification.isEmpty() && receipt.notificationId() != null) {
				notification = Optional.of(new NotificationId(UUID.fromString(receipt.notificationId())));
			}
			if (notification.isPresent()) {
				resolved.put(event, notification.get());
			}
			else {
				park(receipt);
			}
		}
		if (resolved.isEmpty()) {
			return 0;
		}
		Instant now = now();
		List<Notification> locked = this.notifications.lock(resolved.values());
		Map<NotificationId, Notification> byId = new HashMap<>();
		locked.forEach((n) -> byId.put(n.id(), n));
		List<Notification> failed = new ArrayList<>();
		int applied = 0;
		for (Map.Entry<IncomingEvent<DeliveryStatusReported>, NotificationId> entry : resolved.entrySet()) {
			DeliveryStatusReported receipt = entry.getKey().data();
			Notification notification = byId.get(entry.getValue());
			Delivery delivery = (notification != null) ? notification.delivery(receipt.channel())
				.filter((d) -> receipt.providerMessageId().equals(d.providerMessageId()))
				.orElse(null) : null;
			if (notification == null || delivery == null) {
				// the send is not recorded yet under this provider id
				park(receipt);
				continue;
			}
			if (delivery.applyReceipt(receipt.status(), receipt.reason(), now)) {
				applied++;
				notification.touch(now);
				if (delivery.hasFailed()) {
					failed.add(notification);
				}
			}
		}
		if (!failed.isEmpty()) {
			Map<String, Contact> known = this.contacts.findAll(failed.stream().map(Notification::patientId).toList());
			failed.forEach((n) -> this.fallback.afterFailure(n, known.get(n.patientId()), now));
		}
		this.metrics.countTransitions(locked);
		this.notifications.saveChanges(locked, now);
		return applied;
	}

	private void park(DeliveryStatusReported receipt) {
		log.debug("Receipt for a {} message not recorded as sent yet; parked", receipt.channel());
		this.notifications.parkReceipt(receipt.channel(), receipt.providerMessageId(), receipt.status(),
				receipt.reason(), receipt.occurredAt());
	}

	/**
	 * The patient read the notification (the read receipt API).
	 * @return the notification as it is now, or empty when there is none
	 */
	@Transactional
	Optional<Notification> markRead(NotificationId id) {
		List<Notification> locked = this.notifications.lock(List.of(id));
		Instant now = now();
		locked.forEach((notification) -> notification.markRead(now));
		this.metrics.countTransitions(locked);
		this.notifications.saveChanges(locked, now);
		return locked.stream().findFirst();
	}

	private Instant now() {
		return this.clock.instant().truncatedTo(ChronoUnit.MICROS);
	}

}
