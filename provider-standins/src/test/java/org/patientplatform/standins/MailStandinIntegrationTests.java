package org.patientplatform.standins;

import java.io.IOException;
import java.time.Duration;
import java.util.Properties;

import jakarta.mail.Message;
import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.Transport;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeBodyPart;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeMultipart;
import org.eclipse.angus.mail.smtp.SMTPSendFailedException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

class MailStandinIntegrationTests {

	static ProviderStandins standins;

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

	@Test
	void receivesMultipartMailThroughTheProxy() throws Exception {
		send(session(10_000), "Results ready");
		assertThat(standins.mail().received()).singleElement().satisfies((mail) -> {
			assertThat(mail.subject()).isEqualTo("Results ready");
			assertThat(mail.to()).containsExactly("patient@example.org");
			assertThat(mail.text()).isEqualTo("plain text");
			assertThat(mail.html()).isEqualTo("<p>html</p>");
			assertThat(mail.contentType()).startsWith("multipart/alternative");
		});
	}

	@Test
	void answersTransientAndPermanentFaults() throws Exception {
		standins.faults()
			.failNext(Faults.Target.EMAIL, 1)
			.throttleNext(Faults.Target.EMAIL, 1, 5)
			.rejectNext(Faults.Target.EMAIL, 1);
		Session session = session(10_000);
		assertThatExceptionOfType(MessagingException.class).isThrownBy(() -> send(session, "one"))
			.satisfies((ex) -> assertThat(returnCode(ex)).isEqualTo(451));
		assertThatExceptionOfType(MessagingException.class).isThrownBy(() -> send(session, "two"))
			.satisfies((ex) -> assertThat(returnCode(ex)).isEqualTo(421));
		assertThatExceptionOfType(MessagingException.class).isThrownBy(() -> send(session, "three"))
			.satisfies((ex) -> assertThat(returnCode(ex)).isEqualTo(550));
		assertThat(standins.mail().received()).isEmpty();
		send(session, "four");
		assertThat(standins.mail().received()).hasSize(1);
	}

	@Test
	void storesDelayedMailWhileTheClientTimesOut() {
		standins.faults().delayNext(Faults.Target.EMAIL, 1, Duration.ofSeconds(3));
		assertThatExceptionOfType(MessagingException.class).isThrownBy(() -> send(session(500), "slow"));
		await().atMost(Duration.ofSeconds(30)).until(() -> standins.mail().received().size() == 1);
	}

	private static int returnCode(Throwable ex) {
		for (Throwable cause = ex; cause != null; cause = (cause instanceof MessagingException m)
				? m.getNextException() : cause.getCause()) {
			if (cause instanceof SMTPSendFailedException failed) {
				return failed.getReturnCode();
			}
			if (cause instanceof org.eclipse.angus.mail.smtp.SMTPAddressFailedException failed) {
				return failed.getReturnCode();
			}
		}
		return -1;
	}

	private static Session session(int timeoutMillis) {
		Properties properties = new Properties();
		properties.put("mail.smtp.host", standins.mail().host());
		properties.put("mail.smtp.port", Integer.toString(standins.mail().port()));
		properties.put("mail.smtp.timeout", Integer.toString(timeoutMillis));
		properties.put("mail.smtp.connectiontimeout", "5000");
		return Session.getInstance(properties);
	}

	private static void send(Session session, String subject) throws MessagingException {
		MimeMessage message = new MimeMessage(session);
		message.setFrom(new InternetAddress("no-reply@lab.example"));
		message.setRecipient(Message.RecipientType.TO, new InternetAddress("patient@example.org"));
		message.setSubject(subject);
		MimeBodyPart text = new MimeBodyPart();
		text.setText("plain text", "UTF-8");
		MimeBodyPart html = new MimeBodyPart();
		html.setContent("<p>html</p>", "text/html; charset=UTF-8");
		message.setContent(new MimeMultipart("alternative", text, html));
		Transport.send(message);
	}

}
