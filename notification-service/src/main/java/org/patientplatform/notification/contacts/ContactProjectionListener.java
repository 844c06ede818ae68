package org.patientplatform.notification.contacts;

import java.time.Instant;

import io.cloudevents.CloudEvent;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.patientplatform.kit.events.PlatformEvents;
import org.patientplatform.kit.roles.ConditionalOnRole;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.kafka.annotation.KafkaListener;
import org.springframework.stereotype.Component;

/**
 * Role {@code consumer-notification}: projects patient.events.v1 into contacts, in its
 * own consumer group so it never takes the test-result consumers' capacity. A merge carries the
 * merged patient's choices to the survivor. Event types it does not project (a test result) are
 * skipped; a record that is not a valid
 * event goes to the DLQ through the kit's failure path. Logs carry event ids and
 * coordinates only.
 */
@Component
@ConditionalOnRole("consumer-notification")
class ContactProjectionListener {

	private static final Logger log = LoggerFactory.getLogger(ContactProjectionListener.class);

	private final PlatformEvents events;

	private final ContactProjection projection;

	ContactProjectionListener(PlatformEvents events, ContactProjection projection) {
		this.events = events;
		this.projection = projection;
	}

	@KafkaListener(id = "contact-projection", topics = "${notification.topics.patient-events}",
			groupId = "${notification.contacts.consumer-group}")
	void on(ConsumerRecord<byte[], byte[]> record) {
		Instant recordTime = Instant.ofEpochMilli(record.timestamp());
		// binary or structured mode: the kit's envelope names the type either way
		CloudEvent event = this.events.envelope(record);
		String type = event.getType();
		switch (type) {
			case PatientRegistered.TYPE -> applied(record,
					this.projection.applyDetails(this.events.read(event, type, PatientRegistered.class), recordTime));
			case PatientUpdated.TYPE -> applied(record,
					this.projection.applyDetails(this.events.read(event, type, PatientUpdated.class), recordTime));
			case ContactPreferencesChanged.TYPE -> applied(record, this.projection
				.applyPreferences(this.events.read(event, type, ContactPreferencesChanged.class), recordTime));
			case PatientMerged.TYPE -> applied(record,
					this.projection.applyMerge(this.events.read(event, type, PatientMerged.class), recordTime));
			default -> log.debug("Skipped event type {} at {}-{}@{}", type, record.topic(), record.partition(),
					record.offset());
		}
	}

	private static void applied(ConsumerRecord<byte[], byte[]> record, boolean applied) {
		if (!applied) {
			log.debug("Event at {}-{}@{} was applied before", record.topic(), record.partition(), record.offset());
		}
	}

}
