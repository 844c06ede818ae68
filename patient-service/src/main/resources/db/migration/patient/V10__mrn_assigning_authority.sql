-- The assigning authority (PID-3's CX-4) of the MRN a patient was registered with, when the LIS gave one: a message
-- naming the same MRN under another authority is another authority's patient, and is refused instead of applied to
-- this one (ADR 0025). Null for patients registered before, and for MRNs given without an authority; the first
-- message that gives one sets it.
ALTER TABLE patient ADD COLUMN mrn_authority text;
