-- +goose Up
-- Each town's card gateways, configured, not coded. settings is JSON with
-- what is not secret (merchant, addresses, the gateway's public key);
-- secret holds the merchant's private key or API secret. New card payments
-- go through the town's active gateway; older ones are still resolved
-- through the gateway they were made with.
CREATE TABLE payment_gateways (
    tenant_id       BIGINT NOT NULL REFERENCES tenants (id),
    name            TEXT NOT NULL CHECK (name IN ('gpwebpay', 'comgate')),
    settings        TEXT NOT NULL DEFAULT '{}',
    secret          TEXT NOT NULL DEFAULT '',
    active          BOOLEAN NOT NULL DEFAULT 1,
    updated_at      TIMESTAMP NOT NULL,
    PRIMARY KEY (tenant_id, name)
);
CREATE UNIQUE INDEX payment_gateways_active ON payment_gateways (tenant_id) WHERE active;

-- +goose Down
DROP TABLE payment_gateways;
