-- The parts of a name beside the given and family names (HL7 XPN-3 middle names, XPN-5 prefix, XPN-4 suffix), which
-- were dropped. Null for patients recorded before: the LIS's next message that states the name fills them.
ALTER TABLE patient ADD COLUMN middle_names text, ADD COLUMN name_prefix text, ADD COLUMN name_suffix text;
