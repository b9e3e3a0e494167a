-- Voices, customers, analyses, quarantine and ingest log (PostgreSQL). Times are naive UTC.
CREATE TABLE IF NOT EXISTS items (
    id            TEXT PRIMARY KEY,
    content_hash  TEXT NOT NULL,
    channel       TEXT NOT NULL,
    ts            TIMESTAMP,
    ingested_at   TIMESTAMP NOT NULL,
    title         TEXT,
    text          TEXT NOT NULL,
    nps           SMALLINT,
    csat          SMALLINT,
    ces           SMALLINT,
    rating        DOUBLE PRECISION,
    customer_id   TEXT,
    product       TEXT,
    location      TEXT,
    language      TEXT,
    reach         BIGINT,
    thread_id     TEXT,
    parent_id     TEXT,
    source        TEXT,
    source_id     TEXT,
    metadata      JSONB
);

CREATE TABLE IF NOT EXISTS customers (
    id          TEXT PRIMARY KEY,
    name        TEXT,
    attributes  JSONB,
    updated_at  TIMESTAMP
);

CREATE TABLE IF NOT EXISTS analyses (
    item_id           TEXT PRIMARY KEY,
    content_hash      TEXT NOT NULL,
    pipeline_version  TEXT NOT NULL,
    analysed_at       TIMESTAMP NOT NULL,
    language          TEXT,
    sentiment         TEXT,
    sentiment_score   DOUBLE PRECISION,
    emotions          JSONB,
    dominant_emotion  TEXT,
    intents           TEXT[],
    urgency           DOUBLE PRECISION,
    extras            JSONB
);

CREATE TABLE IF NOT EXISTS sentences (
    item_id          TEXT NOT NULL,
    idx              INTEGER NOT NULL,
    text             TEXT,
    start_pos        INTEGER,
    end_pos          INTEGER,
    speaker          TEXT,
    sentiment        TEXT,
    sentiment_score  DOUBLE PRECISION,
    aspects          TEXT[]
);

CREATE TABLE IF NOT EXISTS item_aspects (
    item_id    TEXT NOT NULL,
    aspect     TEXT NOT NULL,
    sentiment  TEXT,
    score      DOUBLE PRECISION,
    evidence   TEXT,
    sentence   INTEGER,
    ord        INTEGER  -- PostgreSQL only: the mention's position in its analysis
);

CREATE SEQUENCE IF NOT EXISTS quarantine_seq;
CREATE TABLE IF NOT EXISTS quarantine (
    id      BIGINT DEFAULT nextval('quarantine_seq'),
    source  TEXT,
    line    BIGINT,
    field   TEXT,
    reason  TEXT,
    raw     TEXT,
    quarantined_at TIMESTAMP
);

CREATE TABLE IF NOT EXISTS ingest_log (
    source   TEXT,
    logged_at TIMESTAMP,
    summary  JSONB
);
