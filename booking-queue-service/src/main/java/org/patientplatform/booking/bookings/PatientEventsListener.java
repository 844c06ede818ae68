package org.patientplatform.booking.bookings;

import io.cloudevents.CloudEvent;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.patientplatform.kit.events.PlatformEvents;
import org.patientplatform.kit.roles.ConditionalOnRole;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.kafka.annotation.KafkaListener;
import org.springframework.stereotype.Component;

/**
 * Role {@code spc-booking-topic--consumer}, in a consumer group of its own: reads {@code patient.events.v1} for the
 * merges of patients ({@link PatientMerged}), which give the merged patient's bookings to the survivor. Every other
 * type on the topic is the notification service's and is skipped; a merge that is not a valid event goes to the DLQ
 * through the kit's failure path. Logs carry ids and coordinates only.
 */
@Component
@ConditionalOnRole("spc-booking-topic--consumer")
class PatientEventsListener {

	private static final Logger log = LoggerFactory.getLogger(PatientEventsListener.class);

	private final PlatformEvents events;

	private final PatientMergeApplier applier;

	PatientEventsListener(PlatformEvents events, PatientMergeApplier applier) {
		this.events = events;
		this.applier = applier;
	}

	@KafkaListener(id = "booking-patient-events", topics = "${booking.patient-events.topic}",
			groupId = "${booking.patient-events.group-id}")
	void on(ConsumerRecord<byte[], byte[]> record) {
		// binary or structured mode: the kit's envelope names the type either way
		CloudEvent event = this.events.envelope(record);
		if (!PatientMerged.TYPE.equals(event.getType())) {
			log.debug("Skipped {} at {}-{}@{}", event.getType(), record.topic(), record.partition(), record.offset());
			return;
		}
		if (!this.applier.apply(this.events.read(event, PatientMerged.TYPE, PatientMerged.class))) {
			log.debug("Merge at {}-{}@{} was applied before", record.topic(), record.partition(), record.offset());
		}
	}

}
