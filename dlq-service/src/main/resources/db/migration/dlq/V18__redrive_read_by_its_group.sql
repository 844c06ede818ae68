-- A redrive nobody reported on within the outcome timeout, whose record the entry's consumer group has
-- committed past, is taken as processed: outcome CONSUMED. One the group has not read yet is waited for (checked
-- again at outcome_check_at) instead of being sent again (ADR 0019). A consumer outside the platform (a Spring Kafka
-- application whose DeadLetterPublishingRecoverer writes to dlq.messages.v1) never reports an outcome; before,
-- each of its redrives timed out, was sent again, and after the last attempt its entry failed permanently with
-- an alert although the first redrive had been processed.
ALTER TABLE dead_letter_redrive DROP CONSTRAINT dead_letter_redrive_outcome_check;
ALTER TABLE dead_letter_redrive ADD CONSTRAINT dead_letter_redrive_outcome_check
    CHECK (outcome IN ('SUCCEEDED', 'FAILED', 'TIMED_OUT', 'CONSUMED'));

-- when a redrive in flight whose group has not read it yet is looked at again (NULL: not looked at yet)
ALTER TABLE dead_letter_state ADD COLUMN outcome_check_at timestamptz;
DROP INDEX dead_letter_state_retrying;
CREATE INDEX dead_letter_state_retrying ON dead_letter_state (redriven_at)
    WHERE status = 'RETRYING' AND outcome_check_at IS NULL;
CREATE INDEX dead_letter_state_outcome_check ON dead_letter_state (outcome_check_at)
    WHERE status = 'RETRYING' AND outcome_check_at IS NOT NULL;
