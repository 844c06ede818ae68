package org.patientplatform.patient.lis;

import java.time.Instant;

import org.jspecify.annotations.Nullable;
import org.patientplatform.patient.records.RecordDemographics;

/** What one LIS record says, once read: demographics to record, or a message kept for later features. */
sealed interface LisMessage {

	Header header();

	/**
	 * The parts of MSH this service uses; none of them is patient data, so they may be logged.
	 *
	 * @param controlId MSH-10, unique per message of the LIS
	 * @param type MSH-9 as {@code <code>^<trigger>}, e.g. {@code ADT^A04}
	 * @param version MSH-12
	 * @param sentAt MSH-7
	 */
	record Header(String controlId, String type, @Nullable String version, @Nullable Instant sentAt) {
	}

	/** ADT^A04 (register) or ADT^A08 (update): the patient's demographics. */
	record Demographics(Header header, RecordDemographics command) implements LisMessage {
	}

	/** A known message type that no feature of this service handles yet; kept with its ER7 text. */
	record Unhandled(Header header, String er7) implements LisMessage {
	}

}
