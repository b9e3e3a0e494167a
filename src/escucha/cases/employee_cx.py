"""Insight ``employee_cx``: employee voice beside customer experience, unit by unit.

Per unit (``by``: a store, a location, a product, or an employee metadata field shared with the
customers' voices such as ``meta:team``), the employees' eNPS and a few of their comments next to
the customers' NPS, rating and sentiment of the same unit. Employee figures and comments show only
for units with at least ``employee_min_group`` distinct people (``insights.protect``); comments are
anonymised. Across the units whose figures show, the rank correlation of eNPS with the customers'
sentiment says whether happier teams go with happier customers.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import pandas as pd

from escucha.i18n import add_messages
from escucha.insights.base import (
    Insight,
    InsightContext,
    InsightResult,
    TableView,
    fmt,
    register_insight,
    titles,
)
from escucha.insights.protect import safe_listing
from escucha.store import Filters

EMPLOYEE = "employee"
COMMENTS = 3


add_messages({
    "employee_cx.intro": ("eNPS de los empleados junto a la experiencia de los clientes de la misma unidad ({by}). "
                          "Las cifras y comentarios de empleados solo se muestran donde respondieron al menos {k} personas.",
                          "Employees' eNPS beside the customers' experience of the same unit ({by}). "
                          "Employee figures and comments show only where at least {k} people answered."),
    "employee_cx.rho": ("Correlación de rangos del eNPS con el sentimiento de los clientes en {n} unidades: {rho}.",
                        "Rank correlation of eNPS with customer sentiment across {n} units: {rho}."),
    "employee_cx.by.location": ("ubicación", "location"),
    "employee_cx.by.product": ("producto", "product"),
    "employee_cx.by.channel": ("canal", "channel"),
    "employee_cx.enps": ("eNPS (IC 95%)", "eNPS (95% CI)"),
    "employee_cx.employee_voices": ("voces de empleados", "employees' voices"),
    "employee_cx.nps": ("NPS de clientes", "customer NPS"),
    "employee_cx.rating": ("valoración", "rating"),
    "employee_cx.sentiment": ("sentimiento de clientes", "customer sentiment"),
    "employee_cx.comments": ("lo que dicen los empleados", "what employees say"),
    "employee_cx.hidden": ("menos de {k} personas", "fewer than {k} people"),
})  # fmt: skip


def _num(v: Any) -> float | None:
    return None if v is None or (isinstance(v, float) and math.isnan(v)) else float(v)


def _comments(ctx: InsightContext, by: str, unit: Any) -> list[dict[str, Any]]:
    f = Filters(channel=[EMPLOYEE])
    if by.startswith("meta:"):
        rows = ctx.items(safe_listing(ctx.store, ctx.settings.employee_min_group, f), limit=None)
        if rows.empty or "metadata" not in rows:
            return []
        key = by.removeprefix("meta:")
        rows = rows[[str(json.loads(m or "{}").get(key)) == str(unit) if isinstance(m, str) else False
                     for m in rows["metadata"]]]  # fmt: skip
    else:
        setattr(f, by, [str(unit)])
        rows = ctx.items(safe_listing(ctx.store, ctx.settings.employee_min_group, f), limit=None)
    if rows.empty:
        return []
    rows = rows.sort_values("sentiment_score", na_position="last")
    picked = pd.concat([rows.head(2), rows.tail(1)]).drop_duplicates("id").head(COMMENTS)
    return [{"item_id": r["id"], "text": r["text"], "sentiment": r["sentiment"], "channel": EMPLOYEE}
            for r in picked.to_dict("records")]  # fmt: skip


def _touchpoints(ctx: InsightContext, given: dict[str, Any] | None) -> dict[str, list[str]]:
    """unit → the customers' aspects it serves: ``touchpoints`` given, else company.yaml's
    ``employee_touchpoints`` (e.g. ``{Logística: [delivery_logistics, waiting_time]}``)."""
    if given is None and ctx.layout.company.exists():
        import yaml

        given = (yaml.safe_load(ctx.layout.company.read_text(encoding="utf-8")) or {}).get("employee_touchpoints")
    return {str(k): [str(a) for a in (v if isinstance(v, list) else [v])] for k, v in (given or {}).items()}


def _by_aspects(ctx: InsightContext, touch: dict[str, list[str]]) -> dict[Any, dict[str, Any]]:
    """The customers' figures over each unit's aspects (volume-weighted sentiment index)."""
    if not touch:
        return {}
    asp = ctx.metrics(by="aspect", filters=Filters(exclude_channel=[EMPLOYEE]))
    rows = {r["aspect"]: r for r in asp.to_dict("records")} if not asp.empty else {}
    out: dict[Any, dict[str, Any]] = {}
    for unit, aspects in touch.items():
        hit = [rows[a] for a in aspects if a in rows]
        n = sum(float(r["volume"]) for r in hit)
        if n:
            si = sum(float(r["volume"]) * float(r["sentiment_index"]) for r in hit
                     if _num(r.get("sentiment_index")) is not None) / n  # fmt: skip
            out[unit] = {"volume": n, "sentiment_index": si, "aspects": aspects}
    return out


def employee_cx(ctx: InsightContext, by: str = "location", touchpoints: dict[str, Any] | None = None) -> dict[str, Any]:
    if by not in ("location", "product", "channel") and not by.startswith("meta:"):
        from escucha.errors import ValidationError

        raise ValidationError(f"by={by!r}: use location, product or meta:NAME", field="by")
    emp = ctx.metrics(by=by, filters=Filters(channel=[EMPLOYEE]))
    cus = ctx.metrics(by=by, filters=Filters(exclude_channel=[EMPLOYEE]))
    units = []
    cus_by = {r[by]: r for r in cus.to_dict("records")} if not cus.empty else {}
    cus_by.update(_by_aspects(ctx, _touchpoints(ctx, touchpoints)))  # units linked through the aspects they serve
    for e in emp.to_dict("records") if not emp.empty else []:
        unit = e[by]
        if unit is None or (isinstance(unit, float) and math.isnan(unit)):
            continue
        c = cus_by.get(unit, {})
        hidden = bool(e.get("suppressed"))
        units.append({
            "unit": unit, "employee_voices": None if hidden else _num(e.get("volume")),
            "enps": None if hidden else _num(e.get("enps")),
            "enps_low": None if hidden else _num(e.get("enps_low")),
            "enps_high": None if hidden else _num(e.get("enps_high")),
            "suppressed": hidden, "suppressed_reason": e.get("suppressed_reason"),
            "customer_voices": _num(c.get("volume")), "nps": _num(c.get("nps")), "rating": _num(c.get("rating")),
            "sentiment_index": _num(c.get("sentiment_index")), "aspects": c.get("aspects"),
            "comments": [] if hidden else _comments(ctx, by, unit),
        })  # fmt: skip
    both = [u for u in units if u["enps"] is not None and u["sentiment_index"] is not None]
    rho = None
    if len(both) >= 4:
        s = pd.DataFrame(both)[["enps", "sentiment_index"]].rank()
        rho = _num(s["enps"].corr(s["sentiment_index"]))
    return {"by": by, "units": units, "spearman_enps_sentiment": rho, "units_compared": len(both),
            "min_group": ctx.settings.employee_min_group}  # fmt: skip


@register_insight
class EmployeeCx(Insight):
    """Employee voice (eNPS, comments) beside the customers' experience of the same unit."""

    name = "employee_cx"
    title = titles(en="Employees and customers, unit by unit", es="Empleados y clientes, unidad a unidad")
    nav_title = titles(en="Employees × CX", es="Empleados × CX")
    order = 80
    templates = Path(__file__).parent / "templates"

    def compute(self, ctx: InsightContext, by: str = "location", touchpoints: dict[str, Any] | None = None,
                **params: Any) -> InsightResult[dict[str, Any]]:  # fmt: skip
        return InsightResult(employee_cx(ctx, by, touchpoints))

    def section(self, ctx: InsightContext) -> dict[str, Any] | None:
        data = self.compute(ctx).data
        return data if data["units"] else None

    def table(self, section: Any) -> TableView | None:
        if not section:
            return None
        rows = [[str(u["unit"]), fmt(u["enps"], 0), fmt(u["employee_voices"], 0), fmt(u["nps"], 0), fmt(u["rating"], 2),
                 fmt(u["sentiment_index"], 0), "hidden (< k people)" if u["suppressed"] else ""]
                for u in section["units"]]  # fmt: skip
        cols = [(section["by"], False), ("eNPS", True), ("employees' voices", True), ("NPS", True),
                ("rating", True), ("sentiment", True), ("", False)]  # fmt: skip
        return TableView(self.label("en"), cols, rows)
