-- An order or result message for an MRN not registered yet is parked (reason 'unknown patient') and
-- replayed when that MRN's ADT^A04 (or A08) is recorded, in the same transaction. mrns: the MRNs the
-- message names, to find it by; source_timestamp: the Kafka record's timestamp, the release time of last
-- resort for a result (as when it is applied at once). Rows parked before this column existed have no
-- mrns and are not replayed.
ALTER TABLE lis_unhandled_message
    ADD COLUMN mrns text[],
    ADD COLUMN source_timestamp timestamptz;
CREATE INDEX lis_unhandled_message_parked ON lis_unhandled_message USING gin (mrns) WHERE reason = 'unknown patient';
