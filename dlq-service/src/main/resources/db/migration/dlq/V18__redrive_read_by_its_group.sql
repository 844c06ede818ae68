-- A redrive nobody reported on within the outcome timeout, whose record the entry's consumer group has
-- committed past, is taken as processed: outcome CONSUMED. A consumer outside the platform (a Spring Kafka
-- application whose DeadLetterPublishingRecoverer writes to dlq.messages.v1) never reports an outcome; before,
-- each of its redrives timed out, was sent again, and after the last attempt its entry failed permanently with
-- an alert although the first redrive had been processed.
ALTER TABLE dead_letter_redrive DROP CONSTRAINT dead_letter_redrive_outcome_check;
ALTER TABLE dead_letter_redrive ADD CONSTRAINT dead_letter_redrive_outcome_check
    CHECK (outcome IN ('SUCCEEDED', 'FAILED', 'TIMED_OUT', 'CONSUMED'));
