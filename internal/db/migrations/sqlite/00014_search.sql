-- +goose Up
-- Search: the language work (folding diacritics, case, a light Czech
-- stemmer) is done in Go (internal/search), and the database keeps a plain
-- inverted index, so SQLite and PostgreSQL answer every query identically.
CREATE TABLE search_docs (
    id              INTEGER PRIMARY KEY,
    tenant_id       BIGINT NOT NULL REFERENCES tenants (id),
    kind            TEXT NOT NULL,          -- situation, page, news, notice
    ref_id          BIGINT NOT NULL,        -- the id in the kind's own table
    lang            TEXT NOT NULL,
    url             TEXT NOT NULL,
    title           TEXT NOT NULL,
    title_key       BLOB NOT NULL,          -- Czech collation key of the title: ties sort in Czech order, bytewise on both engines
    body_text       TEXT NOT NULL,
    published       BOOLEAN NOT NULL,
    updated_at      TIMESTAMP NOT NULL,
    UNIQUE (tenant_id, id),
    UNIQUE (tenant_id, kind, ref_id, lang)
);

-- One row per document and stemmed term. Only published documents have
-- terms. The key serves exact lookups and prefix ranges
-- (term >= 'obc' AND term < 'obd').
CREATE TABLE search_terms (
    tenant_id       BIGINT NOT NULL,
    lang            TEXT NOT NULL,
    term            TEXT NOT NULL,
    doc_id          BIGINT NOT NULL,
    in_title        BOOLEAN NOT NULL,
    count           INTEGER NOT NULL CHECK (count > 0),
    PRIMARY KEY (tenant_id, lang, term, doc_id),
    FOREIGN KEY (tenant_id, doc_id) REFERENCES search_docs (tenant_id, id) ON DELETE CASCADE
) WITHOUT ROWID;
CREATE INDEX search_terms_doc ON search_terms (tenant_id, doc_id);
-- Suggestions as one types look at titles only.
CREATE INDEX search_terms_title ON search_terms (tenant_id, lang, term, doc_id) WHERE in_title;

-- +goose Down
DROP TABLE search_terms;
DROP TABLE search_docs;
