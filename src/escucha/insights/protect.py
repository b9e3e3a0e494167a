"""Employee protection, in one place: anonymity thresholds on figures, complementary suppression,
whole-week windows, listings that never single out a person, and employee voices that never name
their author when an insight quotes them.

As trusted survey platforms do, a group's figures show only when its employee voices come from at
least ``k`` distinct people (``employee_min_group``). People are distinct author ids, plus each
comment without an id (an anonymous comment counts as one person: nothing tells two apart).
"""

from __future__ import annotations

import dataclasses
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

import pandas as pd

from escucha.models import content_hash

if TYPE_CHECKING:
    from escucha.store import Filters, Store

EMPLOYEE = "employee"


def _includes_employees(filters: Filters | None) -> bool:
    if filters is None:
        return True
    if filters.channel and EMPLOYEE not in filters.channel:
        return False
    return not (filters.exclude_channel and EMPLOYEE in filters.exclude_channel)


def people(stats: pd.DataFrame) -> pd.Series:
    """Distinct people behind each row of employee statistics: distinct author ids plus each
    comment without one."""
    return stats["n_customers"] + (stats["n"] - stats["n_with_id"])


def protect_employees(
    store: Store, k: int, df: pd.DataFrame, dims: list[str], period: str | None, filters: Filters | None
) -> pd.DataFrame:
    """Anonymity for internal customers: a group holding employee voices from fewer than ``k``
    people shows no figures at all (``suppressed`` says why), and when hidden groups could be
    recovered by subtracting the visible ones from a total, more groups are hidden until what is
    hidden holds at least ``k`` people (complementary suppression)."""
    from escucha.store import Filters

    if df.empty or k <= 1 or not _includes_employees(filters):
        return df
    base = filters or Filters()
    keys = [*dims, *([period] if period else [])]
    emp = store.stats(dims, period, dataclasses.replace(base, channel=[EMPLOYEE], exclude_channel=None))
    emp = emp[emp["n"] > 0]
    if emp.empty:
        df["suppressed"] = False
        return df
    emp = emp.assign(_employees=people(emp))
    counts = emp[[*keys, "_employees"]]
    df = df.merge(counts, on=keys, how="left") if keys else df.assign(_employees=int(emp["_employees"].sum()))
    n = df["_employees"].fillna(0)
    small = n.between(1, k - 1)
    for dim in keys:  # each dimension partitions the total the other keys publish
        small = _complement(small, n, df, [d for d in keys if d != dim], k)
    figures = [c for c in df.columns if c not in (*keys, "_employees")]
    df[figures] = df[figures].astype(float)
    df.loc[small, figures] = float("nan")
    df["suppressed"] = small
    df["suppressed_reason"] = [f"employee anonymity: fewer than {k} people" if s else None for s in small]
    return df.drop(columns="_employees")


def _complement(small: pd.Series, n: pd.Series, df: pd.DataFrame, others: list[str], k: int) -> pd.Series:
    """Within each slice along one dimension: if the hidden groups hold fewer than ``k`` people
    (the slice's total minus its visible groups would show them), hide the smallest other groups
    with employees until they do."""
    small = small.copy()
    slices = slices_of(df, others)
    for idx in slices:
        rows = pd.Index(idx)
        hidden = rows[small.loc[rows].to_numpy()]
        if hidden.empty:
            continue
        candidates = n.loc[rows][(~small.loc[rows]) & (n.loc[rows] > 0)].sort_values()
        total = float(n.loc[hidden].sum())
        for i, size in candidates.items():
            if total >= k:
                break
            small.loc[i] = True
            total += float(size)
    return small


def slices_of(df: pd.DataFrame, keys: list[str]) -> list[pd.Index]:
    """The row indexes of ``df`` per combination of ``keys`` (missing values make a slice too)."""
    if not keys:
        return [df.index]
    label = df[keys].astype(str).agg("\x1f".join, axis=1)
    return [pd.Index(v) for v in label.groupby(label, sort=False).groups.values()]


def snap_to_weeks(store: Store, filters: Filters | None) -> Filters | None:
    """A time window that holds employee voices, widened to whole weeks (Monday to Monday): windows
    a second apart must not tell one comment from the rest."""
    if filters is None or (filters.since is None and filters.until is None) or not _includes_employees(filters):
        return filters
    if not store.count_items(dataclasses.replace(filters, channel=[EMPLOYEE], exclude_channel=None)):
        return filters

    def monday(t: datetime) -> datetime:
        day = t.replace(hour=0, minute=0, second=0, microsecond=0)
        return day - timedelta(days=day.weekday())

    since = monday(filters.since) if filters.since is not None else None
    until = filters.until
    if until is not None:
        start = monday(until)
        until = start if start == until else start + timedelta(days=7)
    return dataclasses.replace(filters, since=since, until=until)


def safe_listing(store: Store, k: int, filters: Filters | None) -> Filters:
    """Filters for listing or exporting voices one by one: employee voices are never reachable by
    author id and never listed when the ones matching come from fewer than ``k`` people."""
    from escucha.store import Filters

    f = filters or Filters()
    if k <= 1 or not _includes_employees(f):
        return f
    hide = bool(f.customer_id)
    if not hide:
        emp = store.stats([], None, dataclasses.replace(f, channel=[EMPLOYEE], exclude_channel=None))
        hide = bool(len(emp)) and 0 < int(people(emp).iloc[0]) < k
    if not hide:
        return f
    return dataclasses.replace(f, exclude_channel=sorted({*(f.exclude_channel or []), EMPLOYEE}))


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
    if out.get("channel") == EMPLOYEE:
        if "customer_id" in out:
            out["customer_id"] = None
        if out.get("item_id") is not None and not str(out["item_id"]).startswith("anon:"):
            out["item_id"] = anonymous_id(out["item_id"])
    return out
