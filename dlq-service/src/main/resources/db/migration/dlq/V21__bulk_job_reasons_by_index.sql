-- One bulk redrive job's view says why its failed and skipped items were not sent (`failures`, `skips`): two
-- queries of the job's items grouped by their detail, run by every read of the job and every pause, resume and
-- cancel answer. Without an index of their own they read the job through a scan: measured on a job of 200,000
-- items (600 failed, 400 skipped) beside 300,000 of other jobs, 36 to 53 ms a query, about 100 ms a view; with this
-- one, 0.9 to 2.2 ms. Partial, so it holds only the items that were not sent: an item's move to SENT adds nothing
-- to it, and its move out of PENDING is not a heap-only update anyway (the pending index names the state).
CREATE INDEX bulk_redrive_item_not_sent ON bulk_redrive_item (bulk_id, state) WHERE state IN ('FAILED', 'SKIPPED');
