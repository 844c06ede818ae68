package org.patientplatform.dlq.alerts;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import org.patientplatform.kit.jobs.JobHandler;
import org.patientplatform.kit.outbox.Outbox;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Delivers an ops alert job (queue {@code notifications}, role {@code wrk--notifications}). In one
 * transaction it records the alert by its de-duplication key and, unless the alert type already
 * delivered {@code dlq.alerts.rate-per-hour} alerts in the last hour, appends a
 * {@code notification.NotificationRequested.v1} to the outbox (the notification service's contract: the ops
 * recipient as {@code patientId}, type {@value #TYPE}, string parameters, priority {@code URGENT}); then it
 * posts {@code {"text": ...}} to the webhook when one is configured. A re-run (the worker died, or the webhook
 * failed and the job is retried) appends nothing again and only posts a webhook not yet taken.
 */
@Component
class OpsAlertHandler implements JobHandler {

	static final String EVENT_TYPE = "notification.NotificationRequested.v1";

	/** The notification type (the notification service's templates). */
	static final String TYPE = "dlq-ops-alert";

	static final String PRIORITY = "URGENT";

	static final String KEY_PREFIX = "dlq-alert:";

	/** The notification service's limit on a parameter value. */
	private static final int MAX_PARAMETER_LENGTH = 2000;

	private static final Logger log = LoggerFactory.getLogger(OpsAlertHandler.class);

	private final JdbcTemplate jdbc;

	private final TransactionTemplate transactions;

	private final Outbox outbox;

	private final JsonMapper json;

	private final AlertProperties properties;

	private final HttpClient http;

	OpsAlertHandler(JdbcTemplate jdbc, TransactionTemplate transactions, Outbox outbox, JsonMapper json,
			AlertProperties properties) {
		this.jdbc = jdbc;
		this.transactions = transactions;
		this.outbox = outbox;
		this.json = json;
		this.properties = properties;
		this.http = HttpClient.newBuilder().connectTimeout(properties.webhookTimeout()).build();
	}

	@Override
	public String type() {
		return OpsAlerts.JOB_TYPE;
	}

	@Override
	public void handle(Job job) throws IOException, InterruptedException {
		JsonNode payload = job.payload();
		String type = payload.get("alertType").asString();
		String summary = payload.get("summary").asString();
		String key = payload.get("dedupeKey").asString();
		Map<String, Object> details = this.json.convertValue(payload.get("details"), Map.class);
		Boolean pendingWebhook = this.transactions.execute((tx) -> record(type, summary, key, details));
		if (!Boolean.TRUE.equals(pendingWebhook)) {
			return;
		}
		String url = this.properties.webhookUrl();
		if (url.isBlank()) {
			return;
		}
		post(url, slackText("[DLQ " + type + "] " + summary));
		this.jdbc.update("UPDATE ops_alert SET webhook_sent_at = now() WHERE dedupe_key = ?", key);
		log.info("Ops alert {} posted to the webhook ({})", type, key);
	}

	/** @return whether the alert is delivered and its webhook not yet sent */
	private boolean record(String type, String summary, String key, Map<String, Object> details) {
		// one alert type at a time, so the rate limit holds across workers
		this.jdbc.queryForList("SELECT pg_advisory_xact_lock(hashtext('dlq-alert:' || ?))", type);
		List<Boolean> inserted = this.jdbc.queryForList("""
				INSERT INTO ops_alert (dedupe_key, alert_type, delivered)
				SELECT ?, ?, (SELECT count(*) FROM ops_alert
				              WHERE alert_type = ? AND delivered AND created_at > now() - interval '1 hour') < ?
				ON CONFLICT (dedupe_key) DO NOTHING
				RETURNING delivered
				""", Boolean.class, key, type, type, this.properties.ratePerHour());
		if (inserted.isEmpty()) {
			// a re-run: the outbox row (if any) committed with the first run
			return Boolean.TRUE.equals(this.jdbc.queryForObject(
					"SELECT delivered AND webhook_sent_at IS NULL FROM ops_alert WHERE dedupe_key = ?", Boolean.class,
					key));
		}
		if (!Boolean.TRUE.equals(inserted.getFirst())) {
			// one warning when a type starts being suppressed in an hour, not one per alert (an incident's
			// permanent failures made thousands of lines); each suppressed alert is kept in ops_alert
			Integer suppressed = this.jdbc.queryForObject("""
					SELECT count(*) FROM ops_alert
					WHERE alert_type = ? AND NOT delivered AND created_at > now() - interval '1 hour'
					""", Integer.class, type);
			if (suppressed != null && suppressed == 1) {
				log.warn("Ops alerts of type {} are suppressed: more than {} in the last hour; each is kept in "
						+ "ops_alert (delivered = false)", type, this.properties.ratePerHour());
			}
			else {
				log.debug("Ops alert {} suppressed ({})", type, key);
			}
			return false;
		}
		this.outbox.append(this.properties.requestsTopic(), this.properties.recipientId(), EVENT_TYPE,
				request(type, summary, key, details));
		return true;
	}

	/** The notification request of an alert: parameters as strings (ids and counts only). */
	NotificationRequest request(String type, String summary, String key, Map<String, Object> details) {
		Map<String, String> parameters = new LinkedHashMap<>();
		parameters.put("alertType", type);
		parameters.put("summary", text(summary));
		details.forEach((name, value) -> {
			if (value != null) {
				parameters.putIfAbsent(name, text(String.valueOf(value)));
			}
		});
		String console = this.properties.consoleUrl();
		if (!console.isBlank()) {
			// an alert about one entry opens it (the ops console reads #entry=<id>)
			Object entry = details.get("entryId");
			parameters.put("consoleUrl", (entry != null && !console.contains("#")) ? console + "#entry=" + entry : console);
		}
		List<String> channels = this.properties.channels()
			.stream()
			.map((channel) -> channel.strip().toUpperCase(Locale.ROOT))
			.toList();
		return new NotificationRequest(this.properties.recipientId(), TYPE, parameters, channels, PRIORITY,
				key.startsWith(KEY_PREFIX) ? key : KEY_PREFIX + key);
	}

	/**
	 * A text as Slack reads it: {@code &}, {@code <} and {@code >} escaped, as Slack asks, since it reads
	 * {@code <...>} as a mention or a link. A summary names a fingerprint, which is whatever a failed record's
	 * {@code dlq-fingerprint} header says: unescaped, {@code <!channel>} there pinged the whole channel.
	 */
	static String slackText(String text) {
		return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
	}

	private static String text(String value) {
		return (value.length() <= MAX_PARAMETER_LENGTH) ? value : value.substring(0, MAX_PARAMETER_LENGTH);
	}

	private void post(String url, String text) throws IOException, InterruptedException {
		HttpRequest request = HttpRequest.newBuilder(URI.create(url))
			.timeout(this.properties.webhookTimeout())
			.header("Content-Type", "application/json")
			.POST(HttpRequest.BodyPublishers.ofByteArray(this.json.writeValueAsBytes(Map.of("text", text))))
			.build();
		HttpResponse<Void> response = this.http.send(request, HttpResponse.BodyHandlers.discarding());
		if (response.statusCode() / 100 != 2) {
			throw new IOException("The alert webhook answered " + response.statusCode());
		}
	}

	/**
	 * The data of {@code notification.NotificationRequested.v1} as the notification service reads it (no
	 * {@code notBefore}: at once).
	 *
	 * @param patientId the ops recipient id ({@code dlq.alerts.recipient-id})
	 * @param type the notification type, {@code dlq-ops-alert}
	 * @param parameters {@code alertType}, {@code summary}, the alert's details (ids and counts only) and
	 * {@code consoleUrl} when configured, all strings
	 * @param channels the channels to use ({@code dlq.alerts.channels})
	 * @param priority {@code URGENT}: not held by quiet hours nor capped
	 * @param idempotencyKey the alert's de-duplication key, {@code dlq-alert:<type>:<subject>[:<UTC hour>]}
	 */
	record NotificationRequest(String patientId, String type, Map<String, String> parameters, List<String> channels,
			String priority, String idempotencyKey) {
	}

}
