package org.patientplatform.standins;

import java.io.IOException;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;

import com.sun.net.httpserver.HttpServer;
import org.jspecify.annotations.Nullable;

/**
 * The local stand-ins for the notification providers, started together on loopback: the
 * Twilio-compatible SMS API, FCM HTTP v1 with its token endpoint, GreenMail for SMTP, and a Slack-compatible
 * incoming webhook (on the SMS stand-in's port, {@code POST /standin/webhook/slack}).
 * Both HTTP stand-ins also serve the console: {@code GET /standin/} (a page of every
 * message sent, newest first), {@code GET /standin/messages} (the same as JSON),
 * {@code POST|GET|DELETE /standin/faults}, {@code POST /standin/sms/inbound} and
 * {@code DELETE /standin/messages}.
 *
 * <pre>{@code
 * try (ProviderStandins standins = ProviderStandins.start(ProviderStandins.Config.defaults())) {
 *     // point the clients at standins.smsBaseUrl(), standins.pushBaseUrl(), standins.mail().port()
 *     standins.sms().sent();
 * }
 * }</pre>
 */
public final class ProviderStandins implements AutoCloseable {

	/**
	 * How to start the stand-ins.
	 *
	 * @param smsPort the SMS API's port, 0 for a free one
	 * @param pushPort the FCM stand-in's port, 0 for a free one
	 * @param smtpPort the SMTP port, 0 for a free one
	 * @param accountSid the Twilio account SID the API answers to
	 * @param authToken the Twilio auth token
	 * @param smsNumber the stand-in's own number (sender of messages sent from a messaging
	 * service, receiver of inbound ones)
	 * @param pushProjectId the Firebase project
	 * @param serviceAccountEmail the service account allowed to get tokens
	 * @param statusDelay how long a message stays in each status before the next
	 * @param smsJournal the file in which the SMS stand-in keeps its messages and opt-outs across restarts, as
	 * Twilio does (the local run's state folder); null to keep them in memory only
	 */
	public record Config(int smsPort, int pushPort, int smtpPort, String accountSid, String authToken,
			String smsNumber, String pushProjectId, String serviceAccountEmail, Duration statusDelay,
			@Nullable Path smsJournal) {

		/** Free ports and the credentials {@code notification-service.yml} defaults to; nothing kept on disk. */
		public static Config defaults() {
			return new Config(0, 0, 0, "AC00000000000000000000000000000000", "local-standin-auth-token",
					"+15005550006", "patient-platform-local",
					"notification@patient-platform-local.iam.gserviceaccount.com", Duration.ofMillis(200), null);
		}

		/** The same with these ports. */
		public Config withPorts(int sms, int push, int smtp) {
			return new Config(sms, push, smtp, this.accountSid, this.authToken, this.smsNumber, this.pushProjectId,
					this.serviceAccountEmail, this.statusDelay, this.smsJournal);
		}

		/** The same with this status delay. */
		public Config withStatusDelay(Duration delay) {
			return new Config(this.smsPort, this.pushPort, this.smtpPort, this.accountSid, this.authToken,
					this.smsNumber, this.pushProjectId, this.serviceAccountEmail, delay, this.smsJournal);
		}

		/** The same, the SMS stand-in keeping its messages and opt-outs in this file. */
		public Config withSmsJournal(@Nullable Path file) {
			return new Config(this.smsPort, this.pushPort, this.smtpPort, this.accountSid, this.authToken,
					this.smsNumber, this.pushProjectId, this.serviceAccountEmail, this.statusDelay, file);
		}

	}

	private final Faults faults = new Faults();

	private final KeyPair serviceAccountKeys;

	private final SmsStandin sms;

	private final PushStandin push;

	private final MailStandin mail;

	private final WebhookStandin webhook = new WebhookStandin();

	private final ExecutorService executor = Http.executor();

	private final List<HttpServer> servers = new ArrayList<>();

	private ProviderStandins(Config config) throws IOException {
		this.serviceAccountKeys = rsaKeyPair();
		this.sms = new SmsStandin(config.accountSid(), config.authToken(), config.smsNumber(), this.faults,
				config.statusDelay(), config.smsJournal());
		this.push = new PushStandin(config.pushProjectId(), config.serviceAccountEmail(),
				this.serviceAccountKeys.getPublic(), this.faults);
		this.mail = new MailStandin(config.smtpPort(), this.faults);
		try {
			Console console = new Console(this);
			Http.Router smsRoutes = new Http.Router();
			this.sms.routes(smsRoutes);
			this.webhook.routes(smsRoutes);
			console.routes(smsRoutes);
			this.servers.add(Http.server(config.smsPort(), smsRoutes, this.executor));
			Http.Router pushRoutes = new Http.Router();
			this.push.routes(pushRoutes);
			console.routes(pushRoutes);
			this.servers.add(Http.server(config.pushPort(), pushRoutes, this.executor));
			this.push.tokenUri(tokenUri());
		}
		catch (IOException | RuntimeException ex) {
			close();
			throw ex;
		}
	}

	/** Starts the stand-ins with the default credentials on free ports. */
	public static ProviderStandins start() throws IOException {
		return start(Config.defaults());
	}

	/** Starts the stand-ins. */
	public static ProviderStandins start(Config config) throws IOException {
		return new ProviderStandins(config);
	}

	/** The Twilio-compatible SMS stand-in. */
	public SmsStandin sms() {
		return this.sms;
	}

	/** The FCM stand-in. */
	public PushStandin push() {
		return this.push;
	}

	/** The SMTP stand-in. */
	public MailStandin mail() {
		return this.mail;
	}

	/** The faults to inject. */
	public Faults faults() {
		return this.faults;
	}

	/** The base URL of the SMS API, in place of {@code https://api.twilio.com}. */
	public String smsBaseUrl() {
		return "http://127.0.0.1:" + this.servers.get(0).getAddress().getPort();
	}

	/** The base URL of FCM, in place of {@code https://fcm.googleapis.com}. */
	public String pushBaseUrl() {
		return "http://127.0.0.1:" + this.servers.get(1).getAddress().getPort();
	}

	/** The OAuth2 token endpoint, in place of {@code https://oauth2.googleapis.com/token}. */
	public String tokenUri() {
		return pushBaseUrl() + "/token";
	}

	/** A Slack-compatible incoming webhook, in place of {@code https://hooks.slack.com/services/...}. */
	public String slackWebhookUrl() {
		return smsBaseUrl() + WebhookStandin.PATH;
	}

	/** The page listing every message sent. */
	public String listingUrl() {
		return smsBaseUrl() + "/standin/";
	}

	/** The service account's key pair (RSA 2048), made at start. */
	public KeyPair serviceAccountKeys() {
		return this.serviceAccountKeys;
	}

	/** The service account's private key as PKCS#8 PEM, as in a service-account JSON file. */
	public String serviceAccountPrivateKeyPem() {
		String body = Base64.getMimeEncoder(64, "\n".getBytes())
			.encodeToString(this.serviceAccountKeys.getPrivate().getEncoded());
		return "-----BEGIN PRIVATE KEY-----\n" + body + "\n-----END PRIVATE KEY-----\n";
	}

	/** Every message of every stand-in, newest first. */
	public List<ListedMessage> messages() {
		List<ListedMessage> all = new ArrayList<>();
		for (SentSms sms : this.sms.messages()) {
			String direction = switch (sms.direction()) {
				case "inbound" -> "inbound";
				case "outbound-reply" -> "reply";
				default -> "outbound";
			};
			all.add(new ListedMessage("sms", sms.sid(), direction, sms.from(), sms.to(), null, sms.body(), sms.status(),
					sms.dateCreated()));
		}
		for (SentPush push : this.push.sent()) {
			all.add(new ListedMessage("push", push.name(), "outbound", null, push.token(), push.title(), push.body(),
					"accepted", push.receivedAt()));
		}
		for (ReceivedMail mail : this.mail.received()) {
			all.add(new ListedMessage("email", String.valueOf(mail.messageId()), "outbound", mail.from(),
					String.join(", ", mail.to()), mail.subject(), (mail.text() != null) ? mail.text() : mail.html(),
					"received", mail.receivedAt()));
		}
		for (WebhookStandin.Received hook : this.webhook.received()) {
			all.add(new ListedMessage("webhook", hook.id(), "outbound", null, "slack webhook", null, hook.text(), "ok",
					hook.receivedAt()));
		}
		all.sort(Comparator.comparing(ListedMessage::at).reversed());
		return all;
	}

	/** Forgets every message, callback and fault (not the credentials). */
	public void reset() {
		this.sms.reset();
		this.push.reset();
		this.mail.reset();
		this.webhook.reset();
		this.faults.clear();
	}

	@Override
	public void close() {
		this.servers.forEach((server) -> server.stop(0));
		this.sms.close();
		this.mail.close();
		this.executor.shutdownNow();
	}

	private static KeyPair rsaKeyPair() {
		try {
			KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
			generator.initialize(2048);
			return generator.generateKeyPair();
		}
		catch (NoSuchAlgorithmException ex) {
			throw new IllegalStateException(ex);
		}
	}

	/**
	 * Runs the stand-ins alone until stopped. Ports from {@code STANDIN_SMS_PORT} (31880),
	 * {@code STANDIN_PUSH_PORT} (31881) and {@code STANDIN_SMTP_PORT} (3025).
	 */
	public static void main(String[] args) throws Exception {
		Config config = Config.defaults()
			.withPorts(port("STANDIN_SMS_PORT", 31880), port("STANDIN_PUSH_PORT", 31881),
					port("STANDIN_SMTP_PORT", 3025));
		String journal = System.getenv("STANDIN_SMS_JOURNAL");
		if (journal != null && !journal.isBlank()) {
			config = config.withSmsJournal(Path.of(journal));
		}
		ProviderStandins standins = start(config);
		String inbound = System.getenv("STANDIN_SMS_INBOUND_URL");
		standins.sms().inboundUrl(inbound);
		CountDownLatch stopped = new CountDownLatch(1);
		Runtime.getRuntime().addShutdownHook(new Thread(() -> {
			standins.close();
			stopped.countDown();
		}));
		System.out.println(standins.describe(config));
		stopped.await();
	}

	/** What a person needs to point a client at the stand-ins. */
	public String describe(Config config) {
		return String.format(Locale.ROOT,
				"Provider stand-ins%n  SMS (Twilio API):  %s  account %s, auth token %s%n"
						+ "  Push (FCM v1):     %s  project %s, token URI %s%n  SMTP (GreenMail):  127.0.0.1:%d%n"
						+ "  Messages sent:     %s%n",
				smsBaseUrl(), config.accountSid(), config.authToken(), pushBaseUrl(), config.pushProjectId(),
				tokenUri(), this.mail.port(), listingUrl());
	}

	private static int port(String variable, int fallback) {
		String value = System.getenv(variable);
		return (value != null && !value.isBlank()) ? Integer.parseInt(value.trim()) : fallback;
	}

}
