package org.patientplatform.patient.records;

import java.time.Instant;

import org.patientplatform.kit.outbox.Outbox;
import org.patientplatform.patient.records.RecordDemographics.Recorded;

import org.springframework.stereotype.Component;

/**
 * Appends the event of a recorded change to the outbox, in the transaction of the change: registered
 * -> PatientRegistered, updated -> PatientUpdated, stale -> nothing, merged -> PatientMerged. The data is the patient
 * as stored after the change.
 */
@Component
class PatientEvents {

	private final Outbox outbox;

	private final String topic;

	PatientEvents(Outbox outbox, PatientEventsProperties properties) {
		this.outbox = outbox;
		this.topic = properties.topic();
	}

	void merged(PatientId survivor, PatientId merged, String mergedMrn, Instant mergedAt) {
		this.outbox.append(this.topic, survivor.toString(), PatientMerged.TYPE,
				new PatientMerged(survivor.toString(), merged.toString(), mergedMrn, mergedAt));
	}

	void recorded(Recorded recorded, Patient patient) {
		String key = patient.id().toString();
		switch (recorded.outcome()) {
			case REGISTERED ->
				this.outbox.append(this.topic, key, PatientRegistered.TYPE, PatientRegistered.of(patient));
			case UPDATED -> this.outbox.append(this.topic, key, PatientUpdated.TYPE, PatientUpdated.of(patient));
			case STALE -> {
			}
		}
	}

}
