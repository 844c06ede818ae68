package org.patientplatform.booking.bookings;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import org.jspecify.annotations.Nullable;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;
import org.springframework.transaction.annotation.Propagation;
import org.springframework.transaction.annotation.Transactional;

/**
 * The patients the LIS merged into another (table {@code patient_merge}, from {@link PatientMerged}): a merged id
 * names its survivor. Every patient id this service reads (a booking request from the API or the topic, a token's
 * {@code patient_id}, a patient's path) is read as the survivor's, so one person holds one place per slot whichever of
 * their ids they book with, and sees every booking of theirs.
 * <p>
 * A booking takes a transaction-scoped advisory lock on the patient id it names (and on the survivor's when it is a
 * merged one), and a merge takes the merged id's, then the survivor's: a booking under the merged id made while the
 * merge is applied waits for it and is stored under the survivor, never left behind under the merged id.
 */
@Repository
class PatientMerges {

	private final JdbcClient jdbc;

	PatientMerges(JdbcClient jdbc) {
		this.jdbc = jdbc;
	}

	/** The survivor of the patient id, or the id itself when it was never merged; canonical ({@link PatientIds}). */
	@Transactional(readOnly = true)
	public String survivorOf(String patientId) {
		String id = PatientIds.canonical(patientId);
		return this.jdbc.sql("SELECT patient_id FROM patient_merge WHERE merged_patient_id = ?")
			.param(id)
			.query(String.class)
			.optional()
			.orElse(id);
	}

	/**
	 * {@link #survivorOf}, for a booking about to be stored: the id (and the survivor's) locked against a merge until
	 * the caller's transaction ends.
	 */
	@Transactional(propagation = Propagation.MANDATORY)
	String lockedSurvivorOf(String patientId) {
		String id = PatientIds.canonical(patientId);
		lock(id);
		String survivor = survivorOf(id);
		if (!survivor.equals(id)) {
			lock(survivor);
		}
		return survivor;
	}

	/**
	 * Records the merge: {@code merged} names the survivor from now on, and so does every id merged into
	 * {@code merged} before. Both ids locked until the transaction ends.
	 * @return the survivor as recorded (itself the survivor of {@code survivor}, when that was merged before), or
	 * empty when it is {@code merged} itself (a merge that would undo another), which is not recorded
	 */
	@Transactional(propagation = Propagation.MANDATORY)
	Optional<String> record(String merged, String survivor, @Nullable Instant mergedAt) {
		lock(merged);
		String last = survivorOf(survivor);
		if (last.equals(merged)) {
			return Optional.empty();
		}
		lock(last);
		OffsetDateTime at = (mergedAt != null) ? mergedAt.atOffset(ZoneOffset.UTC) : null;
		this.jdbc.sql("""
				INSERT INTO patient_merge (merged_patient_id, patient_id, merged_at) VALUES (?, ?, ?)
				ON CONFLICT (merged_patient_id) DO UPDATE SET patient_id = EXCLUDED.patient_id,
				    merged_at = EXCLUDED.merged_at, recorded_at = now()
				""").params(merged, last, at).update();
		this.jdbc.sql("UPDATE patient_merge SET patient_id = ? WHERE patient_id = ?").params(last, merged).update();
		return Optional.of(last);
	}

	/**
	 * The places the merged patient and the survivor both hold in one slot: the same person twice, one of which is
	 * to be given back before the merged patient's bookings become the survivor's.
	 */
	@Transactional(propagation = Propagation.MANDATORY)
	List<TwoPlaces> twoPlacesInOneSlot(String merged, String survivor) {
		return this.jdbc.sql("""
				SELECT m.id AS merged_booking, m.status AS merged_status, s.id AS survivor_booking,
				       s.status AS survivor_status
				FROM booking m
				JOIN booking s ON s.slot_id = m.slot_id AND s.patient_id = ? AND s.place_no IS NOT NULL
				WHERE m.patient_id = ? AND m.place_no IS NOT NULL
				ORDER BY m.id
				""")
			.params(survivor, merged)
			.query((rs, row) -> new TwoPlaces(rs.getObject("merged_booking", UUID.class),
					BookingStatus.valueOf(rs.getString("merged_status")), rs.getObject("survivor_booking", UUID.class),
					BookingStatus.valueOf(rs.getString("survivor_status"))))
			.list();
	}

	/**
	 * Gives the merged patient's bookings, and their queue entries, to the survivor.
	 * @return how many bookings
	 */
	@Transactional(propagation = Propagation.MANDATORY)
	int moveBookings(String merged, String survivor) {
		int moved = this.jdbc.sql("UPDATE booking SET patient_id = ?, updated_at = now() WHERE patient_id = ?")
			.params(survivor, merged)
			.update();
		this.jdbc.sql("UPDATE queue_entry SET patient_id = ? WHERE patient_id = ?").params(survivor, merged).update();
		return moved;
	}

	private void lock(String patientId) {
		this.jdbc.sql("SELECT pg_advisory_xact_lock(hashtextextended('booking-patient:' || ?, 0))")
			.param(patientId)
			.query((rs, row) -> 1)
			.single();
	}

	/** Two active bookings of one person in one slot: the merged patient's and the survivor's. */
	record TwoPlaces(UUID mergedBooking, BookingStatus mergedStatus, UUID survivorBooking,
			BookingStatus survivorStatus) {

		/** The booking to give back: the one less far along (CONFIRMED before CHECKED_IN before CALLED), else the merged patient's. */
		UUID toGiveBack() {
			return (rank(this.mergedStatus) > rank(this.survivorStatus)) ? this.survivorBooking : this.mergedBooking;
		}

		private static int rank(BookingStatus status) {
			return switch (status) {
				case CALLED -> 3;
				case CHECKED_IN -> 2;
				default -> 1;
			};
		}

	}

}
