-- The attempt of each delivery whose provider call began, committed just before the call (ADR 0010). An attempt
-- left SENDING without it (its process died, or could not record the batch, before calling the provider) was
-- never sent: reconciliation sends it again on every channel. Before, it was asked about at the provider, and an
-- email or push (no lookup) ended FAILED "not sent again" although it had never gone out.
CREATE TABLE delivery_call (
    delivery_id uuid PRIMARY KEY REFERENCES delivery (id) ON DELETE CASCADE,
    attempt integer NOT NULL,
    called_at timestamptz NOT NULL
);

-- the attempts in flight when this version came may have been sent: they are asked about as before
INSERT INTO delivery_call (delivery_id, attempt, called_at)
SELECT id, attempts, coalesce(sending_started_at, state_changed_at) FROM delivery WHERE state = 'SENDING';
