package org.patientplatform.notification.channels;

import java.io.IOException;
import java.net.URI;
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

/** The SMS sender against the Twilio-compatible stand-in. */
class TwilioSmsSenderIntegrationTests {

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

	TwilioSmsSender sender(Duration readTimeout) {
		return new TwilioSmsSender(Standins.sms(standins, readTimeout), this.registry);
	}

	@Test
	void sendsAndAnswersTheMessageSid() {
		OutboundMessage message = Standins.message(Channel.SMS, "+15551110001", "Results ready: https://portal/r/1");

		SendResult result = sender(Duration.ofSeconds(10)).send(message);

		assertThat(result).isInstanceOf(SendResult.Accepted.class);
		String sid = ((SendResult.Accepted) result).providerMessageId();
		assertThat(standins.sms().sent()).singleElement().satisfies((sms) -> {
			assertThat(sms.sid()).isEqualTo(sid);
			assertThat(sms.to()).isEqualTo("+15551110001");
			assertThat(sms.from()).isEqualTo(standins.sms().number());
			assertThat(sms.body()).isEqualTo("Results ready: https://portal/r/1");
			assertThat(sms.statusCallback()).isEqualTo("http://127.0.0.1:9/api/v1/notifications/webhooks/twilio/status");
		});
		assertThat(this.registry.get("notification.provider.latency")
			.tags("provider", "twilio", "channel", "sms", "outcome", "accepted")
			.timer()
			.count()).isEqualTo(1);
	}

	@Test
	void retriesLaterWithRetryAfterWhenThrottled() {
		standins.faults().throttleNext(Faults.Target.SMS, 1, 9).failNext(Faults.Target.SMS, 1);
		TwilioSmsSender sender = sender(Duration.ofSeconds(10));

		SendResult throttled = sender.send(Standins.message(Channel.SMS, "+15551110002", "hi"));
		SendResult failed = sender.send(Standins.message(Channel.SMS, "+15551110002", "hi"));

		assertThat(throttled).isEqualTo(new SendResult.RetryLater("twilio 20429: too many requests", Duration.ofSeconds(9)));
		assertThat(failed).isInstanceOf(SendResult.RetryLater.class);
		assertThat(standins.sms().sent()).isEmpty();
	}

	@Test
	void rejectsInvalidAndOptedOutNumbers() {
		TwilioSmsSender sender = sender(Duration.ofSeconds(10));
		standins.sms().receive("+15551110003", "STOP");

		SendResult invalid = sender.send(Standins.message(Channel.SMS, "+15005550001", "hi"));
		SendResult optedOut = sender.send(Standins.message(Channel.SMS, "+15551110003", "hi"));

		assertThat(invalid).isInstanceOfSatisfying(SendResult.Rejected.class, (rejected) -> {
			assertThat(rejected.recipientInvalid()).isTrue();
			assertThat(rejected.reason()).startsWith("twilio 21211:").doesNotContain("+15005550001");
		});
		assertThat(optedOut).isInstanceOfSatisfying(SendResult.Rejected.class, (rejected) -> {
			assertThat(rejected.recipientInvalid()).isFalse();
			assertThat(rejected.reason()).startsWith("twilio 21610:");
		});
	}

	@Test
	void rejectsWrongCredentials() {
		ChannelsProperties.Sms good = Standins.sms(standins, Duration.ofSeconds(10));
		ChannelsProperties.Sms wrong = new ChannelsProperties.Sms(good.baseUrl(), good.accountSid(), "wrong", good.from(),
				null, good.statusCallbackBaseUrl(), good.connectTimeout(), good.readTimeout());

		SendResult result = new TwilioSmsSender(wrong, this.registry)
			.send(Standins.message(Channel.SMS, "+15551110004", "hi"));

		assertThat(result).isInstanceOfSatisfying(SendResult.Rejected.class,
				(rejected) -> assertThat(rejected.reason()).startsWith("twilio 20003:"));
	}

	@Test
	void retriesLaterWhenTheProviderCannotBeReached() {
		ChannelsProperties.Sms good = Standins.sms(standins, Duration.ofSeconds(10));
		ChannelsProperties.Sms closed = new ChannelsProperties.Sms(URI.create("http://127.0.0.1:" + Standins.closedPort()),
				good.accountSid(), good.authToken(), good.from(), null, good.statusCallbackBaseUrl(),
				good.connectTimeout(), good.readTimeout());

		SendResult result = new TwilioSmsSender(closed, this.registry)
			.send(Standins.message(Channel.SMS, "+15551110005", "hi"));

		assertThat(result).isInstanceOf(SendResult.RetryLater.class);
	}

	@Test
	void findsAMessageWhoseSendTimedOut() {
		standins.faults().delayNext(Faults.Target.SMS, 1, Duration.ofSeconds(3));
		TwilioSmsSender sender = sender(Duration.ofMillis(500));
		OutboundMessage message = Standins.message(Channel.SMS, "+15551110006", "Results ready: https://portal/r/6");
		Instant attemptStartedAt = Instant.now();

		SendResult result = sender.send(message);

		assertThat(result).isInstanceOf(SendResult.Unknown.class);
		String sid = standins.sms().sent().getFirst().sid();
		assertThat(sender.lookup(message, attemptStartedAt)).isEqualTo(new LookupResult.Found(sid));
		assertThat(this.registry.get("notification.provider.latency").tags("outcome", "unknown").timer().count())
			.isEqualTo(1);
	}

	@Test
	void findsNothingForAMessageThatNeverArrived() {
		TwilioSmsSender sender = sender(Duration.ofSeconds(10));
		sender.send(Standins.message(Channel.SMS, "+15551110007", "another text"));

		LookupResult result = sender.lookup(Standins.message(Channel.SMS, "+15551110007", "this text"), Instant.now());

		assertThat(result).isEqualTo(new LookupResult.NotFound());
	}

	@Test
	void cannotLookUpWhenTheProviderIsDown() {
		ChannelsProperties.Sms good = Standins.sms(standins, Duration.ofSeconds(10));
		ChannelsProperties.Sms closed = new ChannelsProperties.Sms(URI.create("http://127.0.0.1:" + Standins.closedPort()),
				good.accountSid(), good.authToken(), good.from(), null, good.statusCallbackBaseUrl(),
				good.connectTimeout(), good.readTimeout());

		LookupResult result = new TwilioSmsSender(closed, this.registry)
			.lookup(Standins.message(Channel.SMS, "+15551110008", "hi"), Instant.now());

		assertThat(result).isInstanceOf(LookupResult.Unavailable.class);
	}

}
