"""Several voices with their analyses at once (one store connection instead of one per voice).

Uses ``store.get_items(ids)`` when the store has it; on the DuckDB store it reads the same
tables ``get_item`` reads, in one transaction (TODO: move into the Store protocol as
``get_items(ids) -> dict[str, tuple[Feedback, Analysis | None]]``); otherwise falls back to
``get_item`` per id.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import pandas as pd

from escucha.errors import NotFoundError
from escucha.models import Analysis, Feedback

if TYPE_CHECKING:
    from escucha.workspace import Workspace


def get_many(ws: Workspace, ids: list[str]) -> dict[str, tuple[Feedback, Analysis | None]]:
    """``{id: (Feedback, Analysis | None)}`` for the ids that exist."""
    if not ids:
        return {}
    store: Any = ws.store
    if hasattr(store, "get_items"):
        return store.get_items(ids)  # type: ignore[no-any-return]
    from escucha.store.duckdb import DuckDBStore

    if isinstance(store, DuckDBStore):
        return _duckdb_many(store, ids)
    out = {}
    for i in ids:
        try:
            out[i] = store.get_item(i)
        except NotFoundError:
            continue
    return out


def _duckdb_many(store: Any, ids: list[str]) -> dict[str, tuple[Feedback, Analysis | None]]:
    from escucha.store.duckdb import _is_missing, row_to_feedback

    marks = ", ".join("?" * len(ids))
    with store.connect() as con:
        items = con.execute(f"SELECT * FROM items WHERE id IN ({marks})", ids).df()
        an = con.execute(f"SELECT * FROM analyses WHERE item_id IN ({marks})", ids).df()
        sents = con.execute(f"SELECT * FROM sentences WHERE item_id IN ({marks}) ORDER BY item_id, idx", ids).df()
        asps = con.execute(f"SELECT * FROM item_aspects WHERE item_id IN ({marks})", ids).df()
    s_by = {k: g.to_dict("records") for k, g in sents.groupby("item_id")} if not sents.empty else {}
    a_by = {k: g.to_dict("records") for k, g in asps.groupby("item_id")} if not asps.empty else {}
    an_by = {r["item_id"]: r for r in an.to_dict("records")}
    out: dict[str, tuple[Feedback, Analysis | None]] = {}
    for row in items.to_dict("records"):
        fb = row_to_feedback(row)
        a = an_by.get(fb.id)
        if a is None:
            out[fb.id] = (fb, None)
            continue
        out[fb.id] = (fb, Analysis(
            item_id=fb.id,
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
                 "evidence": r["evidence"] or "", "sentence": None if pd.isna(r["sentence"]) else int(r["sentence"])}
                for r in a_by.get(fb.id, [])
            ],
            sentences=[
                {"index": r["idx"], "text": r["text"], "start": r["start_pos"], "end": r["end_pos"],
                 "sentiment": r["sentiment"], "sentiment_score": r["sentiment_score"],
                 "aspects": list(r["aspects"]) if r["aspects"] is not None else [],
                 "speaker": None if _is_missing(r["speaker"]) else r["speaker"]}
                for r in s_by.get(fb.id, [])
            ],
        ))  # fmt: skip
    return out
