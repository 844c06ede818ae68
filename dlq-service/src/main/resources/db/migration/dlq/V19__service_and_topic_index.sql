-- Searches by source service and topic together read one index range (docs/benchmarks.md, twenty-fifth
-- session).
--
-- A search by service and topic is a page of the newest entries with both. The planner read the service's
-- index newest first and dropped the entries of other topics until it had a page. That is quick when the
-- pair is common, but a pair with few or no entries (a topic the service does not consume: an operator
-- picks a service, then a topic from the list) walked every entry of the service: 300 ms to 1 s at
-- 1,000,000 entries, found by a new-user probe. With both columns ahead of the time, the pair's entries are
-- one range of this index, newest first, whatever their number.
--
-- A capture writes one more index entry per record (about 2 µs of PostgreSQL each, sixth pass). On a large
-- table the migration holds the table's write lock while it builds (a few seconds at 1,000,000 entries): the
-- capture's records wait on the topic meanwhile.

CREATE INDEX dead_letter_record_service_topic_recent
    ON dead_letter_record (source_service, original_topic, last_failed_at, id);
