package org.patientplatform.standins;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import static org.assertj.core.api.Assertions.assertThat;

class ConsoleIntegrationTests {

	static ProviderStandins standins;

	final HttpClient client = HttpClient.newHttpClient();

	@BeforeAll
	static void start() throws IOException {
		standins = ProviderStandins.start();
	}

	@AfterAll
	static void stop() {
		standins.close();
	}

	@Test
	void listsEveryMessageNewestFirstAsJsonAndPage() throws Exception {
		standins.sms().receive("+15551230009", "first <b>");
		standins.sms().receive("+15551230009", "second");

		JsonNode listed = Http.JSON.readTree(get(standins.smsBaseUrl() + "/standin/messages").body());
		assertThat(listed).hasSize(2);
		assertThat(listed.get(0).path("body").asString()).isEqualTo("second");
		assertThat(listed.get(0).path("channel").asString()).isEqualTo("sms");
		String page = get(standins.listingUrl()).body();
		assertThat(page).contains("first &lt;b&gt;").doesNotContain("first <b>");
		assertThat(page.indexOf("second")).isLessThan(page.indexOf("first &lt;b&gt;"));
	}

	@Test
	void takesSlackWebhookMessagesAsSlackAnswersAndListsThem() throws Exception {
		try {
			HttpResponse<String> ok = post(standins.slackWebhookUrl(), "{\"text\":\"[DLQ PERMANENT_FAILURE] entry x\"}");
			assertThat(ok.statusCode()).isEqualTo(200);
			assertThat(ok.body()).isEqualTo("ok");
			assertThat(post(standins.slackWebhookUrl(), "not json").body()).isEqualTo("invalid_payload");
			HttpResponse<String> noText = post(standins.slackWebhookUrl(), "{\"blocks\":[]}");
			assertThat(noText.statusCode()).isEqualTo(400);
			assertThat(noText.body()).isEqualTo("no_text");

			JsonNode listed = Http.JSON.readTree(get(standins.smsBaseUrl() + "/standin/messages?channel=webhook").body());
			assertThat(listed).hasSize(1);
			assertThat(listed.get(0).path("body").asString()).isEqualTo("[DLQ PERMANENT_FAILURE] entry x");
		}
		finally {
			standins.reset();
		}
	}

	private HttpResponse<String> post(String url, String body) throws Exception {
		return this.client.send(HttpRequest.newBuilder(URI.create(url))
			.header("Content-Type", "application/json")
			.POST(HttpRequest.BodyPublishers.ofString(body))
			.build(), HttpResponse.BodyHandlers.ofString());
	}

	@Test
	void takesFaultsOverHttp() throws Exception {
		HttpResponse<String> response = this.client.send(HttpRequest
			.newBuilder(URI.create(standins.pushBaseUrl() + "/standin/faults"))
			.header("Content-Type", "application/json")
			.POST(HttpRequest.BodyPublishers
				.ofString("{\"target\":\"sms\",\"kind\":\"throttle\",\"count\":2,\"retryAfterSeconds\":3}"))
			.build(), HttpResponse.BodyHandlers.ofString());
		assertThat(response.statusCode()).isEqualTo(200);
		assertThat(standins.faults().take(Faults.Target.SMS)).isEqualTo(new Faults.Fault(Faults.Kind.THROTTLE, 3,
				java.time.Duration.ZERO));
		assertThat(standins.faults().take(Faults.Target.SMS)).isNotNull();
		assertThat(standins.faults().take(Faults.Target.SMS)).isNull();

		HttpResponse<String> bad = this.client.send(HttpRequest
			.newBuilder(URI.create(standins.pushBaseUrl() + "/standin/faults"))
			.POST(HttpRequest.BodyPublishers.ofString("{\"target\":\"fax\"}"))
			.build(), HttpResponse.BodyHandlers.ofString());
		assertThat(bad.statusCode()).isEqualTo(400);
	}

	private HttpResponse<String> get(String url) throws Exception {
		return this.client.send(HttpRequest.newBuilder(URI.create(url)).GET().build(),
				HttpResponse.BodyHandlers.ofString());
	}

}
