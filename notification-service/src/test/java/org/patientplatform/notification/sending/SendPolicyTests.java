package org.patientplatform.notification.sending;

import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.patientplatform.notification.contacts.ChannelPreferences;
import org.patientplatform.notification.contacts.Contact;
import org.patientplatform.notification.contacts.QuietHours;
import org.patientplatform.notification.delivery.Channel;
import org.patientplatform.notification.delivery.ChannelTarget;
import org.patientplatform.notification.delivery.Delivery;
import org.patientplatform.notification.delivery.DeliveryQueue.RecentSend;
import org.patientplatform.notification.delivery.NewNotification;
import org.patientplatform.notification.delivery.Notification;
import org.patientplatform.notification.delivery.NotificationId;
import org.patientplatform.notification.delivery.Priority;
import org.patientplatform.notification.templates.MessageTemplates;
import org.patientplatform.notification.templates.RenderedMessage;
import org.patientplatform.notification.templates.UnknownTemplateException;

import static org.assertj.core.api.Assertions.assertThat;

class SendPolicyTests {

	// 12:00 in Chicago
	static final Instant NOON = Instant.parse("2026-01-15T18:00:00Z");

	static final QuietHours NIGHT = new QuietHours(LocalTime.of(21, 0), LocalTime.of(8, 0));

	final RecordingTemplates templates = new RecordingTemplates();

	final SendPolicy policy = new SendPolicy(this.templates, new PortalLinks(URI.create("https://portal.example/")),
			properties(2));

	@Test
	void rendersInThePatientsLanguageWithTheirNameAndAPortalLinkAndNoResult() {
		Notification notification = notification(Priority.NORMAL, null, Channel.SMS);
		SendDecision decision = decide(notification, contact("es", null), NOON);

		assertThat(decision).isInstanceOfSatisfying(SendDecision.Send.class, (send) -> {
			assertThat(send.content().recipient()).isEqualTo("+14155550132");
			assertThat(send.message().channel()).isEqualTo(Channel.SMS);
			assertThat(send.message().deliveryId()).isEqualTo(sms(notification).id().toString());
			assertThat(send.message().notificationId()).isEqualTo(notification.id().toString());
		});
		RecordingTemplates.Call call = this.templates.calls.getFirst();
		assertThat(call.language()).isEqualTo("es");
		assertThat(call.parameters()).containsEntry("givenName", "Ada")
			.containsEntry("portalUrl", "https://portal.example/notifications/" + notification.id())
			.containsEntry("orderId", "ORD-1");
	}

	@Test
	void leavesOutOfTheGreetingANameLongerThanAnyRealOneSoTheMessageStillFits() {
		Notification notification = notification(Priority.NORMAL, null, Channel.SMS);
		Contact c = contact("en", null);
		Contact longName = new Contact(c.patientId(), "A".repeat(3000), c.phone(), c.phoneProblem(), c.email(),
				c.emailProblem(), c.language(), c.timezone(), c.channels(), c.quietHours(), c.pushTokens(),
				c.detailsAt(), c.preferencesAt(), c.localeAt());

		assertThat(decide(notification, longName, NOON)).isInstanceOf(SendDecision.Send.class);
		assertThat(this.templates.calls.getFirst().parameters()).doesNotContainKey("givenName")
			.containsKey("portalUrl");
	}

	@Test
	void holdsANormalNoticeInQuietHoursUntilTheWindowEnds() {
		// 22:30 in Chicago
		Instant late = Instant.parse("2026-01-15T04:30:00Z");
		SendDecision decision = decide(notification(Priority.NORMAL, null, Channel.SMS), contact("en", NIGHT), late);
		assertThat(decision).isEqualTo(new SendDecision.Hold(Instant.parse("2026-01-15T14:00:00Z"),
				"Quiet hours in the patient's timezone until 08:00"));
	}

	@Test
	void sendsAnUrgentNoticeInQuietHours() {
		Instant late = Instant.parse("2026-01-15T04:30:00Z");
		assertThat(decide(notification(Priority.URGENT, null, Channel.SMS), contact("en", NIGHT), late))
			.isInstanceOf(SendDecision.Send.class);
	}

	@Test
	void holdsUntilNotBefore() {
		Instant notBefore = NOON.plus(Duration.ofHours(3));
		assertThat(decide(notification(Priority.URGENT, notBefore, Channel.SMS), contact("en", null), NOON))
			.isInstanceOfSatisfying(SendDecision.Hold.class, (hold) -> assertThat(hold.at()).isEqualTo(notBefore));
	}

	@Test
	void suppressesAChannelThePatientOptedOutOf() {
		Contact optedOut = withChannels(contact("en", null), new ChannelPreferences(false, true, false));
		assertThat(decide(notification(Priority.URGENT, null, Channel.SMS), optedOut, NOON))
			.isEqualTo(new SendDecision.Suppress("The patient opted out of SMS"));
	}

	@Test
	void marksAChannelWithoutAddressUndeliverableWithTheReason() {
		assertThat(decide(notification(Priority.NORMAL, null, Channel.PUSH), contact("en", null), NOON))
			.isEqualTo(new SendDecision.Undeliverable("The patient has no device registered for push messages"));
		assertThat(decide(notification(Priority.NORMAL, null, Channel.SMS), null, NOON))
			.isEqualTo(new SendDecision.Undeliverable("The patient's contact details are not known"));
	}

	@Test
	void holdsAResultNoticeOverTheFrequencyCapSuppressesAnotherTypeButNeverCapsAnUrgentOne() {
		Notification third = notification(Priority.NORMAL, null, Channel.SMS);
		List<RecentSend> recent = List.of(new RecentSend("P-1", "test-result-ready", NotificationId.random()),
				new RecentSend("P-1", "test-result-ready", NotificationId.random()));
		SendDecision capped = this.policy.decide(third, sms(third), contact("en", null),
				new FrequencyCapTally(2, recent), NOON);
		// before: suppressed, and the patient was never told of the result
		assertThat(capped).isEqualTo(new SendDecision.Hold(NOON.plus(Duration.ofHours(1)),
				"Frequency cap: 2 notifications of type test-result-ready to this patient within 1h; held, not dropped"));

		Notification reminder = Notification.create(new NewNotification("appointment-reminder", "P-1",
				Priority.NORMAL, "key-" + NotificationId.random(), null, Map.of("siteName", "North Lab"), null),
				List.of(ChannelTarget.reachable(Channel.SMS)), NOON.minusSeconds(60));
		List<RecentSend> reminders = List.of(new RecentSend("P-1", "appointment-reminder", NotificationId.random()),
				new RecentSend("P-1", "appointment-reminder", NotificationId.random()));
		assertThat(this.policy.decide(reminder, sms(reminder), contact("en", null), new FrequencyCapTally(2, reminders),
				NOON))
			.isEqualTo(new SendDecision.Suppress(
					"Frequency cap: 2 notifications of type appointment-reminder to this patient within 1h"));

		Notification urgent = notification(Priority.URGENT, null, Channel.SMS);
		assertThat(this.policy.decide(urgent, sms(urgent), contact("en", null), new FrequencyCapTally(2, recent), NOON))
			.isInstanceOf(SendDecision.Send.class);
	}

	@Test
	void neverCapsANotificationAgainstItself() {
		Notification notification = notification(Priority.NORMAL, null, Channel.SMS);
		FrequencyCapTally tally = new FrequencyCapTally(1, List.of());
		tally.sending(notification);
		assertThat(tally.exceeded(notification)).isFalse();
		assertThat(tally.exceeded(notification(Priority.NORMAL, null, Channel.SMS))).isTrue();
	}

	@Test
	void marksATypeWithoutTemplateUndeliverable() {
		this.templates.unknown = true;
		assertThat(decide(notification(Priority.NORMAL, null, Channel.SMS), contact("en", null), NOON))
			.isEqualTo(new SendDecision.Undeliverable(
					"No template for notification type 'test-result-ready' on channel SMS"));
	}

	@Test
	void sendsPushToTheNewestDeviceWithTheLinkInItsData() {
		Contact withDevice = new Contact("P-1", "Ada", null, null, null, null, "en", "America/Chicago",
				new ChannelPreferences(true, true, true), null, List.of("old-token", "new-token"), NOON, NOON, NOON);
		Notification notification = notification(Priority.NORMAL, null, Channel.PUSH);
		assertThat(this.policy.decide(notification, push(notification), withDevice, new FrequencyCapTally(2, List.of()),
				NOON))
			.isInstanceOfSatisfying(SendDecision.Send.class, (send) -> {
				assertThat(send.message().recipient()).isEqualTo("new-token");
				assertThat(send.message().data()).containsEntry("link",
						"https://portal.example/notifications/" + notification.id());
			});
	}

	private SendDecision decide(Notification notification, @Nullable Contact contact, Instant now) {
		Delivery delivery = notification.deliveries().getFirst();
		return this.policy.decide(notification, delivery, contact, new FrequencyCapTally(2, List.of()), now);
	}

	static Delivery sms(Notification notification) {
		return notification.delivery(Channel.SMS).orElseThrow();
	}

	static Delivery push(Notification notification) {
		return notification.delivery(Channel.PUSH).orElseThrow();
	}

	static Notification notification(Priority priority, @Nullable Instant notBefore, Channel channel) {
		return Notification.create(new NewNotification("test-result-ready", "P-1", priority,
				"key-" + NotificationId.random(), null, Map.of("orderId", "ORD-1"), notBefore),
				List.of(ChannelTarget.reachable(channel)), NOON.minusSeconds(60));
	}

	static Contact contact(String language, @Nullable QuietHours quietHours) {
		return new Contact("P-1", "Ada", "+14155550132", null, "ada@example.org", null, language, "America/Chicago",
				new ChannelPreferences(true, true, true), quietHours, List.of(), NOON, NOON, NOON);
	}

	static Contact withChannels(Contact c, ChannelPreferences channels) {
		return new Contact(c.patientId(), c.givenName(), c.phone(), c.phoneProblem(), c.email(), c.emailProblem(),
				c.language(), c.timezone(), channels, c.quietHours(), c.pushTokens(), c.detailsAt(), c.preferencesAt(),
				c.localeAt());
	}

	static SendingProperties properties(int cap) {
		return new SendingProperties(true, 200, Duration.ofMillis(250), 8, Duration.ofSeconds(30), 3,
				new SendingProperties.Backoff(Duration.ofSeconds(30), Duration.ofHours(1), 0.2), 100, Map.of(),
				new SendingProperties.FrequencyCap(cap, Duration.ofHours(1)),
				List.of(Channel.PUSH, Channel.SMS, Channel.EMAIL), ZoneId.of("UTC"), Duration.ofMinutes(2),
				Duration.ofSeconds(15), Duration.ofMinutes(10), Duration.ofSeconds(5), 2);
	}

	/** Renders every type as a fixed text and remembers what it was asked. */
	static final class RecordingTemplates implements MessageTemplates {

		record Call(String type, Channel channel, String language, Map<String, String> parameters) {
		}

		final List<Call> calls = new ArrayList<>();

		boolean unknown;

		@Override
		public RenderedMessage render(String type, Channel channel, String language, Map<String, String> parameters) {
			if (this.unknown) {
				throw new UnknownTemplateException(type, channel);
			}
			this.calls.add(new Call(type, channel, language, Map.copyOf(parameters)));
			return new RenderedMessage((channel == Channel.SMS) ? null : "Your results", "Results ready: "
					+ parameters.get("portalUrl"), null, language, (channel == Channel.SMS) ? 1 : 0);
		}

		@Override
		public boolean exists(String type, Channel channel) {
			return !this.unknown;
		}

	}

}
