package org.patientplatform.notification.channels;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.patientplatform.notification.delivery.Channel;
import org.patientplatform.standins.Faults;
import org.patientplatform.standins.ProviderStandins;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The email sender against GreenMail, behind the stand-ins' fault-injecting SMTP port. */
class SmtpEmailSenderIntegrationTests {

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

	SmtpEmailSender sender(Duration readTimeout) {
		return new SmtpEmailSender(Standins.email(standins.mail().port(), readTimeout), this.registry);
	}

	@Test
	void sendsTextAndHtmlWithTheDeliveryAsMessageId() {
		OutboundMessage message = Standins.message(Channel.EMAIL, "patient@example.org", "Open the portal: https://p/1");

		SendResult result = sender(Duration.ofSeconds(10)).send(message);

		String messageId = "<" + message.deliveryId() + "@notification.patient-platform>";
		assertThat(result).isEqualTo(new SendResult.Accepted(messageId));
		assertThat(standins.mail().received()).singleElement().satisfies((mail) -> {
			assertThat(mail.messageId()).isEqualTo(messageId);
			assertThat(mail.contentType()).startsWith("multipart/alternative");
			assertThat(mail.subject()).isEqualTo("Your results are ready");
			assertThat(mail.from()).isEqualTo("Lab <no-reply@lab.example>");
			assertThat(mail.to()).containsExactly("patient@example.org");
			assertThat(mail.text()).isEqualTo("Open the portal: https://p/1");
			assertThat(mail.html()).isEqualTo("<p>Open the portal: https://p/1</p>");
		});
		assertThat(this.registry.get("notification.provider.latency")
			.tags("provider", "smtp", "channel", "email", "outcome", "accepted")
			.timer()
			.count()).isEqualTo(1);
	}

	@Test
	void sendsPlainTextWhenThereIsNoHtml() {
		OutboundMessage message = new OutboundMessage(UUID.randomUUID().toString(), UUID.randomUUID().toString(),
				Channel.EMAIL, "patient@example.org", "Subject", "Only text", null, Map.of());

		assertThat(sender(Duration.ofSeconds(10)).send(message)).isInstanceOf(SendResult.Accepted.class);
		assertThat(standins.mail().received().getFirst().contentType()).startsWith("text/plain");
	}

	@Test
	void retriesLaterOnTransientSmtpErrors() {
		standins.faults().failNext(Faults.Target.EMAIL, 1).throttleNext(Faults.Target.EMAIL, 1, 5);
		SmtpEmailSender sender = sender(Duration.ofSeconds(10));

		SendResult failed = sender.send(Standins.message(Channel.EMAIL, "patient@example.org", "one"));
		SendResult throttled = sender.send(Standins.message(Channel.EMAIL, "patient@example.org", "two"));

		assertThat(failed).isEqualTo(new SendResult.RetryLater("smtp 451: temporary failure", null));
		assertThat(throttled).isEqualTo(new SendResult.RetryLater("smtp 421: temporary failure", null));
		assertThat(standins.mail().received()).isEmpty();
	}

	@Test
	void rejectsARefusedRecipient() {
		standins.faults().rejectNext(Faults.Target.EMAIL, 1);

		SendResult result = sender(Duration.ofSeconds(10))
			.send(Standins.message(Channel.EMAIL, "nobody@example.org", "hi"));

		assertThat(result).isEqualTo(new SendResult.Rejected("smtp 550: the recipient address was refused", true));
	}

	@Test
	void rejectsAnAddressThatIsNotAMailbox() {
		SendResult result = sender(Duration.ofSeconds(10)).send(Standins.message(Channel.EMAIL, "not an address", "hi"));

		assertThat(result).isInstanceOfSatisfying(SendResult.Rejected.class,
				(rejected) -> assertThat(rejected.recipientInvalid()).isTrue());
	}

	@Test
	void retriesLaterWhenTheServerCannotBeReached() {
		SmtpEmailSender sender = new SmtpEmailSender(Standins.email(Standins.closedPort(), Duration.ofSeconds(10)),
				this.registry);

		assertThat(sender.send(Standins.message(Channel.EMAIL, "patient@example.org", "hi")))
			.isInstanceOf(SendResult.RetryLater.class);
	}

	@Test
	void leavesUnknownWhenNoAnswerCameAfterTheData() {
		standins.faults().delayNext(Faults.Target.EMAIL, 1, Duration.ofSeconds(3));
		SmtpEmailSender sender = sender(Duration.ofMillis(700));
		OutboundMessage message = Standins.message(Channel.EMAIL, "patient@example.org", "slow");

		SendResult result = sender.send(message);

		assertThat(result).isInstanceOf(SendResult.Unknown.class);
		await().atMost(Duration.ofSeconds(30)).until(() -> standins.mail().received().size() == 1);
		assertThat(sender.lookup(message, Instant.now()))
			.isEqualTo(new LookupResult.Unavailable("SMTP has no status lookup"));
	}

}
