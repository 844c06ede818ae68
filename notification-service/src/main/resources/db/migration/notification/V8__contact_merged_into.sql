-- The patient a merged patient's record was merged into (ADT^A40, PatientMerged; ADR 0023), so that a patient whose
-- identity provider still names their first record reads the survivor's notifications and preferences, as the
-- patient service lets them read the survivor's record. A merge of the survivor later points the earlier ones on,
-- through the partial index.
ALTER TABLE contact ADD COLUMN merged_into text;

CREATE INDEX contact_merged_into ON contact (merged_into) WHERE merged_into IS NOT NULL;
