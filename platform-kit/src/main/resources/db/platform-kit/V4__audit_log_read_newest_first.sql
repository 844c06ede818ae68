-- GET /api/v1/ops/audit reads the log newest first, in keyset pages of (occurred_at, id): over every record, or one
-- actor's. One resource's records use audit_log_resource (V1). A service that audits every read of patient data
-- writes millions of rows; without these a page walked the table.
CREATE INDEX audit_log_newest ON audit_log (occurred_at DESC, id DESC);
CREATE INDEX audit_log_actor ON audit_log (actor, occurred_at DESC, id DESC);
