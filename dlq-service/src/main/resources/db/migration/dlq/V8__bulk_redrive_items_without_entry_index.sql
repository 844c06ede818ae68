-- Bulk redrive at volume, fourth pass (docs/benchmarks.md, "DLQ at incident volume, fourth pass").

-- An item's entry is unique within its job by construction: the selection is a query of dead_letter_entry
-- (one row per entry) or a de-duplicated id list (BulkRedrives.selection). The unique index that said so
-- again cost an index entry per item when the job was created and another each time an item was marked
-- (the update is never HOT: state is in the pending index's predicate), and nothing reads it.
ALTER TABLE bulk_redrive_item DROP CONSTRAINT bulk_redrive_item_bulk_id_entry_id_key;
