package org.patientplatform.notification.receipts;

import org.junit.jupiter.api.Test;
import org.patientplatform.notification.delivery.ReceiptStatus;

import static org.assertj.core.api.Assertions.assertThat;

class SmsKeywordTests {

	@Test
	void readsTheOptOutKeywordsWhateverTheirCaseAndSpacing() {
		for (String body : new String[] { "STOP", " stop ", "Stop.", "STOPALL", "unsubscribe", "CANCEL", "end", "QUIT!",
				"revoke", "OPTOUT" }) {
			assertThat(SmsKeyword.of(body)).as(body).contains(SmsKeyword.OPT_OUT);
		}
	}

	@Test
	void readsTheOptInKeywords() {
		for (String body : new String[] { "START", "unstop", "Yes" }) {
			assertThat(SmsKeyword.of(body)).as(body).contains(SmsKeyword.OPT_IN);
		}
	}

	@Test
	void ignoresAnyOtherMessage() {
		for (String body : new String[] { "Please stop", "stop it", "HELP", "", "thanks" }) {
			assertThat(SmsKeyword.of(body)).as(body).isEmpty();
		}
		assertThat(SmsKeyword.of(null)).isEmpty();
	}

	@Test
	void mapsTwilioStatusesToReceipts() {
		assertThat(TwilioWebhooks.status("delivered")).contains(ReceiptStatus.DELIVERED);
		assertThat(TwilioWebhooks.status("read")).contains(ReceiptStatus.READ);
		assertThat(TwilioWebhooks.status("failed")).contains(ReceiptStatus.FAILED);
		assertThat(TwilioWebhooks.status("undelivered")).contains(ReceiptStatus.UNDELIVERABLE);
		// a scheduled message canceled before its send never reached the patient (before: dropped, left SENT)
		assertThat(TwilioWebhooks.status("canceled")).contains(ReceiptStatus.UNDELIVERABLE);
		assertThat(TwilioWebhooks.reason(ReceiptStatus.UNDELIVERABLE, "canceled", "", null))
			.isEqualTo("Twilio reported the message canceled");
		assertThat(TwilioWebhooks.status("sent")).isEmpty();
		assertThat(TwilioWebhooks.status("queued")).isEmpty();
		assertThat(TwilioWebhooks.status(null)).isEmpty();
	}

	@Test
	void escapesTheConfirmationForTwiml() {
		assertThat(TwilioWebhookEndpoint.xml("Reply <START> & café")).isEqualTo("Reply &lt;START&gt; &amp; café");
	}

}
