package org.patientplatform.dlq.retry;

import java.util.UUID;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.patientplatform.kit.consumption.ProcessedMessages;
import org.patientplatform.kit.events.IncomingEvent;
import org.patientplatform.kit.events.InvalidEventException;
import org.patientplatform.kit.events.PlatformEvents;
import org.patientplatform.kit.kafka.RedriveOutcome;
import org.patientplatform.kit.roles.ConditionalOnRole;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.kafka.annotation.KafkaListener;
import org.springframework.stereotype.Component;

/**
 * Role {@code consumer-retry-message}: applies each outcome on {@code dlq.retry-outcomes.v1} once (by
 * event id, in the same transaction as its effect). An outcome that is not a valid event goes to the DLQ
 * through the kit's failure path.
 */
@Component
@ConditionalOnRole("consumer-retry-message")
class RedriveOutcomeListener {

	private static final Logger log = LoggerFactory.getLogger(RedriveOutcomeListener.class);

	private final PlatformEvents events;

	private final ProcessedMessages processed;

	private final RetrySchedule schedule;

	private final RetryProperties properties;

	RedriveOutcomeListener(PlatformEvents events, ProcessedMessages processed, RetrySchedule schedule,
			RetryProperties properties) {
		this.events = events;
		this.processed = processed;
		this.schedule = schedule;
		this.properties = properties;
	}

	@KafkaListener(id = "dlq-retry-outcomes", topics = "${dlq.topics.retry-outcomes}",
			groupId = "${dlq.retry.outcomes-consumer-group:dlq-service.consumer-retry-message.outcomes}")
	void on(ConsumerRecord<byte[], byte[]> record) {
		IncomingEvent<RedriveOutcome> event = this.events.read(record, RedriveOutcome.TYPE, RedriveOutcome.class);
		RedriveOutcome outcome = event.data();
		UUID entryId = entryId(event.id(), outcome);
		if (!RedriveOutcome.SUCCEEDED.equals(outcome.outcome()) && !RedriveOutcome.FAILED.equals(outcome.outcome())) {
			throw new InvalidEventException("Event " + event.id() + " has an unknown outcome");
		}
		boolean applied = this.processed.processOnce(this.properties.outcomesConsumerGroup(), event, () -> {
			String status = this.schedule.apply(entryId, outcome);
			log.debug("Outcome {} of entry {} -> {}", outcome.outcome(), entryId, status);
		});
		if (!applied) {
			log.debug("Outcome event {} was applied before", event.id());
		}
	}

	private static UUID entryId(String eventId, RedriveOutcome outcome) {
		try {
			return UUID.fromString(String.valueOf(outcome.entryId()));
		}
		catch (IllegalArgumentException ex) {
			// not one of ours: it can never apply, so it goes to the DLQ without retries
			throw new InvalidEventException("Event " + eventId + " names no DLQ entry id");
		}
	}

}
