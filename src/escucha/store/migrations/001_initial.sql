-- Voices, customers, analyses, quarantine and ingest log. Times are naive UTC.
CREATE TABLE IF NOT EXISTS items (
    id            VARCHAR PRIMARY KEY,
    content_hash  VARCHAR NOT NULL,
    channel       VARCHAR NOT NULL,
    ts            TIMESTAMP,
    ingested_at   TIMESTAMP NOT NULL,
    title         VARCHAR,
    text          VARCHAR NOT NULL,
    nps           SMALLINT,
    csat          SMALLINT,
    ces           SMALLINT,
    rating        DOUBLE,
    customer_id   VARCHAR,
    product       VARCHAR,
    location      VARCHAR,
    language      VARCHAR,
    reach         BIGINT,
    thread_id     VARCHAR,
    parent_id     VARCHAR,
    source        VARCHAR,
    source_id     VARCHAR,
    metadata      VARCHAR
);

CREATE TABLE IF NOT EXISTS customers (
    id          VARCHAR PRIMARY KEY,
    name        VARCHAR,
    attributes  VARCHAR,
    updated_at  TIMESTAMP
);

CREATE TABLE IF NOT EXISTS analyses (
    item_id           VARCHAR PRIMARY KEY,
    content_hash      VARCHAR NOT NULL,
    pipeline_version  VARCHAR NOT NULL,
    analysed_at       TIMESTAMP NOT NULL,
    language          VARCHAR,
    sentiment         VARCHAR,
    sentiment_score   DOUBLE,
    emotions          VARCHAR,
    dominant_emotion  VARCHAR,
    intents           VARCHAR[],
    urgency           DOUBLE,
    extras            VARCHAR
);

CREATE TABLE IF NOT EXISTS sentences (
    item_id          VARCHAR NOT NULL,
    idx              INTEGER NOT NULL,
    text             VARCHAR,
    start_pos        INTEGER,
    end_pos          INTEGER,
    speaker          VARCHAR,
    sentiment        VARCHAR,
    sentiment_score  DOUBLE,
    aspects          VARCHAR[]
);

CREATE TABLE IF NOT EXISTS item_aspects (
    item_id    VARCHAR NOT NULL,
    aspect     VARCHAR NOT NULL,
    sentiment  VARCHAR,
    score      DOUBLE,
    evidence   VARCHAR,
    sentence   INTEGER
);

CREATE SEQUENCE IF NOT EXISTS quarantine_seq;
CREATE TABLE IF NOT EXISTS quarantine (
    id      BIGINT DEFAULT nextval('quarantine_seq'),
    source  VARCHAR,
    line    BIGINT,
    field   VARCHAR,
    reason  VARCHAR,
    raw     VARCHAR,
    quarantined_at TIMESTAMP
);

CREATE TABLE IF NOT EXISTS ingest_log (
    source   VARCHAR,
    logged_at TIMESTAMP,
    summary  VARCHAR
);
