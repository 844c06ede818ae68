package org.patientplatform.notification.delivery;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

class NotificationTests {

	static final Instant T0 = Instant.parse("2026-03-07T15:00:00Z");

	static final NewNotification CONTENT = new NewNotification("test-result-ready", "P-1", Priority.NORMAL,
			"test-result-ready:P-1:ORD-1", "event-1", Map.of("orderId", "ORD-1"), null);

	@Test
	void createsOnePendingDeliveryPerReachableChannel() {
		Notification notification = Notification.create(CONTENT,
				List.of(ChannelTarget.reachable(Channel.SMS), ChannelTarget.reachable(Channel.EMAIL)), T0);
		assertThat(notification.state()).isEqualTo(DeliveryState.PENDING);
		assertThat(notification.deliveries()).extracting(Delivery::channel).containsExactly(Channel.SMS, Channel.EMAIL);
		assertThat(notification.deliveries()).extracting(Delivery::state).containsOnly(DeliveryState.PENDING);
		assertThat(notification.reason()).isNull();
	}

	@Test
	void marksAChannelWithAnUnusableAddressUndeliverableWithTheReason() {
		Notification notification = Notification.create(CONTENT, List
			.of(ChannelTarget.unreachable(Channel.SMS, "not a valid number"), ChannelTarget.reachable(Channel.EMAIL)),
				T0);
		assertThat(notification.delivery(Channel.SMS)).hasValueSatisfying((sms) -> {
			assertThat(sms.state()).isEqualTo(DeliveryState.UNDELIVERABLE);
			assertThat(sms.reason()).isEqualTo("not a valid number");
		});
		assertThat(notification.state()).isEqualTo(DeliveryState.PENDING);
	}

	@Test
	void marksAChannelThePatientHasNoAddressForUndeliverableWithTheReason() {
		Notification notification = Notification.create(CONTENT, List.of(
				ChannelTarget.unreachable(Channel.SMS, "The patient has no phone number"),
				ChannelTarget.reachable(Channel.EMAIL)), T0);
		assertThat(notification.delivery(Channel.SMS)).hasValueSatisfying((sms) -> {
			assertThat(sms.state()).isEqualTo(DeliveryState.UNDELIVERABLE);
			assertThat(sms.reason()).isEqualTo("The patient has no phone number");
			assertThat(sms.attempts()).isZero();
		});
		assertThat(notification.delivery(Channel.EMAIL).map(Delivery::state)).hasValue(DeliveryState.PENDING);
		assertThat(notification.state()).isEqualTo(DeliveryState.PENDING);
		assertThat(notification.reason()).isNull();
	}

	@Test
	void leavesEveryRequestedChannelToTheSenderWhetherItsAddressIsMissingOrUnusable() {
		// the sender weighs it with the contact as it is then: undeliverable with the reason, and a fallback (an
		// unusable address had been ended undeliverable here, before any sender saw it, so with no fallback)
		NewNotification requested = new NewNotification("appointment-reminder", "P-1", Priority.NORMAL, "key-2", null,
				Map.of(), null, null, Set.of(Channel.SMS, Channel.EMAIL));
		Notification notification = Notification.create(requested,
				List.of(ChannelTarget.unreachable(Channel.SMS, "The patient has no phone number"),
						ChannelTarget.unreachable(Channel.EMAIL, "not a valid email address")),
				T0);
		assertThat(notification.delivery(Channel.SMS).map(Delivery::state)).hasValue(DeliveryState.PENDING);
		assertThat(notification.delivery(Channel.EMAIL).map(Delivery::state)).hasValue(DeliveryState.PENDING);
	}

	@Test
	void keepsOneDeliveryPerChannel() {
		Notification notification = Notification.create(CONTENT,
				List.of(ChannelTarget.reachable(Channel.SMS), ChannelTarget.reachable(Channel.SMS)), T0);
		assertThat(notification.deliveries()).hasSize(1);
	}

	@Test
	void isUndeliverableWithItsReasonWhenNoChannelCanBeUsed() {
		Notification notification = Notification.create(CONTENT, List.of(), T0);
		assertThat(notification.state()).isEqualTo(DeliveryState.UNDELIVERABLE);
		assertThat(notification.reason()).isEqualTo(Notification.NO_CHANNEL);
	}

	@Test
	void waitsForTheContactAsPendingWithTheReasonThenGetsItsDeliveries() {
		Notification notification = Notification.awaitingContact(CONTENT, "no contact yet", T0);
		assertThat(notification.state()).isEqualTo(DeliveryState.PENDING);
		assertThat(notification.isWaitingForContact()).isTrue();
		assertThat(notification.reason()).isEqualTo("no contact yet");
		assertThat(notification.deliveries()).isEmpty();

		notification.contactArrived(List.of(ChannelTarget.reachable(Channel.EMAIL)), T0.plusSeconds(60));
		assertThat(notification.isWaitingForContact()).isFalse();
		assertThat(notification.reason()).isNull();
		assertThat(notification.deliveries()).extracting(Delivery::channel).containsExactly(Channel.EMAIL);
		assertThat(notification.updatedAt()).isEqualTo(T0.plusSeconds(60));
	}

	@Test
	void rejectsAContactArrivalWhenNotWaiting() {
		Notification notification = Notification.create(CONTENT, List.of(ChannelTarget.reachable(Channel.SMS)), T0);
		assertThatIllegalStateException().isThrownBy(() -> notification.contactArrived(List.of(), T0));
	}

	@Test
	void takesTheStateOfItsMostAdvancedDelivery() {
		Notification notification = Notification.create(CONTENT, List.of(ChannelTarget.reachable(Channel.SMS),
				ChannelTarget.reachable(Channel.EMAIL), ChannelTarget.reachable(Channel.PUSH)), T0);
		Delivery sms = notification.delivery(Channel.SMS).orElseThrow();
		Delivery email = notification.delivery(Channel.EMAIL).orElseThrow();
		Delivery push = notification.delivery(Channel.PUSH).orElseThrow();

		push.markUndeliverable("UNREGISTERED", T0);
		assertThat(notification.state()).isEqualTo(DeliveryState.PENDING);
		sms.startSending(T0);
		assertThat(notification.state()).isEqualTo(DeliveryState.SENDING);
		sms.markSent("SM1", T0);
		email.startSending(T0);
		email.markFailed("SMTP 554", T0);
		assertThat(notification.state()).isEqualTo(DeliveryState.SENT);
		sms.markDelivered(T0);
		assertThat(notification.state()).isEqualTo(DeliveryState.DELIVERED);
	}

	@Test
	void failsWhenEveryDeliveryFailed() {
		Notification notification = Notification.create(CONTENT,
				List.of(ChannelTarget.reachable(Channel.SMS), ChannelTarget.unreachable(Channel.EMAIL, "invalid")), T0);
		Delivery sms = notification.delivery(Channel.SMS).orElseThrow();
		sms.startSending(T0);
		sms.markFailed("30003 unreachable handset", T0);
		assertThat(notification.state()).isEqualTo(DeliveryState.FAILED);
	}

}
