package org.patientplatform.notification.sending;

import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Locale;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import org.patientplatform.notification.delivery.CreatedDeliveries;
import org.patientplatform.notification.delivery.Delivery;
import org.patientplatform.notification.delivery.DeliveryState;
import org.patientplatform.notification.delivery.Notification;

import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;

/**
 * The pipeline's meters (names in the module README): {@code notification.notifications}
 * counts deliveries entering each state by type, channel and status (through the senders, receipts, reads and
 * cancellations, and a delivery undeliverable as it was made);
 * {@code notification.provider.errors} counts provider answers other than acceptance by
 * provider and outcome; {@code notification.end_to_end} times the way from the source
 * event (a TestResultReady) to the provider's acceptance, as a histogram.
 */
public final class NotificationMetrics implements CreatedDeliveries {

	private final MeterRegistry registry;

	private final Timer endToEnd;

	NotificationMetrics(MeterRegistry registry) {
		this.registry = registry;
		this.endToEnd = Timer.builder("notification.end_to_end")
			.description("From the source event (TestResultReady) to the provider's acceptance")
			.publishPercentileHistogram()
			.minimumExpectedValue(Duration.ofMillis(10))
			.maximumExpectedValue(Duration.ofHours(12))
			.register(registry);
	}

	/** Counts every state each delivery of these notifications entered since it was loaded. */
	public void countTransitions(Collection<Notification> notifications) {
		for (Notification notification : notifications) {
			for (Delivery delivery : notification.deliveries()) {
				for (DeliveryState state : delivery.statesEntered()) {
					entered(notification, delivery, state);
				}
			}
		}
	}

	/**
	 * Counts the deliveries of new notifications (or of ones released when the patient's
	 * contact arrived) that ended as they were made: {@code UNDELIVERABLE}, the patient having
	 * no usable address on a channel they chose. A sender never claims those, so nothing else
	 * counts them; a delivery made pending or scheduled is counted from its next state on, as
	 * before. Called in the storing transaction, it counts once that transaction commits: a
	 * poll batch rolled back and stored again had counted its deliveries twice.
	 */
	@Override
	public void created(Collection<Notification> notifications) {
		if (TransactionSynchronizationManager.isSynchronizationActive()) {
			List<Notification> stored = List.copyOf(notifications);
			TransactionSynchronizationManager.registerSynchronization(new TransactionSynchronization() {
				@Override
				public void afterCommit() {
					countUndeliverable(stored);
				}
			});
		}
		else {
			countUndeliverable(notifications);
		}
	}

	private void countUndeliverable(Collection<Notification> notifications) {
		for (Notification notification : notifications) {
			for (Delivery delivery : notification.deliveries()) {
				if (delivery.state() == DeliveryState.UNDELIVERABLE) {
					entered(notification, delivery, DeliveryState.UNDELIVERABLE);
				}
			}
		}
	}

	private void entered(Notification notification, Delivery delivery, DeliveryState state) {
		Counter.builder("notification.notifications")
			.description("Deliveries entering each state")
			.tag("type", notification.type())
			.tag("channel", delivery.channel().name().toLowerCase(Locale.ROOT))
			.tag("status", state.name().toLowerCase(Locale.ROOT))
			.register(this.registry)
			.increment();
	}

	/**
	 * Counts a provider answer other than acceptance.
	 * @param outcome {@code retry-later}, {@code rejected}, {@code unknown},
	 * {@code lookup-not-found} or {@code lookup-unavailable} (the senders' spelling)
	 */
	void providerError(String provider, String outcome) {
		Counter.builder("notification.provider.errors")
			.description("Provider answers other than acceptance")
			.tag("provider", provider)
			.tag("outcome", outcome)
			.register(this.registry)
			.increment();
	}

	void endToEnd(Duration latency) {
		if (!latency.isNegative()) {
			this.endToEnd.record(latency);
		}
	}

}
