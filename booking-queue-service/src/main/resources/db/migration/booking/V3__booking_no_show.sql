-- A booking whose patient did not come (BookingNoShow on booking.events.v1) is NO_SHOW: it has left its site's
-- queue and holds no place (place_no NULL, as booking_place_iff_active requires of every status but the three
-- that hold one).
ALTER TABLE booking DROP CONSTRAINT booking_status_check;
ALTER TABLE booking ADD CONSTRAINT booking_status_check
    CHECK (status IN ('CONFIRMED', 'CHECKED_IN', 'CALLED', 'CANCELLED', 'NO_SHOW', 'REJECTED_FULL',
                      'REJECTED_ALREADY_BOOKED', 'REJECTED_UNKNOWN_SLOT', 'REJECTED_SLOT_STARTED'));
