package org.patientplatform.notification.channels;

import java.io.OutputStream;
import java.time.Instant;
import java.util.Properties;

import io.micrometer.core.instrument.MeterRegistry;
import jakarta.mail.Address;
import jakarta.mail.Message;
import jakarta.mail.MessagingException;
import jakarta.mail.SendFailedException;
import jakarta.mail.Session;
import jakarta.mail.URLName;
import jakarta.mail.internet.AddressException;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeBodyPart;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeMultipart;
import org.eclipse.angus.mail.smtp.SMTPAddressFailedException;
import org.eclipse.angus.mail.smtp.SMTPSendFailedException;
import org.eclipse.angus.mail.smtp.SMTPTransport;
import org.jspecify.annotations.Nullable;
import org.patientplatform.notification.delivery.Channel;

/**
 * Email over SMTP with Jakarta Mail: one connection per message, a
 * {@code multipart/alternative} of text and HTML (text alone when there is no HTML), and
 * the Message-ID {@code <deliveryId@notification.patient-platform>} so bounces and
 * replies find the delivery. An SMTP 4xx or a connection that never opened is a retry; a
 * 5xx is a rejection; no answer once the message data went out is unknown, and SMTP has
 * no way to ask afterwards.
 */
final class SmtpEmailSender implements ChannelSender {

	static final String PROVIDER = "smtp";

	static final String MESSAGE_ID_DOMAIN = "notification.patient-platform";

	private final ChannelsProperties.Email properties;

	private final Session session;

	private final ProviderMetrics metrics;

	SmtpEmailSender(ChannelsProperties.Email properties, MeterRegistry registry) {
		this.properties = properties;
		Properties mail = new Properties();
		mail.put("mail.smtp.host", properties.host());
		mail.put("mail.smtp.port", Integer.toString(properties.port()));
		mail.put("mail.smtp.connectiontimeout", Long.toString(properties.connectTimeout().toMillis()));
		mail.put("mail.smtp.timeout", Long.toString(properties.readTimeout().toMillis()));
		mail.put("mail.smtp.writetimeout", Long.toString(properties.writeTimeout().toMillis()));
		mail.put("mail.smtp.auth", Boolean.toString(properties.username() != null && !properties.username().isBlank()));
		mail.put("mail.smtp.starttls.enable", Boolean.toString(properties.startTls()));
		mail.put("mail.smtp.starttls.required", Boolean.toString(properties.startTls()));
		this.session = Session.getInstance(mail);
		this.metrics = new ProviderMetrics(registry, PROVIDER, Channel.EMAIL);
	}

	@Override
	public Channel channel() {
		return Channel.EMAIL;
	}

	@Override
	public String provider() {
		return PROVIDER;
	}

	@Override
	public SendResult send(OutboundMessage message) {
		return this.metrics.send(message, () -> doSend(message));
	}

	@Override
	public LookupResult lookup(OutboundMessage message, Instant attemptStartedAt) {
		return this.metrics.lookup(() -> new LookupResult.Unavailable("SMTP has no status lookup"));
	}

	static String messageId(String deliveryId) {
		return "<" + deliveryId + "@" + MESSAGE_ID_DOMAIN + ">";
	}

	private SendResult doSend(OutboundMessage message) {
		InternetAddress recipient;
		try {
			recipient = new InternetAddress(message.recipient(), true);
		}
		catch (AddressException ex) {
			return new SendResult.Rejected(PROVIDER + ": the address is not a valid mailbox", true);
		}
		MimeMessage mime;
		try {
			mime = mime(message, recipient);
		}
		catch (MessagingException ex) {
			return new SendResult.Rejected(PROVIDER + ": the message cannot be built (" + ex.getClass().getSimpleName()
					+ ")", false);
		}
		TrackingTransport transport = new TrackingTransport(this.session);
		try {
			try {
				transport.connect(this.properties.host(), this.properties.port(), this.properties.username(),
						this.properties.password());
			}
			catch (MessagingException ex) {
				return new SendResult.RetryLater(PROVIDER + ": could not connect (" + rootName(ex) + ")", null);
			}
			try {
				transport.sendMessage(mime, new Address[] { recipient });
				return new SendResult.Accepted(messageId(message.deliveryId()));
			}
			catch (MessagingException ex) {
				return classify(ex, transport.dataStarted);
			}
		}
		finally {
			try {
				transport.close();
			}
			catch (MessagingException ignored) {
				// the answer is already known
			}
		}
	}

	private MimeMessage mime(OutboundMessage message, InternetAddress recipient) throws MessagingException {
		MimeMessage mime = new DeliveryMessage(this.session, messageId(message.deliveryId()));
		mime.setFrom(InternetAddress.parse(this.properties.from(), true)[0]);
		mime.setRecipient(Message.RecipientType.TO, recipient);
		mime.setSubject((message.subject() != null) ? message.subject() : "", "UTF-8");
		// RFC 3834: no auto-replies to an automatic message
		mime.setHeader("Auto-Submitted", "auto-generated");
		if (message.html() != null) {
			MimeBodyPart text = new MimeBodyPart();
			text.setText(message.text(), "UTF-8", "plain");
			MimeBodyPart html = new MimeBodyPart();
			html.setText(message.html(), "UTF-8", "html");
			mime.setContent(new MimeMultipart("alternative", text, html));
		}
		else {
			mime.setText(message.text(), "UTF-8", "plain");
		}
		mime.saveChanges();
		return mime;
	}

	/** The server's answer decides when there is one; otherwise how far the transaction got. */
	static SendResult classify(MessagingException ex, boolean dataStarted) {
		int code = returnCode(ex);
		boolean addressRefused = addressRefused(ex);
		if (code >= 400 && code < 500) {
			return new SendResult.RetryLater(PROVIDER + " " + code + ": temporary failure", null);
		}
		if (code >= 500) {
			return new SendResult.Rejected(PROVIDER + " " + code + ": "
					+ (addressRefused ? "the recipient address was refused" : "the message was refused"),
					addressRefused);
		}
		if (dataStarted) {
			return new SendResult.Unknown(PROVIDER + ": no answer after the message data (" + rootName(ex) + ")");
		}
		return new SendResult.RetryLater(PROVIDER + ": the connection failed before the message data ("
				+ rootName(ex) + ")", null);
	}

	private static int returnCode(MessagingException ex) {
		for (Exception cause = ex; cause != null; cause = next(cause)) {
			if (cause instanceof SMTPSendFailedException failed && failed.getReturnCode() > 0) {
				return failed.getReturnCode();
			}
			if (cause instanceof SMTPAddressFailedException failed && failed.getReturnCode() > 0) {
				return failed.getReturnCode();
			}
		}
		return -1;
	}

	private static boolean addressRefused(MessagingException ex) {
		for (Exception cause = ex; cause != null; cause = next(cause)) {
			if (cause instanceof SMTPAddressFailedException) {
				return true;
			}
			if (cause instanceof SendFailedException failed && failed.getInvalidAddresses() != null
					&& failed.getInvalidAddresses().length > 0) {
				return true;
			}
		}
		return false;
	}

	private static @Nullable Exception next(Exception ex) {
		if (ex instanceof MessagingException messaging && messaging.getNextException() != null) {
			return messaging.getNextException();
		}
		return (ex.getCause() instanceof Exception cause && cause != ex) ? cause : null;
	}

	private static String rootName(Throwable ex) {
		Throwable root = ex;
		while (root.getCause() != null && root.getCause() != root) {
			root = root.getCause();
		}
		return root.getClass().getSimpleName();
	}

	/** A message whose Message-ID is the delivery's, whatever Jakarta Mail would choose. */
	private static final class DeliveryMessage extends MimeMessage {

		private final String messageId;

		DeliveryMessage(Session session, String messageId) {
			super(session);
			this.messageId = messageId;
		}

		@Override
		protected void updateMessageID() throws MessagingException {
			setHeader("Message-ID", this.messageId);
		}

	}

	/** Knows whether the message data started to go out: after that, silence is unknown. */
	private static final class TrackingTransport extends SMTPTransport {

		volatile boolean dataStarted;

		TrackingTransport(Session session) {
			super(session, new URLName("smtp", null, -1, null, null, null), "smtp", false);
		}

		@Override
		protected OutputStream data() throws MessagingException {
			this.dataStarted = true;
			return super.data();
		}

		@Override
		protected OutputStream bdat() throws MessagingException {
			this.dataStarted = true;
			return super.bdat();
		}

	}

}
