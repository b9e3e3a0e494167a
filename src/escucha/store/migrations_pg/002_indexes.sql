-- Point lookups for the customer profile.
CREATE INDEX IF NOT EXISTS items_customer ON items (customer_id);
-- PostgreSQL only (DuckDB scans these fast enough): per-item lookups and deletes on re-analysis,
-- aspect filters and the newest-first listing.
CREATE INDEX IF NOT EXISTS sentences_item ON sentences (item_id, idx);
CREATE INDEX IF NOT EXISTS item_aspects_item ON item_aspects (item_id);
CREATE INDEX IF NOT EXISTS item_aspects_aspect ON item_aspects (aspect);
CREATE INDEX IF NOT EXISTS items_time ON items ((coalesce(ts, ingested_at)) DESC, id);
