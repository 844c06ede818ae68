package org.patientplatform.booking.queue;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import org.jspecify.annotations.Nullable;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/**
 * The queue of every site. A booking waits from check-in until it is called, cancelled or marked a no-show; its position
 * is its rank by check-in time among the site's waiting bookings (ties by arrival here).
 */
@Repository
class Queues {

	private final JdbcClient jdbc;

	Queues(JdbcClient jdbc) {
		this.jdbc = jdbc;
	}

	/** Adds the booking to its site's queue; a booking that already joined once stays as it is. */
	void join(UUID bookingId, String siteId, String patientId, Instant checkedInAt) {
		this.jdbc.sql("""
				INSERT INTO queue_entry (booking_id, site_id, patient_id, checked_in_at, status)
				VALUES (?, ?, ?, ?, 'WAITING')
				ON CONFLICT (booking_id) DO NOTHING
				""").params(bookingId, siteId, patientId, utc(checkedInAt)).update();
	}

	/** Takes the booking out of the queue, if it waits there: its check-in time then, else empty. */
	Optional<Instant> leave(UUID bookingId, boolean called, Instant at) {
		return this.jdbc
			.sql("UPDATE queue_entry SET status = ?, left_at = ? WHERE booking_id = ? AND status = 'WAITING' "
					+ "RETURNING checked_in_at")
			.params(called ? "CALLED" : "LEFT", utc(at), bookingId)
			.query((rs, rowNum) -> rs.getObject("checked_in_at", OffsetDateTime.class).toInstant())
			.optional();
	}

	/**
	 * A page of the site's waiting bookings in queue order ({@code checked_in_at, arrival}), after the cursor;
	 * {@code limit + 1} rows at most (the kit's {@code Page.of} takes the extra one as "there is a next page").
	 * Positions are the queue's as the page is read: those ahead of the cursor that still wait are counted,
	 * so a booking called between two pages moves the later ones up. Both parts read the
	 * {@code queue_entry_waiting} index {@code (site_id, checked_in_at, arrival) WHERE status = 'WAITING'}.
	 */
	List<Waiting> waiting(String siteId, @Nullable QueueCursor after, int limit) {
		if (after == null) {
			return this.jdbc.sql("""
					SELECT booking_id, site_id, patient_id, checked_in_at, arrival,
					       row_number() OVER (ORDER BY checked_in_at, arrival) AS position
					FROM queue_entry
					WHERE site_id = :site AND status = 'WAITING'
					ORDER BY checked_in_at, arrival
					LIMIT :limit
					""").param("site", siteId).param("limit", limit + 1).query(Queues::waiting).list();
		}
		return this.jdbc.sql("""
				SELECT booking_id, site_id, patient_id, checked_in_at, arrival,
				       (SELECT count(*) FROM queue_entry w
				        WHERE w.site_id = :site AND w.status = 'WAITING'
				          AND (w.checked_in_at, w.arrival) <= (:at, :arrival))
				       + row_number() OVER (ORDER BY checked_in_at, arrival) AS position
				FROM queue_entry
				WHERE site_id = :site AND status = 'WAITING' AND (checked_in_at, arrival) > (:at, :arrival)
				ORDER BY checked_in_at, arrival
				LIMIT :limit
				""")
			.param("site", siteId)
			.param("at", utc(after.checkedInAt()))
			.param("arrival", after.arrival())
			.param("limit", limit + 1)
			.query(Queues::waiting)
			.list();
	}

	Optional<QueuePosition> positionOf(UUID bookingId) {
		return this.jdbc.sql("""
				SELECT q.booking_id, q.site_id, q.patient_id, q.checked_in_at,
				       (SELECT count(*) FROM queue_entry w
				        WHERE w.site_id = q.site_id AND w.status = 'WAITING'
				          AND (w.checked_in_at, w.arrival) <= (q.checked_in_at, q.arrival)) AS position
				FROM queue_entry q
				WHERE q.booking_id = ? AND q.status = 'WAITING'
				""").param(bookingId).query(Queues::position).optional();
	}

	private static QueuePosition position(ResultSet rs, int rowNum) throws SQLException {
		return new QueuePosition(rs.getInt("position"), rs.getObject("booking_id", UUID.class), rs.getString("site_id"),
				rs.getString("patient_id"), rs.getObject("checked_in_at", OffsetDateTime.class).toInstant());
	}

	private static Waiting waiting(ResultSet rs, int rowNum) throws SQLException {
		QueuePosition position = position(rs, rowNum);
		return new Waiting(position, new QueueCursor(position.checkedInAt(), rs.getLong("arrival")));
	}

	private static OffsetDateTime utc(Instant instant) {
		return instant.atOffset(ZoneOffset.UTC);
	}

	/**
	 * A waiting booking with where it stands in the queue's order.
	 *
	 * @param cursor the cursor of a page that ends with it
	 */
	record Waiting(QueuePosition position, QueueCursor cursor) {
	}

}
