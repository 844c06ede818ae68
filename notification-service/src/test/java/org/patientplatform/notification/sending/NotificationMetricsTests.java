package org.patientplatform.notification.sending;

import java.time.Instant;
import java.util.List;
import java.util.Map;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;
import org.patientplatform.notification.delivery.Channel;
import org.patientplatform.notification.delivery.ChannelTarget;
import org.patientplatform.notification.delivery.Delivery;
import org.patientplatform.notification.delivery.NewNotification;
import org.patientplatform.notification.delivery.Notification;
import org.patientplatform.notification.delivery.Priority;
import org.patientplatform.notification.delivery.ReceiptStatus;

import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;
import org.springframework.transaction.support.TransactionSynchronizationUtils;

import static org.assertj.core.api.Assertions.assertThat;

class NotificationMetricsTests {

	static final Instant T0 = Instant.parse("2026-03-07T15:00:00Z");

	@Test
	void countsEveryStateADeliveryEnteredNotOnlyWhereItEnded() {
		SimpleMeterRegistry registry = new SimpleMeterRegistry();
		NotificationMetrics metrics = new NotificationMetrics(registry);
		Notification notification = notification(ChannelTarget.reachable(Channel.SMS));
		Delivery delivery = notification.deliveries().getFirst();
		delivery.startSending(T0);
		// the provider's answer and a delivery receipt that had overtaken it, recorded in one transaction:
		// "sent" was not counted, so the sent series undercounted what the provider took
		delivery.markSent("SM1", T0);
		delivery.applyReceipt(ReceiptStatus.DELIVERED, null, T0);

		metrics.countTransitions(List.of(notification));

		for (String status : List.of("pending", "sending", "sent", "delivered")) {
			assertThat(registry.get("notification.notifications").tag("status", status).counter().count())
				.as(status)
				.isEqualTo(1.0);
		}
	}

	@Test
	void countsADeliveryThatWasUndeliverableAsItWasMadeAndNothingElseOfANewNotification() {
		SimpleMeterRegistry registry = new SimpleMeterRegistry();
		NotificationMetrics metrics = new NotificationMetrics(registry);
		Notification notification = notification(
				ChannelTarget.unreachable(Channel.SMS, "The patient has no phone number"),
				ChannelTarget.reachable(Channel.EMAIL));

		metrics.created(List.of(notification));

		assertThat(registry.get("notification.notifications")
			.tags("type", "test-result-ready", "channel", "sms", "status", "undeliverable")
			.counter()
			.count()).isEqualTo(1.0);
		// the pending email is counted from its next state on, by whoever moves it
		assertThat(registry.find("notification.notifications").tag("channel", "email").counters()).isEmpty();
		assertThat(registry.find("notification.notifications").tag("status", "pending").counters()).isEmpty();
	}

	@Test
	void countsADeliveryUndeliverableAsItWasMadeOnlyOnceItsTransactionCommits() {
		SimpleMeterRegistry registry = new SimpleMeterRegistry();
		NotificationMetrics metrics = new NotificationMetrics(registry);
		Notification notification = notification(
				ChannelTarget.unreachable(Channel.SMS, "The patient has no phone number"));

		// a poll batch stored, rolled back, then stored again: counted once, by the transaction that committed
		inTransaction(() -> metrics.created(List.of(notification)), TransactionSynchronization.STATUS_ROLLED_BACK);
		assertThat(registry.find("notification.notifications").counters()).isEmpty();
		inTransaction(() -> metrics.created(List.of(notification)), TransactionSynchronization.STATUS_COMMITTED);

		assertThat(registry.get("notification.notifications")
			.tags("channel", "sms", "status", "undeliverable")
			.counter()
			.count()).isEqualTo(1.0);
	}

	private static Notification notification(ChannelTarget... targets) {
		return Notification.create(new NewNotification("test-result-ready", "P-1", Priority.NORMAL, "key-1", null,
				Map.of(), null, null, null), List.of(targets), T0);
	}

	private static void inTransaction(Runnable work, int completion) {
		TransactionSynchronizationManager.initSynchronization();
		try {
			work.run();
			List<TransactionSynchronization> synchronizations = TransactionSynchronizationManager.getSynchronizations();
			if (completion == TransactionSynchronization.STATUS_COMMITTED) {
				TransactionSynchronizationUtils.invokeAfterCommit(synchronizations);
			}
			TransactionSynchronizationUtils.invokeAfterCompletion(synchronizations, completion);
		}
		finally {
			TransactionSynchronizationManager.clearSynchronization();
		}
	}

}
