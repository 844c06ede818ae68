-- Facets over a window read both tables from their indexes alone (docs/benchmarks.md "DLQ facets over a
-- day of one service, built").
--
-- The facets count each selected entry's status, source service, topic and error class. They looked up each
-- selected record's state by primary key (8 µs each: 170 ms for a day of one service, 21,600 entries) and
-- read every selected record from the heap (a record is ~2 kB, four to a page). Now the state is joined
-- by the same window (its copy of last_failed_at, on (status, last_failed_at, id)), and the newest-first
-- index carries the three counted columns, so the records of a window are read from that index alone. The
-- planner still picks the primary-key lookups for a small selection in a long window.
--
-- The index replaces dead_letter_record_recent (same key, same order: searches and keyset pages use it
-- as before); built before the old one is dropped, so no query is ever without it.

CREATE INDEX dead_letter_record_recent_counted ON dead_letter_record (last_failed_at DESC, id DESC)
    INCLUDE (source_service, original_topic, error_class);

DROP INDEX dead_letter_record_recent;

ALTER INDEX dead_letter_record_recent_counted RENAME TO dead_letter_record_recent;
