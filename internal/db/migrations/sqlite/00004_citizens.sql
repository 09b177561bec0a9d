-- +goose Up
-- Citizens' accounts in the portal, the logins (identity provider, subject)
-- that open them, the town's identity providers, terms and consents,
-- mandates, and who a session belongs to.

-- The identity providers a town offers for citizen login. The client secret
-- is configuration; keep it out of backups you share.
CREATE TABLE identity_providers (
    id              INTEGER PRIMARY KEY,
    tenant_id       BIGINT NOT NULL REFERENCES tenants (id),
    slug            TEXT NOT NULL,
    name            TEXT NOT NULL,
    profile         TEXT NOT NULL CHECK (profile IN ('nia', 'bankid', 'generic')),
    issuer          TEXT NOT NULL,
    client_id       TEXT NOT NULL,
    client_secret   TEXT NOT NULL DEFAULT '',
    scopes          TEXT NOT NULL DEFAULT '',
    level           TEXT NOT NULL DEFAULT 'substantial' CHECK (level IN ('none', 'low', 'substantial', 'high')),
    generic_acr     TEXT NOT NULL DEFAULT '{}',
    position        INTEGER NOT NULL DEFAULT 0,
    enabled         BOOLEAN NOT NULL DEFAULT 1,
    UNIQUE (tenant_id, id),
    UNIQUE (tenant_id, slug)
);

-- One account per citizen login path. person_id is the agenda's person, set
-- only by a verified identifier or an official's confirmation.
CREATE TABLE accounts (
    id                  INTEGER PRIMARY KEY,
    tenant_id           BIGINT NOT NULL REFERENCES tenants (id),
    person_id           BIGINT,
    given_name          TEXT NOT NULL DEFAULT '',
    family_name         TEXT NOT NULL DEFAULT '',
    birth_date          TEXT NOT NULL DEFAULT '',
    email               TEXT NOT NULL DEFAULT '',
    link_requested_at   TIMESTAMP,
    created_at          TIMESTAMP NOT NULL,
    last_login_at       TIMESTAMP NOT NULL,
    UNIQUE (tenant_id, id),
    FOREIGN KEY (tenant_id, person_id) REFERENCES persons (tenant_id, id)
);
CREATE INDEX accounts_person ON accounts (tenant_id, person_id) WHERE person_id IS NOT NULL;
CREATE INDEX accounts_link_requested ON accounts (tenant_id, link_requested_at) WHERE link_requested_at IS NOT NULL;

-- A login identity is (issuer, subject), never an e-mail or a name.
CREATE TABLE account_identities (
    tenant_id       BIGINT NOT NULL REFERENCES tenants (id),
    issuer          TEXT NOT NULL,
    subject         TEXT NOT NULL,
    account_id      BIGINT NOT NULL,
    provider        TEXT NOT NULL,
    created_at      TIMESTAMP NOT NULL,
    last_login_at   TIMESTAMP NOT NULL,
    PRIMARY KEY (tenant_id, issuer, subject),
    FOREIGN KEY (tenant_id, account_id) REFERENCES accounts (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX account_identities_account ON account_identities (tenant_id, account_id);

-- The town's terms of use and privacy notice, versioned; a new version asks
-- every citizen again.
CREATE TABLE terms (
    tenant_id       BIGINT NOT NULL REFERENCES tenants (id),
    version         INTEGER NOT NULL CHECK (version > 0),
    terms_cs        TEXT NOT NULL,
    terms_en        TEXT NOT NULL DEFAULT '',
    privacy_cs      TEXT NOT NULL,
    privacy_en      TEXT NOT NULL DEFAULT '',
    published_at    TIMESTAMP NOT NULL,
    PRIMARY KEY (tenant_id, version)
);

CREATE TABLE consents (
    tenant_id       BIGINT NOT NULL REFERENCES tenants (id),
    account_id      BIGINT NOT NULL,
    version         INTEGER NOT NULL,
    accepted_at     TIMESTAMP NOT NULL,
    ip              TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (tenant_id, account_id, version),
    FOREIGN KEY (tenant_id, account_id) REFERENCES accounts (tenant_id, id) ON DELETE CASCADE,
    FOREIGN KEY (tenant_id, version) REFERENCES terms (tenant_id, version)
);

-- Person A (the agent) may act for a person or a company (the grantor) in
-- the listed agendas until valid_until; revoked mandates stay for the record.
CREATE TABLE mandates (
    id                  INTEGER PRIMARY KEY,
    tenant_id           BIGINT NOT NULL REFERENCES tenants (id),
    agent_person_id     BIGINT NOT NULL,
    grantor_person_id   BIGINT,
    grantor_company_id  BIGINT,
    agendas             TEXT NOT NULL,
    valid_from          TIMESTAMP NOT NULL,
    valid_until         TIMESTAMP NOT NULL,
    created_at          TIMESTAMP NOT NULL,
    created_by          TEXT NOT NULL,
    revoked_at          TIMESTAMP,
    revoked_by          TEXT NOT NULL DEFAULT '',
    UNIQUE (tenant_id, id),
    CHECK ((grantor_person_id IS NULL) <> (grantor_company_id IS NULL)),
    CHECK (grantor_person_id IS NULL OR grantor_person_id <> agent_person_id),
    CHECK (valid_until > valid_from),
    FOREIGN KEY (tenant_id, agent_person_id) REFERENCES persons (tenant_id, id),
    FOREIGN KEY (tenant_id, grantor_person_id) REFERENCES persons (tenant_id, id),
    FOREIGN KEY (tenant_id, grantor_company_id) REFERENCES companies (tenant_id, id)
);
CREATE INDEX mandates_agent ON mandates (tenant_id, agent_person_id);
CREATE INDEX mandates_grantor_person ON mandates (tenant_id, grantor_person_id) WHERE grantor_person_id IS NOT NULL;
CREATE INDEX mandates_grantor_company ON mandates (tenant_id, grantor_company_id) WHERE grantor_company_id IS NOT NULL;

-- Whose session it is ("account:12", "staff:3"), to list and end them all.
ALTER TABLE sessions ADD COLUMN principal TEXT NOT NULL DEFAULT '';
ALTER TABLE sessions ADD COLUMN user_agent TEXT NOT NULL DEFAULT '';
ALTER TABLE sessions ADD COLUMN ip TEXT NOT NULL DEFAULT '';
CREATE INDEX sessions_principal ON sessions (tenant_id, principal) WHERE principal <> '';

-- +goose Down
DROP INDEX sessions_principal;
ALTER TABLE sessions DROP COLUMN ip;
ALTER TABLE sessions DROP COLUMN user_agent;
ALTER TABLE sessions DROP COLUMN principal;
DROP TABLE mandates;
DROP TABLE consents;
DROP TABLE terms;
DROP TABLE account_identities;
DROP TABLE accounts;
DROP TABLE identity_providers;
