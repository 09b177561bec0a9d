-- +goose Up
-- Officials (staff) of a town: they log in with a password and a TOTP code
-- at /urad/prihlaseni. Roles are granted per town and, for case work, per
-- department.

CREATE TABLE staff (
    id              INTEGER PRIMARY KEY,
    tenant_id       BIGINT NOT NULL REFERENCES tenants (id),
    email           TEXT NOT NULL,
    name            TEXT NOT NULL,
    password_hash   TEXT NOT NULL DEFAULT '',
    totp_secret     TEXT NOT NULL DEFAULT '',
    totp_confirmed  BOOLEAN NOT NULL DEFAULT 0,
    totp_last_step  BIGINT NOT NULL DEFAULT 0,
    disabled        BOOLEAN NOT NULL DEFAULT 0,
    failed_logins   INTEGER NOT NULL DEFAULT 0,
    locked_until    TIMESTAMP,
    created_at      TIMESTAMP NOT NULL,
    updated_at      TIMESTAMP NOT NULL,
    UNIQUE (tenant_id, id),
    UNIQUE (tenant_id, email)
);

CREATE TABLE staff_grants (
    tenant_id   BIGINT NOT NULL REFERENCES tenants (id),
    staff_id    BIGINT NOT NULL,
    role        TEXT NOT NULL CHECK (role IN ('counter_clerk', 'contact_centre', 'fee_clerk', 'case_worker',
                    'editor', 'administrator', 'auditor')),
    department  TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (staff_id, role, department),
    FOREIGN KEY (tenant_id, staff_id) REFERENCES staff (tenant_id, id) ON DELETE CASCADE
);

-- Invitations and password resets: single use, time-limited; the id is the
-- SHA-256 of the token sent by e-mail.
CREATE TABLE staff_tokens (
    id          TEXT PRIMARY KEY,
    tenant_id   BIGINT NOT NULL REFERENCES tenants (id),
    staff_id    BIGINT NOT NULL,
    purpose     TEXT NOT NULL CHECK (purpose IN ('invite', 'reset')),
    created_at  TIMESTAMP NOT NULL,
    expires_at  TIMESTAMP NOT NULL,
    used_at     TIMESTAMP,
    FOREIGN KEY (tenant_id, staff_id) REFERENCES staff (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX staff_tokens_staff ON staff_tokens (tenant_id, staff_id);

-- +goose Down
DROP TABLE staff_tokens;
DROP TABLE staff_grants;
DROP TABLE staff;
