package org.patientplatform.notification;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;

import org.patientplatform.notification.channels.ChannelsProperties;
import org.patientplatform.standins.ProviderStandins;

import org.springframework.test.context.DynamicPropertyRegistry;

/**
 * The provider stand-ins (Twilio-compatible SMS, FCM HTTP v1, GreenMail) for one test
 * class, and the properties that point the service's senders at them. The application
 * gets a port fixed before it starts, so the stand-ins' status callbacks and inbound
 * messages reach its webhooks, signed for the URL it verifies them against.
 */
public final class TestProviders implements AutoCloseable {

	private final ProviderStandins standins;

	private final int appPort;

	private TestProviders(ProviderStandins standins, int appPort) {
		this.standins = standins;
		this.appPort = appPort;
	}

	public static TestProviders start() {
		try {
			return new TestProviders(ProviderStandins.start(), freePort());
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	/** The application's port and the providers' addresses and credentials. */
	public void register(DynamicPropertyRegistry registry) {
		registry.add("server.port", () -> this.appPort);
		registry.add("notification.channels.sms.base-url", this.standins::smsBaseUrl);
		registry.add("notification.channels.sms.account-sid", () -> this.standins.sms().accountSid());
		registry.add("notification.channels.sms.auth-token", () -> this.standins.sms().authToken());
		registry.add("notification.channels.sms.from", () -> this.standins.sms().number());
		registry.add("notification.channels.sms.status-callback-base-url", this::appUrl);
		registry.add("notification.channels.sms.read-timeout", () -> "1s");
		registry.add("notification.channels.push.base-url", this.standins::pushBaseUrl);
		registry.add("notification.channels.push.token-uri", this.standins::tokenUri);
		registry.add("notification.channels.push.project-id", () -> this.standins.push().projectId());
		registry.add("notification.channels.push.private-key", this.standins::serviceAccountPrivateKeyPem);
		registry.add("notification.channels.email.host", () -> "127.0.0.1");
		registry.add("notification.channels.email.port", () -> this.standins.mail().port());
		this.standins.sms().inboundUrl(appUrl() + ChannelsProperties.Sms.INBOUND_PATH);
	}

	public ProviderStandins standins() {
		return this.standins;
	}

	public String appUrl() {
		return "http://127.0.0.1:" + this.appPort;
	}

	/** Messages sent to the number through the SMS API. */
	public long smsTo(String phone) {
		return this.standins.sms().sent().stream().filter((sms) -> phone.equals(sms.to())).count();
	}

	@Override
	public void close() {
		this.standins.close();
	}

	private static int freePort() throws IOException {
		try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
			return socket.getLocalPort();
		}
	}

}
