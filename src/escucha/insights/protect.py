"""Employee protection, in one place: anonymity thresholds on figures, and employee voices that
never name their author when an insight quotes them."""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING, Any

import pandas as pd

from escucha.models import content_hash

if TYPE_CHECKING:
    from escucha.store import Filters, Store


def protect_employees(
    store: Store, k: int, df: pd.DataFrame, dims: list[str], period: str | None, filters: Filters | None
) -> pd.DataFrame:
    """Anonymity for internal customers: a group holding employee voices from fewer than ``k``
    people shows no figures at all (``suppressed`` says why)."""
    from escucha.store import Filters

    if df.empty or k <= 1:
        return df
    base = filters or Filters()
    if base.channel and "employee" not in base.channel:
        return df
    keys = [*dims, *([period] if period else [])]
    emp = store.stats(dims, period, dataclasses.replace(base, channel=["employee"]))
    emp = emp[emp["n"] > 0]
    if emp.empty:
        df["suppressed"] = False
        return df
    # people: distinct authors when the voices carry an id, else (anonymous comments) the count
    emp = emp.assign(_employees=emp["n_customers"].where(emp["n_customers"] > 0, emp["n"]))
    counts = emp[[*keys, "_employees"]]
    df = df.merge(counts, on=keys, how="left") if keys else df.assign(_employees=int(emp["_employees"].sum()))
    small = df["_employees"].fillna(0).between(1, k - 1)
    figures = [c for c in df.columns if c not in (*keys, "_employees")]
    df[figures] = df[figures].astype(float)
    df.loc[small, figures] = float("nan")
    df["suppressed"] = small
    df["suppressed_reason"] = [f"employee anonymity: fewer than {k} people" if s else None for s in small]
    return df.drop(columns="_employees")


def anonymous_id(item_id: Any) -> str:
    """A stable stand-in for an employee voice's id that does not lead back to it."""
    return "anon:" + content_hash(item_id)[:12]


def anonymise_employees(data: Any) -> Any:
    """JSON-like ``data`` with every employee voice (a mapping whose ``channel`` is ``employee``)
    stripped of its author and with its id replaced by :func:`anonymous_id`."""
    if isinstance(data, list):
        return [anonymise_employees(x) for x in data]
    if not isinstance(data, dict):
        return data
    out = {k: anonymise_employees(v) for k, v in data.items()}
    if out.get("channel") == "employee":
        if "customer_id" in out:
            out["customer_id"] = None
        if out.get("item_id") is not None and not str(out["item_id"]).startswith("anon:"):
            out["item_id"] = anonymous_id(out["item_id"])
    return out
