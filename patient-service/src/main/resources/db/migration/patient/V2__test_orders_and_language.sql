-- The patient's primary language (PID-15) as a BCP 47 tag, for the events the notification service reads.
ALTER TABLE patient ADD COLUMN language text;

-- A lab order linked to its patient: by ORM^O01/OML^O21 when ordered, by ORU^R01 when resulted. Never a
-- result value: the code of the test only. The order number (placer, else filler) is unique; an order
-- belongs to one patient for good. lis_message_time (MSH-7 of the newest applied message) keeps an older
-- message, redriven late, from undoing a newer state.
CREATE TABLE test_order (
    order_id                text        PRIMARY KEY,
    patient_id              uuid        NOT NULL REFERENCES patient (id),
    test_code               text        NOT NULL,
    status                  text        NOT NULL CHECK (status IN ('ORDERED', 'IN_PROGRESS', 'RESULTED', 'CANCELLED')),
    ordered_at              timestamptz,
    performed_at            timestamptz,
    released_at             timestamptz,
    lis_message_time        timestamptz,
    lis_message_control_id  text        NOT NULL,
    created_at              timestamptz NOT NULL DEFAULT now(),
    updated_at              timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX test_order_patient ON test_order (patient_id, created_at);

-- Why a message was kept instead of applied: 'unhandled type' (no feature handles it yet, e.g. ADT^A40)
-- or 'unknown patient' (an order or result for an MRN this service has not registered).
ALTER TABLE lis_unhandled_message ADD COLUMN reason text NOT NULL DEFAULT 'unhandled type';
ALTER TABLE lis_unhandled_message ALTER COLUMN reason DROP DEFAULT;
CREATE INDEX lis_unhandled_message_reason ON lis_unhandled_message (reason, received_at);
