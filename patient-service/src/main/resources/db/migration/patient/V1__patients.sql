-- One row per patient, found by the LIS's medical record number (PID-3). The LIS is the source of the
-- demographics; lis_message_time (MSH-7 of the newest applied message) keeps an older message, redriven
-- late, from overwriting newer data.
CREATE TABLE patient (
    id                      uuid        PRIMARY KEY,
    mrn                     text        NOT NULL UNIQUE,
    given_name              text,
    family_name             text,
    birth_date              date,
    sex                     text        CHECK (sex IN ('F', 'M', 'O', 'U', 'A', 'N')),
    phone                   text,
    email                   text,
    address_street          text,
    address_other           text,
    address_city            text,
    address_state           text,
    address_postal_code     text,
    address_country         text,
    lis_message_time        timestamptz,
    lis_message_control_id  text        NOT NULL,
    created_at              timestamptz NOT NULL DEFAULT now(),
    updated_at              timestamptz NOT NULL DEFAULT now()
);

-- LIS messages of a known type that no feature handles yet (ADT^A40 merges, orders, results), kept with
-- their ER7 text so the feature that comes to handle them can replay them. Processed once per
-- (consumer group, MSH-10), like every LIS message (platform-kit's processed_message).
CREATE TABLE lis_unhandled_message (
    id                  uuid        PRIMARY KEY,
    consumer_group      text        NOT NULL,
    message_control_id  text        NOT NULL,
    message_type        text        NOT NULL,
    hl7_version         text,
    message_time        timestamptz,
    source_topic        text        NOT NULL,
    source_partition    integer     NOT NULL,
    source_offset       bigint      NOT NULL,
    er7                 text        NOT NULL,
    received_at         timestamptz NOT NULL DEFAULT now(),
    UNIQUE (consumer_group, message_control_id)
);

CREATE INDEX lis_unhandled_message_type ON lis_unhandled_message (message_type, received_at);
