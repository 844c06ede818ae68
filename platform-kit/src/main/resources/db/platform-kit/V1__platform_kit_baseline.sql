-- The kit's own tables. Each service database gets them; their history is platform_kit_schema_history.

-- Idempotent consumption: one row per (consumer group, event id), written in the effect's transaction.
CREATE TABLE processed_message (
    consumer_group text        NOT NULL,
    event_id       text        NOT NULL,
    processed_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (consumer_group, event_id)
);

-- Transactional outbox: written in the caller's transaction, relayed to Kafka in id order.
CREATE TABLE outbox_event (
    id           bigserial   PRIMARY KEY,
    event_id     uuid        NOT NULL UNIQUE,
    topic        text        NOT NULL,
    record_key   text        NOT NULL,
    event_type   text        NOT NULL,
    subject      text        NOT NULL,
    data         bytea       NOT NULL,
    traceparent  text,
    created_at   timestamptz NOT NULL DEFAULT now(),
    published_at timestamptz,
    attempts     integer     NOT NULL DEFAULT 0,
    last_error   text
);
CREATE INDEX outbox_event_unpublished ON outbox_event (id) WHERE published_at IS NULL;
CREATE INDEX outbox_event_published ON outbox_event (published_at) WHERE published_at IS NOT NULL;

-- Durable background jobs, claimed with FOR UPDATE SKIP LOCKED under a lease.
CREATE TABLE job (
    id            bigserial   PRIMARY KEY,
    queue         text        NOT NULL,
    job_type      text        NOT NULL,
    payload       jsonb       NOT NULL DEFAULT '{}'::jsonb,
    status        text        NOT NULL DEFAULT 'READY'
                              CHECK (status IN ('READY', 'RUNNING', 'SUCCEEDED', 'FAILED')),
    attempts      integer     NOT NULL DEFAULT 0,
    max_attempts  integer     NOT NULL DEFAULT 10,
    run_at        timestamptz NOT NULL DEFAULT now(),
    locked_by     text,
    locked_until  timestamptz,
    last_error    text,
    dedupe_key    text        UNIQUE,
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now(),
    finished_at   timestamptz
);
CREATE INDEX job_ready ON job (queue, run_at, id) WHERE status = 'READY';
CREATE INDEX job_running_lease ON job (locked_until) WHERE status = 'RUNNING';
CREATE INDEX job_failed ON job (queue, updated_at DESC) WHERE status = 'FAILED';

-- Cron: one row per (task, occurrence); the instance that inserts it runs the occurrence.
CREATE TABLE cron_occurrence (
    task          text        NOT NULL,
    scheduled_for timestamptz NOT NULL,
    instance      text        NOT NULL,
    started_at    timestamptz NOT NULL DEFAULT now(),
    finished_at   timestamptz,
    outcome       text,
    PRIMARY KEY (task, scheduled_for)
);

-- Append-only audit of reads and changes of patient data and of DLQ payload reveals. Ids only, no PHI.
CREATE TABLE audit_log (
    id            bigserial   PRIMARY KEY,
    occurred_at   timestamptz NOT NULL DEFAULT now(),
    actor         text        NOT NULL,
    actor_role    text,
    action        text        NOT NULL,
    resource_type text        NOT NULL,
    resource_id   text,
    outcome       text        NOT NULL,
    reason        text,
    trace_id      text
);
CREATE INDEX audit_log_resource ON audit_log (resource_type, resource_id, occurred_at DESC);
CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_log is append-only';
END $$;
CREATE TRIGGER audit_log_no_update BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();

-- Idempotency-Key replay for POSTs that create things; rows expire after 24 hours.
CREATE TABLE idempotency_key (
    principal     text        NOT NULL,
    idem_key      text        NOT NULL,
    method        text        NOT NULL,
    path          text        NOT NULL,
    request_hash  text        NOT NULL,
    status        integer,
    response_body bytea,
    content_type  text,
    location      text,
    created_at    timestamptz NOT NULL DEFAULT now(),
    expires_at    timestamptz NOT NULL,
    PRIMARY KEY (principal, idem_key)
);
CREATE INDEX idempotency_key_expiry ON idempotency_key (expires_at);
