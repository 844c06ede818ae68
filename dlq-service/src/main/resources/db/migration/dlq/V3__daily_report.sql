-- The daily report: built once per UTC day by the wrk--default worker (the cron role enqueues it), kept
-- for the API (JSON and CSV).
CREATE TABLE daily_report (
    day      date        PRIMARY KEY,
    built_at timestamptz NOT NULL DEFAULT now(),
    content  jsonb       NOT NULL
);

-- failures per day, for the report
CREATE INDEX dead_letter_attempt_failed_at ON dead_letter_attempt (failed_at);
