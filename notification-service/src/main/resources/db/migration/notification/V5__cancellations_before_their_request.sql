-- A NotificationCancelled that names no notification yet (its request comes later: redriven from the DLQ, or made
-- through the API and cancelled on the topic) was forgotten, and the cancelled message was sent. It is kept here;
-- a request with the key that comes later is created cancelled. Kept for the body retention (housekeeping).
CREATE TABLE cancelled_request (
    idempotency_key  text        PRIMARY KEY,
    reason           text,
    cancelled_at     timestamptz NOT NULL DEFAULT now()
);
