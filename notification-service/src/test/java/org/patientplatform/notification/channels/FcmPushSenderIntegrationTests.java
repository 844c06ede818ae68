package org.patientplatform.notification.channels;

import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.patientplatform.notification.delivery.Channel;
import org.patientplatform.standins.Faults;
import org.patientplatform.standins.ProviderStandins;

import static org.assertj.core.api.Assertions.assertThat;

/** The push sender against the FCM HTTP v1 stand-in. */
class FcmPushSenderIntegrationTests {

	static final String TOKEN = "device-token-0123456789abcdef";

	static ProviderStandins standins;

	final SimpleMeterRegistry registry = new SimpleMeterRegistry();

	@BeforeAll
	static void start() throws IOException {
		standins = ProviderStandins.start();
	}

	@AfterAll
	static void stop() {
		standins.close();
	}

	@AfterEach
	void reset() {
		standins.reset();
	}

	FcmPushSender sender(Duration readTimeout) {
		return new FcmPushSender(Standins.push(standins, readTimeout), this.registry, Clock.systemUTC());
	}

	@Test
	void sendsWithOneCachedAccessToken() {
		FcmPushSender sender = sender(Duration.ofSeconds(10));
		long tokensBefore = standins.push().tokensIssued();
		OutboundMessage message = Standins.message(Channel.PUSH, TOKEN, "Open the portal to see it");

		SendResult first = sender.send(message);
		SendResult second = sender.send(Standins.message(Channel.PUSH, TOKEN, "again"));

		assertThat(first).isInstanceOfSatisfying(SendResult.Accepted.class, (accepted) -> assertThat(
				accepted.providerMessageId()).startsWith("projects/" + standins.push().projectId() + "/messages/"));
		assertThat(second).isInstanceOf(SendResult.Accepted.class);
		assertThat(standins.push().tokensIssued() - tokensBefore).isEqualTo(1);
		assertThat(standins.push().sent().getFirst()).satisfies((push) -> {
			assertThat(push.token()).isEqualTo(TOKEN);
			assertThat(push.title()).isEqualTo("Your results are ready");
			assertThat(push.body()).isEqualTo("Open the portal to see it");
			assertThat(push.data()).containsEntry("deliveryId", message.deliveryId())
				.containsEntry("notificationId", message.notificationId())
				.containsEntry("type", "test-result-ready");
		});
		assertThat(this.registry.get("notification.provider.latency")
			.tags("provider", "fcm", "channel", "push", "outcome", "accepted")
			.timer()
			.count()).isEqualTo(2);
	}

	@Test
	void renewsARevokedAccessToken() {
		FcmPushSender sender = sender(Duration.ofSeconds(10));
		sender.send(Standins.message(Channel.PUSH, TOKEN, "one"));
		standins.push().revokeAccessTokens();

		assertThat(sender.send(Standins.message(Channel.PUSH, TOKEN, "two"))).isInstanceOf(SendResult.Accepted.class);
		assertThat(standins.push().sent()).hasSize(2);
	}

	@Test
	void rejectsUnregisteredAndMalformedTokensAsInvalidRecipients() {
		standins.faults().unregister(TOKEN);
		FcmPushSender sender = sender(Duration.ofSeconds(10));

		SendResult unregistered = sender.send(Standins.message(Channel.PUSH, TOKEN, "hi"));
		SendResult malformed = sender.send(Standins.message(Channel.PUSH, "not a token", "hi"));

		assertThat(unregistered).isEqualTo(new SendResult.Rejected("fcm UNREGISTERED: the push token is no longer valid", true));
		assertThat(malformed).isInstanceOfSatisfying(SendResult.Rejected.class,
				(rejected) -> assertThat(rejected.recipientInvalid()).isTrue());
	}

	@Test
	void retriesLaterWithRetryAfterWhenThrottled() {
		standins.faults().throttleNext(Faults.Target.PUSH, 1, 11).failNext(Faults.Target.PUSH, 1);
		FcmPushSender sender = sender(Duration.ofSeconds(10));

		SendResult throttled = sender.send(Standins.message(Channel.PUSH, TOKEN, "hi"));
		SendResult failed = sender.send(Standins.message(Channel.PUSH, TOKEN, "hi"));

		assertThat(throttled).isInstanceOfSatisfying(SendResult.RetryLater.class, (retry) -> {
			assertThat(retry.retryAfter()).isEqualTo(Duration.ofSeconds(11));
			assertThat(retry.reason()).startsWith("fcm QUOTA_EXCEEDED");
		});
		assertThat(failed).isInstanceOf(SendResult.RetryLater.class);
		assertThat(standins.push().sent()).isEmpty();
	}

	@Test
	void rejectsAPermanentlyRefusedMessage() {
		standins.faults().rejectNext(Faults.Target.PUSH, 1);

		SendResult result = sender(Duration.ofSeconds(10)).send(Standins.message(Channel.PUSH, TOKEN, "hi"));

		assertThat(result).isInstanceOfSatisfying(SendResult.Rejected.class,
				(rejected) -> assertThat(rejected.recipientInvalid()).isFalse());
	}

	@Test
	void leavesATimedOutSendUnknownWithNoLookup() {
		FcmPushSender sender = sender(Duration.ofMillis(500));
		sender.send(Standins.message(Channel.PUSH, TOKEN, "warm the token"));
		standins.faults().delayNext(Faults.Target.PUSH, 1, Duration.ofSeconds(3));
		OutboundMessage message = Standins.message(Channel.PUSH, TOKEN, "slow");

		SendResult result = sender.send(message);

		assertThat(result).isInstanceOf(SendResult.Unknown.class);
		assertThat(standins.push().sent()).hasSize(2);
		assertThat(sender.lookup(message, Instant.now()))
			.isEqualTo(new LookupResult.Unavailable("FCM v1 has no message lookup"));
	}

	@Test
	void rejectsEverySendWhenNotConfigured() {
		ChannelsProperties.Push configured = Standins.push(standins, Duration.ofSeconds(10));
		ChannelsProperties.Push unconfigured = new ChannelsProperties.Push(configured.baseUrl(), configured.projectId(),
				configured.tokenUri(), configured.clientEmail(), "", configured.connectTimeout(),
				configured.readTimeout());

		SendResult result = new FcmPushSender(unconfigured, this.registry, Clock.systemUTC())
			.send(Standins.message(Channel.PUSH, TOKEN, "hi"));

		assertThat(result).isInstanceOf(SendResult.Rejected.class);
	}

}
