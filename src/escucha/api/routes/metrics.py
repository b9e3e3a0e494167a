"""Metrics with confidence intervals, by any dimension and period."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, Field

from escucha.http.auth import READ, Principal
from escucha.http.deps import FiltersDep, StateDep, require
from escucha.http.errors import ERROR_RESPONSES
from escucha.insights.metrics import to_records

router = APIRouter(tags=["metrics"], responses=ERROR_RESPONSES)


class MetricsResult(BaseModel):
    by: list[str]
    period: str | None
    rows: list[dict[str, Any]] = Field(description="One row per group (and period) with the metrics and their CIs")


@router.get("/metrics", response_model=MetricsResult, summary="NPS, CSAT, CES, rating, sentiment index and volume with 95% CIs")
def metrics(
    state: StateDep,
    filters: FiltersDep,
    principal: Annotated[Principal, Depends(require(READ))],
    by: Annotated[list[str] | None, Query(max_length=3, description="channel, product, aspect, intent, attr:NAME, …")] = None,
    period: Annotated[Literal["day", "week", "month", "quarter", "year"] | None, Query()] = None,
    min_volume: Annotated[int, Query(ge=0)] = 0,
) -> dict[str, Any]:
    dims = [d.strip() for v in by or [] for d in v.split(",") if d.strip()]
    df = state.ws.metrics(by=dims, period=period, filters=filters, min_volume=min_volume)
    return {"by": dims, "period": period, "rows": to_records(df)}
