-- Capture at incident volume (hundreds of thousands of entries in minutes): what each stored entry costs
-- the database was measured statement by statement (docs/benchmarks.md, "DLQ capture").

-- Payloads are AES-GCM ciphertext, random bytes that never compress: kept out of line when the row is
-- large, without the compression attempt every insert paid.
ALTER TABLE dead_letter_entry
    ALTER COLUMN payload_ciphertext SET STORAGE EXTERNAL,
    ALTER COLUMN edited_payload_ciphertext SET STORAGE EXTERNAL;

-- Stack traces and messages compress well; lz4 does it for a fraction of pglz's CPU. A server built
-- without lz4 keeps pglz.
DO $$
BEGIN
    ALTER TABLE dead_letter_entry
        ALTER COLUMN error_stacktrace SET COMPRESSION lz4,
        ALTER COLUMN error_message SET COMPRESSION lz4,
        ALTER COLUMN headers SET COMPRESSION lz4;
EXCEPTION WHEN feature_not_supported OR invalid_parameter_value THEN
    RAISE NOTICE 'lz4 compression is not available on this server; pglz stays';
END
$$;

-- History rows are written only by the capture, in the statement that writes (or locks) their entry,
-- and deleted with their entry by retention (one statement). The foreign key's per-row check cost the
-- capture about a tenth of its database time, so it goes; nothing else writes or deletes these rows.
ALTER TABLE dead_letter_attempt DROP CONSTRAINT dead_letter_attempt_entry_id_fkey;

-- Bulk redrive: at most once per entry per job across crashes. A chunk is claimed (its highest item,
-- committed) before it is sent and the claim is cleared when the chunk is recorded; the pending items of
-- a claim no run cleared may have gone out, so they are failed as unconfirmed instead of being sent again.
ALTER TABLE bulk_redrive
    ADD COLUMN claimed_through integer,
    ADD COLUMN unconfirmed integer NOT NULL DEFAULT 0;
-- a bulk redrive without rate limit stores rate 0
ALTER TABLE bulk_redrive DROP CONSTRAINT bulk_redrive_rate_per_second_check;
ALTER TABLE bulk_redrive ADD CONSTRAINT bulk_redrive_rate_per_second_check CHECK (rate_per_second >= 0);
