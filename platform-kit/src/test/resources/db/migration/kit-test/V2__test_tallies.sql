-- Rows two connections can fight over: a deadlock, a lock timeout, a serialization failure on the real database.
CREATE TABLE test_tally (
    id integer PRIMARY KEY,
    n  integer NOT NULL DEFAULT 0
);
INSERT INTO test_tally (id) VALUES (1), (2), (3);
