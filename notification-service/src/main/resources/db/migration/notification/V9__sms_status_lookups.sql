-- An SMS Twilio accepted (SENT) whose final status never came back (the status callback was lost: this service was
-- down, a network fault, or the local run's stand-in was killed with its callbacks still to come) is asked for at
-- Twilio by its sid (receipts.SmsStatusReconciliation, role cron). status_checked_at: when it was last asked, NULL
-- before the first time; each ask waits as long again as the message had been sent when it was last asked, up to
-- the give-up age. Written only by that claim, under the delivery's row lock; the rest of the delivery is the
-- aggregate's, changed with its notification locked.
ALTER TABLE delivery ADD COLUMN status_checked_at timestamptz;

-- The SMS to ask about, oldest first: sent, no final status, not given up (one whose final status was never learnt
-- keeps the reason why, and leaves this index).
CREATE INDEX delivery_sms_unconfirmed ON delivery (state_changed_at)
    WHERE channel = 'SMS' AND state = 'SENT' AND reason IS NULL;
