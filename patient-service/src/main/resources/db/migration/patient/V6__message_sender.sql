-- A message control id (MSH-10) is unique per sender (MSH-3 application, MSH-4 facility), not across every
-- LIS: a kept message is known by its sender with its control id, as the processed-message row is
-- (platform-kit V2). Rows kept before have sender ''.
ALTER TABLE lis_unhandled_message ADD COLUMN sender text NOT NULL DEFAULT '';
ALTER TABLE lis_unhandled_message DROP CONSTRAINT lis_unhandled_message_consumer_group_message_control_id_key;
ALTER TABLE lis_unhandled_message ADD CONSTRAINT lis_unhandled_message_sender_control_id
    UNIQUE (consumer_group, sender, message_control_id);
