-- A birth date the LIS gave as a year or a month alone (PID-7 1975, 197503) is kept, as the first day of its period
-- with its precision; null is a day, as every birth date stored before was.
ALTER TABLE patient ADD COLUMN birth_date_precision text
    CONSTRAINT patient_birth_date_precision CHECK (birth_date_precision IN ('YEAR', 'MONTH'));
