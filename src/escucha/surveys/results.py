"""A survey's results: NPS, CSAT and CES with 95% confidence intervals (the formulas of
``escucha.insights.metrics``), response and completion rates (Wilson intervals), partials."""

from __future__ import annotations

import math
from typing import Any

from escucha.insights.metrics import mean_ci, net_score, wilson
from escucha.surveys.context import SurveyContext
from escucha.surveys.invitations import INVITATIONS, get_survey
from escucha.surveys.responses import responses


def _num(v: float) -> float | None:
    return None if v is None or (isinstance(v, float) and math.isnan(v)) else round(float(v), 2)


def _rate(k: int, n: int) -> dict[str, Any]:
    p, lo, hi = wilson(k, n)
    return {"value": _num(p), "low": _num(lo), "high": _num(hi), "k": k, "n": n}


def results(ctx: SurveyContext, survey_id: str) -> dict[str, Any]:
    """Counts, rates and scores of one survey (responses with a score count, partial or not)."""
    survey = get_survey(ctx, survey_id)
    invs = [d for d in ctx.store.get_docs(INVITATIONS).values() if d.get("survey_id") == survey_id]
    resp = responses(ctx, survey_id)
    completed = [r for r in resp if r.get("status") == "completed"]
    partial = [r for r in resp if r.get("status") == "partial"]
    from_invites = [i for i in invs if i.get("status") in ("partial", "completed")]
    out: dict[str, Any] = {
        "id": survey_id, "name": survey.name, "invited": len(invs),
        "opened": sum(1 for i in invs if i.get("opened_at") or i.get("status") != "invited"),
        "responses": len(resp), "completed": len(completed), "partial": len(partial),
        "response_rate": _rate(len(from_invites), len(invs)),
        "completion_rate": _rate(len(completed), len(resp)),
        "callbacks": sum(1 for r in completed if r.get("callback")),
    }  # fmt: skip
    kinds = {q.kind: q.id for q in survey.questions if q.scale is not None}
    if "nps" in kinds:
        s = [r["answers"][kinds["nps"]] for r in resp if kinds["nps"] in r.get("answers", {})]
        pro, det = sum(1 for v in s if v >= 9), sum(1 for v in s if v <= 6)
        nps, _, lo, hi = net_score(pro, det, len(s))
        out["nps"] = {"value": _num(nps), "low": _num(lo), "high": _num(hi), "n": len(s), "promoters": pro,
                      "detractors": det}  # fmt: skip
    if "csat" in kinds:
        s = [r["answers"][kinds["csat"]] for r in resp if kinds["csat"] in r.get("answers", {})]
        p, lo, hi = wilson(sum(1 for v in s if v >= 4), len(s))
        out["csat"] = {"value": _num(p), "low": _num(lo), "high": _num(hi), "n": len(s)}
    if "ces" in kinds:
        s = [r["answers"][kinds["ces"]] for r in resp if kinds["ces"] in r.get("answers", {})]
        m, _, lo, hi = mean_ci(float(sum(s)), float(sum(v * v for v in s)), len(s))
        out["ces"] = {"value": _num(m), "low": _num(lo), "high": _num(hi), "n": len(s)}
    adaptive: dict[str, int] = {}
    for r in resp:
        kind = (r.get("adaptive") or {}).get("kind")
        if kind:
            adaptive[kind] = adaptive.get(kind, 0) + 1
    out["follow_ups"] = adaptive
    return out
