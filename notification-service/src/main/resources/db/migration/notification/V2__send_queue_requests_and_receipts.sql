-- Sending (the delivery table is the send queue, ADR 0010), requests from other services and receipts.

-- source_event_at: when the event a notification was made from happened (end-to-end latency starts there).
-- channels: the channels a request named in place of the patient's preferences; NULL when those decide.
-- cancelled_at: when it was cancelled by its idempotency key.
ALTER TABLE notification
    ADD COLUMN source_event_at timestamptz,
    ADD COLUMN channels        text[],
    ADD COLUMN cancelled_at    timestamptz;

-- Each attempt is recorded (SENDING, sending_started_at) and committed before the provider is called.
-- recipient, subject, body: what the latest attempt sent, rendered at claim time, so staff can see what
-- went out and an attempt with an unknown outcome is looked up as it was sent. Purged after the retention
-- period (the metadata stays).
ALTER TABLE delivery
    ADD COLUMN sending_started_at timestamptz,
    ADD COLUMN recipient          text,
    ADD COLUMN subject            text,
    ADD COLUMN body               text;

-- The senders' claim: due deliveries (pending ones have no next_attempt_at) in due order. The expression
-- lets the claim stop at the first row not due yet instead of reading every scheduled reminder.
DROP INDEX delivery_due;
CREATE INDEX delivery_due ON delivery ((coalesce(next_attempt_at, '-infinity'::timestamptz)), created_at)
    WHERE state IN ('PENDING', 'SCHEDULED');

-- Reconciliation: attempts whose outcome is unknown, oldest first.
CREATE INDEX delivery_sending ON delivery (sending_started_at) WHERE state = 'SENDING';

-- Inbound STOP/START: the contacts with the number the message came from.
CREATE INDEX contact_phone ON contact (phone_e164) WHERE phone_e164 IS NOT NULL;

-- Provider receipts that arrived before the send's outcome was recorded (the provider answered, its
-- status callback overtook our commit): applied when the outcome is recorded, deleted after a week if
-- they never match.
CREATE TABLE early_receipt (
    channel             text        NOT NULL CHECK (channel IN ('SMS', 'EMAIL', 'PUSH')),
    provider_message_id text        NOT NULL,
    status              text        NOT NULL CHECK (status IN ('DELIVERED', 'READ', 'FAILED', 'UNDELIVERABLE')),
    reason              text,
    occurred_at         timestamptz NOT NULL,
    received_at         timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (channel, provider_message_id, status)
);
CREATE INDEX early_receipt_received ON early_receipt (received_at);
