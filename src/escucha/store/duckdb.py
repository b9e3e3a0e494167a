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
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd
import pyarrow as pa

from escucha.errors import NotFoundError, StoreError, WorkspaceBusyError
from escucha.models import Analysis, Channel, Customer, Feedback
from escucha.store.base import Filters, PendingItem, QuarantineRow, UpsertResult
from escucha.store.sql import ITEM_COLUMNS, from_sql, stats_sql, where_sql

log = logging.getLogger(__name__)


def migrations() -> list[tuple[int, str, str]]:
    """(version, name, sql) of every migration, in order."""
    out = []
    for f in resources.files("escucha.store.migrations").iterdir():
        if f.name.endswith(".sql"):
            num, _, name = f.name.partition("_")
            out.append((int(num), name.removesuffix(".sql"), f.read_text(encoding="utf-8")))
    return sorted(out)


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def _naive_utc(dt: datetime | None) -> datetime | None:
    if dt is None:
        return None
    return dt.astimezone(UTC).replace(tzinfo=None) if dt.tzinfo else dt


def _item_rows(items: Sequence[Feedback], now: datetime) -> pa.Table:
    cols: dict[str, list[Any]] = {c: [] for c in ITEM_COLUMNS}
    for it in items:
        cols["id"].append(it.id)
        cols["content_hash"].append(it.hash)
        cols["channel"].append(it.channel.value)
        cols["ts"].append(_naive_utc(it.timestamp))
        cols["ingested_at"].append(now)
        for c in ("title", "text", "nps", "csat", "ces", "rating", "customer_id", "product",
                  "location", "language", "reach", "thread_id", "parent_id", "source", "source_id"):  # fmt: skip
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
            ("source_id", pa.string()), ("metadata", pa.string()),
        ]
    )  # fmt: skip
    return pa.table(cols, schema=schema)


def row_to_feedback(row: dict[str, Any]) -> Feedback:
    """A stored item row back into a Feedback (rows were validated at ingest, so no re-validation)."""
    data = {k: row.get(k) for k in ITEM_COLUMNS if k not in ("content_hash", "ts", "ingested_at", "metadata")}
    data = {k: (None if _is_missing(v) else _py(v)) for k, v in data.items()}
    data["channel"] = Channel(data["channel"])
    ts = row.get("ts")
    data["timestamp"] = None if _is_missing(ts) else _py(ts).replace(tzinfo=UTC)
    meta = row.get("metadata")
    data["metadata"] = json.loads(meta) if isinstance(meta, str) and meta else {}
    return Feedback.model_construct(**data)


def _py(v: Any) -> Any:
    if isinstance(v, pd.Timestamp):
        return v.to_pydatetime()
    return v.item() if hasattr(v, "item") and not isinstance(v, (str, bytes, dict, list)) else v


def _analysis(a: dict[str, Any], sents: list[dict[str, Any]], asps: list[dict[str, Any]]) -> Analysis:
    """An Analysis from its stored rows."""
    return Analysis(
        item_id=a["item_id"],
        language=a["language"] or "unknown",
        sentiment=a["sentiment"] or "unknown",
        sentiment_score=a["sentiment_score"] or 0.0,
        emotions=json.loads(a["emotions"] or "{}"),
        intents=list(a["intents"]) if a["intents"] is not None else [],
        urgency=a["urgency"] or 0.0,
        extras=json.loads(a["extras"] or "{}"),
        pipeline_version=a["pipeline_version"],
        aspects=[
            {"aspect": r["aspect"], "sentiment": r["sentiment"], "score": r["score"],
             "evidence": r["evidence"] or "", "sentence": None if _is_missing(r["sentence"]) else int(r["sentence"])}
            for r in asps
        ],
        sentences=[
            {"index": r["idx"], "text": r["text"], "start": r["start_pos"], "end": r["end_pos"],
             "sentiment": r["sentiment"], "sentiment_score": r["sentiment_score"],
             "aspects": list(r["aspects"]) if r["aspects"] is not None else [],
             "speaker": None if _is_missing(r["speaker"]) else r["speaker"]}
            for r in sents
        ],
    )


def _derived(name: str) -> str:
    if not name.replace("_", "").isalnum():
        raise StoreError(f"bad derived table name {name!r}", field="name")
    return f"derived_{name}"


def _is_missing(v: Any) -> bool:
    try:
        return v is None or bool(pd.isna(v))
    except (TypeError, ValueError):
        return False


_PATH_LOCKS: dict[str, threading.RLock] = {}
_PATH_LOCKS_GUARD = threading.Lock()


def _path_lock(path: Path) -> threading.RLock:
    """One lock per database file in this process: DuckDB refuses two threads opening the same
    file at once ("Unique file handle conflict"), so threads of one process (the server) take turns."""
    key = str(path.resolve())
    with _PATH_LOCKS_GUARD:
        return _PATH_LOCKS.setdefault(key, threading.RLock())


class DuckDBStore:
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
            current = con.execute("SELECT coalesce(max(version), 0) FROM schema_version").fetchone()[0]  # type: ignore[index]
            for version, name, sql in migrations():
                if version > current:
                    log.info("applying migration %03d_%s", version, name)
                    con.execute(sql)
                    con.execute("INSERT INTO schema_version VALUES (?, ?, ?)", [version, name, _now()])
                    current = version
        return int(current)

    def schema_version(self) -> int:
        with self.connect() as con:
            return int(con.execute("SELECT coalesce(max(version), 0) FROM schema_version").fetchone()[0])  # type: ignore[index]

    # -- writes -----------------------------------------------------------------------------
    def upsert_items(self, items: Sequence[Feedback]) -> UpsertResult:
        if not items:
            return UpsertResult()
        # within one batch the first occurrence of an id wins
        seen: dict[str, Feedback] = {}
        dup_in_batch = 0
        for it in items:
            if it.id in seen:
                dup_in_batch += 1
            else:
                seen[it.id] = it
        batch = _item_rows(list(seen.values()), _now())
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
                con.execute(f"INSERT INTO items SELECT {', '.join(ITEM_COLUMNS)} FROM fresh")
                con.unregister("fresh")
            con.unregister("batch")
        return UpsertResult(inserted=counts[0], updated=counts[1], duplicates=counts[2] + dup_in_batch)

    def upsert_customers(self, customers: Sequence[Customer]) -> int:
        if not customers:
            return 0
        merged: dict[str, Customer] = {}
        for c in customers:
            if c.id in merged:
                merged[c.id].attributes.update(c.attributes)
                merged[c.id].name = c.name or merged[c.id].name
            else:
                merged[c.id] = c.model_copy(deep=True)
        now = _now()
        table = pa.table(
            {
                "id": [c.id for c in merged.values()],
                "name": [c.name for c in merged.values()],
                "attributes": [json.dumps(c.attributes, ensure_ascii=False, default=str) for c in merged.values()],
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
        now = _now()
        with self.connect() as con:
            con.executemany(
                "INSERT INTO quarantine (source, line, field, reason, raw, quarantined_at) VALUES (?, ?, ?, ?, ?, ?)",
                [[r.source, r.line, r.field, r.reason, r.raw, now] for r in rows],
            )

    def quarantine(self, source: str | None = None) -> pd.DataFrame:
        with self.connect() as con:
            sql = "SELECT source, line, field, reason, raw, quarantined_at FROM quarantine"
            params: list[Any] = []
            if source:
                sql += " WHERE source = ?"
                params.append(source)
            return con.execute(sql + " ORDER BY id", params).df()

    def log_ingest(self, source: str, summary: dict[str, Any]) -> None:
        with self.connect() as con:
            con.execute(
                "INSERT INTO ingest_log VALUES (?, ?, ?)",
                [source, _now(), json.dumps(summary, default=str)],
            )

    # -- analysis ---------------------------------------------------------------------------
    _PENDING = """FROM items i LEFT JOIN analyses a ON a.item_id = i.id
                  WHERE (a.item_id IS NULL OR a.content_hash <> i.content_hash
                         OR a.pipeline_version <> ?)"""

    def count_pending(self, pipeline_version: str) -> int:
        with self.connect() as con:
            return int(con.execute(f"SELECT count(*) {self._PENDING}", [pipeline_version]).fetchone()[0])  # type: ignore[index]

    def iter_pending(self, pipeline_version: str, batch_size: int) -> Iterator[list[PendingItem]]:
        """Yields batches until nothing is pending; each batch must be saved before the next."""
        last = ""
        while True:
            with self.connect() as con:
                rows = con.execute(
                    "SELECT i.id, i.content_hash, i.text, i.title, i.language, i.reach "
                    f"{self._PENDING} AND i.id > ? ORDER BY i.id LIMIT ?",
                    [pipeline_version, last, batch_size],
                ).fetchall()
            if not rows:
                return
            last = rows[-1][0]
            yield [PendingItem(*r) for r in rows]

    def save_analyses(self, items: Sequence[PendingItem], analyses: Sequence[Analysis]) -> None:
        if not analyses:
            return
        now = _now()
        hashes = {it.id: it.content_hash for it in items}
        a_rows: dict[str, list[Any]] = {k: [] for k in (
            "item_id", "content_hash", "pipeline_version", "analysed_at", "language", "sentiment",
            "sentiment_score", "emotions", "dominant_emotion", "intents", "urgency", "extras")}  # fmt: skip
        s_rows: dict[str, list[Any]] = {k: [] for k in (
            "item_id", "idx", "text", "start_pos", "end_pos", "speaker", "sentiment", "sentiment_score",
            "aspects")}  # fmt: skip
        asp_rows: dict[str, list[Any]] = {k: [] for k in ("item_id", "aspect", "sentiment", "score", "evidence", "sentence")}
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
        if not docs:
            return
        now = _now()
        with self.connect() as con:
            con.executemany(
                "INSERT OR REPLACE INTO documents VALUES (?, ?, ?, ?)",
                [[kind, k, json.dumps(v, ensure_ascii=False, default=str), now] for k, v in docs.items()],
            )

    def get_docs(self, kind: str) -> dict[str, dict[str, Any]]:
        with self.connect() as con:
            rows = con.execute("SELECT key, body FROM documents WHERE kind = ? ORDER BY key", [kind]).fetchall()
        return {k: json.loads(b) for k, b in rows}

    def delete_docs(self, kind: str, keys: Sequence[str] | None = None) -> None:
        """Delete the given documents of ``kind`` (all of them when ``keys`` is None)."""
        with self.connect() as con:
            if keys is None:
                con.execute("DELETE FROM documents WHERE kind = ?", [kind])
            else:
                con.executemany("DELETE FROM documents WHERE kind = ? AND key = ?", [[kind, k] for k in keys])

    def put_table(self, name: str, df: pd.DataFrame) -> None:
        """Replace a derived table (e.g. sentence → theme assignments) with ``df``."""
        table = _derived(name)
        with self.connect() as con:
            con.register("frame", df)
            con.execute(f"CREATE OR REPLACE TABLE {table} AS SELECT * FROM frame")
            con.unregister("frame")

    def get_table(self, name: str) -> pd.DataFrame | None:
        table = _derived(name)
        with self.connect() as con:
            exists = con.execute(
                "SELECT count(*) FROM information_schema.tables WHERE table_name = ?", [table]
            ).fetchone()
            if not exists or not exists[0]:
                return None
            return con.execute(f"SELECT * FROM {table}").df()

    # -- reads ------------------------------------------------------------------------------
    _ITEM_SELECT = """i.id, i.channel, i.ts AS timestamp, i.title, i.text, i.nps, i.csat, i.ces, i.rating,
        i.customer_id, i.product, i.location, coalesce(a.language, i.language) AS language, i.reach,
        i.thread_id, i.parent_id, i.source, i.source_id, i.metadata, i.ingested_at,
        a.sentiment, a.sentiment_score, a.emotions, a.dominant_emotion, a.intents, a.urgency,
        a.extras, a.pipeline_version"""

    def items(self, filters: Filters | None = None, limit: int | None = None, offset: int = 0) -> pd.DataFrame:
        where, params, joins = where_sql(filters)
        order = "ORDER BY coalesce(i.ts, i.ingested_at) DESC, i.id"
        if limit is None:
            sql = f"SELECT {self._ITEM_SELECT} FROM {from_sql(joins)} WHERE {where} {order}"
        else:  # a page: find its ids on narrow columns first, then read the wide ones for those only
            sql = (
                f"WITH page AS (SELECT i.id FROM {from_sql(joins)} WHERE {where} {order} LIMIT ? OFFSET ?) "
                f"SELECT {self._ITEM_SELECT} FROM page JOIN items i ON i.id = page.id "
                f"LEFT JOIN analyses a ON a.item_id = i.id {order}"
            )
            params = [*params, int(limit), int(offset)]
        with self.connect() as con:
            return con.execute(sql, params).df()

    def count_items(self, filters: Filters | None = None) -> int:
        where, params, joins = where_sql(filters)
        with self.connect() as con:
            return int(con.execute(f"SELECT count(*) FROM {from_sql(joins)} WHERE {where}", params).fetchone()[0])  # type: ignore[index]

    def get_item(self, item_id: str) -> tuple[Feedback, Analysis | None]:
        found = self.get_items([item_id])
        if item_id not in found:
            raise NotFoundError(f"no feedback item with id {item_id!r}", field="id", record=item_id)
        return found[item_id]

    def get_items(self, ids: Sequence[str]) -> dict[str, tuple[Feedback, Analysis | None]]:
        """``{id: (Feedback, Analysis | None)}`` for the ids that exist, in the order asked."""
        ids = list(dict.fromkeys(ids))
        if not ids:
            return {}
        marks = ", ".join("?" * len(ids))
        with self.connect() as con:
            items = con.execute(f"SELECT * FROM items WHERE id IN ({marks})", ids).df()
            an = con.execute(f"SELECT * FROM analyses WHERE item_id IN ({marks})", ids).df()
            sents = con.execute(
                f"SELECT * FROM sentences WHERE item_id IN ({marks}) ORDER BY item_id, idx", ids
            ).df()
            asps = con.execute(f"SELECT * FROM item_aspects WHERE item_id IN ({marks})", ids).df()
        s_by = {k: g.to_dict("records") for k, g in sents.groupby("item_id")} if not sents.empty else {}
        a_by = {k: g.to_dict("records") for k, g in asps.groupby("item_id")} if not asps.empty else {}
        an_by = {r["item_id"]: r for r in an.to_dict("records")}
        fbs = {r["id"]: row_to_feedback(r) for r in items.to_dict("records")}
        out: dict[str, tuple[Feedback, Analysis | None]] = {}
        for i in ids:
            if i not in fbs:
                continue
            a = an_by.get(i)
            out[i] = (fbs[i], None if a is None else _analysis(a, s_by.get(i, []), a_by.get(i, [])))
        return out

    def aspects(self, filters: Filters | None = None) -> pd.DataFrame:
        where, params, joins = where_sql(filters)
        sql = f"""SELECT m.item_id, m.aspect, m.sentiment AS aspect_sentiment, m.score AS aspect_score,
                         m.evidence, m.sentence, s.text AS quote, s.speaker, i.channel, i.ts AS timestamp,
                         i.customer_id, i.product, i.location, i.nps, i.csat, i.ces, i.rating,
                         a.sentiment, a.sentiment_score
                  FROM item_aspects m JOIN ({from_sql(joins)}) ON m.item_id = i.id
                  LEFT JOIN sentences s ON s.item_id = m.item_id AND s.idx = m.sentence
                  WHERE {where}"""
        with self.connect() as con:
            return con.execute(sql, params).df()

    def sentences(self, filters: Filters | None = None) -> pd.DataFrame:
        where, params, joins = where_sql(filters)
        sql = f"""SELECT s.item_id, s.idx, s.text, s.speaker, s.sentiment, s.sentiment_score, s.aspects,
                         i.channel, i.ts AS timestamp, i.customer_id, coalesce(a.language, i.language) AS language
                  FROM sentences s JOIN ({from_sql(joins)}) ON s.item_id = i.id
                  WHERE {where} ORDER BY s.item_id, s.idx"""
        with self.connect() as con:
            return con.execute(sql, params).df()

    def customers(self) -> pd.DataFrame:
        with self.connect() as con:
            return con.execute("SELECT id, name, attributes, updated_at FROM customers ORDER BY id").df()

    def stats(self, by: Sequence[str] = (), period: str | None = None, filters: Filters | None = None) -> pd.DataFrame:
        dims = [*by, *([period] if period else [])]
        sql, params = stats_sql(dims, filters)
        with self.connect() as con:
            return con.execute(sql, params).df()

    def counts(self) -> dict[str, int]:
        with self.connect() as con:
            row = con.execute(
                """SELECT (SELECT count(*) FROM items), (SELECT count(*) FROM analyses),
                          (SELECT count(*) FROM quarantine), (SELECT count(*) FROM customers),
                          (SELECT count(*) FROM sentences), (SELECT count(*) FROM item_aspects)"""
            ).fetchone()
        assert row is not None
        keys = ("items", "analysed", "quarantined", "customers", "sentences", "aspects")
        return dict(zip(keys, map(int, row), strict=True))
