-- The kit's own tables. Each service database gets them; their history is platform_kit_schema_history.

-- Idempotent consumption: one row per (consumer group, event id), written in the effect's transaction.
CREATE TABLE processed_message (
    consumer_group text        NOT NULL,
    event_id       text        NOT NULL,
    processed_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (consumer_group, event_id)
);
