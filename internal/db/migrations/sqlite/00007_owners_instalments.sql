-- +goose Up
-- Households owe too: a household's obligation (the waste fee of a flat, the
-- rent of a town flat) is billed to the household's representative
-- (společný zástupce) in person_id and seen by every adult of the household.
-- SQLite cannot add a composite foreign key or a check to a table, so a
-- trigger keeps the household in the obligation's town and the payer set.
ALTER TABLE obligations ADD COLUMN household_id BIGINT REFERENCES households (id);
CREATE INDEX obligations_household ON obligations (tenant_id, household_id) WHERE household_id IS NOT NULL;
CREATE INDEX household_members_household ON household_members (tenant_id, household_id);
-- +goose StatementBegin
CREATE TRIGGER obligations_household_insert BEFORE INSERT ON obligations
WHEN NEW.household_id IS NOT NULL AND (NEW.person_id IS NULL OR NOT EXISTS
    (SELECT 1 FROM households h WHERE h.tenant_id = NEW.tenant_id AND h.id = NEW.household_id))
BEGIN
    SELECT RAISE(ABORT, 'obligations_household: household of another town or no payer');
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER obligations_household_update BEFORE UPDATE OF household_id, person_id, tenant_id ON obligations
WHEN NEW.household_id IS NOT NULL AND (NEW.person_id IS NULL OR NOT EXISTS
    (SELECT 1 FROM households h WHERE h.tenant_id = NEW.tenant_id AND h.id = NEW.household_id))
BEGIN
    SELECT RAISE(ABORT, 'obligations_household: household of another town or no payer');
END;
-- +goose StatementEnd

-- An obligation may be paid in instalments (splátky): each is due on its
-- own date; their amounts add up to the obligation's amount. What has been
-- paid is still the ledger's; instalments only say when what is due.
CREATE TABLE obligation_instalments (
    tenant_id       BIGINT NOT NULL REFERENCES tenants (id),
    obligation_id   BIGINT NOT NULL,
    seq             INTEGER NOT NULL CHECK (seq > 0),
    due_date        DATE NOT NULL,
    amount          BIGINT NOT NULL CHECK (amount > 0),
    PRIMARY KEY (tenant_id, obligation_id, seq),
    FOREIGN KEY (tenant_id, obligation_id) REFERENCES obligations (tenant_id, id) ON DELETE CASCADE
);

-- An overpayment can be moved to another obligation of the same owner: a
-- transfer books +amount on the overpaid obligation and −amount on the other.
CREATE TABLE ledger_transfers (
    id              INTEGER PRIMARY KEY,
    tenant_id       BIGINT NOT NULL REFERENCES tenants (id),
    from_obligation BIGINT NOT NULL,
    to_obligation   BIGINT NOT NULL,
    amount          BIGINT NOT NULL CHECK (amount > 0),
    reason          TEXT NOT NULL,
    staff_id        BIGINT NOT NULL,
    created_at      TIMESTAMP NOT NULL,
    UNIQUE (tenant_id, id),
    CHECK (from_obligation <> to_obligation),
    FOREIGN KEY (tenant_id, from_obligation) REFERENCES obligations (tenant_id, id),
    FOREIGN KEY (tenant_id, to_obligation) REFERENCES obligations (tenant_id, id)
);

-- The ledger's kinds gain 'transfer'. SQLite cannot change a check, so the
-- table is rebuilt (nothing refers to it).
CREATE TABLE ledger_entries_new (
    id              INTEGER PRIMARY KEY,
    tenant_id       BIGINT NOT NULL REFERENCES tenants (id),
    obligation_id   BIGINT NOT NULL,
    kind            TEXT NOT NULL CHECK (kind IN ('assessment', 'payment', 'refund', 'writeoff', 'transfer')),
    amount          BIGINT NOT NULL,
    booked_at       TIMESTAMP NOT NULL,
    note            TEXT NOT NULL DEFAULT '',
    payment_id      BIGINT,
    bank_tx_id      BIGINT,
    refund_id       BIGINT,
    transfer_id     BIGINT,
    FOREIGN KEY (tenant_id, obligation_id) REFERENCES obligations (tenant_id, id)
);
INSERT INTO ledger_entries_new (id, tenant_id, obligation_id, kind, amount, booked_at, note, payment_id, bank_tx_id, refund_id)
    SELECT id, tenant_id, obligation_id, kind, amount, booked_at, note, payment_id, bank_tx_id, refund_id FROM ledger_entries;
DROP TABLE ledger_entries;
ALTER TABLE ledger_entries_new RENAME TO ledger_entries;
CREATE INDEX ledger_entries_obligation ON ledger_entries (tenant_id, obligation_id);
CREATE UNIQUE INDEX ledger_entries_payment ON ledger_entries (tenant_id, payment_id, obligation_id, kind) WHERE payment_id IS NOT NULL;
CREATE UNIQUE INDEX ledger_entries_bank_tx ON ledger_entries (tenant_id, bank_tx_id, obligation_id, kind) WHERE bank_tx_id IS NOT NULL;
CREATE UNIQUE INDEX ledger_entries_refund ON ledger_entries (tenant_id, refund_id) WHERE refund_id IS NOT NULL;
CREATE UNIQUE INDEX ledger_entries_transfer ON ledger_entries (tenant_id, transfer_id, obligation_id) WHERE transfer_id IS NOT NULL;

-- +goose Down
-- Money moved between obligations is never deleted to go back: with any
-- transfer booked, this step fails (as the check does on PostgreSQL).
CREATE TEMP TABLE down_guard (transfers INTEGER CHECK (transfers = 0));
INSERT INTO down_guard SELECT count(*) FROM ledger_entries WHERE kind = 'transfer';
DROP TABLE down_guard;
CREATE TABLE ledger_entries_old (
    id              INTEGER PRIMARY KEY,
    tenant_id       BIGINT NOT NULL REFERENCES tenants (id),
    obligation_id   BIGINT NOT NULL,
    kind            TEXT NOT NULL CHECK (kind IN ('assessment', 'payment', 'refund', 'writeoff')),
    amount          BIGINT NOT NULL,
    booked_at       TIMESTAMP NOT NULL,
    note            TEXT NOT NULL DEFAULT '',
    payment_id      BIGINT,
    bank_tx_id      BIGINT,
    refund_id       BIGINT,
    FOREIGN KEY (tenant_id, obligation_id) REFERENCES obligations (tenant_id, id)
);
INSERT INTO ledger_entries_old (id, tenant_id, obligation_id, kind, amount, booked_at, note, payment_id, bank_tx_id, refund_id)
    SELECT id, tenant_id, obligation_id, kind, amount, booked_at, note, payment_id, bank_tx_id, refund_id FROM ledger_entries;
DROP TABLE ledger_entries;
ALTER TABLE ledger_entries_old RENAME TO ledger_entries;
CREATE INDEX ledger_entries_obligation ON ledger_entries (tenant_id, obligation_id);
CREATE UNIQUE INDEX ledger_entries_payment ON ledger_entries (tenant_id, payment_id, obligation_id, kind) WHERE payment_id IS NOT NULL;
CREATE UNIQUE INDEX ledger_entries_bank_tx ON ledger_entries (tenant_id, bank_tx_id, obligation_id, kind) WHERE bank_tx_id IS NOT NULL;
CREATE UNIQUE INDEX ledger_entries_refund ON ledger_entries (tenant_id, refund_id) WHERE refund_id IS NOT NULL;
DROP TABLE ledger_transfers;
DROP TABLE obligation_instalments;
DROP TRIGGER obligations_household_update;
DROP TRIGGER obligations_household_insert;
DROP INDEX household_members_household;
DROP INDEX obligations_household;
-- SQLite cannot drop a column that a foreign key names: household_id stays,
-- unused, until the table is next rebuilt.
UPDATE obligations SET household_id = NULL;
