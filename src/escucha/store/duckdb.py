"""The embedded store: one DuckDB file in the workspace.

DuckDB lets one process hold a file open for writing at a time. This store never keeps the
file open between operations: each operation opens it, works inside one transaction and closes
it, retrying for up to ``lock_timeout`` seconds while another process holds it. So the CLI, the
server and batch jobs take turns instead of failing, and a long analysis run releases the file
between batches.
"""

from __future__ import annotations

import json
import logging
import random
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
from datetime import datetime
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd
import pyarrow as pa

from escucha.errors import StoreError, WorkspaceBusyError
from escucha.models import Analysis, Customer, Feedback
from escucha.store.base import PendingItem, QuarantineRow, UpsertResult
from escucha.store.rows import (
    ItemRows,
    derived_name,
    load_migrations,
    merge_customers,
    naive_utc,
    records,
    row_to_feedback,
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

__all__ = ["DuckDBStore", "migrations", "row_to_feedback"]

log = logging.getLogger(__name__)


def migrations() -> list[tuple[int, str, str]]:
    """(version, name, sql) of every migration, in order."""
    return load_migrations("escucha.store.migrations")


def _item_rows(items: Sequence[Feedback], now: datetime) -> pa.Table:
    cols: dict[str, list[Any]] = {c: [] for c in ITEM_COLUMNS}
    for it in items:
        cols["id"].append(it.id)
        cols["content_hash"].append(it.hash)
        cols["channel"].append(it.channel.value)
        cols["ts"].append(naive_utc(it.timestamp))
        cols["ingested_at"].append(now)
        for c in ("title", "text", "nps", "csat", "ces", "rating", "customer_id", "product",
                  "location", "language", "reach", "thread_id", "parent_id", "source", "source_id", "speaker"):  # fmt: skip
            cols[c].append(getattr(it, c))
        cols["metadata"].append(json.dumps(it.metadata, ensure_ascii=False, default=str) if it.metadata else None)
    schema = pa.schema(
        [
            ("id", pa.string()), ("content_hash", pa.string()), ("channel", pa.string()),
            ("ts", pa.timestamp("us")), ("ingested_at", pa.timestamp("us")), ("title", pa.string()),
            ("text", pa.string()), ("nps", pa.int16()), ("csat", pa.int16()), ("ces", pa.int16()),
            ("rating", pa.float64()), ("customer_id", pa.string()), ("product", pa.string()),
            ("location", pa.string()), ("language", pa.string()), ("reach", pa.int64()),
            ("thread_id", pa.string()), ("parent_id", pa.string()), ("source", pa.string()),
            ("source_id", pa.string()), ("metadata", pa.string()), ("speaker", pa.string()),
        ]
    )  # fmt: skip
    return pa.table(cols, schema=schema)


_PATH_LOCKS: dict[str, threading.RLock] = {}
_PATH_LOCKS_GUARD = threading.Lock()


def _path_lock(path: Path) -> threading.RLock:
    """One lock per database file in this process: DuckDB refuses two threads opening the same
    file at once ("Unique file handle conflict"), so threads of one process (the server) take turns."""
    key = str(path.resolve())
    with _PATH_LOCKS_GUARD:
        return _PATH_LOCKS.setdefault(key, threading.RLock())


class DuckDBStore(SQLStore):
    """Store on a DuckDB file (``:memory:`` is not supported: processes share the file)."""

    def __init__(self, path: str | Path, lock_timeout: float = 30.0, read_only: bool = False):
        self.path = Path(path)
        self.lock_timeout = lock_timeout
        self.read_only = read_only
        self._lock = _path_lock(self.path)

    # -- connections ---------------------------------------------------------------------------
    @contextmanager
    def connect(self, write: bool = True) -> Iterator[duckdb.DuckDBPyConnection]:
        """A connection inside a transaction; waits while another process holds the file."""
        with self._lock:
            yield from self._connect_locked()

    def _connect_locked(self) -> Iterator[duckdb.DuckDBPyConnection]:
        deadline = time.monotonic() + self.lock_timeout
        delay = 0.02
        while True:
            try:
                con = duckdb.connect(str(self.path), read_only=self.read_only)
                break
            except duckdb.IOException as exc:
                if "lock" not in str(exc).lower() or time.monotonic() >= deadline:
                    if "lock" in str(exc).lower():
                        raise WorkspaceBusyError(
                            f"the workspace store {self.path} is in use by another process "
                            f"(waited {self.lock_timeout:.0f}s); stop it or talk to it through its API"
                        ) from exc
                    raise StoreError(f"cannot open {self.path}: {exc}") from exc
                time.sleep(delay * (1 + random.random()))
                delay = min(delay * 2, 0.5)
        try:
            con.begin()
            yield con
            con.commit()
        except BaseException:
            with suppress(duckdb.Error):
                con.rollback()
            raise
        finally:
            con.close()

    def close(self) -> None:
        """Nothing stays open between operations."""

    # -- schema -----------------------------------------------------------------------------
    def migrate(self) -> int:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self.connect() as con:
            con.execute(
                "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER, name VARCHAR, applied_at TIMESTAMP)"
            )
            current = con.execute(SCHEMA_VERSION_SQL).fetchone()[0]  # type: ignore[index]
            for version, name, sql in migrations():
                if version > current:
                    log.info("applying migration %03d_%s", version, name)
                    con.execute(sql)
                    con.execute("INSERT INTO schema_version VALUES (?, ?, ?)", [version, name, utcnow()])
                    current = version
        return int(current)

    # -- writes -----------------------------------------------------------------------------
    def upsert_items(self, items: Sequence[Feedback]) -> UpsertResult:
        if not items:
            return UpsertResult()
        unique, dup_in_batch = unique_by_id(items)
        batch = _item_rows(unique, utcnow())
        with self.connect() as con:
            con.register("batch", batch)
            # one pass over the stored ids tells which rows are new, edited or already known
            state = dict(
                con.execute(
                    """SELECT b.id, CASE WHEN i.id IS NULL THEN 'new'
                                         WHEN i.content_hash <> b.content_hash THEN 'edited'
                                         ELSE 'known' END
                       FROM batch b LEFT JOIN items i ON i.id = b.id"""
                ).fetchall()
            )
            states = list(state.values())
            counts = (states.count("new"), states.count("edited"), states.count("known"))
            if counts[1]:
                set_cols = ", ".join(f"{c} = b.{c}" for c in ITEM_COLUMNS if c not in ("id", "ingested_at"))
                con.execute(
                    f"UPDATE items SET {set_cols} FROM batch b "
                    "WHERE items.id = b.id AND items.content_hash <> b.content_hash"
                )
            if counts[0]:
                new_rows = batch.filter(pa.array([state[i] == "new" for i in batch.column("id").to_pylist()]))
                con.register("fresh", new_rows)
                cols = ", ".join(ITEM_COLUMNS)
                con.execute(f"INSERT INTO items ({cols}) SELECT {cols} FROM fresh")
                con.unregister("fresh")
            con.unregister("batch")
        return UpsertResult(inserted=counts[0], updated=counts[1], duplicates=counts[2] + dup_in_batch)

    def upsert_customers(self, customers: Sequence[Customer]) -> int:
        if not customers:
            return 0
        merged = merge_customers(customers)
        now = utcnow()
        table = pa.table(
            {
                "id": [c.id for c in merged],
                "name": [c.name for c in merged],
                "attributes": [json.dumps(c.attributes, ensure_ascii=False, default=str) for c in merged],
                "updated_at": [now] * len(merged),
            }
        )
        with self.connect() as con:
            con.register("batch", table)
            con.execute(
                """INSERT INTO customers SELECT id, name, attributes, updated_at FROM batch
                   ON CONFLICT (id) DO UPDATE SET
                     name = coalesce(excluded.name, customers.name),
                     attributes = json_merge_patch(customers.attributes, excluded.attributes),
                     updated_at = excluded.updated_at"""
            )
            con.unregister("batch")
        return len(merged)

    def add_quarantine(self, rows: Sequence[QuarantineRow]) -> None:
        if not rows:
            return
        now = utcnow()
        with self.connect() as con:
            con.executemany(
                "INSERT INTO quarantine (source, line, field, reason, raw, quarantined_at) VALUES (?, ?, ?, ?, ?, ?)",
                [[r.source, r.line, r.field, r.reason, r.raw, now] for r in rows],
            )

    def log_ingest(self, source: str, summary: dict[str, Any]) -> None:
        with self.connect() as con:
            con.execute(
                "INSERT INTO ingest_log VALUES (?, ?, ?)",
                [source, utcnow(), json.dumps(summary, default=str)],
            )

    # -- analysis ---------------------------------------------------------------------------
    def save_analyses(self, items: Sequence[PendingItem], analyses: Sequence[Analysis]) -> None:
        if not analyses:
            return
        now = utcnow()
        hashes = {it.id: it.content_hash for it in items}
        a_rows: dict[str, list[Any]] = {k: [] for k in ANALYSIS_COLUMNS}
        s_rows: dict[str, list[Any]] = {k: [] for k in SENTENCE_COLUMNS}
        asp_rows: dict[str, list[Any]] = {k: [] for k in ASPECT_COLUMNS}
        for an in analyses:
            a_rows["item_id"].append(an.item_id)
            a_rows["content_hash"].append(hashes[an.item_id])
            a_rows["pipeline_version"].append(an.pipeline_version)
            a_rows["analysed_at"].append(now)
            a_rows["language"].append(an.language)
            a_rows["sentiment"].append(an.sentiment)
            a_rows["sentiment_score"].append(an.sentiment_score)
            a_rows["emotions"].append(json.dumps(an.emotions))
            a_rows["dominant_emotion"].append(an.dominant_emotion)
            a_rows["intents"].append(list(an.intents))
            a_rows["urgency"].append(an.urgency)
            a_rows["extras"].append(json.dumps(an.extras, ensure_ascii=False, default=str))
            for s in an.sentences:
                for k, v in (("item_id", an.item_id), ("idx", s.index), ("text", s.text), ("start_pos", s.start),
                             ("end_pos", s.end), ("speaker", s.speaker), ("sentiment", s.sentiment),
                             ("sentiment_score", s.sentiment_score), ("aspects", list(s.aspects))):  # fmt: skip
                    s_rows[k].append(v)
            for m in an.aspects:
                for k, v in (("item_id", an.item_id), ("aspect", m.aspect), ("sentiment", m.sentiment),
                             ("score", m.score), ("evidence", m.evidence), ("sentence", m.sentence)):  # fmt: skip
                    asp_rows[k].append(v)
        list_str = pa.list_(pa.string())
        a_tab = pa.table(a_rows, schema=pa.schema([
            ("item_id", pa.string()), ("content_hash", pa.string()), ("pipeline_version", pa.string()),
            ("analysed_at", pa.timestamp("us")), ("language", pa.string()), ("sentiment", pa.string()),
            ("sentiment_score", pa.float64()), ("emotions", pa.string()), ("dominant_emotion", pa.string()),
            ("intents", list_str), ("urgency", pa.float64()), ("extras", pa.string())]))  # fmt: skip
        s_tab = pa.table(s_rows, schema=pa.schema([
            ("item_id", pa.string()), ("idx", pa.int32()), ("text", pa.string()), ("start_pos", pa.int32()),
            ("end_pos", pa.int32()), ("speaker", pa.string()), ("sentiment", pa.string()),
            ("sentiment_score", pa.float64()), ("aspects", list_str)]))  # fmt: skip
        asp_tab = pa.table(asp_rows, schema=pa.schema([
            ("item_id", pa.string()), ("aspect", pa.string()), ("sentiment", pa.string()),
            ("score", pa.float64()), ("evidence", pa.string()), ("sentence", pa.int32())]))  # fmt: skip
        with self.connect() as con:
            con.register("a_new", a_tab)
            con.register("s_new", s_tab)
            con.register("asp_new", asp_tab)
            con.execute("DELETE FROM sentences WHERE item_id IN (SELECT item_id FROM a_new)")
            con.execute("DELETE FROM item_aspects WHERE item_id IN (SELECT item_id FROM a_new)")
            con.execute("DELETE FROM analyses WHERE item_id IN (SELECT item_id FROM a_new)")
            con.execute("INSERT INTO analyses SELECT * FROM a_new")
            con.execute("INSERT INTO sentences SELECT * FROM s_new")
            con.execute("INSERT INTO item_aspects SELECT * FROM asp_new")
            for name in ("a_new", "s_new", "asp_new"):
                con.unregister(name)

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
                con.execute("DELETE FROM documents WHERE kind = ?", [kind])
            else:
                self._write_docs(con, kind, dict.fromkeys(keys))

    def _lock_docs(self, con: Any, kind: str) -> None:
        """Nothing to do: a DuckDB transaction holds the file alone."""

    def _write_docs(self, con: Any, kind: str, changes: dict[str, dict[str, Any] | None]) -> None:
        gone = [[kind, k] for k, v in changes.items() if v is None]
        kept = [[kind, k, json.dumps(v, ensure_ascii=False, default=str), utcnow()]
                for k, v in changes.items() if v is not None]
        if gone:
            con.executemany("DELETE FROM documents WHERE kind = ? AND key = ?", gone)
        if kept:
            con.executemany("INSERT OR REPLACE INTO documents VALUES (?, ?, ?, ?)", kept)

    def put_table(self, name: str, df: pd.DataFrame) -> None:
        """Replace a derived table (e.g. sentence → theme assignments) with ``df``."""
        table = derived_name(name)
        with self.connect() as con:
            con.register("frame", df)
            con.execute(f"CREATE OR REPLACE TABLE {table} AS SELECT * FROM frame")
            con.unregister("frame")

    def get_table(self, name: str) -> pd.DataFrame | None:
        table = derived_name(name)
        with self.connect() as con:
            exists = con.execute(
                "SELECT count(*) FROM information_schema.tables WHERE table_name = ?", [table]
            ).fetchone()
            if not exists or not exists[0]:
                return None
            return con.execute(f"SELECT * FROM {table}").df()

    # -- reads ------------------------------------------------------------------------------
    def _df(self, sql: str, params: Sequence[Any] = ()) -> pd.DataFrame:
        with self.connect() as con:
            return con.execute(sql, list(params)).df()

    def _fetch_items(self, ids: list[str]) -> ItemRows:
        marks = ", ".join("?" * len(ids))
        with self.connect() as con:
            items = con.execute(f"SELECT * FROM items WHERE id IN ({marks})", ids).df()
            an = con.execute(f"SELECT * FROM analyses WHERE item_id IN ({marks})", ids).df()
            sents = con.execute(
                f"SELECT * FROM sentences WHERE item_id IN ({marks}) ORDER BY item_id, idx", ids
            ).df()
            asps = con.execute(f"SELECT * FROM item_aspects WHERE item_id IN ({marks})", ids).df()
        return records(items), records(an), records(sents), records(asps)
