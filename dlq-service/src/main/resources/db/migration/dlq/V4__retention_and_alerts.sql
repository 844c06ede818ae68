-- Ops alerts (package alerts): fingerprints already seen, so a new failure pattern alerts once, seeded
-- with the patterns stored so far.
CREATE TABLE alert_fingerprint (
    fingerprint   text        PRIMARY KEY,
    first_seen_at timestamptz NOT NULL DEFAULT now()
);
INSERT INTO alert_fingerprint (fingerprint, first_seen_at)
SELECT fingerprint, min(first_failed_at) FROM dead_letter_entry WHERE fingerprint IS NOT NULL GROUP BY fingerprint
ON CONFLICT DO NOTHING;

-- Each alert the notifications worker handled (one per de-duplication key): whether it was delivered or
-- suppressed by the per-type rate limit, and when the webhook took it.
CREATE TABLE ops_alert (
    dedupe_key      text        PRIMARY KEY,
    alert_type      text        NOT NULL,
    delivered       boolean     NOT NULL,
    webhook_sent_at timestamptz,
    created_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX ops_alert_type_recent ON ops_alert (alert_type, created_at) WHERE delivered;

-- Retention: resolved and discarded entries by their last change.
CREATE INDEX dead_letter_entry_closed ON dead_letter_entry (updated_at) WHERE status IN ('RESOLVED', 'DISCARDED');
