-- Devices are registered through the API (PUT /api/v1/patients/{patientId}/push-devices/{token}).
--
-- A device registered by one patient is taken from whoever had it before, so a shared or handed-on device stops
-- receiving the earlier patient's messages: found through this index of each token's MD5 (a lookup matches the
-- digest through the index and the token itself on the row). The tokens themselves would not fit: a GIN entry holds
-- at most 2,712 bytes, and the API takes tokens of up to 4,096 characters.
CREATE FUNCTION contact_push_token_keys(tokens text[]) RETURNS text[]
    LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
    AS $$ SELECT ARRAY(SELECT md5(token) FROM unnest(tokens) AS token) $$;
CREATE INDEX contact_push_token_keys ON contact USING gin (contact_push_token_keys(push_tokens));

-- When the device tokens last changed, apart from the channels and quiet hours (preferences_at): a device
-- registered through the API stamps only this, so a ContactPreferencesChanged made before the registration and
-- arriving after it (an opt-out) still changes the channels, while its older device list does not replace the
-- registered one. Null until the tokens change again: read as preferences_at until then.
ALTER TABLE contact ADD COLUMN push_tokens_at timestamptz;
