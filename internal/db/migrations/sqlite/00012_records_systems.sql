-- +goose Up
-- Each town's records management (spisová služba), configured, not coded
-- (`radnice records set`): where its REST/JSON API answers and the token
-- the portal presents. A town without a row, or with enabled false, keeps
-- its submissions in 'submitted'.
CREATE TABLE records_systems (
    tenant_id       BIGINT NOT NULL PRIMARY KEY REFERENCES tenants (id),
    base_url        TEXT NOT NULL,
    token           TEXT NOT NULL,
    enabled         BOOLEAN NOT NULL DEFAULT 1,
    updated_at      TIMESTAMP NOT NULL
);

-- How far the portal's copy has followed the town's records management:
-- the cursor of its change feed, saved in the same transaction as the
-- changes it covers, so a crash never skips or repeats one.
CREATE TABLE records_sync (
    tenant_id       BIGINT NOT NULL PRIMARY KEY REFERENCES tenants (id),
    cursor          TEXT NOT NULL DEFAULT '',
    synced_at       TIMESTAMP
);

-- The revision, at records management, of the last change of a case the
-- portal's copy has taken from it: a change read again (a sync that starts
-- over) is not applied twice.
ALTER TABLE submissions ADD COLUMN records_version BIGINT NOT NULL DEFAULT 0;

-- +goose Down
ALTER TABLE submissions DROP COLUMN records_version;
DROP TABLE records_sync;
DROP TABLE records_systems;
