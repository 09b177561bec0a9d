-- +goose Up
-- Refunds of overpayments: a fee clerk asks, another official approves; only
-- then is the refund booked (once).
CREATE TABLE refunds (
    id              INTEGER PRIMARY KEY,
    tenant_id       BIGINT NOT NULL REFERENCES tenants (id),
    obligation_id   BIGINT NOT NULL,
    amount          BIGINT NOT NULL CHECK (amount > 0),
    reason          TEXT NOT NULL,
    account         TEXT NOT NULL DEFAULT '',
    state           TEXT NOT NULL CHECK (state IN ('requested', 'approved', 'rejected')),
    requested_by    BIGINT NOT NULL,
    requested_at    TIMESTAMP NOT NULL,
    decided_by      BIGINT,
    decided_at      TIMESTAMP,
    UNIQUE (tenant_id, id),
    FOREIGN KEY (tenant_id, obligation_id) REFERENCES obligations (tenant_id, id)
);
CREATE INDEX refunds_requested ON refunds (tenant_id, state);

ALTER TABLE ledger_entries ADD COLUMN refund_id BIGINT;
CREATE UNIQUE INDEX ledger_entries_refund ON ledger_entries (tenant_id, refund_id) WHERE refund_id IS NOT NULL;

-- +goose Down
DROP INDEX ledger_entries_refund;
ALTER TABLE ledger_entries DROP COLUMN refund_id;
DROP TABLE refunds;
