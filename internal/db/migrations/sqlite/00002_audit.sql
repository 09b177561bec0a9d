-- +goose Up
-- The audit log: who did what to whose data, and why. Append-only and
-- tamper-evident: each town's rows form a hash chain (seq 1, 2, 3 ... each
-- row's prev_hash is the hash of the row before it), which `radnice audit
-- verify` recomputes. The hash covers every column below except id; the
-- serialisation is in internal/audit.

CREATE TABLE audit_log (
    id              INTEGER PRIMARY KEY,
    tenant_id       BIGINT NOT NULL REFERENCES tenants (id),
    seq             BIGINT NOT NULL CHECK (seq > 0),
    at              TIMESTAMP NOT NULL,
    actor_kind      TEXT NOT NULL,
    actor_id        BIGINT NOT NULL DEFAULT 0,
    actor_name      TEXT NOT NULL DEFAULT '',
    action          TEXT NOT NULL,
    subject_kind    TEXT NOT NULL DEFAULT '',
    subject_id      BIGINT NOT NULL DEFAULT 0,
    reason          TEXT NOT NULL DEFAULT '',
    details         TEXT NOT NULL DEFAULT '{}',
    request_id      TEXT NOT NULL DEFAULT '',
    ip              TEXT NOT NULL DEFAULT '',
    prev_hash       TEXT NOT NULL,
    hash            TEXT NOT NULL,
    UNIQUE (tenant_id, seq)
);
-- The auditors' questions: what did this official do, who looked at this
-- person, every rights change, everything in a period.
CREATE INDEX audit_log_actor ON audit_log (tenant_id, actor_kind, actor_id, seq);
CREATE INDEX audit_log_subject ON audit_log (tenant_id, subject_kind, subject_id, seq);
CREATE INDEX audit_log_action ON audit_log (tenant_id, action, seq);
CREATE INDEX audit_log_at ON audit_log (tenant_id, at);

-- Append-only at the database level. Anyone who can write the file can still
-- drop these triggers and rewrite rows; the hash chain detects that.
-- +goose StatementBegin
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only: UPDATE is not allowed');
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only: DELETE is not allowed');
END;
-- +goose StatementEnd

-- +goose Down
DROP TABLE audit_log;
