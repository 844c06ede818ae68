-- A name search leaves out apostrophes, typed or typographic: O'Brien, O’Brien (which the reader makes of a Windows
-- O\x92Brien) and OBrien share the key 'obrien', so each is found however the name was written or is typed. The
-- apostrophes are ' (U+0027), ’ and ‘ (U+2019, U+2018), the modifier letter ʼ (U+02BC), and the grave and acute
-- accents ` and ´ (U+0060, U+00B4) that keyboards without an apostrophe put in its place. V12's function otherwise.
CREATE OR REPLACE FUNCTION patient_name_key(name text) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
    RETURN lower(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(
        translate(translate(name, '''’‘ʼ`´', ''),
        'ÀÁÂÃÄÅÇÈÉÊËÌÍÎÏÐÑÒÓÔÕÖØÙÚÛÜÝàáâãäåçèéêëìíîïðñòóôõöøùúûüýÿĀāĂăĄąĆćĈĉĊċČčĎďĐđĒēĔĕĖėĘęĚěĜĝĞğĠġĢģĤĥĦħĨĩĪīĬĭĮįİıĴĵĶķĹĺĻļĽľĿŀŁłŃńŅņŇňŌōŎŏŐőŔŕŖŗŘřŚśŜŝŞşŠšŢţŤťŦŧŨũŪūŬŭŮůŰűŲųŴŵŶŷŸŹźŻżŽž',
        'aaaaaaceeeeiiiidnoooooouuuuyaaaaaaceeeeiiiidnoooooouuuuyyaaaaaaccccccccddddeeeeeeeeeegggggggghhhhiiiiiiiiiijjkkllllllllllnnnnnnoooooorrrrrrssssssssttttttuuuuuuuuuuuuwwyyyzzzzzz'),
        'ß', 'ss'), 'ẞ', 'ss'), 'Æ', 'ae'), 'æ', 'ae'), 'Œ', 'oe'), 'œ', 'oe'), 'Ĳ', 'ij'), 'ĳ', 'ij'), 'Þ', 'th'),
        'þ', 'th'), 'ŉ', 'n'));

-- the keys the indexes hold were computed by the function before
REINDEX INDEX patient_family_key;
REINDEX INDEX patient_given_key;
REINDEX INDEX patient_middle_key;
