-- CloudEvents makes an event unique by source and id together ("producers MUST ensure that source + id is
-- unique"), not by id alone: two producers may both send an event with id 1. Keyed by id alone, the second
-- was taken for a duplicate and silently dropped. Rows written before this migration have source '' and are
-- still honoured as duplicates by id (ProcessedMessages), until Housekeeping purges them.
ALTER TABLE processed_message ADD COLUMN source text NOT NULL DEFAULT '';
ALTER TABLE processed_message DROP CONSTRAINT processed_message_pkey;
ALTER TABLE processed_message ADD PRIMARY KEY (consumer_group, source, event_id);
