package org.patientplatform.dlq.alerts;

import java.time.Duration;
import java.util.List;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Ops alert settings.
 *
 * @param recipientId the ops recipient id: the {@code patientId} and the key of the notification requests (a
 * staff recipient the notification service knows, {@code notification.staff-recipients})
 * @param requestsTopic the notification service's request topic
 * @param channels the channels of the notification requests ({@code SMS}, {@code EMAIL}, {@code PUSH})
 * @param consoleUrl the DLQ console's address, passed to the notification as {@code consoleUrl}; blank for none
 * @param webhookUrl a Slack-compatible incoming webhook; blank for none
 * @param webhookTimeout connect and request timeout of the webhook
 * @param ratePerHour alerts of one type delivered per hour at most; the rest are recorded as suppressed
 * @param volumeSpikeFactor a spike is more failures in the last hour than this times the hour before
 * @param volumeSpikeMinimum and at least this many failures in the last hour
 * @param oldestUnresolved an unresolved entry first failed longer ago than this raises an alert
 * @param cron when the volume and age checks run (six fields, UTC)
 */
@ConfigurationProperties("dlq.alerts")
record AlertProperties(@DefaultValue("ops-oncall") String recipientId,
		@DefaultValue("notification.requests.v1") String requestsTopic, @DefaultValue("EMAIL") List<String> channels,
		@DefaultValue("") String consoleUrl, @DefaultValue("") String webhookUrl,
		@DefaultValue("10s") Duration webhookTimeout, @DefaultValue("10") int ratePerHour,
		@DefaultValue("3.0") double volumeSpikeFactor, @DefaultValue("100") int volumeSpikeMinimum,
		@DefaultValue("24h") Duration oldestUnresolved, @DefaultValue("0 * * * * *") String cron) {

}
