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

import logging
import os
import re
import threading
import weakref
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import pandas as pd
import psycopg
from psycopg import errors as pg_errors
from psycopg.conninfo import conninfo_to_dict, make_conninfo
from psycopg.rows import dict_row

from escucha.errors import StoreError, WorkspaceBusyError
from escucha.models import Analysis, Customer, Feedback
from escucha.store.base import Filters, PendingItem, QuarantineRow, UpsertResult
from escucha.store.pg_types import cell, clean, frame, pg_type, text_value, to_json
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


def _derived(name: str) -> str:
    return derived_name(name).lower()


def _ident(name: str) -> str:
    return '"' + str(name).replace('"', '""') + '"'


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
            return frame(cur)

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
                    con.execute(sql)  # trusted, packaged SQL
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
        with con.cursor() as cur, cur.copy(f"COPY {table} ({', '.join(cols)}) FROM STDIN") as cp:
            for r in rows:
                cp.write_row(r)

    def upsert_items(self, items: Sequence[Feedback]) -> UpsertResult:
        if not items:
            return UpsertResult()
        unique, dup_in_batch = unique_by_id(items)
        now = utcnow()
        rows = (
            [text_value(it.id), it.hash, it.channel.value, naive_utc(it.timestamp), now,
             text_value(it.title), text_value(it.text), it.nps, it.csat, it.ces, it.rating,
             text_value(it.customer_id), text_value(it.product), text_value(it.location),
             text_value(it.language), it.reach, text_value(it.thread_id), text_value(it.parent_id),
             text_value(it.source), text_value(it.source_id),
             to_json(it.metadata) if it.metadata else None, it.speaker]
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
                f"UPDATE items SET {set_cols} FROM batch b "
                "WHERE items.id = b.id AND items.content_hash <> b.content_hash"
            )
            con.execute(
                f"INSERT INTO items ({', '.join(ITEM_COLUMNS)}) "
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
                [[text_value(c.id), text_value(c.name), to_json(c.attributes), now] for c in merged],
            )
        return len(merged)

    def add_quarantine(self, rows: Sequence[QuarantineRow]) -> None:
        if not rows:
            return
        now = utcnow()
        with self.connect() as con:
            self._copy(
                con, "quarantine", ("source", "line", "field", "reason", "raw", "quarantined_at"),
                [[text_value(r.source), r.line, text_value(r.field), text_value(r.reason),
                  text_value(r.raw), now] for r in rows],
            )  # fmt: skip

    def log_ingest(self, source: str, summary: dict[str, Any]) -> None:
        with self.connect() as con:
            con.execute(
                "INSERT INTO ingest_log VALUES (%s, %s, %s::jsonb)",
                [text_value(source), utcnow(), to_json(summary)],
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
                an.sentiment_score, to_json(an.emotions), an.dominant_emotion, clean(list(an.intents)),
                an.urgency, to_json(an.extras)])  # fmt: skip
            for s in an.sentences:
                s_rows.append([an.item_id, s.index, text_value(s.text), s.start, s.end, text_value(s.speaker),
                               s.sentiment, s.sentiment_score, clean(list(s.aspects))])  # fmt: skip
            for k, m in enumerate(an.aspects):
                asp_rows.append(
                    [an.item_id, m.aspect, m.sentiment, m.score, text_value(m.evidence), m.sentence, k]
                )
        ids = [an.item_id for an in analyses]
        with self.connect() as con:
            con.execute("LOCK TABLE analyses IN SHARE ROW EXCLUSIVE MODE")
            for table in ("sentences", "item_aspects", "analyses"):
                con.execute(f"DELETE FROM {table} WHERE item_id = ANY(%s)", [ids])
            self._copy(con, "analyses", ANALYSIS_COLUMNS, a_rows)
            self._copy(con, "sentences", SENTENCE_COLUMNS, s_rows)
            self._copy(con, "item_aspects", (*ASPECT_COLUMNS, "ord"), asp_rows)

    # -- documents and derived tables ---------------------------------------------------------
    def put_docs(self, kind: str, docs: dict[str, dict[str, Any]]) -> None:
        """Insert or replace JSON documents of one kind (themes, plans, users, …)."""
        if docs:
            with self.connect() as con:
                self._write_docs(con, kind, dict(docs))

    def delete_docs(self, kind: str, keys: Sequence[str] | None = None) -> None:
        """Delete the given documents of ``kind`` (all of them when ``keys`` is None)."""
        with self.connect() as con:
            if keys is None:
                con.execute("DELETE FROM documents WHERE kind = %s", [kind])
            else:
                con.execute("DELETE FROM documents WHERE kind = %s AND key = ANY(%s)", [kind, list(keys)])

    def _lock_docs(self, con: Any, kind: str) -> None:
        """Writers of one kind of document take turns (a transaction-scoped advisory lock)."""
        con.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", [f"escucha:{self.schema}:docs:{kind}"])

    def _write_docs(self, con: Any, kind: str, changes: dict[str, dict[str, Any] | None]) -> None:
        gone = [k for k, v in changes.items() if v is None]
        kept = [[text_value(kind), text_value(k), to_json(v), utcnow()] for k, v in changes.items() if v is not None]
        if gone:
            con.execute("DELETE FROM documents WHERE kind = %s AND key = ANY(%s)", [kind, gone])
        if kept:
            con.cursor().executemany(
                """INSERT INTO documents VALUES (%s, %s, %s::json, %s)
                   ON CONFLICT (kind, key) DO UPDATE SET body = excluded.body, updated_at = excluded.updated_at""",
                kept,
            )

    def put_table(self, name: str, df: pd.DataFrame) -> None:
        """Replace a derived table (e.g. sentence → theme assignments) with ``df``."""
        table = _derived(name)
        kinds = [pg_type(df.iloc[:, k]) for k in range(df.shape[1])]
        cols = [_ident(c) for c in df.columns]
        ddl = ", ".join(f"{c} {k}" for c, k in zip(cols, kinds, strict=True))
        series = [df.iloc[:, k].tolist() for k in range(df.shape[1])]
        with self.connect() as con:
            con.execute(f"DROP TABLE IF EXISTS {table}")
            con.execute(f"CREATE TABLE {table} ({ddl})")
            if len(df) and cols:
                rows = (
                    [cell(v, k) for v, k in zip(vals, kinds, strict=True)]
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
                cur.execute(f"SELECT * FROM {table}")
                return frame(cur)

    # -- reads ------------------------------------------------------------------------------
    _RAW_ITEM = ", ".join(
        f"i.{c}::text AS {c}" if c == "metadata" else f"i.{c}" for c in ITEM_COLUMNS
    )

    def _fetch_items(self, ids: list[str]) -> ItemRows:
        with self.connect() as con:
            with con.cursor(binary=True) as cur:
                cur.execute(f"SELECT {self._RAW_ITEM} FROM items i WHERE id = ANY(%s)", [ids])
                items = frame(cur)
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
