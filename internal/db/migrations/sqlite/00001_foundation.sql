-- +goose Up
-- Towns, people, companies, households, the first obligations, sessions.
-- Every table carries tenant_id; links between rows name the tenant too, so a
-- foreign key can never join rows of two towns.

CREATE TABLE tenants (
    id              INTEGER PRIMARY KEY,
    slug            TEXT NOT NULL UNIQUE,
    name            TEXT NOT NULL,
    official_name   TEXT NOT NULL DEFAULT '',
    ico             TEXT NOT NULL DEFAULT '',
    data_box        TEXT NOT NULL DEFAULT '',
    coat_of_arms    TEXT NOT NULL DEFAULT '',
    color_primary   TEXT NOT NULL DEFAULT '#1f4e8c',
    color_accent    TEXT NOT NULL DEFAULT '#c8102e',
    iban            TEXT NOT NULL DEFAULT '',
    email           TEXT NOT NULL DEFAULT '',
    phone           TEXT NOT NULL DEFAULT '',
    address         TEXT NOT NULL DEFAULT '',
    office_hours    TEXT NOT NULL DEFAULT '[]',
    default_lang    TEXT NOT NULL DEFAULT 'cs',
    demo            BOOLEAN NOT NULL DEFAULT 0,
    created_at      TIMESTAMP NOT NULL,
    updated_at      TIMESTAMP NOT NULL
);

CREATE TABLE tenant_hosts (
    host        TEXT PRIMARY KEY,
    tenant_id   BIGINT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE
);
CREATE INDEX tenant_hosts_tenant ON tenant_hosts (tenant_id);

CREATE TABLE persons (
    id              INTEGER PRIMARY KEY,
    tenant_id       BIGINT NOT NULL REFERENCES tenants (id),
    given_name      TEXT NOT NULL,
    family_name     TEXT NOT NULL,
    birth_date      DATE NOT NULL,
    birth_number    TEXT,
    street          TEXT NOT NULL DEFAULT '',
    house_number    TEXT NOT NULL DEFAULT '',
    district        TEXT NOT NULL DEFAULT '',
    city            TEXT NOT NULL DEFAULT '',
    postal_code     TEXT NOT NULL DEFAULT '',
    email           TEXT NOT NULL DEFAULT '',
    phone           TEXT NOT NULL DEFAULT '',
    created_at      TIMESTAMP NOT NULL,
    updated_at      TIMESTAMP NOT NULL,
    UNIQUE (tenant_id, id)
);
CREATE UNIQUE INDEX persons_birth_number ON persons (tenant_id, birth_number) WHERE birth_number IS NOT NULL;
CREATE INDEX persons_name ON persons (tenant_id, family_name, given_name);
CREATE INDEX persons_phone ON persons (tenant_id, phone) WHERE phone <> '';
CREATE INDEX persons_email ON persons (tenant_id, email) WHERE email <> '';

CREATE TABLE companies (
    id              INTEGER PRIMARY KEY,
    tenant_id       BIGINT NOT NULL REFERENCES tenants (id),
    ico             TEXT NOT NULL,
    name            TEXT NOT NULL,
    street          TEXT NOT NULL DEFAULT '',
    house_number    TEXT NOT NULL DEFAULT '',
    city            TEXT NOT NULL DEFAULT '',
    postal_code     TEXT NOT NULL DEFAULT '',
    email           TEXT NOT NULL DEFAULT '',
    created_at      TIMESTAMP NOT NULL,
    updated_at      TIMESTAMP NOT NULL,
    UNIQUE (tenant_id, id),
    UNIQUE (tenant_id, ico)
);

-- Who acts for a company by law (jednatel, člen představenstva). Mandates,
-- which are given and revoked in the portal, come with identity and access.
CREATE TABLE company_representatives (
    tenant_id   BIGINT NOT NULL REFERENCES tenants (id),
    company_id  BIGINT NOT NULL,
    person_id   BIGINT NOT NULL,
    role        TEXT NOT NULL,
    PRIMARY KEY (company_id, person_id),
    FOREIGN KEY (tenant_id, company_id) REFERENCES companies (tenant_id, id) ON DELETE CASCADE,
    FOREIGN KEY (tenant_id, person_id) REFERENCES persons (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX company_representatives_person ON company_representatives (person_id);

CREATE TABLE households (
    id              INTEGER PRIMARY KEY,
    tenant_id       BIGINT NOT NULL REFERENCES tenants (id),
    name            TEXT NOT NULL,
    street          TEXT NOT NULL DEFAULT '',
    house_number    TEXT NOT NULL DEFAULT '',
    district        TEXT NOT NULL DEFAULT '',
    city            TEXT NOT NULL DEFAULT '',
    postal_code     TEXT NOT NULL DEFAULT '',
    created_at      TIMESTAMP NOT NULL,
    UNIQUE (tenant_id, id)
);

CREATE TABLE household_members (
    tenant_id       BIGINT NOT NULL REFERENCES tenants (id),
    household_id    BIGINT NOT NULL,
    person_id       BIGINT NOT NULL,
    role            TEXT NOT NULL CHECK (role IN ('adult', 'child')),
    PRIMARY KEY (household_id, person_id),
    FOREIGN KEY (tenant_id, household_id) REFERENCES households (tenant_id, id) ON DELETE CASCADE,
    FOREIGN KEY (tenant_id, person_id) REFERENCES persons (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX household_members_person ON household_members (person_id);

-- Kinds of obligation a town assesses (waste fee, dog fee, rent, fine ...).
CREATE TABLE obligation_kinds (
    id              INTEGER PRIMARY KEY,
    tenant_id       BIGINT NOT NULL REFERENCES tenants (id),
    code            TEXT NOT NULL,
    name_cs         TEXT NOT NULL,
    name_en         TEXT NOT NULL,
    department      TEXT NOT NULL,
    yearly_amount   BIGINT NOT NULL DEFAULT 0,
    UNIQUE (tenant_id, id),
    UNIQUE (tenant_id, code)
);

-- An amount owed to the town. What is still owed is never stored here: it is
-- the sum of the obligation's ledger entries.
CREATE TABLE obligations (
    id              INTEGER PRIMARY KEY,
    tenant_id       BIGINT NOT NULL REFERENCES tenants (id),
    kind_id         BIGINT NOT NULL,
    person_id       BIGINT,
    company_id      BIGINT,
    period          TEXT NOT NULL,
    description     TEXT NOT NULL DEFAULT '',
    amount          BIGINT NOT NULL CHECK (amount >= 0),
    due_date        DATE NOT NULL,
    vs              BIGINT NOT NULL,
    ss              BIGINT,
    created_at      TIMESTAMP NOT NULL,
    UNIQUE (tenant_id, id),
    UNIQUE (tenant_id, vs),
    CHECK ((person_id IS NULL) <> (company_id IS NULL)),
    FOREIGN KEY (tenant_id, kind_id) REFERENCES obligation_kinds (tenant_id, id),
    FOREIGN KEY (tenant_id, person_id) REFERENCES persons (tenant_id, id),
    FOREIGN KEY (tenant_id, company_id) REFERENCES companies (tenant_id, id)
);
CREATE INDEX obligations_person ON obligations (tenant_id, person_id) WHERE person_id IS NOT NULL;
CREATE INDEX obligations_company ON obligations (tenant_id, company_id) WHERE company_id IS NOT NULL;

-- Append-only: assessments (+), payments (-), refunds (+), write-offs (-).
CREATE TABLE ledger_entries (
    id              INTEGER PRIMARY KEY,
    tenant_id       BIGINT NOT NULL REFERENCES tenants (id),
    obligation_id   BIGINT NOT NULL,
    kind            TEXT NOT NULL CHECK (kind IN ('assessment', 'payment', 'refund', 'writeoff')),
    amount          BIGINT NOT NULL,
    booked_at       TIMESTAMP NOT NULL,
    note            TEXT NOT NULL DEFAULT '',
    FOREIGN KEY (tenant_id, obligation_id) REFERENCES obligations (tenant_id, id)
);
CREATE INDEX ledger_entries_obligation ON ledger_entries (tenant_id, obligation_id);

-- Server-side sessions. The id is the SHA-256 of the cookie's token, so a
-- copy of this table logs nobody in.
CREATE TABLE sessions (
    id              TEXT PRIMARY KEY,
    tenant_id       BIGINT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    data            TEXT NOT NULL DEFAULT '{}',
    created_at      TIMESTAMP NOT NULL,
    last_seen_at    TIMESTAMP NOT NULL,
    expires_at      TIMESTAMP NOT NULL
);
CREATE INDEX sessions_expires ON sessions (expires_at);

-- +goose Down
DROP TABLE sessions;
DROP TABLE ledger_entries;
DROP TABLE obligations;
DROP TABLE obligation_kinds;
DROP TABLE household_members;
DROP TABLE households;
DROP TABLE company_representatives;
DROP TABLE companies;
DROP TABLE persons;
DROP TABLE tenant_hosts;
DROP TABLE tenants;
