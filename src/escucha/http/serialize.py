"""Turning store rows into JSON-friendly dicts, and CSV cells that spreadsheets cannot execute."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any, cast

import pandas as pd

from escucha.insights.protect import anonymous_id
from escucha.jsonable import jsonable

JSON_COLUMNS = ("emotions", "extras", "metadata")
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def clean(v: Any) -> Any:
    """NaN/NaT → None, timestamps → ISO strings, numpy → Python (the one path: ``escucha.jsonable``)."""
    return jsonable(v)


EMPLOYEE_HIDDEN = ("customer_id", "location", "metadata", "reach", "thread_id", "parent_id", "source_id")
"""What an internal customer's comment never shows one by one: who wrote it and from where
(aggregates of small groups are suppressed separately, by ``Workspace.metrics``)."""


def anonymise(row: dict[str, Any]) -> dict[str, Any]:
    """An employee's voice without its author or anything that narrows it down to a person."""
    if row.get("channel") != "employee":
        return row
    return {**row, **dict.fromkeys(EMPLOYEE_HIDDEN), "id": anonymous_id(row.get("id"))}


def anonymise_feedback(fb: Any) -> Any:
    """:func:`anonymise` for a ``Feedback`` (the id stays: the caller already holds it)."""
    if getattr(fb, "channel", None) != "employee":
        return fb
    hidden = {k: None for k in EMPLOYEE_HIDDEN if k != "metadata"}
    return fb.model_copy(update={**hidden, "metadata": {}})


def item_record(row: dict[str, Any], redact: Callable[[Any], Any] | None = None) -> dict[str, Any]:
    """One ``ws.items()`` row as JSON (JSON columns parsed, intents as a list; employees anonymised)."""
    out = {k: clean(v) for k, v in anonymise(row).items()}
    for k in JSON_COLUMNS:
        if isinstance(out.get(k), str):
            try:
                out[k] = json.loads(out[k])
            except ValueError:
                out[k] = {}
        elif k in out and out[k] is None:
            out[k] = {}
    if "intents" in out and out["intents"] is None:
        out["intents"] = []
    if redact is not None:
        for k in ("text", "title"):
            if out.get(k):
                out[k] = redact(out[k])
    return out


def frame_records(df: pd.DataFrame, redact: Callable[[Any], Any] | None = None) -> list[dict[str, Any]]:
    records = cast(list[dict[str, Any]], df.to_dict("records"))  # column names are strings
    return [item_record(r, redact) for r in records]


def neutralise(cell: str) -> str:
    """Prefix a quote to text cells a spreadsheet would read as a formula (CSV injection)."""
    return "'" + cell if cell.startswith(FORMULA_START) else cell


def csv_value(v: Any) -> Any:
    """A value for a CSV cell: numbers stay numbers, every text is neutralised."""
    v = clean(v)
    if v is None:
        return ""
    if isinstance(v, bool):
        return str(v).lower()
    if isinstance(v, int | float):
        return v
    if isinstance(v, list):
        v = ";".join(str(x) for x in v)
    elif isinstance(v, dict):
        v = json.dumps(v, ensure_ascii=False)
    return neutralise(str(v))
