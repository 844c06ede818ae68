-- Capture and bulk redrive at incident volume, second pass (docs/benchmarks.md, "DLQ capture").

-- A failed record's row (1 KB ciphertext, a ~2 KB stack trace, headers) is about 3.5 kB. Past the default
-- 2 kB TOAST target every captured row had its stack trace compressed and its ciphertext moved to the TOAST
-- table: a second heap row and a TOAST index entry per capture. Rows up to 4 kB now stay whole in the
-- heap page (two per page); longer ones are still compressed and moved out of line.
ALTER TABLE dead_letter_entry SET (toast_tuple_target = 4080);

-- History rows and redrives are appended in time order and only ever searched by time range (the volume
-- spike alert's last two hours, the daily report's day): a BRIN index answers those ranges for a few
-- pages of index and next to no work per insert, where a btree took an index entry per row.
DROP INDEX dead_letter_attempt_failed_at;
CREATE INDEX dead_letter_attempt_failed_at ON dead_letter_attempt USING brin (failed_at) WITH (autosummarize = on);
DROP INDEX dead_letter_redrive_sent;
CREATE INDEX dead_letter_redrive_sent ON dead_letter_redrive USING brin (sent_at) WITH (autosummarize = on);
