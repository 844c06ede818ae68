package org.patientplatform.booking.bookings;

import java.time.Instant;
import java.util.Optional;

import org.patientplatform.kit.consumption.ProcessedMessages;
import org.patientplatform.kit.events.IncomingEvent;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.stereotype.Component;
import org.springframework.transaction.annotation.Transactional;

/**
 * Applies a {@link PatientMerged} once (the event id marked applied in its transaction): the merged patient's
 * bookings become the survivor's, and where the two held a place in one slot, the one less far along is given back
 * ({@code CANCELLED}, with the reason; the person still holds the other, so nothing is announced and no notice is
 * asked for). From then on the merged id is read as the survivor's ({@link PatientMerges}).
 */
@Component
class PatientMergeApplier {

	private static final Logger log = LoggerFactory.getLogger(PatientMergeApplier.class);

	private final ProcessedMessages processed;

	private final PatientMerges merges;

	private final BookingDesk desk;

	private final String consumerGroup;

	PatientMergeApplier(ProcessedMessages processed, PatientMerges merges, BookingDesk desk,
			PatientEventsProperties properties) {
		this.processed = processed;
		this.merges = merges;
		this.desk = desk;
		this.consumerGroup = properties.groupId();
	}

	/** @return false when the event was applied before */
	@Transactional
	boolean apply(IncomingEvent<PatientMerged> event) {
		if (!this.processed.markProcessed(this.consumerGroup, event)) {
			return false;
		}
		PatientMerged merge = event.data();
		String merged = merge.mergedPatientId();
		if (merged.equals(merge.patientId())) {
			log.warn("Event {} merges patient {} into itself; nothing to do", event.id(), merged);
			return true;
		}
		Optional<String> recorded = this.merges.record(merged, merge.patientId(), merge.mergedAt());
		if (recorded.isEmpty()) {
			log.warn("Event {} merges patient {} into {}, which was merged into it before; ignored", event.id(),
					merged, merge.patientId());
			return true;
		}
		String survivor = recorded.get();
		Instant now = this.desk.now();
		for (PatientMerges.TwoPlaces two : this.merges.twoPlacesInOneSlot(merged, survivor)) {
			this.desk.giveBackSecondPlace(two.toGiveBack(),
					"The patient was merged into patient " + survivor + ", who holds another place in this slot.", now);
		}
		int moved = this.merges.moveBookings(merged, survivor);
		log.info("Patient {} merged into {}: {} booking(s) moved", merged, survivor, moved);
		return true;
	}

}
