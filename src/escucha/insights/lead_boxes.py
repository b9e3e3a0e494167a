"""The morning snapshot's boxes for the plan and the ideas board: what a CX lead sees first (the
top problems with their spike week, the most supported ideas), from the stored page results."""

from __future__ import annotations

from typing import Any

from escucha.insights.base import InsightContext, day
from escucha.insights.stored import IDEAS_TOP, PLAN_TOP, build


def plan_snapshot(ctx: InsightContext, limit: int = 3) -> list[dict[str, Any]]:
    """The plan's top items: title per language, impact, parts merged and the spike week."""
    out = []
    for it in (build(ctx, f"plan:{PLAN_TOP}") or [])[:limit]:
        titles = it.get("titles") or {}
        parts = len(it.get("members") or [])
        en = f"impact {it.get('impact', 0):.0f}"
        es = f"impacto {it.get('impact', 0):.0f}"
        if parts > 1:
            en += f" · {parts} views of one cause"
            es += f" · {parts} vistas de una misma causa"
        peak = it.get("peak") or {}
        if peak.get("week") and (peak.get("ratio_to_median_week") or 0) >= 2:
            ratio = float(peak["ratio_to_median_week"])
            en += f" · spike in the week of {peak['week']} (×{ratio:.1f} a typical week)"
            es += f" · pico la semana del {peak['week']} (×{ratio:.1f} una semana típica)"
        out.append({"title": it.get("title"), "title_es": titles.get("es"), "title_en": titles.get("en"),
                    "detail": en, "detail_en": en, "detail_es": es, "href": "/plan"})  # fmt: skip
    return out


def ideas_snapshot(ctx: InsightContext, limit: int = 3) -> list[dict[str, Any]]:
    """The most supported ideas, with supporters and who proposed each first."""
    out = []
    for idea in (build(ctx, f"ideas:{IDEAS_TOP}") or [])[:limit]:
        first = idea.get("first_proposer") or {}
        who = first.get("customer_id") or "–"
        en = f"{idea.get('supporters')} supporters · first proposed by {who} ({day(first.get('date')) or '–'})"
        es = f"{idea.get('supporters')} apoyos · la propuso primero {who} ({day(first.get('date')) or '–'})"
        out.append({"title": idea.get("label"), "detail": en, "detail_en": en, "detail_es": es, "href": "/ideas"})
    return out
