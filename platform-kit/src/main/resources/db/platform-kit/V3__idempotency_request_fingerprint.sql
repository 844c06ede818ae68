-- Idempotency-Key: a retry whose JSON body says the same in other whitespace or key order is the same request.
-- request_fingerprint is "v2:" and the SHA-256 of the method, path and canonical body (RequestFingerprint).
-- request_hash stays the raw body's hash, written and compared as before, so an instance of the kit not yet
-- upgraded (a rolling deploy) still replays a row an upgraded one wrote; a row without a fingerprint (written
-- before this migration, or by such an instance) is compared by request_hash, as it was then.
ALTER TABLE idempotency_key ADD COLUMN request_fingerprint text;
