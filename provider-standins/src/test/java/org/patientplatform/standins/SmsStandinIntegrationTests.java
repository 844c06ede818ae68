package org.patientplatform.standins;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.patientplatform.standins.Faults.PhoneOutcome;
import tools.jackson.databind.JsonNode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

class SmsStandinIntegrationTests {

	static ProviderStandins standins;

	static Webhooks webhooks;

	final HttpClient client = HttpClient.newHttpClient();

	@BeforeAll
	static void start() throws IOException {
		standins = ProviderStandins.start();
		webhooks = new Webhooks();
	}

	@AfterAll
	static void stop() {
		standins.close();
		webhooks.close();
	}

	@AfterEach
	void reset() {
		standins.reset();
		webhooks.received.clear();
		webhooks.answer = "";
	}

	@Test
	void refusesWrongCredentialsWithTwilioError() throws Exception {
		HttpResponse<String> response = post(messagesPath(), Map.of("To", "+15551230001", "From", "+15005550006",
				"Body", "hi"), "AC00000000000000000000000000000000:wrong");
		assertThat(response.statusCode()).isEqualTo(401);
		JsonNode error = json(response);
		assertThat(error.path("code").asInt()).isEqualTo(20003);
		assertThat(error.path("status").asInt()).isEqualTo(401);
		assertThat(error.path("more_info").asString()).isEqualTo("https://www.twilio.com/docs/errors/20003");
	}

	@Test
	void acceptsMessageWithTwilioMessageResource() throws Exception {
		HttpResponse<String> response = send("+15551230001", "Your results are ready: https://portal.example/r/1");
		assertThat(response.statusCode()).isEqualTo(201);
		JsonNode message = json(response);
		assertThat(message.path("sid").asString()).matches("SM[0-9a-f]{32}");
		assertThat(message.path("status").asString()).isEqualTo("queued");
		assertThat(message.path("to").asString()).isEqualTo("+15551230001");
		assertThat(message.path("from").asString()).isEqualTo("+15005550006");
		assertThat(message.path("num_segments").asString()).isEqualTo("1");
		assertThat(message.path("direction").asString()).isEqualTo("outbound-api");
		assertThat(message.path("date_created").asString())
			.matches("[A-Z][a-z]{2}, \\d{2} [A-Z][a-z]{2} \\d{4} \\d{2}:\\d{2}:\\d{2} \\+0000");
		assertThat(message.path("uri").asString()).isEqualTo(
				"/2010-04-01/Accounts/" + standins.sms().accountSid() + "/Messages/" + message.path("sid").asString()
						+ ".json");
		assertThat(standins.sms().sent()).singleElement()
			.satisfies((sms) -> assertThat(sms.body()).isEqualTo("Your results are ready: https://portal.example/r/1"));
	}

	@Test
	void postsSignedStatusCallbacksSentThenDelivered() throws Exception {
		String callback = webhooks.url("/status?delivery=d-1");
		String sid = json(send("+15551230002", "hello", callback)).path("sid").asString();

		await().atMost(Duration.ofSeconds(30)).until(() -> webhooks.received.size() == 2);
		assertThat(webhooks.received).extracting((r) -> r.params().get("MessageStatus")).containsExactly("sent",
				"delivered");
		for (Webhooks.Received received : webhooks.received) {
			assertThat(received.params()).containsEntry("MessageSid", sid)
				.containsEntry("AccountSid", standins.sms().accountSid())
				.containsEntry("To", "+15551230002")
				.containsEntry("From", "+15005550006");
			assertThat(received.signature())
				.isEqualTo(TwilioRequestSignature.of(standins.sms().authToken(), callback, received.params()));
		}
		assertThat(standins.sms().message(sid)).hasValueSatisfying((m) -> assertThat(m.status()).isEqualTo("delivered"));
	}

	@Test
	void reportsUndeliveredAndFailedNumbers() throws Exception {
		standins.faults().phone("+15551230003", PhoneOutcome.UNDELIVERED).phone("+15551230004", PhoneOutcome.FAILED);
		send("+15551230003", "a", webhooks.url("/status"));
		send("+15551230004", "b", webhooks.url("/status"));

		await().atMost(Duration.ofSeconds(30)).until(() -> webhooks.received.size() == 3);
		assertThat(webhooks.received).filteredOn((r) -> r.params().get("To").equals("+15551230003"))
			.extracting((r) -> r.params().get("MessageStatus") + "/" + r.params().get("ErrorCode"))
			.containsExactly("sent/null", "undelivered/30003");
		assertThat(webhooks.received).filteredOn((r) -> r.params().get("To").equals("+15551230004"))
			.extracting((r) -> r.params().get("MessageStatus") + "/" + r.params().get("ErrorCode"))
			.containsExactly("failed/30008");
	}

	@Test
	void refusesInvalidNumbersWithTwilioCodes() throws Exception {
		HttpResponse<String> invalid = send("555-0100", "hi");
		assertThat(invalid.statusCode()).isEqualTo(400);
		assertThat(json(invalid).path("code").asInt()).isEqualTo(21211);
		assertThat(json(send("+15005550009", "hi")).path("code").asInt()).isEqualTo(21614);
		assertThat(json(post(messagesPath(), Map.of("To", "+15551230001", "Body", "x"), credentials())).path("code")
			.asInt()).isEqualTo(21603);
		assertThat(standins.sms().sent()).isEmpty();
	}

	@Test
	void throttlesWithRetryAfterAndFailsOnRequest() throws Exception {
		standins.faults().throttleNext(Faults.Target.SMS, 1, 7).failNext(Faults.Target.SMS, 1);
		HttpResponse<String> throttled = send("+15551230001", "hi");
		assertThat(throttled.statusCode()).isEqualTo(429);
		assertThat(throttled.headers().firstValue("Retry-After")).hasValue("7");
		assertThat(json(throttled).path("code").asInt()).isEqualTo(20429);
		HttpResponse<String> failed = send("+15551230001", "hi");
		assertThat(failed.statusCode()).isEqualTo(500);
		assertThat(send("+15551230001", "hi").statusCode()).isEqualTo(201);
		assertThat(standins.sms().sent()).hasSize(1);
	}

	@Test
	void storesDelayedMessageBeforeAnswering() {
		standins.faults().delayNext(Faults.Target.SMS, 1, Duration.ofSeconds(3));
		HttpRequest request = messageRequest(
				Map.of("To", "+15551230005", "From", "+15005550006", "Body", "slow one"), credentials())
			.timeout(Duration.ofMillis(500))
			.build();
		assertThatExceptionOfType(HttpTimeoutException.class)
			.isThrownBy(() -> this.client.send(request, HttpResponse.BodyHandlers.ofString()));
		assertThat(standins.sms().sent()).singleElement()
			.satisfies((sms) -> assertThat(sms.to()).isEqualTo("+15551230005"));
	}

	@Test
	void fetchesAndListsWithTwilioFiltersAndPaging() throws Exception {
		String first = json(send("+15551230006", "one")).path("sid").asString();
		String second = json(send("+15551230006", "two")).path("sid").asString();
		send("+15551230007", "other");
		await().atMost(Duration.ofSeconds(30))
			.until(() -> standins.sms().sent().stream().allMatch((m) -> m.dateSent() != null));

		HttpResponse<String> fetched = get(messagesPath().replace(".json", "/" + first + ".json"));
		assertThat(json(fetched).path("body").asString()).isEqualTo("one");
		assertThat(get(messagesPath().replace(".json", "/SM" + "0".repeat(32) + ".json")).statusCode()).isEqualTo(404);

		String today = LocalDate.now(ZoneOffset.UTC).toString();
		JsonNode page = json(get(messagesPath() + "?To=%2B15551230006&DateSent%3E=" + today + "&PageSize=1"));
		assertThat(page.path("messages")).hasSize(1);
		assertThat(page.path("messages").get(0).path("sid").asString()).isEqualTo(second);
		assertThat(page.path("page_size").asInt()).isEqualTo(1);
		String next = page.path("next_page_uri").asString();
		assertThat(next).contains("Page=1");
		JsonNode nextPage = json(get(next));
		assertThat(nextPage.path("messages").get(0).path("sid").asString()).isEqualTo(first);
		assertThat(nextPage.path("next_page_uri").isNull()).isTrue();

		String tomorrow = LocalDate.now(ZoneOffset.UTC).plusDays(1).toString();
		assertThat(json(get(messagesPath() + "?To=%2B15551230006&DateSent%3E=" + tomorrow)).path("messages")).isEmpty();
		assertThat(json(get(messagesPath() + "?DateSent%3C=" + today)).path("messages")).hasSize(3);
	}

	@Test
	void stopKeywordBlocksLaterSendsUntilStart() throws Exception {
		String inbound = webhooks.url("/inbound");
		standins.sms().inboundUrl(inbound);
		webhooks.answer = "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Response><Message>You are unsubscribed."
				+ "</Message></Response>";

		HttpResponse<String> response = this.client.send(HttpRequest
			.newBuilder(URI.create(standins.smsBaseUrl() + "/standin/sms/inbound"))
			.header("Content-Type", "application/x-www-form-urlencoded")
			.POST(HttpRequest.BodyPublishers.ofString("From=%2B15551230008&Body=STOP"))
			.build(), HttpResponse.BodyHandlers.ofString());

		assertThat(response.statusCode()).isEqualTo(200);
		assertThat(json(response).path("reply").asString()).isEqualTo("You are unsubscribed.");
		Webhooks.Received received = webhooks.received.getFirst();
		assertThat(received.params()).containsEntry("From", "+15551230008")
			.containsEntry("To", "+15005550006")
			.containsEntry("Body", "STOP")
			.containsEntry("NumMedia", "0")
			.containsEntry("AccountSid", standins.sms().accountSid())
			.containsKey("MessageSid");
		assertThat(received.signature())
			.isEqualTo(TwilioRequestSignature.of(standins.sms().authToken(), inbound, received.params()));
		HttpResponse<String> blocked = send("+15551230008", "hi");
		assertThat(blocked.statusCode()).isEqualTo(400);
		assertThat(json(blocked).path("code").asInt()).isEqualTo(21610);
		assertThat(standins.messages()).extracting(ListedMessage::direction).containsExactly("reply", "inbound");

		standins.sms().receive("+15551230008", "START");
		assertThat(send("+15551230008", "hi").statusCode()).isEqualTo(201);
	}

	private String messagesPath() {
		return standins.smsBaseUrl() + "/2010-04-01/Accounts/" + standins.sms().accountSid() + "/Messages.json";
	}

	private String credentials() {
		return standins.sms().accountSid() + ":" + standins.sms().authToken();
	}

	private HttpResponse<String> send(String to, String body) throws Exception {
		return post(messagesPath(), Map.of("To", to, "From", "+15005550006", "Body", body), credentials());
	}

	private HttpResponse<String> send(String to, String body, String statusCallback) throws Exception {
		Map<String, String> params = new LinkedHashMap<>();
		params.put("To", to);
		params.put("From", "+15005550006");
		params.put("Body", body);
		params.put("StatusCallback", statusCallback);
		return post(messagesPath(), params, credentials());
	}

	private HttpResponse<String> post(String url, Map<String, String> params, String userAndPassword)
			throws Exception {
		return this.client.send(messageRequest(params, userAndPassword).build(), HttpResponse.BodyHandlers.ofString());
	}

	private HttpRequest.Builder messageRequest(Map<String, String> params, String userAndPassword) {
		return HttpRequest.newBuilder(URI.create(messagesPath()))
			.header("Authorization", basic(userAndPassword))
			.header("Content-Type", "application/x-www-form-urlencoded")
			.POST(HttpRequest.BodyPublishers.ofString(Http.formEncode(params)));
	}

	private HttpResponse<String> get(String url) throws Exception {
		String absolute = url.startsWith("/") ? standins.smsBaseUrl() + url : url;
		return this.client.send(HttpRequest.newBuilder(URI.create(absolute)).header("Authorization", basic(credentials()))
			.GET()
			.build(), HttpResponse.BodyHandlers.ofString());
	}

	private static String basic(String userAndPassword) {
		return "Basic " + Base64.getEncoder().encodeToString(userAndPassword.getBytes(StandardCharsets.UTF_8));
	}

	private static JsonNode json(HttpResponse<String> response) {
		return Http.JSON.readTree(response.body());
	}

}
