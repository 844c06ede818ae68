-- The contact projection: how to reach each patient, from patient.events.v1 and the preferences API.
-- Each part keeps the time of the event that last set it; older events never overwrite newer ones.
-- An unusable phone or email is stored as NULL with the reason.
CREATE TABLE contact (
    patient_id        text        PRIMARY KEY,
    given_name        text,
    phone_e164        text        CHECK (phone_e164 ~ '^\+[1-9][0-9]{1,14}$'),
    phone_problem     text,
    email             text,
    email_problem     text,
    language          text,
    timezone          text,
    sms_opt_in        boolean     NOT NULL,
    email_opt_in      boolean     NOT NULL,
    push_opt_in       boolean     NOT NULL,
    quiet_hours_start time,
    quiet_hours_end   time,
    push_tokens       text[]      NOT NULL DEFAULT '{}',
    details_at        timestamptz,
    preferences_at    timestamptz,
    locale_at         timestamptz,
    created_at        timestamptz NOT NULL DEFAULT now(),
    updated_at        timestamptz NOT NULL DEFAULT now(),
    CHECK ((quiet_hours_start IS NULL) = (quiet_hours_end IS NULL))
);

-- One notification per idempotency key (a test result: patient, order, test, release time) and per
-- source event: a redelivered event or a republished result never makes a second one.
-- state is the state of the most advanced delivery; a notification waiting for its patient's contact
-- is PENDING with waiting_for_contact and the reason, and has no deliveries yet.
CREATE TABLE notification (
    id                  uuid        PRIMARY KEY,
    patient_id          text        NOT NULL,
    type                text        NOT NULL,
    priority            text        NOT NULL CHECK (priority IN ('NORMAL', 'URGENT')),
    idempotency_key     text        NOT NULL,
    source_event_id     text,
    parameters          jsonb       NOT NULL DEFAULT '{}'::jsonb,
    state               text        NOT NULL CHECK (state IN ('PENDING', 'SCHEDULED', 'SENDING', 'SENT', 'DELIVERED',
                                                              'READ', 'FAILED', 'UNDELIVERABLE', 'SUPPRESSED',
                                                              'CANCELLED')),
    waiting_for_contact boolean     NOT NULL DEFAULT false,
    reason              text,
    not_before          timestamptz,
    created_at          timestamptz NOT NULL,
    updated_at          timestamptz NOT NULL,
    CONSTRAINT notification_idempotency_key UNIQUE (idempotency_key),
    CONSTRAINT notification_source_event UNIQUE (source_event_id)
);

-- A patient's notifications, newest first (keyset pagination on created_at, id).
CREATE INDEX notification_patient_recent ON notification (patient_id, created_at DESC, id DESC);
-- Notices parked until their patient's contact arrives.
CREATE INDEX notification_waiting_for_contact ON notification (patient_id, created_at) WHERE waiting_for_contact;

-- One delivery per channel of a notification, with its own state machine (see DeliveryState).
CREATE TABLE delivery (
    id                  uuid        PRIMARY KEY,
    notification_id     uuid        NOT NULL REFERENCES notification (id) ON DELETE CASCADE,
    channel             text        NOT NULL CHECK (channel IN ('SMS', 'EMAIL', 'PUSH')),
    state               text        NOT NULL CHECK (state IN ('PENDING', 'SCHEDULED', 'SENDING', 'SENT', 'DELIVERED',
                                                              'READ', 'FAILED', 'UNDELIVERABLE', 'SUPPRESSED',
                                                              'CANCELLED')),
    reason              text,
    attempts            integer     NOT NULL DEFAULT 0,
    provider_message_id text,
    next_attempt_at     timestamptz,
    state_changed_at    timestamptz NOT NULL,
    created_at          timestamptz NOT NULL,
    updated_at          timestamptz NOT NULL,
    CONSTRAINT delivery_one_per_channel UNIQUE (notification_id, channel)
);

-- Work for the senders: deliveries waiting to go, by when they are due.
CREATE INDEX delivery_due ON delivery (next_attempt_at NULLS FIRST, created_at) WHERE state IN ('PENDING', 'SCHEDULED');
-- Provider receipts find their delivery by the provider's message id.
CREATE UNIQUE INDEX delivery_provider_message ON delivery (channel, provider_message_id)
    WHERE provider_message_id IS NOT NULL;
