-- Curated and derived objects of the insight builders (themes, plans, users, ...), stored as JSON
-- documents keyed by kind and key, so each builder does not need tables of its own.
-- JSON (not JSONB) keeps each document's key order as written.
CREATE TABLE IF NOT EXISTS documents (
    kind        TEXT NOT NULL,
    key         TEXT NOT NULL,
    body        JSON NOT NULL,
    updated_at  TIMESTAMP NOT NULL,
    PRIMARY KEY (kind, key)
);
