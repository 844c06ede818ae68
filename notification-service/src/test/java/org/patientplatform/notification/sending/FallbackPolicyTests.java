package org.patientplatform.notification.sending;

import java.time.Instant;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.patientplatform.notification.contacts.ChannelPreferences;
import org.patientplatform.notification.contacts.Contact;
import org.patientplatform.notification.delivery.Channel;
import org.patientplatform.notification.delivery.ChannelTarget;
import org.patientplatform.notification.delivery.Delivery;
import org.patientplatform.notification.delivery.DeliveryState;
import org.patientplatform.notification.delivery.MessageContent;
import org.patientplatform.notification.delivery.NewNotification;
import org.patientplatform.notification.delivery.Notification;
import org.patientplatform.notification.delivery.Priority;

import static org.assertj.core.api.Assertions.assertThat;

class FallbackPolicyTests {

	static final Instant T0 = Instant.parse("2026-03-07T15:00:00Z");

	final FallbackPolicy fallback = new FallbackPolicy(List.of(Channel.PUSH, Channel.SMS, Channel.EMAIL));

	@Test
	void fallsBackFromAFailedPushToSms() {
		Notification notification = notification(Channel.PUSH);
		fail(notification.delivery(Channel.PUSH).orElseThrow());

		assertThat(this.fallback.afterFailure(notification, contact(true, true), T0)).hasValueSatisfying(
				(sms) -> assertThat(sms.channel()).isEqualTo(Channel.SMS));
		assertThat(notification.delivery(Channel.SMS)).hasValueSatisfying(
				(sms) -> assertThat(sms.state()).isEqualTo(DeliveryState.PENDING));
	}

	@Test
	void skipsAChannelThePatientCannotBeReachedOn() {
		Notification notification = notification(Channel.PUSH);
		fail(notification.delivery(Channel.PUSH).orElseThrow());
		assertThat(this.fallback.afterFailure(notification, contact(false, true), T0))
			.hasValueSatisfying((email) -> assertThat(email.channel()).isEqualTo(Channel.EMAIL));
	}

	@Test
	void doesNotFallBackWhileAnotherChannelIsSentOrOnItsWay() {
		Notification notification = Notification.create(content(), List.of(ChannelTarget.reachable(Channel.PUSH),
				ChannelTarget.reachable(Channel.EMAIL)), T0);
		fail(notification.delivery(Channel.PUSH).orElseThrow());
		assertThat(this.fallback.afterFailure(notification, contact(true, true), T0)).isEmpty();
		assertThat(notification.delivery(Channel.SMS)).isEmpty();
	}

	@Test
	void triesEachChannelOnlyOnce() {
		Notification notification = notification(Channel.PUSH);
		fail(notification.delivery(Channel.PUSH).orElseThrow());
		Delivery sms = this.fallback.afterFailure(notification, contact(true, false), T0).orElseThrow();
		fail(sms);
		assertThat(this.fallback.afterFailure(notification, contact(true, false), T0)).isEmpty();
	}

	@Test
	void neverFallsBackFromASuppressedDelivery() {
		Notification notification = notification(Channel.PUSH);
		notification.delivery(Channel.PUSH).orElseThrow().suppress("opted out", T0);
		assertThat(this.fallback.afterFailure(notification, contact(true, true), T0)).isEmpty();
	}

	private static void fail(Delivery delivery) {
		delivery.startSending(new MessageContent("token", "Results", "text"), T0);
		delivery.markUndeliverable("UNREGISTERED", T0);
	}

	private static Notification notification(Channel channel) {
		return Notification.create(content(), List.of(ChannelTarget.reachable(channel)), T0);
	}

	private static NewNotification content() {
		return new NewNotification("test-result-ready", "P-1", Priority.NORMAL, "k-" + System.nanoTime(), null,
				Map.of(), null);
	}

	private static Contact contact(boolean sms, boolean email) {
		return new Contact("P-1", "Ada", "+14155550132", null, "ada@example.org", null, "en", null,
				new ChannelPreferences(sms, email, true), null, List.of(), T0, T0, T0);
	}

}
