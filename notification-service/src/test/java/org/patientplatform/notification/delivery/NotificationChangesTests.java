package org.patientplatform.notification.delivery;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class NotificationChangesTests {

	static final Instant T0 = Instant.parse("2026-03-07T15:00:00Z");

	@Test
	void holdsDeliveriesAsScheduledUntilNotBefore() {
		Notification notification = Notification.create(content(T0.plusSeconds(3600), null),
				List.of(ChannelTarget.reachable(Channel.SMS)), T0);
		Delivery sms = notification.delivery(Channel.SMS).orElseThrow();
		assertThat(sms.state()).isEqualTo(DeliveryState.SCHEDULED);
		assertThat(sms.nextAttemptAt()).isEqualTo(T0.plusSeconds(3600));
		assertThat(notification.state()).isEqualTo(DeliveryState.SCHEDULED);
	}

	@Test
	void usesTheRequestedChannelsInPlaceOfThePreferences() {
		Notification notification = Notification.create(content(null, Set.of(Channel.PUSH, Channel.SMS)),
				List.of(ChannelTarget.unreachable(Channel.SMS, "invalid phone"), ChannelTarget.reachable(Channel.EMAIL)),
				T0);
		assertThat(notification.deliveries()).extracting(Delivery::channel)
			.containsExactlyInAnyOrder(Channel.SMS, Channel.PUSH);
		// each pending, for the sender to send, suppress or refuse with the reason (and fall back): one not in the
		// preferences, and one whose address is unusable (it had been refused here, with no fallback)
		assertThat(notification.delivery(Channel.SMS).orElseThrow().state()).isEqualTo(DeliveryState.PENDING);
		assertThat(notification.delivery(Channel.SMS).orElseThrow().reason()).isNull();
		assertThat(notification.delivery(Channel.PUSH).orElseThrow().state()).isEqualTo(DeliveryState.PENDING);
	}

	@Test
	void cancelsWhatIsNotSentAndKeepsWhatIs() {
		Notification notification = Notification.create(content(T0.plusSeconds(3600), null),
				List.of(ChannelTarget.reachable(Channel.SMS), ChannelTarget.reachable(Channel.EMAIL)), T0);
		Delivery email = notification.delivery(Channel.EMAIL).orElseThrow();
		email.startSending(new MessageContent("ada@example.org", "Results", "text"), T0);
		email.markSent("m1", T0);

		assertThat(notification.cancel("booking cancelled", T0)).extracting(Delivery::channel)
			.containsExactly(Channel.SMS);
		assertThat(notification.delivery(Channel.SMS).orElseThrow().state()).isEqualTo(DeliveryState.CANCELLED);
		assertThat(email.state()).isEqualTo(DeliveryState.SENT);
		assertThat(notification.state()).isEqualTo(DeliveryState.SENT);
		assertThat(notification.cancelledAt()).isEqualTo(T0);
	}

	@Test
	void cancelsANotificationStillWaitingForItsContact() {
		Notification notification = Notification.awaitingContact(content(null, null), "no contact yet", T0);
		notification.cancel("booking cancelled", T0);
		assertThat(notification.isWaitingForContact()).isFalse();
		assertThat(notification.state()).isEqualTo(DeliveryState.CANCELLED);
		assertThat(notification.reason()).isEqualTo("booking cancelled");
	}

	@Test
	void marksReadEveryDeliveryThatReachedThePatient() {
		Notification notification = Notification.create(content(null, null),
				List.of(ChannelTarget.reachable(Channel.SMS), ChannelTarget.reachable(Channel.EMAIL)), T0);
		Delivery sms = notification.delivery(Channel.SMS).orElseThrow();
		sms.startSending(new MessageContent("+14155550132", null, "text"), T0);
		sms.markSent("SM1", T0);
		notification.delivery(Channel.EMAIL).orElseThrow().suppress("opted out", T0);

		assertThat(notification.markRead(T0)).containsExactly(sms);
		assertThat(notification.state()).isEqualTo(DeliveryState.READ);
		assertThat(notification.markRead(T0)).isEmpty();
	}

	@Test
	void addsAFallbackDeliveryOncePerChannel() {
		Notification notification = Notification.create(content(null, null),
				List.of(ChannelTarget.reachable(Channel.PUSH)), T0);
		assertThat(notification.addFallback(Channel.SMS, T0)).isPresent();
		assertThat(notification.addFallback(Channel.SMS, T0)).isEmpty();
		assertThat(notification.addFallback(Channel.PUSH, T0)).isEmpty();
	}

	private static NewNotification content(Instant notBefore, Set<Channel> channels) {
		return new NewNotification("appointment-reminder", "P-1", Priority.NORMAL, "booking:B-1:reminder", null,
				Map.of(), notBefore, null, channels);
	}

}
