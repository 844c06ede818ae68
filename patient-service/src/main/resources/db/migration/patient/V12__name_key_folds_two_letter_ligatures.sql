-- A name search folds the letters that stand for two (German ß is SS in capitals, Danish and Norwegian æ is written
-- ae, French œ oe, Dutch ĳ ij, Icelandic þ th): 'grossmann' and 'GROSSMANN' now find Großmann, and 'aero' Ærø, as
-- 'orsted' found Ørsted. The search folds what it is given with the same function, so 'großm' finds Grossmann too.
CREATE OR REPLACE FUNCTION patient_name_key(name text) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
    RETURN lower(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(
        translate(name,
        'ÀÁÂÃÄÅÇÈÉÊËÌÍÎÏÐÑÒÓÔÕÖØÙÚÛÜÝàáâãäåçèéêëìíîïðñòóôõöøùúûüýÿĀāĂăĄąĆćĈĉĊċČčĎďĐđĒēĔĕĖėĘęĚěĜĝĞğĠġĢģĤĥĦħĨĩĪīĬĭĮįİıĴĵĶķĹĺĻļĽľĿŀŁłŃńŅņŇňŌōŎŏŐőŔŕŖŗŘřŚśŜŝŞşŠšŢţŤťŦŧŨũŪūŬŭŮůŰűŲųŴŵŶŷŸŹźŻżŽž',
        'aaaaaaceeeeiiiidnoooooouuuuyaaaaaaceeeeiiiidnoooooouuuuyyaaaaaaccccccccddddeeeeeeeeeegggggggghhhhiiiiiiiiiijjkkllllllllllnnnnnnoooooorrrrrrssssssssttttttuuuuuuuuuuuuwwyyyzzzzzz'),
        'ß', 'ss'), 'ẞ', 'ss'), 'Æ', 'ae'), 'æ', 'ae'), 'Œ', 'oe'), 'œ', 'oe'), 'Ĳ', 'ij'), 'ĳ', 'ij'), 'Þ', 'th'),
        'þ', 'th'), 'ŉ', 'n'));

-- the keys the indexes hold were computed by the function before
REINDEX INDEX patient_family_key;
REINDEX INDEX patient_given_key;
