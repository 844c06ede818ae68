-- Bulk redrive items are written only when their job is created, in the transaction that inserts the job,
-- and jobs are never deleted: the foreign key's check per item (a query each, ~3.5 us) was a third of the
-- time a 100,000-entry job took to create (docs/benchmarks.md, "DLQ at incident volume, fifth pass").
ALTER TABLE bulk_redrive_item DROP CONSTRAINT bulk_redrive_item_bulk_id_fkey;
