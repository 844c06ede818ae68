-- Bulk redrive without rate limit sends several chunks at once (dlq.redrive.unthrottled-lanes), each
-- claimed and recorded on its own: claimed_through is the highest item of every open claim and
-- open_claims how many are open. The next claim starts after claimed_through; the last claim recorded
-- clears it. A run that finds claimed_through set at its start retires the claims no run finished (their
-- pending items may have gone out: failed as unconfirmed, never sent again).
ALTER TABLE bulk_redrive ADD COLUMN open_claims integer NOT NULL DEFAULT 0;
UPDATE bulk_redrive SET open_claims = 1 WHERE claimed_through IS NOT NULL;

-- Redrive rows are written only by the redriver, in the transaction that holds their entry's row lock,
-- and deleted with their entry by retention (one statement, as the history rows since V5): the foreign
-- key's check per inserted row (a query each) goes.
ALTER TABLE dead_letter_redrive DROP CONSTRAINT dead_letter_redrive_entry_id_fkey;
