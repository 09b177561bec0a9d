-- +goose Up
-- Forms are data: a town's form has versions, and a submission names the
-- version it was filed on, so a changed form never changes what was filed.
CREATE TABLE forms (
    id              INTEGER PRIMARY KEY,
    tenant_id       BIGINT NOT NULL REFERENCES tenants (id),
    slug            TEXT NOT NULL,
    department      TEXT NOT NULL,
    version         INTEGER NOT NULL DEFAULT 0, -- the version new drafts use
    enabled         BOOLEAN NOT NULL DEFAULT TRUE,
    position        INTEGER NOT NULL DEFAULT 0,
    UNIQUE (tenant_id, id),
    UNIQUE (tenant_id, slug)
);

CREATE TABLE form_versions (
    tenant_id       BIGINT NOT NULL REFERENCES tenants (id),
    form_id         BIGINT NOT NULL,
    version         INTEGER NOT NULL CHECK (version > 0),
    definition      TEXT NOT NULL, -- JSON, see internal/form
    created_at      TIMESTAMP NOT NULL,
    PRIMARY KEY (tenant_id, form_id, version),
    FOREIGN KEY (tenant_id, form_id) REFERENCES forms (tenant_id, id)
);

-- A draft is kept on the server, so it can be resumed on another device.
-- token is the idempotency key of filing it: filing a draft twice (double
-- click, two tabs, a retry) finds the submission made the first time.
CREATE TABLE submission_drafts (
    id              INTEGER PRIMARY KEY,
    tenant_id       BIGINT NOT NULL REFERENCES tenants (id),
    account_id      BIGINT NOT NULL,
    party           TEXT NOT NULL,          -- "person:12", "company:3": for whom it is filed
    form_id         BIGINT NOT NULL,
    form_version    INTEGER NOT NULL,
    answers         TEXT NOT NULL DEFAULT '{}',
    step            INTEGER NOT NULL DEFAULT 0,
    token           TEXT NOT NULL,
    created_at      TIMESTAMP NOT NULL,
    updated_at      TIMESTAMP NOT NULL,
    UNIQUE (tenant_id, id),
    UNIQUE (tenant_id, token),
    FOREIGN KEY (tenant_id, account_id) REFERENCES accounts (tenant_id, id) ON DELETE CASCADE,
    FOREIGN KEY (tenant_id, form_id, form_version) REFERENCES form_versions (tenant_id, form_id, version)
);
CREATE INDEX submission_drafts_account ON submission_drafts (tenant_id, account_id);

-- A submission, or a case started on paper at the filing office (channel
-- 'paper', no form). The portal's own copy of the case: the list of a
-- person's cases never waits on records management.
CREATE TABLE submissions (
    id              INTEGER PRIMARY KEY,
    tenant_id       BIGINT NOT NULL REFERENCES tenants (id),
    channel         TEXT NOT NULL CHECK (channel IN ('portal', 'paper')),
    form_id         BIGINT,
    form_version    INTEGER,
    token           TEXT,                   -- the draft's token: one submission per draft
    account_id      BIGINT,                 -- who filed it in the portal
    person_id       BIGINT,
    company_id      BIGINT,
    title           TEXT NOT NULL,
    department      TEXT NOT NULL,
    answers         TEXT NOT NULL DEFAULT '{}',
    price           BIGINT NOT NULL DEFAULT 0 CHECK (price >= 0), -- haléře, assessed when approved
    state           TEXT NOT NULL CHECK (state IN ('submitted', 'registered', 'in_progress', 'info_requested',
                        'approved', 'rejected', 'closed')),
    reference       TEXT NOT NULL DEFAULT '', -- číslo jednací from records management
    records_id      TEXT NOT NULL DEFAULT '', -- the case's id there
    obligation_id   BIGINT,                 -- the fee an approval assessed
    assigned_to     BIGINT,                 -- the case worker who took it
    submitted_at    TIMESTAMP NOT NULL,
    updated_at      TIMESTAMP NOT NULL,
    UNIQUE (tenant_id, id),
    UNIQUE (tenant_id, token),
    CHECK ((person_id IS NULL) <> (company_id IS NULL)),
    CHECK (channel = 'paper' OR (form_id IS NOT NULL AND token IS NOT NULL)),
    FOREIGN KEY (tenant_id, form_id, form_version) REFERENCES form_versions (tenant_id, form_id, version),
    FOREIGN KEY (tenant_id, person_id) REFERENCES persons (tenant_id, id),
    FOREIGN KEY (tenant_id, company_id) REFERENCES companies (tenant_id, id),
    FOREIGN KEY (tenant_id, obligation_id) REFERENCES obligations (tenant_id, id)
);
CREATE INDEX submissions_person ON submissions (tenant_id, person_id, submitted_at) WHERE person_id IS NOT NULL;
CREATE INDEX submissions_company ON submissions (tenant_id, company_id, submitted_at) WHERE company_id IS NOT NULL;
CREATE INDEX submissions_queue ON submissions (tenant_id, department, state);
CREATE UNIQUE INDEX submissions_records ON submissions (tenant_id, records_id) WHERE records_id <> '';

-- The timeline of a case. Each change is one event, written in the same
-- transaction as the change.
CREATE TABLE submission_events (
    id              INTEGER PRIMARY KEY,
    tenant_id       BIGINT NOT NULL REFERENCES tenants (id),
    submission_id   BIGINT NOT NULL,
    at              TIMESTAMP NOT NULL,
    kind            TEXT NOT NULL,          -- a state, or 'note', 'info_provided', 'document'
    text            TEXT NOT NULL DEFAULT '',
    actor_kind      TEXT NOT NULL,          -- citizen, staff, records, system
    actor_id        BIGINT NOT NULL DEFAULT 0,
    public          BOOLEAN NOT NULL DEFAULT TRUE, -- shown to the citizen
    UNIQUE (tenant_id, id),
    FOREIGN KEY (tenant_id, submission_id) REFERENCES submissions (tenant_id, id)
);
CREATE INDEX submission_events_submission ON submission_events (tenant_id, submission_id, at);

-- Files: attachments of drafts, submissions and answers, and decision
-- documents. Checked by content before they are stored.
CREATE TABLE submission_files (
    id              INTEGER PRIMARY KEY,
    tenant_id       BIGINT NOT NULL REFERENCES tenants (id),
    draft_id        BIGINT,
    submission_id   BIGINT,
    event_id        BIGINT,                 -- the answer or decision it came with
    field           TEXT NOT NULL DEFAULT '',
    name            TEXT NOT NULL,
    content_type    TEXT NOT NULL,
    size            BIGINT NOT NULL CHECK (size > 0),
    sha256          TEXT NOT NULL,
    data            BLOB NOT NULL,
    created_at      TIMESTAMP NOT NULL,
    UNIQUE (tenant_id, id),
    FOREIGN KEY (tenant_id, draft_id) REFERENCES submission_drafts (tenant_id, id),
    FOREIGN KEY (tenant_id, submission_id) REFERENCES submissions (tenant_id, id),
    FOREIGN KEY (tenant_id, event_id) REFERENCES submission_events (tenant_id, id)
);
CREATE INDEX submission_files_draft ON submission_files (tenant_id, draft_id) WHERE draft_id IS NOT NULL;
CREATE INDEX submission_files_submission ON submission_files (tenant_id, submission_id) WHERE submission_id IS NOT NULL;

-- Events for the messaging capability: written in the same transaction as
-- their cause; the notifier takes them from here.
CREATE TABLE notification_events (
    id              INTEGER PRIMARY KEY,
    tenant_id       BIGINT NOT NULL REFERENCES tenants (id),
    kind            TEXT NOT NULL,          -- "submission.registered", ...
    person_id       BIGINT,
    company_id      BIGINT,
    submission_id   BIGINT,
    payload         TEXT NOT NULL DEFAULT '{}',
    created_at      TIMESTAMP NOT NULL,
    processed_at    TIMESTAMP,
    FOREIGN KEY (tenant_id, person_id) REFERENCES persons (tenant_id, id),
    FOREIGN KEY (tenant_id, company_id) REFERENCES companies (tenant_id, id),
    FOREIGN KEY (tenant_id, submission_id) REFERENCES submissions (tenant_id, id)
);
CREATE INDEX notification_events_pending ON notification_events (created_at) WHERE processed_at IS NULL;

-- +goose Down
DROP TABLE notification_events;
DROP TABLE submission_files;
DROP TABLE submission_events;
DROP TABLE submissions;
DROP TABLE submission_drafts;
DROP TABLE form_versions;
DROP TABLE forms;
