-- V7 indexed the device tokens themselves: a GIN entry holds at most 2,712 bytes, so registering a token longer than
-- that (the API takes up to 4,096 characters) failed the statement and the app got a 500. The index holds each token's
-- MD5 instead; a lookup matches the digest through the index and the token itself on the row.
CREATE FUNCTION contact_push_token_keys(tokens text[]) RETURNS text[]
    LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
    AS $$ SELECT ARRAY(SELECT md5(token) FROM unnest(tokens) AS token) $$;

DROP INDEX contact_push_tokens;
CREATE INDEX contact_push_token_keys ON contact USING gin (contact_push_token_keys(push_tokens));
