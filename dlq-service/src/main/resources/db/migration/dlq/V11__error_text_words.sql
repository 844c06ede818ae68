-- The words of an error message, as the search splits them (docs/services/dlq-service.md, "Search").
--
-- The text search indexed PostgreSQL's own tokens of the message, while the API splits the operator's
-- text into words of letters and digits. The two disagreed wherever the parser reads punctuation as part
-- of a token: the UUID 02c8e9cb-2b85-4536-8354-f9d6835952bd gave the token '-8354' (a signed number), a
-- topic name lab.test-results.v1 the tokens 'lab.test' and 'results.v1', a duration 30.5 one token '30.5'.
-- Searching for the booking id, the topic or the number found nothing. Now the message's punctuation
-- becomes spaces before it is split, so the index holds the same words the search looks for. The search's
-- condition (EntryFilter) repeats this expression exactly, so that it uses this index.
DROP INDEX dead_letter_record_error_text;
CREATE INDEX dead_letter_record_error_text ON dead_letter_record
    USING gin (to_tsvector('simple', regexp_replace(coalesce(error_message, ''), '[^[:alnum:]]+', ' ', 'g')));
