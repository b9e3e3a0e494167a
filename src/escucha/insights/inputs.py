"""What the insights read, shared: customer voices, sentences and aspect mentions (agents and
employees left out), stored theme assignments, segment columns and the company's own file."""

from __future__ import annotations

import importlib.util
import json
import math
from typing import TYPE_CHECKING, Any

import pandas as pd

from escucha.errors import ConfigError
from escucha.store import Filters

if TYPE_CHECKING:
    from escucha.insights.base import InsightContext


def customer_items(ctx: InsightContext) -> pd.DataFrame:
    """Every analysed customer voice (employee voices left out); read once per context."""
    return ctx.memo("customer_items", lambda: _customer_items(ctx)).copy()  # type: ignore[no-any-return]


def _customer_items(ctx: InsightContext) -> pd.DataFrame:
    it = ctx.items(limit=None)
    if it.empty:
        return it
    it = it[(it["channel"] != "employee") & it["sentiment"].notna()].copy()
    return it.reset_index(drop=True)


def customer_sentences(
    ctx: InsightContext, items: pd.DataFrame | None = None, filters: Filters | None = None
) -> pd.DataFrame:
    """Sentences said by customers (agent turns left out), with the item's scores."""
    s = ctx.store.sentences(filters)
    if s.empty:
        return s
    s = s[s["speaker"].fillna("customer") != "agent"]
    if items is not None:
        s = s[s["item_id"].isin(set(items["id"]))]
    return s.reset_index(drop=True)


def voice_sentences(ctx: InsightContext) -> pd.DataFrame:
    """What customers said in the customer voices (:func:`customer_items`), once per context:
    the sentences the journey, the promises and the plan read (shared: never change it)."""

    def build() -> pd.DataFrame:
        items = ctx.memo("customer_items", lambda: _customer_items(ctx))
        return customer_sentences(ctx, items, Filters(exclude_channel=["employee"]))  # no employee: read less

    return ctx.memo("voice_sentences", build)  # type: ignore[no-any-return]


def customer_aspects(ctx: InsightContext, items: pd.DataFrame | None = None) -> pd.DataFrame:
    """Aspect mentions said by customers (one row per item, aspect and sentence)."""
    a: pd.DataFrame = ctx.memo("aspects", ctx.aspects)
    if a.empty:
        return a.copy()
    a = a[(a["speaker"].fillna("customer") != "agent") & (a["channel"] != "employee")]
    if items is not None:
        a = a[a["item_id"].isin(set(items["id"]))]
    return a.reset_index(drop=True)


def theme_rows(ctx: InsightContext) -> pd.DataFrame | None:
    """(item_id, driver, label, sign) rows from stored themes, when theme discovery has run."""
    if importlib.util.find_spec("escucha.insights.themes") is None:
        return None
    try:
        ta = ctx.store.get_table("theme_assignments")
        docs = ctx.store.get_docs("themes")
    except Exception:
        return None
    if ta is None or ta.empty or not {"item_id", "theme_id"} <= set(ta.columns):
        return None
    labels = {k: str(v.get("label") or v.get("name") or k) for k, v in docs.items()}
    df = ta[["item_id", "theme_id"]].copy()
    # -1 marks sentences no theme took; retired (merged, split) ids are gone from the documents
    df = df[(pd.to_numeric(df["theme_id"], errors="coerce") >= 0) & df["theme_id"].astype(str).isin(labels)]
    if df.empty:
        return None
    df["driver"] = "theme:" + df["theme_id"].astype(str)
    df["label"] = df["theme_id"].astype(str).map(lambda t: labels.get(t, t))
    return df


def segment_column(items: pd.DataFrame, by: str) -> pd.Series:
    """The segment value of each item for ``product``, ``location``, ``channel``… or ``meta:X``."""
    if by.startswith("meta:"):
        key = by[5:]

        def get(m: Any) -> Any:
            if m is None or (isinstance(m, float) and math.isnan(m)):
                return None
            d = json.loads(m) if isinstance(m, str) else m
            return d.get(key) if isinstance(d, dict) else None

        return items["metadata"].map(get)
    if by not in items.columns:
        raise ConfigError(f"unknown segment dimension '{by}': use product, location, channel, "
                          "language or meta:NAME", field="by")
    return items[by]


def load_company(ctx: InsightContext) -> dict[str, Any]:
    """The workspace's ``company.yaml`` (empty when absent)."""
    from escucha.layout import read_company

    return read_company(ctx.layout.company)


def aspect_labels(ctx: InsightContext, lang: str = "en") -> dict[str, str]:
    from escucha.taxonomy import workspace_taxonomy

    try:
        tax = workspace_taxonomy(ctx.path)
    except Exception:
        return {}
    return {a.id: a.label_for(lang) for a in tax.aspects.values()}


# ------------------------------------------------------------------------ formulas
