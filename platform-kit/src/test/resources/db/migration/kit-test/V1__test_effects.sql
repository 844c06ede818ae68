CREATE TABLE test_effect (
    id         bigserial PRIMARY KEY,
    event_id   text NOT NULL,
    value      text NOT NULL
);
CREATE TABLE test_job_run (
    job_id     bigint NOT NULL,
    worker     text   NOT NULL,
    ran_at     timestamptz NOT NULL DEFAULT now()
);
