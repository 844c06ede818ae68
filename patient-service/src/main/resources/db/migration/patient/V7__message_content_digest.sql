-- A message is its sender's control id and what it says (LisDigest: SHA-256 of the record but MSH-7). A LIS
-- that counts its control ids again from 1 sends other messages under ids it used before; claimed by the id
-- alone, they were dropped as duplicates (a result never released, a patient never registered). Kept messages
-- are known the same way, so two different messages kept under one control id are both kept. Rows kept before
-- have the digest ''.
ALTER TABLE lis_unhandled_message ADD COLUMN content_digest text NOT NULL DEFAULT '';
ALTER TABLE lis_unhandled_message DROP CONSTRAINT lis_unhandled_message_sender_control_id;
ALTER TABLE lis_unhandled_message ADD CONSTRAINT lis_unhandled_message_sender_control_id_digest
    UNIQUE (consumer_group, sender, message_control_id, content_digest);
