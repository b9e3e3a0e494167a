-- Curated and derived objects of the insight builders (themes, plans, users, ...), stored as JSON
-- documents keyed by kind and key, so each builder does not need tables of its own.
CREATE TABLE IF NOT EXISTS documents (
    kind        VARCHAR NOT NULL,
    key         VARCHAR NOT NULL,
    body        VARCHAR NOT NULL,
    updated_at  TIMESTAMP NOT NULL,
    PRIMARY KEY (kind, key)
);
