-- FHIR's given (and name) search matches every given name of a HumanName, and a patient's middle names are given
-- names after the first (HL7 XPN-3; FhirPatients writes them as a second given). Searches by given or by name now
-- also match the start of the middle names; this index serves that, as patient_given_key serves the first given
-- name. Partial: most patients have no middle names, and the search states the same condition.
CREATE INDEX patient_middle_key ON patient (patient_name_key(middle_names) COLLATE "C")
    WHERE middle_names IS NOT NULL;
