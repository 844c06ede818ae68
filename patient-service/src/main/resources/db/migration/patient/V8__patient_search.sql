-- Staff search patients by name, as FHIR's string search does: a prefix of the name, whatever its case and the
-- accents of its Latin letters ('zoe' finds Zoë and ZOÉ; 'lodz' finds Łódź). The key is lower case (lower() in the
-- database's locale) with the letters of Latin-1 and Latin Extended-A without their marks; a letter of another
-- script keeps its marks. Keys are ordered and compared in the C collation: code point order, the same in every
-- locale. A prefix is the range [key, key || U+10FFFF), which a btree serves where LIKE 'key%' would not.
CREATE FUNCTION patient_name_key(name text) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
    RETURN lower(translate(name,
        'ÀÁÂÃÄÅÇÈÉÊËÌÍÎÏÐÑÒÓÔÕÖØÙÚÛÜÝàáâãäåçèéêëìíîïðñòóôõöøùúûüýÿĀāĂăĄąĆćĈĉĊċČčĎďĐđĒēĔĕĖėĘęĚěĜĝĞğĠġĢģĤĥĦħĨĩĪīĬĭĮįİıĴĵĶķĹĺĻļĽľĿŀŁłŃńŅņŇňŌōŎŏŐőŔŕŖŗŘřŚśŜŝŞşŠšŢţŤťŦŧŨũŪūŬŭŮůŰűŲųŴŵŶŷŸŹźŻżŽž',
        'aaaaaaceeeeiiiidnoooooouuuuyaaaaaaceeeeiiiidnoooooouuuuyyaaaaaaccccccccddddeeeeeeeeeegggggggghhhhiiiiiiiiiijjkkllllllllllnnnnnnoooooorrrrrrssssssssttttttuuuuuuuuuuuuwwyyyzzzzzz'));

-- A search lists by family name, given name, then id: the keyset of its pages. A family name prefix uses this
-- index; a given name prefix the next; a birth date the last.
CREATE INDEX patient_family_key ON patient (patient_name_key(coalesce(family_name, '')) COLLATE "C",
    patient_name_key(coalesce(given_name, '')) COLLATE "C", id);
CREATE INDEX patient_given_key ON patient (patient_name_key(coalesce(given_name, '')) COLLATE "C");
CREATE INDEX patient_birth_date ON patient (birth_date);
