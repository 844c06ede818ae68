-- When each entry became RESOLVED, PERMANENTLY_FAILED or DISCARDED: what the daily report counts as the entries
-- resolved, permanently failed and discarded that day.
--
-- The report counted them from each entry's state as it was at build time: resolved by resolved_at, permanently
-- failed and discarded by the status it still had and status_changed_at. So an entry that failed permanently at
-- 13:05 (its alert sent) and was redriven and resolved the same day counted no permanent failure; one resolved and
-- then reopened by a new failure of its record (which clears resolved_at) counted no resolution; and a past day's
-- figures changed whenever its report was rebuilt (a new-user probe). No other history holds these changes: a
-- redrive's outcome is not its entry's resolution (a late SUCCEEDED of an older redrive resolves nothing, a CONSUMED
-- one that then fails is FAILED), a permanent failure after a refused send has no outcome at all, and the audit log
-- holds only the operators' actions.
--
-- Append-only: a row per change of a state's status into one of the three (a state updated to the status it
-- has adds none), written by the trigger below in the transaction and at the time (now()) of the change, so every
-- path records it: the retry schedule, outcomes, discards, and an operator's SQL through the view alike. Changes
-- into the other statuses (each capture's NEW or RETRY_SCHEDULED, each redrive's RETRYING) are not kept: the
-- capture and the redrives write nothing more (the trigger's condition is checked per row, the function runs only
-- for these changes). Measured on 200,000 state rows (PostgreSQL alone): updated to RETRY_SCHEDULED and back, 3.4
-- to 4.0 s a statement without the trigger and 3.4 to 4.3 s with it (the noise of the run); updated to RESOLVED,
-- 5.9 s: about 11 us per change recorded. Retention deletes an entry's rows with the entry, as its failures and
-- redrives.
CREATE TABLE dead_letter_status_change (
    entry_id   uuid        NOT NULL,
    status     text        NOT NULL CHECK (status IN ('RESOLVED', 'PERMANENTLY_FAILED', 'DISCARDED')),
    changed_at timestamptz NOT NULL
);
-- retention's delete by entry
CREATE INDEX dead_letter_status_change_entry ON dead_letter_status_change (entry_id);
-- the report's day, read by time range only; rows arrive in time order, as the failures' (V6)
CREATE INDEX dead_letter_status_change_at ON dead_letter_status_change USING brin (changed_at);

CREATE FUNCTION dead_letter_status_change_record() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO dead_letter_status_change (entry_id, status, changed_at) VALUES (NEW.id, NEW.status, now());
    RETURN NULL;
END
$$;

CREATE TRIGGER dead_letter_status_change AFTER UPDATE OF status ON dead_letter_state
    FOR EACH ROW
    WHEN (NEW.status IS DISTINCT FROM OLD.status AND NEW.status IN ('RESOLVED', 'PERMANENTLY_FAILED', 'DISCARDED'))
    EXECUTE FUNCTION dead_letter_status_change_record();

-- The changes before this migration are known only as the state keeps them: the last resolution of each entry
-- (a DISCARDED one keeps its resolved_at too), and the change into the status it has. Those are what the report
-- counted, so a day before this migration, rebuilt, keeps the figures it had.
INSERT INTO dead_letter_status_change (entry_id, status, changed_at)
SELECT id, status, changed_at FROM (
    SELECT id, 'RESOLVED' AS status, resolved_at AS changed_at FROM dead_letter_state WHERE resolved_at IS NOT NULL
    UNION ALL
    SELECT id, status, coalesce(status_changed_at, updated_at) FROM dead_letter_state
    WHERE status IN ('PERMANENTLY_FAILED', 'DISCARDED')
) AS known
ORDER BY changed_at;
