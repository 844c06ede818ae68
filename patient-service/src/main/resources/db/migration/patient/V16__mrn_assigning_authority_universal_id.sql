-- The universal id (CX-4's HD-2, an OID say) of the authority that assigned a patient's MRN, when a message gave one
-- (ADR 0025, amended): one authority is often named by its namespace id and universal id in one message
-- (CITYLAB&1.2.3.4&ISO) and by the universal id alone in another (&1.2.3.4&ISO), which was refused as another
-- authority's patient, since mrn_authority keeps the namespace id when there is one. Null for patients recorded
-- before, and for authorities given by their namespace id alone; the first message that gives it sets it.
ALTER TABLE patient ADD COLUMN mrn_authority_universal_id text;
