"""The server store: one PostgreSQL schema per workspace, behind the same contract as DuckDB.

``open_store("postgresql://user@host/db?schema=acme")`` gives a :class:`PostgresStore` on schema
``acme`` (default ``escucha``, created by :meth:`PostgresStore.migrate`). Every operation runs in
one transaction on a connection taken from a small pool of idle connections; writers of the same
table take turns (table locks), waiting up to ``lock_timeout`` seconds before
:class:`~escucha.errors.WorkspaceBusyError`. Frames have the same columns and dtypes as DuckDB's.

Differences from DuckDB: metadata, attributes, emotions and extras are JSONB, so their JSON text
comes back with PostgreSQL's key order; NUL characters (which PostgreSQL cannot store) are
dropped from texts; NaN and infinities inside JSON become null; a customer's attributes are merged
one level deep (a null value removes the attribute).
"""

from __future__ import annotations

import json
import logging
import math
import os
import re
import threading
import weakref
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
from datetime import UTC, date, datetime
from typing import Any, Literal
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import numpy as np
import pandas as pd
import psycopg
from psycopg import errors as pg_errors
from psycopg.conninfo import conninfo_to_dict, make_conninfo
from psycopg.rows import dict_row

from escucha.errors import StoreError, WorkspaceBusyError
from escucha.models import Analysis, Customer, Feedback
from escucha.store.base import Filters, PendingItem, QuarantineRow, UpsertResult
from escucha.store.rows import (
    ItemRows,
    derived_name,
    load_migrations,
    merge_customers,
    naive_utc,
    records,
    unique_by_id,
    utcnow,
)
from escucha.store.sql import (
    ANALYSIS_COLUMNS,
    ASPECT_COLUMNS,
    ITEM_COLUMNS,
    SCHEMA_VERSION_SQL,
    SENTENCE_COLUMNS,
)
from escucha.store.sqlstore import SQLStore

log = logging.getLogger(__name__)

_SCHEMA = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")
_FLOAT_STATS = ("ces_sum", "ces_sq", "rating_sum", "rating_sq", "sentiment_sum")


def migrations() -> list[tuple[int, str, str]]:
    """(version, name, sql) of every PostgreSQL migration, in order."""
    return load_migrations("escucha.store.migrations_pg")


def split_url(url: str) -> tuple[str, str | None]:
    """The connection URL without escucha's own ``schema`` query parameter, and that schema."""
    parts = urlsplit(url)
    query = parse_qsl(parts.query, keep_blank_values=True)
    schema = next((v for k, v in query if k == "schema"), None)
    rest = urlencode([(k, v) for k, v in query if k != "schema"])
    return urlunsplit(parts._replace(query=rest)), schema


def safe_url(url: str) -> str:
    """The URL with any password masked, for messages."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = parts.netloc.replace(f":{parts.password}@", ":***@", 1)
    return urlunsplit(parts._replace(netloc=netloc))


def _clean(v: Any) -> Any:
    """A value PostgreSQL accepts: no NUL characters, no NaN/inf inside JSON."""
    if isinstance(v, str):
        return v.replace("\x00", "") if "\x00" in v else v
    if isinstance(v, float):
        return v if math.isfinite(v) else None
    if isinstance(v, dict):
        return {_clean(str(k)): _clean(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return [_clean(x) for x in v]
    return v


def _json(v: Any) -> str:
    return json.dumps(_clean(v), ensure_ascii=False, default=str)


def _text(v: Any) -> Any:
    return v.replace("\x00", "") if isinstance(v, str) and "\x00" in v else v


def _derived(name: str) -> str:
    return derived_name(name).lower()


def _ident(name: str) -> str:
    return '"' + str(name).replace('"', '""') + '"'


# -- result frames shaped like DuckDB's ----------------------------------------------------------
_INTS: dict[int, tuple[str, Literal["Int16", "Int32", "Int64"]]] = {
    21: ("int16", "Int16"),
    23: ("int32", "Int32"),
    20: ("int64", "Int64"),
}
_FLOATS = {700, 701, 1700}
_TIMESTAMP, _TIMESTAMPTZ, _DATE, _BOOL = 1114, 1184, 1082, 16
_TEXT_ARRAYS = {1009, 1015}


def _column(oid: int, vals: list[Any]) -> Any:
    """One result column as DuckDB's ``df()`` gives it (nullable ints, NA for missing lists)."""
    has_null = None in vals  # psycopg gives plain Python values: no elementwise ==
    if oid in _INTS:
        plain, nullable = _INTS[oid]
        return pd.array(vals, dtype=nullable) if has_null else np.array(vals, dtype=plain)
    if oid in _FLOATS:
        return np.array([np.nan if v is None else float(v) for v in vals], dtype="float64")
    if oid in (_TIMESTAMP, _DATE):
        return np.array(
            [np.datetime64("NaT") if v is None else v for v in vals], dtype="datetime64[us]"
        )
    if oid == _TIMESTAMPTZ:
        naive = [None if v is None else v.astimezone(UTC).replace(tzinfo=None) for v in vals]
        col = np.array(
            [np.datetime64("NaT") if v is None else v for v in naive], dtype="datetime64[us]"
        )
        return pd.DatetimeIndex(col).tz_localize(UTC)
    if oid == _BOOL and not has_null:
        return np.array(vals, dtype=bool)
    if oid in _TEXT_ARRAYS:
        return _objects([pd.NA if v is None else np.array(v, dtype=object) for v in vals])
    if vals and isinstance(next((v for v in vals if v is not None), None), list):
        return _objects([pd.NA if v is None else np.array(v) for v in vals])
    return _objects(vals)


def _objects(vals: list[Any]) -> np.ndarray:
    out = np.empty(len(vals), dtype=object)
    out[:] = vals
    return out


def _frame(cur: psycopg.Cursor[Any]) -> pd.DataFrame:
    rows = cur.fetchall()
    desc = cur.description or []
    cols = list(zip(*rows, strict=True)) if rows else [() for _ in desc]
    return pd.DataFrame(
        {d.name: _column(d.type_code, list(c)) for d, c in zip(desc, cols, strict=True)}
    )


# -- derived tables: pandas dtypes to PostgreSQL types --------------------------------------------
def _pg_type(s: pd.Series) -> str:
    dt = s.dtype
    if pd.api.types.is_bool_dtype(dt):
        return "BOOLEAN"
    if pd.api.types.is_integer_dtype(dt):
        size = getattr(dt, "itemsize", 8)
        return {1: "SMALLINT", 2: "SMALLINT", 4: "INTEGER"}.get(size, "BIGINT")
    if pd.api.types.is_float_dtype(dt):
        return "DOUBLE PRECISION"
    if isinstance(dt, pd.DatetimeTZDtype):
        return "TIMESTAMPTZ"
    if pd.api.types.is_datetime64_dtype(dt):
        return "TIMESTAMP"
    first = next((v for v in s if not _missing(v)), None)
    if isinstance(first, (list, tuple, np.ndarray)):
        inner = next((x for v in s if not _missing(v) for x in v), None)
        return _scalar_type(inner) + "[]"
    if isinstance(first, dict):
        return "JSONB"
    return _scalar_type(first)


def _scalar_type(v: Any) -> str:
    if isinstance(v, (bool, np.bool_)):
        return "BOOLEAN"
    if isinstance(v, (int, np.integer)):
        return "BIGINT"
    if isinstance(v, (float, np.floating)):
        return "DOUBLE PRECISION"
    if isinstance(v, datetime):
        return "TIMESTAMPTZ" if v.tzinfo else "TIMESTAMP"
    if isinstance(v, date):
        return "DATE"
    return "TEXT"


def _missing(v: Any) -> bool:
    if v is None or v is pd.NaT or v is pd.NA:
        return True
    return isinstance(v, float) and math.isnan(v)


def _cell(v: Any, kind: str) -> Any:
    if _missing(v):
        return None
    if isinstance(v, pd.Timestamp):
        return v.to_pydatetime()
    if isinstance(v, np.generic):
        v = v.item()
    if isinstance(v, float) and not math.isfinite(v):
        return v  # ±inf is a valid double precision
    if kind == "JSONB":
        return _json(v)
    if kind.endswith("[]"):
        return [_clean(x.item() if isinstance(x, np.generic) else x) for x in v]
    if kind == "TEXT" and not isinstance(v, str):
        return str(v)
    return _text(v)


def _close_all(pool: list[psycopg.Connection[Any]], pid: int) -> None:
    if os.getpid() != pid:  # a forked child must not close its parent's sockets
        pool.clear()
        return
    while pool:
        with suppress(psycopg.Error):
            pool.pop().close()


class PostgresStore(SQLStore):
    """Store on a PostgreSQL schema; ``url`` may carry ``?schema=NAME`` (``schema`` wins)."""

    DIALECT = "postgres"

    def __init__(
        self,
        url: str,
        schema: str | None = None,
        lock_timeout: float = 30.0,
        pool_size: int = 4,
        connect_timeout: float = 10.0,
    ):
        self.url, url_schema = split_url(url)
        self.schema = schema or url_schema or "escucha"
        if not _SCHEMA.match(self.schema):
            raise StoreError(
                f"bad PostgreSQL schema name {self.schema!r}: use lowercase letters, digits and _",
                field="schema",
            )
        self.lock_timeout = lock_timeout
        self.pool_size = pool_size
        params = conninfo_to_dict(self.url)
        options = " ".join(
            filter(None, [str(params.get("options") or ""), f"-c search_path={self.schema}",
                          f"-c lock_timeout={max(1, int(lock_timeout * 1000))}"])
        )  # fmt: skip
        params.update(options=options)
        params.setdefault("connect_timeout", str(max(1, int(connect_timeout))))
        self._conninfo = make_conninfo("", **params)
        self._idle: list[psycopg.Connection[Any]] = []
        self._lock = threading.Lock()
        self._pid = os.getpid()
        self._finalizer = weakref.finalize(self, _close_all, self._idle, self._pid)

    def __repr__(self) -> str:
        return f"PostgresStore({safe_url(self.url)!r}, schema={self.schema!r})"

    # -- connections ---------------------------------------------------------------------------
    def _checkout(self) -> psycopg.Connection[Any]:
        with self._lock:
            if os.getpid() != self._pid:  # forked: start a pool of our own
                self._idle.clear()
                self._pid = os.getpid()
                self._finalizer.detach()
                self._finalizer = weakref.finalize(self, _close_all, self._idle, self._pid)
            while self._idle:
                con = self._idle.pop()
                if not con.closed and not con.broken:
                    return con
        try:
            return psycopg.connect(self._conninfo, autocommit=True)
        except psycopg.OperationalError as exc:
            raise StoreError(
                f"cannot connect to PostgreSQL at {safe_url(self.url)}: {exc}"
            ) from exc

    def _checkin(self, con: psycopg.Connection[Any]) -> None:
        ok = not con.closed and not con.broken and con.info.transaction_status.name == "IDLE"
        with self._lock:
            if ok and os.getpid() == self._pid and len(self._idle) < self.pool_size:
                self._idle.append(con)
                return
        con.close()

    @contextmanager
    def connect(self) -> Iterator[psycopg.Connection[Any]]:
        """A pooled connection inside one transaction (committed on success, else rolled back)."""
        con = self._checkout()
        try:
            with con.transaction():
                yield con
        except pg_errors.LockNotAvailable as exc:
            raise WorkspaceBusyError(
                f"the PostgreSQL store {self.schema!r} is in use by another writer "
                f"(waited {self.lock_timeout:.0f}s); try again later"
            ) from exc
        except psycopg.OperationalError as exc:
            raise StoreError(f"PostgreSQL store {self.schema!r} failed: {exc}") from exc
        finally:
            self._checkin(con)

    def _df(self, sql: str, params: Sequence[Any] = ()) -> pd.DataFrame:
        with self.connect() as con, con.cursor(binary=True) as cur:
            cur.execute(sql, list(params))
            return _frame(cur)

    def close(self) -> None:
        """Close the idle pooled connections."""
        with self._lock:
            _close_all(self._idle, self._pid)

    def drop_schema(self) -> None:
        """Delete the whole schema and everything in it (tests and workspace removal)."""
        with self.connect() as con:
            con.execute(f"DROP SCHEMA IF EXISTS {_ident(self.schema)} CASCADE")
        self.close()

    # -- schema -----------------------------------------------------------------------------
    def migrate(self) -> int:
        with self.connect() as con:
            # one migrator per schema at a time, even across processes
            con.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", [f"escucha:{self.schema}"])
            con.execute(f"CREATE SCHEMA IF NOT EXISTS {_ident(self.schema)}")
            con.execute(
                "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER, name TEXT, applied_at TIMESTAMP)"
            )
            row = con.execute(SCHEMA_VERSION_SQL).fetchone()
            current = int(row[0]) if row else 0
            for version, name, sql in migrations():
                if version > current:
                    log.info(
                        "applying PostgreSQL migration %03d_%s to %s", version, name, self.schema
                    )
                    con.execute(sql)  # type: ignore[arg-type]  # trusted, packaged SQL
                    con.execute(
                        "INSERT INTO schema_version VALUES (%s, %s, %s)", [version, name, utcnow()]
                    )
                    current = version
        return current

    # -- writes -----------------------------------------------------------------------------
    def _copy(
        self,
        con: psycopg.Connection[Any],
        table: str,
        cols: Sequence[str],
        rows: Iterator[Any] | list[Any],
    ) -> None:
        with con.cursor() as cur, cur.copy(f"COPY {table} ({', '.join(cols)}) FROM STDIN") as cp:  # type: ignore[arg-type]
            for r in rows:
                cp.write_row(r)

    def upsert_items(self, items: Sequence[Feedback]) -> UpsertResult:
        if not items:
            return UpsertResult()
        unique, dup_in_batch = unique_by_id(items)
        now = utcnow()
        rows = (
            [_text(it.id), it.hash, it.channel.value, naive_utc(it.timestamp), now, _text(it.title),
             _text(it.text), it.nps, it.csat, it.ces, it.rating, _text(it.customer_id), _text(it.product),
             _text(it.location), _text(it.language), it.reach, _text(it.thread_id), _text(it.parent_id),
             _text(it.source), _text(it.source_id), _json(it.metadata) if it.metadata else None]
            for it in unique
        )  # fmt: skip
        with self.connect() as con:
            con.execute("CREATE TEMP TABLE batch (LIKE items) ON COMMIT DROP")
            self._copy(con, "batch", ITEM_COLUMNS, rows)
            # writers of items take turns so the counts are exact (readers are not blocked)
            con.execute("LOCK TABLE items IN SHARE ROW EXCLUSIVE MODE")
            counts = con.execute(
                """SELECT count(*) FILTER (WHERE i.id IS NULL),
                          count(*) FILTER (WHERE i.id IS NOT NULL AND i.content_hash <> b.content_hash),
                          count(*) FILTER (WHERE i.content_hash = b.content_hash)
                   FROM batch b LEFT JOIN items i ON i.id = b.id"""
            ).fetchone()
            assert counts is not None
            set_cols = ", ".join(
                f"{c} = b.{c}" for c in ITEM_COLUMNS if c not in ("id", "ingested_at")
            )
            con.execute(
                f"UPDATE items SET {set_cols} FROM batch b "  # type: ignore[arg-type]
                "WHERE items.id = b.id AND items.content_hash <> b.content_hash"
            )
            con.execute(
                f"INSERT INTO items ({', '.join(ITEM_COLUMNS)}) "  # type: ignore[arg-type]
                f"SELECT {', '.join('b.' + c for c in ITEM_COLUMNS)} FROM batch b ON CONFLICT (id) DO NOTHING"
            )
        return UpsertResult(
            inserted=int(counts[0]),
            updated=int(counts[1]),
            duplicates=int(counts[2]) + dup_in_batch,
        )

    def upsert_customers(self, customers: Sequence[Customer]) -> int:
        if not customers:
            return 0
        merged = merge_customers(customers)
        now = utcnow()
        with self.connect() as con:
            con.execute("LOCK TABLE customers IN SHARE ROW EXCLUSIVE MODE")
            con.cursor().executemany(
                """INSERT INTO customers (id, name, attributes, updated_at) VALUES (%s, %s, %s::jsonb, %s)
                   ON CONFLICT (id) DO UPDATE SET
                     name = coalesce(excluded.name, customers.name),
                     attributes = (coalesce(customers.attributes, '{}'::jsonb) || excluded.attributes)
                        - ARRAY(SELECT k FROM jsonb_each(excluded.attributes) AS e(k, v)
                                WHERE v = 'null'::jsonb),
                     updated_at = excluded.updated_at""",
                [[_text(c.id), _text(c.name), _json(c.attributes), now] for c in merged],
            )
        return len(merged)

    def add_quarantine(self, rows: Sequence[QuarantineRow]) -> None:
        if not rows:
            return
        now = utcnow()
        with self.connect() as con:
            self._copy(
                con, "quarantine", ("source", "line", "field", "reason", "raw", "quarantined_at"),
                [[_text(r.source), r.line, _text(r.field), _text(r.reason), _text(r.raw), now] for r in rows],
            )  # fmt: skip

    def log_ingest(self, source: str, summary: dict[str, Any]) -> None:
        with self.connect() as con:
            con.execute(
                "INSERT INTO ingest_log VALUES (%s, %s, %s::jsonb)",
                [_text(source), utcnow(), _json(summary)],
            )

    # -- analysis ---------------------------------------------------------------------------
    def save_analyses(
        self, items: Sequence[PendingItem | Feedback], analyses: Sequence[Analysis]
    ) -> None:
        if not analyses:
            return
        now = utcnow()
        hashes = {
            it.id: it.content_hash if isinstance(it, PendingItem) else it.hash for it in items
        }
        a_rows, s_rows, asp_rows = [], [], []
        for an in analyses:
            a_rows.append([
                an.item_id, hashes[an.item_id], an.pipeline_version, now, an.language, an.sentiment,
                an.sentiment_score, _json(an.emotions), an.dominant_emotion, _clean(list(an.intents)),
                an.urgency, _json(an.extras)])  # fmt: skip
            for s in an.sentences:
                s_rows.append([an.item_id, s.index, _text(s.text), s.start, s.end, _text(s.speaker),
                               s.sentiment, s.sentiment_score, _clean(list(s.aspects))])  # fmt: skip
            for k, m in enumerate(an.aspects):
                asp_rows.append(
                    [an.item_id, m.aspect, m.sentiment, m.score, _text(m.evidence), m.sentence, k]
                )
        ids = [an.item_id for an in analyses]
        with self.connect() as con:
            con.execute("LOCK TABLE analyses IN SHARE ROW EXCLUSIVE MODE")
            for table in ("sentences", "item_aspects", "analyses"):
                con.execute(f"DELETE FROM {table} WHERE item_id = ANY(%s)", [ids])  # type: ignore[arg-type]
            self._copy(con, "analyses", ANALYSIS_COLUMNS, a_rows)
            self._copy(con, "sentences", SENTENCE_COLUMNS, s_rows)
            self._copy(con, "item_aspects", (*ASPECT_COLUMNS, "ord"), asp_rows)

    # -- documents and derived tables ---------------------------------------------------------
    def put_docs(self, kind: str, docs: dict[str, dict[str, Any]]) -> None:
        """Insert or replace JSON documents of one kind (themes, plans, users, …)."""
        if not docs:
            return
        now = utcnow()
        with self.connect() as con:
            con.cursor().executemany(
                """INSERT INTO documents VALUES (%s, %s, %s::json, %s)
                   ON CONFLICT (kind, key) DO UPDATE SET body = excluded.body, updated_at = excluded.updated_at""",
                [[_text(kind), _text(k), _json(v), now] for k, v in docs.items()],
            )

    def delete_docs(self, kind: str, keys: Sequence[str] | None = None) -> None:
        """Delete the given documents of ``kind`` (all of them when ``keys`` is None)."""
        with self.connect() as con:
            if keys is None:
                con.execute("DELETE FROM documents WHERE kind = %s", [kind])
            else:
                con.execute(
                    "DELETE FROM documents WHERE kind = %s AND key = ANY(%s)", [kind, list(keys)]
                )

    def put_table(self, name: str, df: pd.DataFrame) -> None:
        """Replace a derived table (e.g. sentence → theme assignments) with ``df``."""
        table = _derived(name)
        kinds = [_pg_type(df.iloc[:, k]) for k in range(df.shape[1])]
        cols = [_ident(c) for c in df.columns]
        ddl = ", ".join(f"{c} {k}" for c, k in zip(cols, kinds, strict=True))
        series = [df.iloc[:, k].tolist() for k in range(df.shape[1])]
        with self.connect() as con:
            con.execute(f"DROP TABLE IF EXISTS {table}")  # type: ignore[arg-type]
            con.execute(f"CREATE TABLE {table} ({ddl})")  # type: ignore[arg-type]
            if len(df) and cols:
                rows = (
                    [_cell(v, k) for v, k in zip(vals, kinds, strict=True)]
                    for vals in zip(*series, strict=True)
                )
                self._copy(con, table, cols, rows)

    def get_table(self, name: str) -> pd.DataFrame | None:
        table = _derived(name)
        with self.connect() as con:
            exists = con.execute(
                "SELECT count(*) FROM information_schema.tables WHERE table_schema = %s AND table_name = %s",
                [self.schema, table],
            ).fetchone()
            if not exists or not exists[0]:
                return None
            with con.cursor(binary=True) as cur:
                cur.execute(f"SELECT * FROM {table}")  # type: ignore[arg-type]
                return _frame(cur)

    # -- reads ------------------------------------------------------------------------------
    _RAW_ITEM = ", ".join(
        f"i.{c}::text AS {c}" if c == "metadata" else f"i.{c}" for c in ITEM_COLUMNS
    )

    def _fetch_items(self, ids: list[str]) -> ItemRows:
        with self.connect() as con:
            with con.cursor(binary=True) as cur:
                cur.execute(f"SELECT {self._RAW_ITEM} FROM items i WHERE id = ANY(%s)", [ids])  # type: ignore[arg-type]
                items = _frame(cur)
            with con.cursor(row_factory=dict_row) as cur:
                ans = cur.execute(
                    "SELECT * FROM analyses WHERE item_id = ANY(%s)", [ids]
                ).fetchall()
                sents = cur.execute(
                    "SELECT * FROM sentences WHERE item_id = ANY(%s) ORDER BY item_id, idx", [ids]
                ).fetchall()
                asps = cur.execute(
                    "SELECT * FROM item_aspects WHERE item_id = ANY(%s) ORDER BY item_id, ord",
                    [ids],
                ).fetchall()
        return records(items), ans, sents, asps

    def stats(
        self, by: Sequence[str] = (), period: str | None = None, filters: Filters | None = None
    ) -> pd.DataFrame:
        df = super().stats(by, period, filters)
        for c in _FLOAT_STATS:  # sums of integers are numbers, as in DuckDB
            df[c] = df[c].astype("float64")
        return df
