-- Patients the LIS merged into another (PatientMerged on patient.events.v1, ADR 0022): the merged id names the same
-- person as the survivor's. Every patient id this service reads (a booking request, a token's patient_id, a path) is
-- read as its survivor's, and the merged patient's bookings were moved to the survivor when the merge came. A chain
-- (A merged into B, then B into C) is kept flat: every merged id names the last survivor.
CREATE TABLE patient_merge (
    merged_patient_id text        PRIMARY KEY,
    patient_id        text        NOT NULL,
    merged_at         timestamptz,
    recorded_at       timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT patient_merge_not_itself CHECK (merged_patient_id <> patient_id)
);

CREATE INDEX patient_merge_survivor ON patient_merge (patient_id);
CREATE INDEX queue_entry_patient ON queue_entry (patient_id);
