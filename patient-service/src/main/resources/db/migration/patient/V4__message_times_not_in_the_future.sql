-- An MSH-7 far in the future (a mistyped year) was stored as a patient's or an order's message time, and then
-- every later message of that patient or order was "older" and changed nothing. The reader now takes such a
-- message as sent when it was read (Hl7MessageReader.FUTURE_TOLERANCE, 15 minutes); records already frozen are
-- brought back to now, so the next message from the LIS applies again.
UPDATE patient SET lis_message_time = now()
WHERE lis_message_time > now() + interval '15 minutes';

UPDATE test_order SET lis_message_time = now()
WHERE lis_message_time > now() + interval '15 minutes';
