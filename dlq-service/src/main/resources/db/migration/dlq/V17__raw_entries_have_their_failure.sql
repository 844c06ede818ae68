-- A raw entry has its failure in the history, as a failed record has: the capture now inserts it with the
-- entry (attempt 1, the DLQ record's coordinates, the error message the record carried or the reason it is
-- raw). Before, a raw entry counted one attempt but listed no failure, and the daily report's failures, its
-- breakdowns and the volume-spike alert, which count the history, left raw entries out.
--
-- The raw entries stored before get theirs here (a rare kind: records on the DLQ topic that are not
-- failed-record messages).

INSERT INTO dead_letter_attempt (entry_id, attempt, failed_at, error_class, error_message, dlq_partition, dlq_offset,
    record_topic, record_partition, record_offset)
SELECT r.id, 1, r.first_failed_at, r.error_class, coalesce(r.error_message, r.raw_reason), r.dlq_partition,
    r.dlq_offset, r.original_topic, r.original_partition, r.original_offset
FROM dead_letter_record r
WHERE r.kind = 'RAW'
  AND NOT EXISTS (SELECT 1 FROM dead_letter_attempt a WHERE a.entry_id = r.id)
ON CONFLICT DO NOTHING;
