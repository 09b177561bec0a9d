-- +goose Up
-- Payments: card attempts through gateways, bank transfers from statements,
-- cash at the counter. A payment is written before a gateway is called; its
-- ledger entries are unique per (payment, obligation), so it is applied
-- exactly once however many callbacks arrive.

CREATE TABLE payments (
    id              INTEGER PRIMARY KEY,
    tenant_id       BIGINT NOT NULL REFERENCES tenants (id),
    channel         TEXT NOT NULL CHECK (channel IN ('card', 'transfer', 'cash')),
    gateway         TEXT NOT NULL DEFAULT '',
    gateway_ref     TEXT NOT NULL DEFAULT '',
    vs              BIGINT,
    amount          BIGINT NOT NULL CHECK (amount > 0),
    currency        TEXT NOT NULL DEFAULT 'CZK',
    state           TEXT NOT NULL CHECK (state IN ('pending', 'paid', 'cancelled')),
    detail          TEXT NOT NULL DEFAULT '',
    person_id       BIGINT,
    company_id      BIGINT,
    created_by      TEXT NOT NULL DEFAULT '',
    created_at      TIMESTAMP NOT NULL,
    resolved_at     TIMESTAMP,
    UNIQUE (tenant_id, id),
    UNIQUE (tenant_id, vs),
    FOREIGN KEY (tenant_id, person_id) REFERENCES persons (tenant_id, id),
    FOREIGN KEY (tenant_id, company_id) REFERENCES companies (tenant_id, id)
);
CREATE INDEX payments_pending ON payments (state, created_at) WHERE state = 'pending';
CREATE INDEX payments_gateway_ref ON payments (tenant_id, gateway, gateway_ref) WHERE gateway_ref <> '';

-- What a payment pays, obligation by obligation (a basket pays several).
CREATE TABLE payment_items (
    tenant_id       BIGINT NOT NULL REFERENCES tenants (id),
    payment_id      BIGINT NOT NULL,
    obligation_id   BIGINT NOT NULL,
    amount          BIGINT NOT NULL CHECK (amount > 0),
    PRIMARY KEY (payment_id, obligation_id),
    FOREIGN KEY (tenant_id, payment_id) REFERENCES payments (tenant_id, id),
    FOREIGN KEY (tenant_id, obligation_id) REFERENCES obligations (tenant_id, id)
);
CREATE INDEX payment_items_obligation ON payment_items (tenant_id, obligation_id);

-- Transactions read from bank statements; (account, ref) is the bank's
-- unique reference, so a statement imported twice adds nothing.
CREATE TABLE bank_transactions (
    id              INTEGER PRIMARY KEY,
    tenant_id       BIGINT NOT NULL REFERENCES tenants (id),
    account         TEXT NOT NULL,
    ref             TEXT NOT NULL,
    booked          DATE NOT NULL,
    amount          BIGINT NOT NULL,
    vs              BIGINT NOT NULL DEFAULT 0,
    ss              BIGINT NOT NULL DEFAULT 0,
    ks              BIGINT NOT NULL DEFAULT 0,
    counter_account TEXT NOT NULL DEFAULT '',
    counter_name    TEXT NOT NULL DEFAULT '',
    message         TEXT NOT NULL DEFAULT '',
    state           TEXT NOT NULL CHECK (state IN ('new', 'matched', 'unmatched', 'assigned', 'ignored')),
    obligation_id   BIGINT,
    payment_id      BIGINT,
    imported_at     TIMESTAMP NOT NULL,
    UNIQUE (tenant_id, id),
    UNIQUE (tenant_id, account, ref),
    FOREIGN KEY (tenant_id, obligation_id) REFERENCES obligations (tenant_id, id),
    FOREIGN KEY (tenant_id, payment_id) REFERENCES payments (tenant_id, id)
);
CREATE INDEX bank_transactions_state ON bank_transactions (tenant_id, state);

-- A ledger entry names what caused it; each cause books once per obligation.
ALTER TABLE ledger_entries ADD COLUMN payment_id BIGINT;
ALTER TABLE ledger_entries ADD COLUMN bank_tx_id BIGINT;
CREATE UNIQUE INDEX ledger_entries_payment ON ledger_entries (tenant_id, payment_id, obligation_id, kind) WHERE payment_id IS NOT NULL;
CREATE UNIQUE INDEX ledger_entries_bank_tx ON ledger_entries (tenant_id, bank_tx_id, obligation_id, kind) WHERE bank_tx_id IS NOT NULL;

-- +goose Down
DROP INDEX ledger_entries_bank_tx;
DROP INDEX ledger_entries_payment;
ALTER TABLE ledger_entries DROP COLUMN bank_tx_id;
ALTER TABLE ledger_entries DROP COLUMN payment_id;
DROP TABLE bank_transactions;
DROP TABLE payment_items;
DROP TABLE payments;
