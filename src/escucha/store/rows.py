"""Stored rows to models and back, shared by the engines (no SQL here)."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime
from importlib import resources
from typing import Any, cast

import pandas as pd

from escucha.errors import StoreError
from escucha.models import Analysis, Channel, Customer, Feedback
from escucha.store.sql import ITEM_COLUMNS

Record = Mapping[str, Any]
ItemRows = tuple[Sequence[Record], Sequence[Record], Sequence[Record], Sequence[Record]]
"""The item, analysis, sentence and aspect rows of some items."""


def load_migrations(package: str) -> list[tuple[int, str, str]]:
    """(version, name, sql) of every ``NNN_name.sql`` file in ``package``, in order."""
    out = []
    for f in resources.files(package).iterdir():
        if f.name.endswith(".sql"):
            num, _, name = f.name.partition("_")
            out.append((int(num), name.removesuffix(".sql"), f.read_text(encoding="utf-8")))
    return sorted(out)


def utcnow() -> datetime:
    """Now, as the naive UTC timestamp the stores keep."""
    return datetime.now(UTC).replace(tzinfo=None)


def naive_utc(dt: datetime | None) -> datetime | None:
    """``dt`` in UTC without its zone (naive values are taken as UTC already)."""
    if dt is None:
        return None
    return dt.astimezone(UTC).replace(tzinfo=None) if dt.tzinfo else dt


def derived_name(name: str) -> str:
    """The table behind derived table ``name`` (letters, digits and _ only)."""
    if not name.replace("_", "").isalnum():
        raise StoreError(f"bad derived table name {name!r}", field="name")
    return f"derived_{name}"


def records(df: pd.DataFrame) -> list[dict[str, Any]]:
    """A frame's rows as dicts keyed by column name."""
    return cast(list[dict[str, Any]], df.to_dict("records"))


def unique_by_id(items: Sequence[Feedback]) -> tuple[list[Feedback], int]:
    """The batch with repeated ids dropped (the first occurrence wins) and how many were dropped."""
    seen: dict[str, Feedback] = {}
    for it in items:
        seen.setdefault(it.id, it)
    return list(seen.values()), len(items) - len(seen)


def merge_customers(customers: Sequence[Customer]) -> list[Customer]:
    """One customer per id: later attributes and names win over earlier ones."""
    merged: dict[str, Customer] = {}
    for c in customers:
        if c.id in merged:
            merged[c.id].attributes.update(c.attributes)
            merged[c.id].name = c.name or merged[c.id].name
        else:
            merged[c.id] = c.model_copy(deep=True)
    return list(merged.values())


def is_missing(v: Any) -> bool:
    """None, NaN, NaT or NA (a list or other non-scalar is never missing)."""
    try:
        return v is None or bool(pd.isna(v))
    except (TypeError, ValueError):
        return False


def _py(v: Any) -> Any:
    if isinstance(v, pd.Timestamp):
        return v.to_pydatetime()
    return v.item() if hasattr(v, "item") and not isinstance(v, (str, bytes, dict, list)) else v


def _json_obj(v: Any) -> Any:
    """A JSON column as a dict: text from DuckDB, already parsed JSONB from PostgreSQL."""
    return json.loads(v or "{}") if isinstance(v, str) else (v or {})


def _listed(v: Any) -> list[Any]:
    return list(v) if v is not None else []


def row_to_feedback(row: Record) -> Feedback:
    """A stored item row back into a Feedback (rows were validated at ingest, so no re-validation)."""
    data: dict[str, Any] = {
        k: row.get(k)
        for k in ITEM_COLUMNS
        if k not in ("content_hash", "ts", "ingested_at", "metadata")
    }
    data = {k: (None if is_missing(v) else _py(v)) for k, v in data.items()}
    data["channel"] = Channel(data["channel"])
    ts = row.get("ts")
    data["timestamp"] = None if is_missing(ts) else _py(ts).replace(tzinfo=UTC)
    meta = row.get("metadata")
    data["metadata"] = json.loads(meta) if isinstance(meta, str) and meta else {}
    return Feedback.model_construct(**data)


def row_to_analysis(a: Record, sents: Iterable[Record], asps: Iterable[Record]) -> Analysis:
    """An Analysis from its stored rows (its analyses row, sentence rows and aspect rows)."""
    return Analysis.model_validate(
        dict(
            item_id=a["item_id"],
            language=a["language"] or "unknown",
            sentiment=a["sentiment"] or "unknown",
            sentiment_score=a["sentiment_score"] or 0.0,
            emotions=_json_obj(a["emotions"]),
            intents=_listed(a["intents"]),
            urgency=a["urgency"] or 0.0,
            extras=_json_obj(a["extras"]),
            pipeline_version=a["pipeline_version"],
            aspects=[
                {"aspect": r["aspect"], "sentiment": r["sentiment"], "score": r["score"],
                 "evidence": r["evidence"] or "",
                 "sentence": None if is_missing(r["sentence"]) else int(r["sentence"])}
                for r in asps
            ],
            sentences=[
                {"index": r["idx"], "text": r["text"], "start": r["start_pos"], "end": r["end_pos"],
                 "sentiment": r["sentiment"], "sentiment_score": r["sentiment_score"],
                 "aspects": _listed(r["aspects"]),
                 "speaker": None if is_missing(r["speaker"]) else r["speaker"]}
                for r in sents
            ],
        )
    )  # fmt: skip


def assemble_items(
    ids: Sequence[str],
    items: Iterable[Record],
    analyses: Iterable[Record],
    sentences: Iterable[Record],
    aspects: Iterable[Record],
) -> dict[str, tuple[Feedback, Analysis | None]]:
    """``{id: (Feedback, Analysis | None)}`` for the ids that have an item row, in the order asked
    (sentence and aspect rows keep their order within each item)."""
    fbs = {r["id"]: row_to_feedback(r) for r in items}
    an_by = {r["item_id"]: r for r in analyses}
    parts: dict[str, tuple[list[Record], list[Record]]] = {}
    for r in sentences:
        parts.setdefault(r["item_id"], ([], []))[0].append(r)
    for r in aspects:
        parts.setdefault(r["item_id"], ([], []))[1].append(r)
    out: dict[str, tuple[Feedback, Analysis | None]] = {}
    for i in ids:
        if i in fbs:
            a = an_by.get(i)
            out[i] = (fbs[i], None if a is None else row_to_analysis(a, *parts.get(i, ([], []))))
    return out
