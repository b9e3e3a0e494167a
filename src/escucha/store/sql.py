"""SQL shared by the engines: dimensions, filters, the read queries and the statistics query.

Every function speaks DuckDB by default; ``dialect="postgres"`` gives the PostgreSQL spelling
(``%s`` placeholders, ``->>`` on JSONB and ``&&`` on text arrays).
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from typing import Any

from escucha.errors import ValidationError
from escucha.models import AGENT, AGENT_SOURCE
from escucha.store.base import ITEM_DIMENSIONS, PERIODS, Filters

_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_ \-]{0,63}$")

ITEM_COLUMNS = (
    "id", "content_hash", "channel", "ts", "ingested_at", "title", "text", "nps", "csat", "ces",
    "rating", "customer_id", "product", "location", "language", "reach", "thread_id", "parent_id",
    "source", "source_id", "metadata", "speaker",
)  # fmt: skip


ANALYSIS_COLUMNS = (
    "item_id", "content_hash", "pipeline_version", "analysed_at", "language", "sentiment",
    "sentiment_score", "emotions", "dominant_emotion", "intents", "urgency", "extras",
)  # fmt: skip
SENTENCE_COLUMNS = (
    "item_id", "idx", "text", "start_pos", "end_pos", "speaker", "sentiment", "sentiment_score", "aspects",
)  # fmt: skip
ASPECT_COLUMNS = ("item_id", "aspect", "sentiment", "score", "evidence", "sentence")

DIALECTS = ("duckdb", "postgres")


def placeholder(dialect: str) -> str:
    """The parameter placeholder of a dialect."""
    if dialect not in DIALECTS:
        raise ValueError(f"unknown SQL dialect {dialect!r}")
    return "%s" if dialect == "postgres" else "?"


def dimension_sql(
    dim: str, json_get: str = "json_extract_string", dialect: str = "duckdb"
) -> tuple[str, set[str]]:
    """SQL expression for a dimension and the joins it needs (``aspect``, ``intent``, ``customer``)."""
    if dim in ITEM_DIMENSIONS:
        table = "a" if dim in ("sentiment", "dominant_emotion") else "i"
        col = "coalesce(a.language, i.language)" if dim == "language" else f"{table}.{dim}"
        return col, set()
    if dim == "aspect":
        return "ia.aspect", {"aspect"}
    if dim == "intent":
        return "it.intent", {"intent"}
    if dim in PERIODS:
        return f"date_trunc('{dim}', i.ts)", set()  # undated voices: no period (never "the latest")
    if dim.startswith(("attr:", "meta:")):
        kind, name = dim.split(":", 1)
        if not _NAME.match(name):
            raise ValidationError(f"bad attribute name {name!r}", field="by")
        name = name.replace("'", "")
        col = "c.attributes" if kind == "attr" else "i.metadata"
        if dialect == "postgres":
            return f"({col} ->> '{name}')", ({"customer"} if kind == "attr" else set())
        if kind == "attr":
            return f"{json_get}(c.attributes, '$.\"{name}\"')", {"customer"}
        return f"{json_get}(i.metadata, '$.\"{name}\"')", set()
    raise ValidationError(
        f"unknown dimension {dim!r}; use one of {', '.join(ITEM_DIMENSIONS)}, aspect, intent, "
        f"{', '.join(PERIODS)}, attr:NAME or meta:NAME",
        field="by",
    )


def where_sql(
    f: Filters | None, ph: str | None = None, dialect: str = "duckdb"
) -> tuple[str, list[Any], set[str]]:
    """WHERE clause, its parameters and the joins the filters need. Voices that are not the
    customer's (speaker ``agent``: a brand's account, an owner's reply, an agent's reply written
    through escucha's cases) are left out unless ``f.agents``: no figure counts them."""
    ph = ph or placeholder(dialect)
    f = f or Filters()
    clauses: list[str] = []
    params: list[Any] = []
    joins: set[str] = set()
    if not f.agents:
        clauses.append(f"coalesce(i.speaker, '') <> {ph} AND coalesce(i.source, '') <> {ph}")
        params.extend([AGENT, AGENT_SOURCE])

    def in_list(expr: str, values: Sequence[str] | None) -> None:
        if values:
            clauses.append(f"{expr} IN ({', '.join([ph] * len(values))})")
            params.extend(values)

    if f.since is not None:
        clauses.append(f"i.ts >= {ph}")  # a date window holds dated voices only
        params.append(_naive(f.since))
    if f.until is not None:
        clauses.append(f"i.ts < {ph}")
        params.append(_naive(f.until))
    for col in ("channel", "product", "location", "customer_id", "source"):
        in_list(f"i.{col}", getattr(f, col))
    if f.exclude_channel:
        clauses.append(f"coalesce(i.channel, '') NOT IN ({', '.join([ph] * len(f.exclude_channel))})")
        params.extend(f.exclude_channel)
    in_list("coalesce(a.language, i.language)", f.language)
    in_list("a.sentiment", f.sentiment)
    if f.aspect:
        marks = ", ".join([ph] * len(f.aspect))
        clauses.append(f"i.id IN (SELECT item_id FROM item_aspects WHERE aspect IN ({marks}))")
        params.extend(f.aspect)
    if f.intent and dialect == "postgres":
        clauses.append("a.intents && ARRAY[" + ", ".join([ph] * len(f.intent)) + "]::text[]")
        params.extend(f.intent)
    elif f.intent:
        clauses.append(
            "len(list_filter(a.intents, x -> list_contains([" + ", ".join([ph] * len(f.intent)) + "], x))) > 0"
        )
        params.extend(f.intent)
    if f.search:
        clauses.append(f"(i.text ILIKE {ph} OR coalesce(i.title, '') ILIKE {ph})")
        pattern = "%" + f.search.replace("\\", "").replace("%", "").replace("_", "") + "%"
        params.extend([pattern, pattern])
    for key, value in f.extra.items():
        expr, need = dimension_sql(key, dialect=dialect)
        joins |= need
        clauses.append(f"{expr} = {ph}")
        if dialect == "postgres" and key.startswith(("attr:", "meta:")) and not isinstance(value, str):
            value = json.dumps(value)  # ->> yields JSON text: 3, true, 2.5
        params.append(value)
    return (" AND ".join(clauses) or "TRUE"), params, joins


def _naive(dt: Any) -> Any:
    from datetime import UTC, datetime

    if isinstance(dt, datetime) and dt.tzinfo is not None:
        try:
            return dt.astimezone(UTC).replace(tzinfo=None)
        except OverflowError:  # past the calendar's edge in UTC: before or after everything
            return datetime.max if dt.year > 1 else datetime.min
    return dt


def from_sql(joins: set[str]) -> str:
    sql = "items i LEFT JOIN analyses a ON a.item_id = i.id"
    if "customer" in joins:
        sql += " LEFT JOIN customers c ON c.id = i.customer_id"
    if "aspect" in joins:
        sql += " JOIN (SELECT DISTINCT item_id, aspect FROM item_aspects) ia ON ia.item_id = i.id"
    if "intent" in joins:
        sql += " JOIN (SELECT item_id, unnest(intents) AS intent FROM analyses) it ON it.item_id = i.id"
    return sql


#: Sufficient statistics per group. NPS counts customers only; employees' answers to the same
#: question are the employee NPS (eNPS), counted apart: the two are never mixed.
STATS_COLUMNS = """
    count(*) AS n,
    count(DISTINCT i.customer_id) AS n_customers,
    count(i.customer_id) AS n_with_id,
    count(a.item_id) AS n_analysed,
    count(i.nps) FILTER (WHERE coalesce(i.channel, '') <> 'employee') AS n_nps,
    count(*) FILTER (WHERE i.nps >= 9 AND coalesce(i.channel, '') <> 'employee') AS promoters,
    count(*) FILTER (WHERE i.nps BETWEEN 7 AND 8 AND coalesce(i.channel, '') <> 'employee') AS passives,
    count(*) FILTER (WHERE i.nps <= 6 AND coalesce(i.channel, '') <> 'employee') AS detractors,
    count(i.nps) FILTER (WHERE i.channel = 'employee') AS n_enps,
    count(*) FILTER (WHERE i.nps >= 9 AND i.channel = 'employee') AS e_promoters,
    count(*) FILTER (WHERE i.nps <= 6 AND i.channel = 'employee') AS e_detractors,
    count(i.csat) AS n_csat,
    count(*) FILTER (WHERE i.csat >= 4) AS csat_top2,
    count(i.ces) AS n_ces,
    coalesce(sum(i.ces), 0) AS ces_sum,
    coalesce(sum(i.ces * i.ces), 0) AS ces_sq,
    count(i.rating) AS n_rating,
    coalesce(sum(i.rating), 0) AS rating_sum,
    coalesce(sum(i.rating * i.rating), 0) AS rating_sq,
    count(*) FILTER (WHERE a.sentiment = 'positive') AS positive,
    count(*) FILTER (WHERE a.sentiment = 'neutral') AS neutral,
    count(*) FILTER (WHERE a.sentiment = 'negative') AS negative,
    coalesce(sum(a.sentiment_score), 0) AS sentiment_sum
"""


def stats_sql(
    by: Sequence[str], filters: Filters | None, ph: str | None = None, dialect: str = "duckdb"
) -> tuple[str, list[Any]]:
    exprs: list[str] = []
    joins: set[str] = set()
    for d in by:
        e, need = dimension_sql(d, dialect=dialect)
        exprs.append(f"{e} AS \"{d}\"")
        joins |= need
    where, params, fjoins = where_sql(filters, ph, dialect)
    joins |= fjoins
    select = ", ".join([*exprs, STATS_COLUMNS])
    sql = f"SELECT {select} FROM {from_sql(joins)} WHERE {where}"
    if by:
        cols = ", ".join(str(k + 1) for k in range(len(by)))
        sql += f" GROUP BY {cols} ORDER BY {cols}"
    return sql, params


def json_text(col: str, dialect: str = "duckdb") -> str:
    """A JSON column selected as its text (PostgreSQL's JSONB needs a cast; DuckDB's JSON is text)."""
    return f"{col}::text AS {col.rsplit('.', 1)[-1]}" if dialect == "postgres" else col


def pending_sql(dialect: str = "duckdb") -> str:
    """FROM and WHERE of the items whose analysis is missing, stale or of another pipeline version."""
    return f"""FROM items i LEFT JOIN analyses a ON a.item_id = i.id
               WHERE (a.item_id IS NULL OR a.content_hash <> i.content_hash
                      OR a.pipeline_version <> {placeholder(dialect)})"""


def item_select(dialect: str = "duckdb") -> str:
    """The columns of ``items()``: a voice with its analysis."""
    return f"""i.id, i.channel, i.ts AS timestamp, i.title, i.text, i.nps, i.csat, i.ces, i.rating,
        i.customer_id, i.product, i.location, coalesce(a.language, i.language) AS language, i.reach,
        i.thread_id, i.parent_id, i.source, i.source_id, {json_text("i.metadata", dialect)}, i.speaker, i.ingested_at,
        a.sentiment, a.sentiment_score, {json_text("a.emotions", dialect)}, a.dominant_emotion, a.intents,
        a.urgency, {json_text("a.extras", dialect)}, a.pipeline_version"""


def items_sql(
    filters: Filters | None, limit: int | None, offset: int, dialect: str = "duckdb"
) -> tuple[str, list[Any]]:
    """Voices with their analysis, newest first; a page when ``limit`` is given."""
    where, params, joins = where_sql(filters, dialect=dialect)
    select, order = item_select(dialect), "ORDER BY coalesce(i.ts, i.ingested_at) DESC, i.id"
    sql = f"SELECT {select} FROM {from_sql(joins)} WHERE {where} {order}"
    if limit is None:
        return sql, params
    params = [*params, int(limit), int(offset)]
    if dialect == "postgres":
        return f"{sql} LIMIT %s OFFSET %s", params
    # DuckDB: find the page's ids on narrow columns first, then read the wide ones for those only
    sql = (
        f"WITH page AS (SELECT i.id FROM {from_sql(joins)} WHERE {where} {order} LIMIT ? OFFSET ?) "
        f"SELECT {select} FROM page JOIN items i ON i.id = page.id "
        f"LEFT JOIN analyses a ON a.item_id = i.id {order}"
    )
    return sql, params


def count_sql(filters: Filters | None, dialect: str = "duckdb") -> tuple[str, list[Any]]:
    where, params, joins = where_sql(filters, dialect=dialect)
    return f"SELECT count(*) FROM {from_sql(joins)} WHERE {where}", params


def aspects_sql(filters: Filters | None, dialect: str = "duckdb") -> tuple[str, list[Any]]:
    """One row per (item, aspect) with its quote and the item's scores and dimensions."""
    where, params, joins = where_sql(filters, dialect=dialect)
    sql = f"""SELECT m.item_id, m.aspect, m.sentiment AS aspect_sentiment, m.score AS aspect_score,
                     m.evidence, m.sentence, s.text AS quote, s.speaker, i.channel, i.ts AS timestamp,
                     i.customer_id, i.product, i.location, i.nps, i.csat, i.ces, i.rating,
                     a.sentiment, a.sentiment_score
              FROM item_aspects m JOIN ({from_sql(joins)}) ON m.item_id = i.id
              LEFT JOIN sentences s ON s.item_id = m.item_id AND s.idx = m.sentence
              WHERE {where}"""
    return sql, params


def sentences_sql(filters: Filters | None, dialect: str = "duckdb") -> tuple[str, list[Any]]:
    where, params, joins = where_sql(filters, dialect=dialect)
    sql = f"""SELECT s.item_id, s.idx, s.text, s.speaker, s.sentiment, s.sentiment_score, s.aspects,
                     i.channel, i.ts AS timestamp, i.customer_id, coalesce(a.language, i.language) AS language
              FROM sentences s JOIN ({from_sql(joins)}) ON s.item_id = i.id
              WHERE {where} ORDER BY s.item_id, s.idx"""
    return sql, params


def quarantine_sql(source: str | None, dialect: str = "duckdb") -> tuple[str, list[Any]]:
    sql = "SELECT source, line, field, reason, raw, quarantined_at FROM quarantine"
    if not source:
        return sql + " ORDER BY id", []
    return f"{sql} WHERE source = {placeholder(dialect)} ORDER BY id", [source]


def customers_sql(dialect: str = "duckdb") -> str:
    return f"SELECT id, name, {json_text('attributes', dialect)}, updated_at FROM customers ORDER BY id"


SCHEMA_VERSION_SQL = "SELECT coalesce(max(version), 0) FROM schema_version"

COUNTS = ("items", "analysed", "quarantined", "customers", "sentences", "aspects")
DATA_VERSION_SQL = "SELECT (SELECT max(analysed_at) FROM analyses), (SELECT max(updated_at) FROM customers)"
COUNTS_SQL = """SELECT (SELECT count(*) FROM items), (SELECT count(*) FROM analyses),
                       (SELECT count(*) FROM quarantine), (SELECT count(*) FROM customers),
                       (SELECT count(*) FROM sentences), (SELECT count(*) FROM item_aspects)"""
