package org.patientplatform.notification.channels;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;

import org.patientplatform.notification.delivery.Channel;
import org.patientplatform.standins.ProviderStandins;

/** Shared set-up of the sender tests: properties pointing at the stand-ins, messages. */
final class Standins {

	private Standins() {
	}

	static ChannelsProperties.Sms sms(ProviderStandins standins, Duration readTimeout) {
		return new ChannelsProperties.Sms(URI.create(standins.smsBaseUrl()), standins.sms().accountSid(),
				standins.sms().authToken(), standins.sms().number(), null, URI.create("http://127.0.0.1:9/"),
				Duration.ofSeconds(2), readTimeout);
	}

	static ChannelsProperties.Push push(ProviderStandins standins, Duration readTimeout) {
		return new ChannelsProperties.Push(URI.create(standins.pushBaseUrl()), standins.push().projectId(),
				URI.create(standins.tokenUri()), "notification@patient-platform-local.iam.gserviceaccount.com",
				standins.serviceAccountPrivateKeyPem(), Duration.ofSeconds(2), readTimeout);
	}

	static ChannelsProperties.Email email(int port, Duration readTimeout) {
		return new ChannelsProperties.Email("127.0.0.1", port, "Lab <no-reply@lab.example>", null, null, false,
				Duration.ofSeconds(2), readTimeout, Duration.ofSeconds(5));
	}

	static OutboundMessage message(Channel channel, String recipient, String text) {
		return new OutboundMessage(UUID.randomUUID().toString(), UUID.randomUUID().toString(), channel, recipient,
				(channel == Channel.SMS) ? null : "Your results are ready", text,
				(channel == Channel.EMAIL) ? "<p>" + text + "</p>" : null, Map.of("type", "test-result-ready"));
	}

	/** A port nothing listens on. */
	static int closedPort() {
		try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
			return socket.getLocalPort();
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

}
