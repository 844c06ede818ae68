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

import org.jspecify.annotations.Nullable;
import org.patientplatform.kit.web.TimeCursor;

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

	/**
	 * A page of a site's slots in {@code [from, to)}, in (start, id) order after the keyset bound {@code %s}; the
	 * places booked counted for the page's slots only. The start is unique per site, so the page is read in order
	 * from {@code slot_one_per_site_and_time (site_id, starts_at)}, the id only breaking ties that cannot occur.
	 */
	private static final String AVAILABILITY = """
			SELECT s.id, s.site_id, s.starts_at, s.capacity,
			       (SELECT count(*) FROM booking b WHERE b.slot_id = s.id AND b.place_no IS NOT NULL) AS booked
			FROM slot s
			WHERE s.site_id = :site AND s.starts_at >= :from AND s.starts_at < :to%s
			ORDER BY s.starts_at, s.id
			LIMIT :limit
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

	/**
	 * The site's slots starting in {@code [from, to)}, earliest first (then by id), after the cursor, with their
	 * free places; {@code limit + 1} rows at most (the kit's {@code Page.of} takes the extra one as "there is a
	 * next page"). A slot started by {@code now} has none free: it takes no booking (a probe's listing of the past
	 * had offered started slots as bookable, each booking of them a 409).
	 */
	@Transactional(readOnly = true)
	List<SlotAvailability> availability(String siteId, Instant from, Instant to, @Nullable TimeCursor after,
			int limit, Instant now) {
		var query = this.jdbc
			.sql(AVAILABILITY.formatted((after != null) ? " AND (s.starts_at, s.id) > (:afterStart, :afterId)" : ""))
			.param("site", siteId)
			.param("from", utc(from))
			.param("to", utc(to))
			.param("limit", limit + 1);
		if (after != null) {
			query = query.param("afterStart", utc(after.at())).param("afterId", after.id());
		}
		return query.query((rs, rowNum) -> {
			int capacity = rs.getInt("capacity");
			int booked = rs.getInt("booked");
			Instant startsAt = instant(rs, "starts_at");
			return new SlotAvailability(rs.getObject("id", UUID.class), rs.getString("site_id"), startsAt, capacity,
					booked, startsAt.isAfter(now) ? Math.max(0, capacity - booked) : 0);
		}).list();
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

	/** The slot, or empty when there is none with this id. */
	@Transactional(readOnly = true)
	public Optional<Slot> find(UUID slotId) {
		return this.jdbc.sql("SELECT id, site_id, starts_at, capacity FROM slot WHERE id = ?")
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
