"""The 360° customer profile."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from pydantic import BaseModel, Field

from escucha.http import audit
from escucha.http.auth import CUSTOMERS, Principal
from escucha.http.deps import StateDep, require
from escucha.http.errors import ERROR_RESPONSES, NOT_FOUND
from escucha.http.profiles import customer_profile
from escucha.http.security import client_ip

router = APIRouter(tags=["customers"], responses=ERROR_RESPONSES)


class CustomerProfile(BaseModel):
    customer: dict[str, Any] = Field(description="The customer record (id, name, attributes), if one is stored")
    total_voices: int
    voices: list[dict[str, Any]] = Field(description="The newest voices, with their analysis")
    channels: list[dict[str, Any]]
    metrics: dict[str, Any]
    latest_sentiment: dict[str, Any] | None
    open_threats: list[dict[str, Any]]


@router.get("/customers/{customer_id:path}", response_model=CustomerProfile, summary="All voices of one customer, metrics and open threats",
            responses=NOT_FOUND)  # fmt: skip
def get_customer(
    request: Request,
    state: StateDep,
    customer_id: str,
    principal: Annotated[Principal, Depends(require(CUSTOMERS))],
    limit: Annotated[int, Query(ge=1, le=1000)] = 200,
) -> dict[str, Any]:
    profile = customer_profile(state.ws, customer_id, limit=limit, redact=state.redact)
    audit.record(state.ws, "customer_viewed", principal.username, client_ip(request), target=customer_id)
    return profile
