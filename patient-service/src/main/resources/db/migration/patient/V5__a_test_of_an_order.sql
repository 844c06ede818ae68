-- An order number does not name one test: an LIS may send the tests of one accession (a panel, a culture and
-- its susceptibilities) as OBRs with one order number and their own codes (OBR-4). Keyed by the order number
-- alone, each overwrote the one before: a final result was lost behind a preliminary one and never announced.
-- A row is now a test of an order; an order still belongs to one patient (TestOrders checks every test of it).
ALTER TABLE test_order DROP CONSTRAINT test_order_pkey;
ALTER TABLE test_order ADD PRIMARY KEY (order_id, test_code);
