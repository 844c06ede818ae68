package org.patientplatform.standins;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;
import static org.awaitility.Awaitility.await;

/**
 * The SMS stand-in with a journal, as the local run starts it: what it took outlives the process, so the
 * notification service's lookup after a hard kill finds the SMS it sent, as Twilio's would.
 */
class SmsJournalIntegrationTests {

	@TempDir
	Path state;

	final HttpClient client = HttpClient.newHttpClient();

	@Test
	void aStandinStartedAgainOnItsJournalListsAndFindsWhatItTookWithItsStatusAndOptOuts() throws Exception {
		Path journal = this.state.resolve("standins").resolve("sms-messages.jsonl");
		ProviderStandins.Config config = ProviderStandins.Config.defaults()
			.withStatusDelay(Duration.ofMillis(20))
			.withSmsJournal(journal);
		String delivered;
		String queued;
		try (ProviderStandins first = ProviderStandins.start(config)) {
			delivered = json(send(first, "+15551239001", "Your results are ready: https://portal.example/n/1"))
				.path("sid")
				.asString();
			await().atMost(Duration.ofSeconds(30))
				.until(() -> first.sms().message(delivered).map(SentSms::status).orElse("").equals("delivered"));
			first.sms().receive("+15551239002", "STOP");
			first.faults().phone("+15551239003", Faults.PhoneOutcome.UNDELIVERED);
			queued = json(send(first, "+15551239003", "Your appointment is confirmed")).path("sid").asString();
			await().atMost(Duration.ofSeconds(30))
				.until(() -> first.sms().message(queued).map(SentSms::status).orElse("").equals("undelivered"));

			// the first one still running, never closed, as a process killed: what it answered is in the file
			try (ProviderStandins killed = ProviderStandins.start(config)) {
				assertThat(killed.sms().message(delivered)).isPresent();
			}
		}

		try (ProviderStandins again = ProviderStandins.start(config)) {
			assertThat(again.sms().sent()).extracting(SentSms::sid).containsExactly(delivered, queued);
			assertThat(again.sms().sentCount()).isEqualTo(2);
			SentSms first = again.sms().message(delivered).orElseThrow();
			assertThat(first.status()).isEqualTo("delivered");
			assertThat(first.from()).isEqualTo("+15005550006");
			assertThat(first.body()).isEqualTo("Your results are ready: https://portal.example/n/1");
			assertThat(first.dateSent()).isNotNull();
			SentSms second = again.sms().message(queued).orElseThrow();
			assertThat(second.status()).isEqualTo("undelivered");
			assertThat(second.errorCode()).isEqualTo(30003);

			// Twilio's list, as the notification service's lookup asks it
			String today = LocalDate.now(ZoneOffset.UTC).toString();
			JsonNode page = json(get(again, "?To=%2B15551239001&DateSent%3E=" + today));
			assertThat(page.path("messages")).singleElement()
				.satisfies((message) -> assertThat(message.path("sid").asString()).isEqualTo(delivered));
			// and a fetch by its sid
			assertThat(this.client
				.send(request(again, again.smsBaseUrl() + "/2010-04-01/Accounts/" + again.sms().accountSid()
						+ "/Messages/" + delivered + ".json").GET().build(), HttpResponse.BodyHandlers.ofString())
				.statusCode()).isEqualTo(200);

			// the number that sent STOP is still opted out
			assertThat(again.sms().isOptedOut("+15551239002")).isTrue();
			HttpResponse<String> blocked = send(again, "+15551239002", "hi");
			assertThat(blocked.statusCode()).isEqualTo(400);
			assertThat(json(blocked).path("code").asInt()).isEqualTo(21610);
			again.sms().receive("+15551239002", "START");
		}

		// opted in again, and that too is kept
		try (ProviderStandins third = ProviderStandins.start(config)) {
			assertThat(third.sms().isOptedOut("+15551239002")).isFalse();
			assertThat(third.sms().sent()).extracting(SentSms::sid).containsExactly(delivered, queued);
		}
	}

	@Test
	void aLineCutShortByAKillIsSkippedAndTheConsolesResetForgetsTheJournalToo() throws Exception {
		Path journal = this.state.resolve("sms-messages.jsonl");
		ProviderStandins.Config config = ProviderStandins.Config.defaults().withSmsJournal(journal);
		String sid;
		try (ProviderStandins first = ProviderStandins.start(config)) {
			sid = json(send(first, "+15551239004", "kept")).path("sid").asString();
		}
		Files.writeString(journal, "{\"sid\":\"SM0123", StandardOpenOption.APPEND);

		try (ProviderStandins again = ProviderStandins.start(config)) {
			assertThat(again.sms().sent()).extracting(SentSms::sid).containsExactly(sid);
			// what is taken after the cut line is kept too
			String later = json(send(again, "+15551239004", "after the cut")).path("sid").asString();
			try (ProviderStandins reader = ProviderStandins.start(config)) {
				assertThat(reader.sms().sent()).extracting(SentSms::sid).contains(sid, later);
			}
			again.reset();
		}
		try (ProviderStandins afterReset = ProviderStandins.start(config)) {
			assertThat(afterReset.sms().sent()).isEmpty();
		}
	}

	@Test
	void aMessageTheResetForgotWhileItsStatusesWereToComeStaysForgotten() throws Exception {
		Path journal = this.state.resolve("sms-messages.jsonl");
		ProviderStandins.Config config = ProviderStandins.Config.defaults()
			.withSmsJournal(journal)
			.withStatusDelay(Duration.ofMillis(300));
		String after;
		try (ProviderStandins standins = ProviderStandins.start(config)) {
			send(standins, "+15551239005", "reset before it is sent");
			standins.reset();
			// the forgotten message's sent and delivered statuses come after the reset: they had been written to
			// the journal the reset had cleared, and the message came back on the next start. One sent after the
			// reset is delivered after them.
			after = json(send(standins, "+15551239005", "sent after the reset")).path("sid").asString();
			await().atMost(Duration.ofSeconds(20))
				.until(() -> standins.sms().message(after).map(SentSms::status).orElse(""), "delivered"::equals);
		}
		try (ProviderStandins afterReset = ProviderStandins.start(config)) {
			assertThat(afterReset.sms().sent()).extracting(SentSms::sid).containsExactly(after);
		}
	}

	@Test
	void aMessageWhoseStatusesCameDueWhileTheStandinWasDownHasItsFinalStatusOnRestartWithoutTheirCallbacks()
			throws Exception {
		Path journal = this.state.resolve("sms-messages.jsonl");
		// statuses an hour apart: every message is still queued when the stand-in stops
		ProviderStandins.Config slow = ProviderStandins.Config.defaults()
			.withSmsJournal(journal)
			.withStatusDelay(Duration.ofHours(1));
		String callbackUrl = "http://127.0.0.1:1/status";
		String delivered;
		String undelivered;
		String sentOnly;
		String failed;
		try (ProviderStandins first = ProviderStandins.start(slow)) {
			first.faults()
				.phone("+15551239007", Faults.PhoneOutcome.UNDELIVERED)
				.phone("+15551239008", Faults.PhoneOutcome.SENT)
				.phone("+15551239009", Faults.PhoneOutcome.FAILED);
			delivered = json(send(first, "+15551239006", "one", callbackUrl)).path("sid").asString();
			undelivered = json(send(first, "+15551239007", "two", callbackUrl)).path("sid").asString();
			sentOnly = json(send(first, "+15551239008", "three", callbackUrl)).path("sid").asString();
			failed = json(send(first, "+15551239009", "four", callbackUrl)).path("sid").asString();
			assertThat(first.sms().sent()).extracting(SentSms::status).containsOnly("queued");
		}

		// started again when their statuses are long due (the faults of the first process are gone with it)
		ProviderStandins.Config fast = slow.withStatusDelay(Duration.ofMillis(1));
		try (ProviderStandins again = ProviderStandins.start(fast)) {
			JsonNode first = fetch(again, delivered);
			assertThat(first.path("status").asString()).isEqualTo("delivered");
			assertThat(first.path("date_sent").asString(null)).isNotNull();
			assertThat(first.path("from").asString()).isEqualTo("+15005550006");
			JsonNode second = fetch(again, undelivered);
			assertThat(second.path("status").asString()).isEqualTo("undelivered");
			assertThat(second.path("error_code").asInt()).isEqualTo(30003);
			assertThat(second.path("error_message").asString()).isEqualTo("Unreachable destination handset");
			assertThat(fetch(again, sentOnly).path("status").asString()).isEqualTo("sent");
			assertThat(fetch(again, failed).path("error_code").asInt()).isEqualTo(30008);
			assertThat(again.sms().message(failed).map(SentSms::status)).contains("failed");
			// the callbacks of the past are not made
			assertThat(again.sms().callbacks()).isEmpty();
		}

		// the final statuses were written: a start on which nothing is due yet still has them
		try (ProviderStandins third = ProviderStandins.start(slow)) {
			assertThat(third.sms().sent()).extracting(SentSms::sid, SentSms::status)
				.containsExactly(tuple(delivered, "delivered"), tuple(undelivered, "undelivered"),
						tuple(sentOnly, "sent"), tuple(failed, "failed"));
		}
	}

	@Test
	void aFetchFaultAnswersTwiliosServerErrorOnceAndLeavesSendsAlone() throws Exception {
		try (ProviderStandins standins = ProviderStandins.start()) {
			String sid = json(send(standins, "+15551239010", "fetched")).path("sid").asString();
			standins.faults().failNextSmsFetches(1);
			HttpResponse<String> failing = this.client.send(request(standins, messageUrl(standins, sid)).GET().build(),
					HttpResponse.BodyHandlers.ofString());
			assertThat(failing.statusCode()).isEqualTo(500);
			assertThat(json(failing).path("code").asInt()).isEqualTo(20500);
			assertThat(fetch(standins, sid).path("sid").asString()).isEqualTo(sid);
		}
	}

	private JsonNode fetch(ProviderStandins standins, String sid) throws Exception {
		HttpResponse<String> response = this.client.send(request(standins, messageUrl(standins, sid)).GET().build(),
				HttpResponse.BodyHandlers.ofString());
		assertThat(response.statusCode()).isEqualTo(200);
		return json(response);
	}

	private static String messageUrl(ProviderStandins standins, String sid) {
		return standins.smsBaseUrl() + "/2010-04-01/Accounts/" + standins.sms().accountSid() + "/Messages/" + sid
				+ ".json";
	}

	private HttpResponse<String> send(ProviderStandins standins, String to, String body) throws Exception {
		return send(standins, to, body, null);
	}

	private HttpResponse<String> send(ProviderStandins standins, String to, String body, String statusCallback)
			throws Exception {
		Map<String, String> params = new LinkedHashMap<>();
		params.put("To", to);
		params.put("From", "+15005550006");
		params.put("Body", body);
		if (statusCallback != null) {
			params.put("StatusCallback", statusCallback);
		}
		String form = params.entrySet()
			.stream()
			.map((e) -> e.getKey() + "=" + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
			.collect(Collectors.joining("&"));
		return this.client.send(request(standins, messagesUrl(standins))
			.header("Content-Type", "application/x-www-form-urlencoded")
			.POST(HttpRequest.BodyPublishers.ofString(form))
			.build(), HttpResponse.BodyHandlers.ofString());
	}

	private String get(ProviderStandins standins, String query) throws Exception {
		return this.client
			.send(request(standins, messagesUrl(standins) + query).GET().build(), HttpResponse.BodyHandlers.ofString())
			.body();
	}

	private static HttpRequest.Builder request(ProviderStandins standins, String url) {
		String credentials = standins.sms().accountSid() + ":" + standins.sms().authToken();
		return HttpRequest.newBuilder(URI.create(url))
			.header("Authorization",
					"Basic " + Base64.getEncoder().encodeToString(credentials.getBytes(StandardCharsets.UTF_8)));
	}

	private static String messagesUrl(ProviderStandins standins) {
		return standins.smsBaseUrl() + "/2010-04-01/Accounts/" + standins.sms().accountSid() + "/Messages.json";
	}

	private static JsonNode json(HttpResponse<String> response) {
		return Http.JSON.readTree(response.body());
	}

	private static JsonNode json(String body) {
		return Http.JSON.readTree(body);
	}

}
