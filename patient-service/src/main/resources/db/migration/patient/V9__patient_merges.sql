-- ADT^A40 merges a patient into another: the record of the MRN the merge names (MRG-1) is kept, marked merged into
-- the surviving patient (PID-3), and its test orders move to the survivor. A record merged into a patient that is
-- merged later points to the last survivor: one step always leads to the patient to use.
ALTER TABLE patient ADD COLUMN merged_into uuid REFERENCES patient (id);
ALTER TABLE patient ADD COLUMN merged_at timestamptz;
ALTER TABLE patient ADD CONSTRAINT patient_not_merged_into_itself CHECK (merged_into IS DISTINCT FROM id);
CREATE INDEX patient_merged_into ON patient (merged_into) WHERE merged_into IS NOT NULL;
