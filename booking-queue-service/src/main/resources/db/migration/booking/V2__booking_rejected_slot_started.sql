-- A request for a slot that had already started when it was made is rejected (REJECTED_SLOT_STARTED) and
-- kept with the reason, as the other rejections are.
ALTER TABLE booking DROP CONSTRAINT booking_status_check;
ALTER TABLE booking ADD CONSTRAINT booking_status_check
    CHECK (status IN ('CONFIRMED', 'CHECKED_IN', 'CALLED', 'CANCELLED', 'REJECTED_FULL', 'REJECTED_ALREADY_BOOKED',
                      'REJECTED_UNKNOWN_SLOT', 'REJECTED_SLOT_STARTED'));
