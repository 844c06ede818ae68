package org.patientplatform.booking.bookings;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.UUID;

import org.jspecify.annotations.Nullable;
import org.patientplatform.kit.web.TimeCursor;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/**
 * The stored bookings. The constraints of table {@code booking} keep a slot's active bookings within its
 * capacity; this class only asks for places the database will grant.
 */
@Repository
class Bookings {

	/**
	 * A booking's columns, and its slot's start (a slot is never deleted; none for a request of an unknown slot, nor of
	 * a slot of another site, which is unknown at the booking's). The start is read by the slot's primary key, in every
	 * query that returns bookings: a page of them, an insert's or an update's {@code RETURNING}.
	 */
	private static final String COLUMNS = "id, slot_id, site_id, patient_id, status, reason, requested_at, updated_at, "
			+ "(SELECT s.starts_at FROM slot s WHERE s.id = booking.slot_id AND s.site_id = booking.site_id) AS starts_at";

	private final JdbcClient jdbc;

	Bookings(JdbcClient jdbc) {
		this.jdbc = jdbc;
	}

	Optional<Booking> findById(UUID id) {
		return this.jdbc.sql("SELECT " + COLUMNS + " FROM booking WHERE id = ?")
			.param(id)
			.query(Bookings::booking)
			.optional();
	}

	/**
	 * A page of the patient's bookings, the most recently requested first (then by id), after the one the previous
	 * page ended with.
	 * @param status only bookings in this state, or every state when null
	 * @param limit how many to fetch: a page's size plus one, to know whether another page follows
	 */
	List<Booking> findByPatient(String patientId, @Nullable BookingStatus status, @Nullable TimeCursor after,
			int limit) {
		StringBuilder sql = new StringBuilder("SELECT " + COLUMNS + " FROM booking WHERE patient_id = :patient");
		Map<String, Object> params = new HashMap<>();
		params.put("patient", patientId);
		if (status != null) {
			sql.append(" AND status = :status");
			params.put("status", status.name());
		}
		if (after != null) {
			sql.append(" AND (requested_at, id) < (:at, :id)");
			params.put("at", utc(after.at()));
			params.put("id", after.id());
		}
		sql.append(" ORDER BY requested_at DESC, id DESC LIMIT :limit");
		params.put("limit", limit);
		return this.jdbc.sql(sql.toString()).params(params).query(Bookings::booking).list();
	}

	/** The booking, its row locked until the transaction ends. */
	Optional<Booking> lock(UUID id) {
		return this.jdbc.sql("SELECT " + COLUMNS + " FROM booking WHERE id = ? FOR UPDATE")
			.param(id)
			.query(Bookings::booking)
			.optional();
	}

	boolean holdsPlace(UUID slotId, String patientId) {
		return this.jdbc.sql("SELECT count(*) FROM booking WHERE slot_id = ? AND patient_id = ? AND place_no IS NOT NULL")
			.params(slotId, patientId)
			.query(Integer.class)
			.single() > 0;
	}

	/** The lowest place of the slot no booking holds, or empty when the slot is full. */
	OptionalInt lowestFreePlace(UUID slotId, int capacity) {
		Integer place = this.jdbc.sql("""
				SELECT min(p) FROM generate_series(1, ?) AS p
				WHERE NOT EXISTS (SELECT 1 FROM booking b WHERE b.slot_id = ? AND b.place_no = p)
				""").params(capacity, slotId).query(Integer.class).optional().orElse(null);
		return (place != null) ? OptionalInt.of(place) : OptionalInt.empty();
	}

	/**
	 * Stores a new booking; with a place when it holds one. A booking with the same id already stored
	 * stays as it is (then this returns empty).
	 * @param place the place it holds, or null for a rejected request
	 * @param slotCapacity the slot's capacity, or null when the slot does not exist
	 */
	Optional<Booking> insert(UUID id, UUID slotId, String siteId, String patientId, BookingStatus status,
			@Nullable String reason, @Nullable Integer place, @Nullable Integer slotCapacity, Instant requestedAt,
			Instant now) {
		return this.jdbc.sql("""
				INSERT INTO booking (id, slot_id, site_id, patient_id, status, reason, place_no, slot_capacity,
				    requested_at, created_at, updated_at)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
				ON CONFLICT (id) DO NOTHING
				RETURNING\s""" + COLUMNS)
			.params(id, slotId, siteId, patientId, status.name(), reason, place, slotCapacity, utc(requestedAt),
					utc(now), utc(now))
			.query(Bookings::booking)
			.optional();
	}

	/** Moves the booking to {@code status}; a status that holds no place gives the place back. */
	Booking changeStatus(UUID id, BookingStatus status, @Nullable String reason, Instant now) {
		return this.jdbc.sql("""
				UPDATE booking
				SET status = ?, reason = coalesce(?, reason), updated_at = ?,
				    place_no = CASE WHEN ? THEN place_no END
				WHERE id = ?
				RETURNING\s""" + COLUMNS)
			.params(status.name(), reason, utc(now), status.holdsPlace(), id)
			.query(Bookings::booking)
			.single();
	}

	private static Booking booking(ResultSet rs, int rowNum) throws SQLException {
		OffsetDateTime startsAt = rs.getObject("starts_at", OffsetDateTime.class);
		return new Booking(rs.getObject("id", UUID.class), rs.getObject("slot_id", UUID.class),
				(startsAt != null) ? startsAt.toInstant() : null, rs.getString("site_id"), rs.getString("patient_id"),
				BookingStatus.valueOf(rs.getString("status")), rs.getString("reason"), instant(rs, "requested_at"),
				instant(rs, "updated_at"));
	}

	private static Instant instant(ResultSet rs, String column) throws SQLException {
		return rs.getObject(column, OffsetDateTime.class).toInstant();
	}

	private static OffsetDateTime utc(Instant instant) {
		return instant.atOffset(ZoneOffset.UTC);
	}

}
