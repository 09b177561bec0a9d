-- +goose Up
-- The catalogue of life situations ("Potřebuji vyřídit"): a town's
-- categories and, in each, what a citizen needs to arrange. Texts are Czech
-- with an optional English translation ('' when there is none); the
-- structured fields (who, what to bring, where, cost, ...) are one JSON
-- document, see internal/catalog.
CREATE TABLE catalog_categories (
    tenant_id       BIGINT NOT NULL REFERENCES tenants (id),
    slug            TEXT NOT NULL,
    name_cs         TEXT NOT NULL,
    name_en         TEXT NOT NULL DEFAULT '',
    description_cs  TEXT NOT NULL DEFAULT '',
    description_en  TEXT NOT NULL DEFAULT '',
    position        INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (tenant_id, slug)
);

CREATE TABLE life_situations (
    id              INTEGER PRIMARY KEY,
    tenant_id       BIGINT NOT NULL REFERENCES tenants (id),
    slug            TEXT NOT NULL,
    category        TEXT NOT NULL,
    title_cs        TEXT NOT NULL,
    title_en        TEXT NOT NULL DEFAULT '',
    summary_cs      TEXT NOT NULL DEFAULT '',
    summary_en      TEXT NOT NULL DEFAULT '',
    body_cs         TEXT NOT NULL DEFAULT '', -- Markdown, no raw HTML
    body_en         TEXT NOT NULL DEFAULT '',
    details         TEXT NOT NULL DEFAULT '{}', -- JSON, see internal/catalog
    status          TEXT NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'published')),
    published_at    TIMESTAMP,
    updated_at      TIMESTAMP NOT NULL,
    UNIQUE (tenant_id, id),
    UNIQUE (tenant_id, slug),
    FOREIGN KEY (tenant_id, category) REFERENCES catalog_categories (tenant_id, slug)
);
CREATE INDEX life_situations_category ON life_situations (tenant_id, category, status);

-- +goose Down
DROP TABLE life_situations;
DROP TABLE catalog_categories;
