package org.patientplatform.notification.channels;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

import io.micrometer.core.instrument.MeterRegistry;
import org.jspecify.annotations.Nullable;
import org.patientplatform.notification.delivery.Channel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * SMS through a Twilio-compatible Messages API: one form-encoded {@code POST} per message
 * with HTTP Basic authentication and a status callback to this service's webhook. A send
 * whose outcome is unknown is looked up in the Messages list (by recipient and day, matched
 * on the exact text); a sent message's status is fetched by its SID. Rejection reasons start with {@code twilio <code>:} and never carry
 * the number or the text.
 */
final class TwilioSmsSender implements ChannelSender {

	private static final Logger logger = LoggerFactory.getLogger(TwilioSmsSender.class);

	static final String PROVIDER = "twilio";

	/** Twilio codes that say the number itself cannot take SMS. */
	private static final Set<Integer> INVALID_RECIPIENT = Set.of(21211, 21214, 21217, 21401, 21407, 21421, 21614);

	/** How far before the attempt a matching message still counts (clock skew, an earlier try). */
	private static final Duration LOOKUP_SKEW = Duration.ofMinutes(5);

	private static final int LOOKUP_PAGES = 10;

	private static final JsonMapper json = JsonMapper.builder().build();

	private final ChannelsProperties.Sms properties;

	private final HttpClient client;

	private final ProviderMetrics metrics;

	private final String messagesUrl;

	private final String authorization;

	TwilioSmsSender(ChannelsProperties.Sms properties, MeterRegistry registry) {
		this.properties = properties;
		this.client = HttpProviders.client(properties.baseUrl(), properties.connectTimeout());
		this.metrics = new ProviderMetrics(registry, PROVIDER, Channel.SMS);
		this.messagesUrl = ChannelsProperties.stripSlash(properties.baseUrl().toString()) + "/2010-04-01/Accounts/"
				+ properties.accountSid() + "/Messages.json";
		this.authorization = "Basic " + Base64.getEncoder()
			.encodeToString((properties.accountSid() + ":" + properties.authToken()).getBytes(StandardCharsets.UTF_8));
	}

	@Override
	public Channel channel() {
		return Channel.SMS;
	}

	@Override
	public String provider() {
		return PROVIDER;
	}

	@Override
	public SendResult send(OutboundMessage message) {
		return this.metrics.send(message, () -> doSend(message));
	}

	private SendResult doSend(OutboundMessage message) {
		Map<String, String> form = new LinkedHashMap<>();
		form.put("To", message.recipient());
		if (this.properties.messagingServiceSid() != null && !this.properties.messagingServiceSid().isBlank()) {
			form.put("MessagingServiceSid", this.properties.messagingServiceSid());
		}
		else {
			form.put("From", this.properties.from());
		}
		form.put("Body", message.text());
		form.put("StatusCallback", this.properties.statusCallbackUrl());
		HttpRequest request = HttpRequest.newBuilder(URI.create(this.messagesUrl))
			.timeout(this.properties.readTimeout())
			.header("Authorization", this.authorization)
			.header("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
			.header("Accept", "application/json")
			.POST(HttpRequest.BodyPublishers.ofString(formEncode(form)))
			.build();
		HttpResponse<String> response;
		try {
			response = this.client.send(request, HttpResponse.BodyHandlers.ofString());
		}
		catch (IOException ex) {
			return HttpProviders.failure(PROVIDER, ex);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			return new SendResult.Unknown(PROVIDER + ": interrupted during the call");
		}
		int status = response.statusCode();
		if (status == 200 || status == 201) {
			String sid = field(response.body(), "sid");
			return (sid != null) ? new SendResult.Accepted(sid)
					: new SendResult.Unknown(PROVIDER + ": accepted without a message SID");
		}
		Integer code = errorCode(response.body());
		String label = PROVIDER + " " + ((code != null) ? code : "HTTP " + status);
		if (status == 429) {
			return new SendResult.RetryLater(label + ": too many requests", HttpProviders.retryAfter(response));
		}
		if (status >= 500) {
			return new SendResult.RetryLater(label + ": provider error (HTTP " + status + ")",
					HttpProviders.retryAfter(response));
		}
		if (code != null && code == 21610) {
			return new SendResult.Rejected(label + ": the recipient has opted out (STOP)", false, true);
		}
		if (code != null && INVALID_RECIPIENT.contains(code)) {
			return new SendResult.Rejected(label + ": the number cannot receive SMS", true);
		}
		if (status == 401 || status == 403) {
			return new SendResult.Rejected(label + ": the provider refused the credentials", false);
		}
		return new SendResult.Rejected(label + ": refused (HTTP " + status + ")", false);
	}

	@Override
	public LookupResult lookup(OutboundMessage message, Instant attemptStartedAt) {
		return this.metrics.lookup(() -> {
			try {
				String day = LocalDate.ofInstant(attemptStartedAt.minus(LOOKUP_SKEW), ZoneOffset.UTC).toString();
				Instant notBefore = attemptStartedAt.minus(LOOKUP_SKEW);
				String found = find(this.messagesUrl + "?To=" + encode(message.recipient()) + "&"
						+ encode("DateSent>") + "=" + day + "&PageSize=50", message.text(), notBefore, LOOKUP_PAGES);
				if (found == null) {
					// a message still queued has no date_sent yet: the newest page without the date filter
					found = find(this.messagesUrl + "?To=" + encode(message.recipient()) + "&PageSize=50",
							message.text(), notBefore, 1);
				}
				return (found != null) ? new LookupResult.Found(found) : new LookupResult.NotFound();
			}
			catch (LookupFailed ex) {
				return new LookupResult.Unavailable(ex.getMessage());
			}
			catch (RuntimeException ex) {
				logger.warn("SMS lookup of delivery {} failed unexpectedly", message.deliveryId(), ex);
				return new LookupResult.Unavailable(PROVIDER + ": lookup failed (" + ex.getClass().getSimpleName() + ")");
			}
		});
	}

	/**
	 * Fetches the message ({@code GET …/Messages/{Sid}.json}) for its status, error code and error message. A 404
	 * is {@link MessageStatus.NotFound}; any other failure (unreachable, a timeout, 5xx, 401, an unreadable
	 * body) is {@link MessageStatus.Unavailable} and says nothing of the message.
	 */
	@Override
	public MessageStatus status(String providerMessageId) {
		return this.metrics.status(() -> {
			String url = ChannelsProperties.stripSlash(this.properties.baseUrl().toString()) + "/2010-04-01/Accounts/"
					+ this.properties.accountSid() + "/Messages/" + encode(providerMessageId) + ".json";
			try {
				HttpResponse<String> response = this.client.send(getRequest(url), HttpResponse.BodyHandlers.ofString());
				if (response.statusCode() == 404) {
					return new MessageStatus.NotFound();
				}
				if (response.statusCode() != 200) {
					Integer code = errorCode(response.body());
					return new MessageStatus.Unavailable(PROVIDER + " " + ((code != null) ? code + " " : "")
							+ "answered HTTP " + response.statusCode());
				}
				JsonNode message = json.readTree(response.body());
				String status = message.path("status").asString(null);
				if (status == null || status.isBlank()) {
					return new MessageStatus.Unavailable(PROVIDER + ": the message has no status");
				}
				JsonNode code = message.path("error_code");
				return new MessageStatus.Known(status,
						(code.isNull() || code.isMissingNode()) ? null : code.asString(),
						message.path("error_message").asString(null));
			}
			catch (IOException | JacksonException ex) {
				return new MessageStatus.Unavailable(PROVIDER + ": status lookup failed (" + ex.getClass().getSimpleName()
						+ ")");
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				return new MessageStatus.Unavailable(PROVIDER + ": status lookup interrupted");
			}
		});
	}

	private @Nullable String find(String firstPage, String text, Instant notBefore, int maxPages) {
		String url = firstPage;
		for (int page = 0; url != null && page < maxPages; page++) {
			JsonNode list = get(url);
			for (JsonNode candidate : list.path("messages")) {
				if (text.equals(candidate.path("body").asString(null))
						&& candidate.path("direction").asString("").startsWith("outbound")
						&& !createdBefore(candidate, notBefore)) {
					return candidate.path("sid").asString();
				}
			}
			String next = list.path("next_page_uri").asString(null);
			url = (next == null || next.isBlank()) ? null
					: next.startsWith("/") ? ChannelsProperties.stripSlash(this.properties.baseUrl().toString()) + next
							: next;
		}
		return null;
	}

	/** A GET of Twilio's REST API, with the account's credentials. */
	private HttpRequest getRequest(String url) {
		return HttpRequest.newBuilder(URI.create(url))
			.timeout(this.properties.readTimeout())
			.header("Authorization", this.authorization)
			.header("Accept", "application/json")
			.GET()
			.build();
	}

	private JsonNode get(String url) {
		try {
			HttpResponse<String> response = this.client.send(getRequest(url), HttpResponse.BodyHandlers.ofString());
			if (response.statusCode() != 200) {
				throw new LookupFailed(PROVIDER + ": lookup answered HTTP " + response.statusCode());
			}
			return json.readTree(response.body());
		}
		catch (IOException | JacksonException ex) {
			throw new LookupFailed(PROVIDER + ": lookup failed (" + ex.getClass().getSimpleName() + ")");
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new LookupFailed(PROVIDER + ": lookup interrupted");
		}
	}

	private static boolean createdBefore(JsonNode message, Instant notBefore) {
		String created = message.path("date_created").asString(null);
		if (created == null) {
			return false;
		}
		try {
			return ZonedDateTime.parse(created, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant().isBefore(notBefore);
		}
		catch (DateTimeParseException ex) {
			return false;
		}
	}

	private static @Nullable String field(String body, String name) {
		try {
			return json.readTree(body).path(name).asString(null);
		}
		catch (JacksonException ex) {
			return null;
		}
	}

	private static @Nullable Integer errorCode(String body) {
		try {
			JsonNode code = json.readTree(body).path("code");
			return code.isNumber() ? code.asInt() : null;
		}
		catch (JacksonException ex) {
			return null;
		}
	}

	private static String formEncode(Map<String, String> form) {
		StringBuilder out = new StringBuilder();
		form.forEach((name, value) -> {
			if (!out.isEmpty()) {
				out.append('&');
			}
			out.append(encode(name)).append('=').append(encode(value));
		});
		return out.toString();
	}

	private static String encode(String value) {
		return URLEncoder.encode(value, StandardCharsets.UTF_8);
	}

	private static final class LookupFailed extends RuntimeException {

		LookupFailed(String message) {
			super(message, null, false, false);
		}

	}

}
