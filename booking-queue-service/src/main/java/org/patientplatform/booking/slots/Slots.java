package org.patientplatform.booking.slots;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;
import org.springframework.transaction.annotation.Propagation;
import org.springframework.transaction.annotation.Transactional;

/**
 * The slots of every site. {@link #lockForBooking} is how a booking takes a place: it holds the slot
 * until the booking's transaction ends, so bookings of one slot are decided one after the other.
 */
@Repository
public class Slots {

	private static final String AVAILABILITY = """
			SELECT s.id, s.site_id, s.starts_at, s.capacity, count(b.place_no) AS booked
			FROM slot s
			LEFT JOIN booking b ON b.slot_id = s.id AND b.place_no IS NOT NULL
			WHERE s.site_id = :site AND s.starts_at >= :from AND s.starts_at < :to
			GROUP BY s.id
			ORDER BY s.starts_at
			""";

	private final JdbcClient jdbc;

	Slots(JdbcClient jdbc) {
		this.jdbc = jdbc;
	}

	/**
	 * Creates the slots in one transaction.
	 * @throws org.springframework.dao.DuplicateKeyException when the site already has a slot at one of
	 * the times (then none is created)
	 */
	@Transactional
	List<Slot> create(String siteId, List<CreateSlots.NewSlot> newSlots) {
		List<Slot> created = new ArrayList<>();
		for (CreateSlots.NewSlot newSlot : newSlots) {
			Slot slot = new Slot(UUID.randomUUID(), siteId, newSlot.startsAt(),
					newSlot.capacity());
			created.add(this.jdbc
				.sql("INSERT INTO slot (id, site_id, starts_at, capacity) VALUES (?, ?, ?, ?) "
						+ "RETURNING id, site_id, starts_at, capacity")
				.params(slot.id(), slot.siteId(), utc(slot.startsAt()), slot.capacity())
				.query(Slots::slot)
				.single());
		}
		return created;
	}

	/** The site's slots starting in {@code [from, to)}, earliest first, with their free places. */
	@Transactional(readOnly = true)
	List<SlotAvailability> availability(String siteId, Instant from, Instant to) {
		return this.jdbc.sql(AVAILABILITY)
			.param("site", siteId)
			.param("from", utc(from))
			.param("to", utc(to))
			.query((rs, rowNum) -> {
				int capacity = rs.getInt("capacity");
				int booked = rs.getInt("booked");
				return new SlotAvailability(rs.getObject("id", UUID.class), rs.getString("site_id"),
						instant(rs, "starts_at"), capacity, booked, Math.max(0, capacity - booked));
			})
			.list();
	}

	/**
	 * The slot, locked against other bookings until the caller's transaction ends; empty when there is
	 * no such slot. Must run inside a transaction.
	 */
	@Transactional(propagation = Propagation.MANDATORY)
	public Optional<Slot> lockForBooking(UUID slotId) {
		// NO KEY UPDATE: excludes other bookings of this slot, not the foreign-key checks of other rows
		return this.jdbc
			.sql("SELECT id, site_id, starts_at, capacity FROM slot WHERE id = ? FOR NO KEY UPDATE")
			.param(slotId)
			.query(Slots::slot)
			.optional();
	}

	private static Slot slot(ResultSet rs, int rowNum) throws SQLException {
		return new Slot(rs.getObject("id", UUID.class), rs.getString("site_id"), instant(rs, "starts_at"),
				rs.getInt("capacity"));
	}

	private static Instant instant(ResultSet rs, String column) throws SQLException {
		return rs.getObject(column, OffsetDateTime.class).toInstant();
	}

	private static OffsetDateTime utc(Instant instant) {
		return instant.atOffset(ZoneOffset.UTC);
	}

}
