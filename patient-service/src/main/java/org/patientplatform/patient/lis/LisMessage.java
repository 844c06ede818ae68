package org.patientplatform.patient.lis;

import java.time.Instant;
import java.util.List;
import java.util.Map;

import org.jspecify.annotations.Nullable;
import org.patientplatform.patient.orders.LinkTestOrders;
import org.patientplatform.patient.orders.RecordTestResults;
import org.patientplatform.patient.records.AssigningAuthority;
import org.patientplatform.patient.records.RecordDemographics;

/**
 * What one LIS record says, once read: demographics to record, orders to link, results to record, or a
 * message kept for later features.
 */
sealed interface LisMessage {

	Header header();

	/**
	 * The assigning authority (CX-4) of each MRN the message names (PID-3, MRG-1) that has one, by MRN, unmodifiable:
	 * an MRN is its authority's, and a patient registered with one authority's MRN is not another authority's patient.
	 */
	Map<String, AssigningAuthority> authorities();

	/**
	 * The choices made among several MR identifiers of one PID-3 or MRG-1 ({@link MrnChooser}), in the message's
	 * order: made again when the message is applied, under the locks of every MRN they name.
	 */
	List<MrnChooser.Choice> choices();

	/**
	 * The parts of MSH this service uses; none of them is patient data, so they may be logged.
	 *
	 * @param controlId MSH-10, unique per message of its sender
	 * @param sender MSH-3 and MSH-4 as {@code <application>^<facility>} (each the HD's namespace id, else its
	 * universal id, else empty): with the control id, what makes a message unique
	 * @param type MSH-9 as {@code <code>^<trigger>}, e.g. {@code ADT^A04}
	 * @param version MSH-12
	 * @param sentAt MSH-7
	 */
	record Header(String controlId, String sender, String type, @Nullable String version, @Nullable Instant sentAt) {
	}

	/** ADT^A04 (register) or ADT^A08 (update): the patient's demographics. */
	record Demographics(Header header, RecordDemographics command, Map<String, AssigningAuthority> authorities,
			List<MrnChooser.Choice> choices) implements LisMessage {
	}

	/**
	 * ORM^O01 or OML^O21: orders to link to their patients. The ER7 text is kept when a patient is not
	 * known yet.
	 */
	record Orders(Header header, LinkTestOrders command, String er7, Map<String, AssigningAuthority> authorities,
			List<MrnChooser.Choice> choices) implements LisMessage {
	}

	/**
	 * ORU^R01: the state of orders' results, without any result value. The ER7 text (which has the
	 * values) is kept only when a patient is not known yet.
	 */
	record Results(Header header, RecordTestResults command, String er7, Map<String, AssigningAuthority> authorities,
			List<MrnChooser.Choice> choices) implements LisMessage {
	}

	/**
	 * ADT^A40 (or the older A34 and A36): patients merged into others, in the order of the message.
	 *
	 * @param merges at least one
	 */
	record Merge(Header header, List<Merged> merges, Map<String, AssigningAuthority> authorities,
			List<MrnChooser.Choice> choices) implements LisMessage {

		public Merge {
			merges = List.copyOf(merges);
		}

		/**
		 * One merge.
		 *
		 * @param survivor the surviving patient's demographics (the PID)
		 * @param priorMrn the MRN of the patient merged into them (MRG-1)
		 */
		record Merged(RecordDemographics survivor, String priorMrn) {
		}

	}

	/** A known message type that no feature of this service handles yet; kept with its ER7 text. */
	record Unhandled(Header header, String er7) implements LisMessage {

		@Override
		public Map<String, AssigningAuthority> authorities() {
			return Map.of();
		}

		@Override
		public List<MrnChooser.Choice> choices() {
			return List.of();
		}

	}

}
