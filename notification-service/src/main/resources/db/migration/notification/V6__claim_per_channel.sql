-- The senders claim one channel at a time (ADR 0010, amended 2026-12-06): a batch mixing channels waited for
-- its slowest provider call (up to send-timeout, 30 s) before any of its answers was recorded, so a hanging SMS
-- provider held back email and push too. The due index leads with the channel, so each channel's claim reads
-- its own due rows in order.
DROP INDEX delivery_due;
CREATE INDEX delivery_due ON delivery (channel, urgent DESC, (coalesce(next_attempt_at, created_at)), created_at)
    WHERE state IN ('PENDING', 'SCHEDULED');
