"""Insights as objects: an :class:`Insight` reads an :class:`InsightContext` and returns an
:class:`InsightResult` that knows how to serialise itself.

One registry (:data:`INSIGHTS`) feeds the CLI, the report, the REST API
(``GET /api/v1/insights/{name}``) and the dashboard (``/insights/{name}``). Adding an insight is one
module with a registered :class:`Insight` subclass, plus a template (``<name>.html`` in the folder
named by ``Insight.templates``) that the report and the dashboard both render::

    @register_insight
    class Busiest(Insight):
        name = "busiest"
        title = titles(en="Busiest channels", es="Canales con más voces")
        templates = Path(__file__).parent / "templates"

        def compute(self, ctx: InsightContext, **params: Any) -> InsightResult:
            return InsightResult(ctx.metrics(by="channel")[["channel", "volume"]])

Third-party packages register insights through the ``escucha.insights`` entry-point group.
"""

from __future__ import annotations

import dataclasses
import graphlib
import math
from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, ClassVar, Generic, TypeVar

import numpy as np
import pandas as pd

from escucha.insights import metrics as M
from escucha.insights.protect import anonymise_employees, protect_employees, snap_to_weeks
from escucha.jsonable import Redactor, jsonable
from escucha.plugins import Registry

if TYPE_CHECKING:
    from escucha.config import Settings
    from escucha.layout import WorkspaceLayout
    from escucha.store import Filters, Store


@dataclass
class InsightContext:
    """What an insight may read: the store, the settings and the workspace's files.

    A context also memoises shared inputs (``memo``) for one run: a report computes the customer
    voices once for every section. Make a new context (``fresh()``) after data changes."""

    store: Store
    settings: Settings
    layout: WorkspaceLayout
    _memo: dict[str, Any] = field(default_factory=dict, repr=False)

    @property
    def path(self) -> Path:
        """The workspace folder."""
        return self.layout.root

    def fresh(self) -> InsightContext:
        """The same workspace with nothing memoised."""
        return dataclasses.replace(self, _memo={})

    def memo(self, key: str, build: Callable[[], Any]) -> Any:
        """``build()`` once per context under ``key``."""
        if key not in self._memo:
            self._memo[key] = build()
        return self._memo[key]

    # -- data every insight reads ------------------------------------------------------------
    def metrics(
        self,
        by: str | Sequence[str] = (),
        period: str | None = None,
        filters: Filters | None = None,
        min_volume: int = 0,
    ) -> pd.DataFrame:
        """Metrics with 95% CIs per group (employee anonymity applied); with ``period``, also the
        change vs the previous period and whether it is significant."""
        dims = [by] if isinstance(by, str) else list(by)
        filters = snap_to_weeks(self.store, filters) if self.settings.employee_min_group > 1 else filters
        stats = self.store.stats(dims, period, filters)
        df = M.summarize(stats, [*dims, *([period] if period else [])])
        undated = 0
        if period and not df.empty and period in df:
            missing = df[period].isna()
            if missing.any():  # undated voices belong to no period (they are not "the latest")
                undated = int(stats.loc[stats[period].isna(), "n"].sum())
                df = df[~missing].reset_index(drop=True)
        df = protect_employees(  # before changes: no leak through the deltas
            self.store, self.settings.employee_min_group, df, dims, period, filters
        )
        if period and not df.empty:
            df = M.add_changes(df, dims, period)
        if min_volume and not df.empty:
            df = df[df["volume"] >= min_volume]
        df = df.reset_index(drop=True)
        if period:
            df.attrs["undated"] = undated
        return df

    def items(self, filters: Filters | None = None, limit: int | None = 100, offset: int = 0) -> pd.DataFrame:
        return self.store.items(filters, limit, offset)

    def aspects(self, filters: Filters | None = None) -> pd.DataFrame:
        return self.store.aspects(filters)

    def counts(self) -> dict[str, int]:
        return self.store.counts()

    def run(self, name: str, **params: Any) -> InsightResult[Any]:
        """Compute the registered insight ``name`` on this context."""
        return get_insight(name).compute(self, **params)


T = TypeVar("T")


@dataclass
class InsightResult(Generic[T]):
    """What an insight returns: its typed data, serialisable to JSON in one way (:meth:`to_json`)."""

    data: T

    def to_json(self, redact: Redactor | None = None) -> Any:
        """JSON-safe data: employees anonymised, customer text redacted when ``redact`` is given."""
        return publish(self.data, redact)


def publish(data: Any, redact: Redactor | None = None, *, significant: int | None = None) -> Any:
    """The one path from insight data to what an interface shows: JSON-safe, employee voices
    anonymised, customer text redacted when asked."""
    return anonymise_employees(jsonable(data, redact, significant=significant))


@dataclass(frozen=True)
class TableView:
    """A table as plain data (title, columns, rows of text): how an insight shows itself in a
    terminal without knowing the terminal library."""

    title: str
    columns: Sequence[tuple[str, bool]]  # (name, numeric)
    rows: Sequence[Sequence[str]]


class Insight(ABC):
    """One insight: a name, titles, where it shows and how it is computed."""

    name: ClassVar[str]
    title: ClassVar[Mapping[str, str]] = MappingProxyType({})
    """Title per interface language (``en`` and ``es``)."""
    order: ClassVar[int] = 100
    """Position in the report, the dashboard's navigation and ``escucha insights``."""
    after: ClassVar[tuple[str, ...]] = ()
    """Insights whose stored results this one reads (computed first in a report)."""
    page: ClassVar[str | None] = None
    """The dashboard path of a page of its own; default ``/insights/<name>``."""
    nav_title: ClassVar[Mapping[str, str] | None] = None
    """Short title for the dashboard's navigation (default: ``title``)."""
    snapshot_title: ClassVar[Mapping[str, str] | None] = None
    """Title of its box in the morning snapshot (default: ``title``)."""
    templates: ClassVar[Path | None] = None
    """Folder holding ``<name>.html``, the fragment the report and the dashboard render."""

    @abstractmethod
    def compute(self, ctx: InsightContext, **params: Any) -> InsightResult[Any]:
        """The insight's result for the workspace behind ``ctx``."""

    def section(self, ctx: InsightContext) -> Any:
        """The report's section (plain data; ``None`` or empty when there is nothing to show)."""
        return self.compute(ctx).data

    def table(self, section: Any) -> TableView | None:
        """The section as a terminal table (default: a list of records, first columns)."""
        rows = section if isinstance(section, list) else None
        if not rows or not all(isinstance(r, dict) for r in rows):
            return None
        cols = list(rows[0])[:6]
        return TableView(self.label("en"), [(c, False) for c in cols],
                         [[fmt(r.get(c)) for c in cols] for r in rows[:10]])  # fmt: skip

    def snapshot(self, ctx: InsightContext, limit: int = 5) -> list[dict[str, Any]] | None:
        """Lines for the dashboard's morning snapshot (``{"title", "detail"?, "href"?}``), or None
        when the insight has no snapshot box."""
        return None

    def label(self, lang: str = "en") -> str:
        return self.title.get(lang) or self.title.get("en") or self.name

    @property
    def template(self) -> str:
        return f"{self.name}.html"

    @property
    def path(self) -> str:
        return self.page or f"/insights/{self.name}"


def titles(en: str, es: str | None = None) -> Mapping[str, str]:
    """An insight's titles per interface language (read-only)."""
    return MappingProxyType({"en": en, "es": es or en})


def fmt(v: Any, digits: int = 1) -> str:
    """A number for a table cell: ``–`` when missing, fixed digits, no ``-0``."""
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return "–"
    if not isinstance(v, float):
        return str(v)
    s = f"{v:.{digits}f}"
    return s[1:] if s.startswith("-") and float(s) == 0 else s


def cut(text: Any, n: int = 90) -> str:
    """``text`` on one line, shortened to ``n`` characters."""
    t = " ".join(str(text or "").split())
    return t if len(t) <= n else t[: n - 1] + "…"


def day(v: Any) -> str | None:
    """The date part of an ISO timestamp (or None)."""
    return None if v is None or (isinstance(v, float) and math.isnan(v)) else str(v)[:10]


def as_list(v: Any) -> list[Any]:
    """``v`` as a list when it is a sequence (lists stored as arrays come back as numpy), else []."""
    return list(v) if isinstance(v, list | tuple | np.ndarray) else []


BUILTIN_MODULES: tuple[str, ...] = (
    "escucha.insights.themes", "escucha.insights.drivers", "escucha.insights.plan",
    "escucha.insights.promises", "escucha.insights.journey", "escucha.insights.ideas",
    "escucha.insights.segments",
)  # fmt: skip
"""The built-in insights (each module registers its own)."""


def _load_builtins() -> None:
    import importlib

    for module in BUILTIN_MODULES:
        importlib.import_module(module)


INSIGHTS: Registry[type[Insight]] = Registry("insight", "escucha.insights", field="name", builtins=_load_builtins)
"""Insight classes by name: the built-ins, then the entry points of group ``escucha.insights``."""


def register_insight(cls: type[Insight]) -> type[Insight]:
    """Class decorator: add an insight to the registry (a later one with the same name replaces it)."""
    INSIGHTS.register(cls.name, cls, replace=True)
    return cls


def get_insight(name: str) -> Insight:
    """A fresh instance of the insight registered as ``name``."""
    return INSIGHTS.get(name)()


def find_insight(name: str) -> Insight | None:
    """The insight registered as ``name`` (plugins included), or None."""
    return get_insight(name) if name in INSIGHTS else None


def all_insights() -> list[Insight]:
    """Every registered insight (plugins included) in display order."""
    found = [INSIGHTS.get(name)() for name in INSIGHTS.names()]
    return sorted(found, key=lambda i: (i.order, i.name))


def compute_order(insights: Sequence[Insight]) -> list[Insight]:
    """``insights`` so that each comes after those it reads (``after``), else in display order."""
    by_name = {i.name: i for i in insights}
    ts = graphlib.TopologicalSorter({i.name: [a for a in i.after if a in by_name] for i in insights})
    ts.prepare()
    out: list[Insight] = []
    while ts.is_active():
        ready = sorted(ts.get_ready(), key=lambda n: (by_name[n].order, n))
        out.extend(by_name[n] for n in ready)
        ts.done(*ready)
    return out
