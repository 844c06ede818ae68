package org.patientplatform.standins;

import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import com.icegreen.greenmail.configuration.GreenMailConfiguration;
import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import jakarta.mail.Address;
import jakarta.mail.BodyPart;
import jakarta.mail.MessagingException;
import jakarta.mail.Multipart;
import jakarta.mail.Part;
import jakarta.mail.internet.MimeMessage;
import org.jspecify.annotations.Nullable;

/**
 * The SMTP stand-in: GreenMail, behind {@link SmtpFaultProxy} so faults can be injected.
 * Any address is accepted without authentication.
 */
public final class MailStandin {

	private final GreenMail greenMail;

	private final SmtpFaultProxy proxy;

	private final Map<String, Instant> firstSeen = new ConcurrentHashMap<>();

	MailStandin(int port, Faults faults) throws IOException {
		this.greenMail = new GreenMail(new ServerSetup(0, "127.0.0.1", ServerSetup.PROTOCOL_SMTP).dynamicPort());
		this.greenMail.withConfiguration(GreenMailConfiguration.aConfig().withDisabledAuthentication());
		this.greenMail.start();
		try {
			this.proxy = new SmtpFaultProxy(port, this.greenMail.getSmtp().getPort(), faults);
		}
		catch (IOException ex) {
			this.greenMail.stop();
			throw ex;
		}
	}

	/** The SMTP host clients connect to. */
	public String host() {
		return "127.0.0.1";
	}

	/** The SMTP port clients connect to. */
	public int port() {
		return this.proxy.port();
	}

	/** The GreenMail server itself, for what this class does not offer. */
	public GreenMail greenMail() {
		return this.greenMail;
	}

	/** The mails received, in the order GreenMail took them. */
	public List<ReceivedMail> received() {
		List<ReceivedMail> mails = new ArrayList<>();
		for (MimeMessage message : this.greenMail.getReceivedMessages()) {
			mails.add(read(message));
		}
		return mails;
	}

	void reset() {
		try {
			this.greenMail.purgeEmailFromAllMailboxes();
		}
		catch (Exception ex) {
			throw new IllegalStateException("GreenMail could not purge its mailboxes", ex);
		}
		this.firstSeen.clear();
	}

	void close() {
		this.proxy.close();
		this.greenMail.stop();
	}

	private ReceivedMail read(MimeMessage message) {
		try {
			String messageId = message.getMessageID();
			Instant at = (message.getSentDate() != null) ? message.getSentDate().toInstant()
					: this.firstSeen.computeIfAbsent(String.valueOf(messageId), (id) -> Instant.now());
			Address[] from = message.getFrom();
			Address[] to = message.getAllRecipients();
			String[] parts = new String[2];
			collect(message, parts);
			return new ReceivedMail(messageId, (from != null && from.length > 0) ? from[0].toString() : null,
					(to != null) ? Arrays.stream(to).map(Address::toString).toList() : List.of(), message.getSubject(),
					parts[0], parts[1], message.getContentType(), at);
		}
		catch (MessagingException | IOException ex) {
			throw new IllegalStateException("GreenMail holds a mail that cannot be read", ex);
		}
	}

	private static void collect(Part part, @Nullable String[] texts) throws MessagingException, IOException {
		if (part.isMimeType("multipart/*")) {
			Multipart multipart = (Multipart) part.getContent();
			for (int i = 0; i < multipart.getCount(); i++) {
				BodyPart child = multipart.getBodyPart(i);
				collect(child, texts);
			}
		}
		else if (part.isMimeType("text/plain") && texts[0] == null) {
			texts[0] = part.getContent().toString();
		}
		else if (part.isMimeType("text/html") && texts[1] == null) {
			texts[1] = part.getContent().toString();
		}
	}

}
