-- The senders took pending deliveries before every scheduled one (a pending row has no next_attempt_at, and
-- sorted as '-infinity'), and never looked at priority: an URGENT notice, or a reminder already due, waited
-- behind a whole batch. The claim now takes urgent deliveries first, then each in the order it fell due (a
-- pending delivery is due from its creation, a scheduled one at its next attempt).
ALTER TABLE delivery ADD COLUMN urgent boolean NOT NULL DEFAULT false;

UPDATE delivery d SET urgent = true
FROM notification n
WHERE n.id = d.notification_id AND n.priority = 'URGENT' AND d.state IN ('PENDING', 'SCHEDULED');

DROP INDEX delivery_due;
CREATE INDEX delivery_due ON delivery (urgent DESC, (coalesce(next_attempt_at, created_at)), created_at)
    WHERE state IN ('PENDING', 'SCHEDULED');
