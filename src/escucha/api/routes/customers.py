"""The 360° customer profile and the customer search."""

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
    timeline: list[dict[str, Any]] = Field(default_factory=list, description="Every voice, the agents' replies too, oldest first")
    trajectory: list[dict[str, Any]] = Field(default_factory=list, description="The customer's sentiment over time")
    cases: list[dict[str, Any]] = Field(default_factory=list, description="The customer's cases with SLA clocks")
    risk: dict[str, Any] | None = Field(default=None, description="Churn risk and its features")
    reach: int = 0
    told_us: list[str] = Field(default_factory=list, description="Orders and products the customer mentioned")
    said: list[dict[str, Any]] = Field(default_factory=list, description="Their latest complaints, by aspect")


class CustomerHit(BaseModel):
    id: str
    name: str | None
    tier: Any = None
    segment: Any = None


@router.get("/customers", response_model=list[CustomerHit], summary="Search customers by id, name or e-mail")
def search_customers(
    request: Request,
    state: StateDep,
    principal: Annotated[Principal, Depends(require(CUSTOMERS))],
    q: Annotated[str, Query(min_length=2, max_length=200)],
    limit: Annotated[int, Query(ge=1, le=200)] = 20,
) -> list[dict[str, Any]]:
    from escucha.cases.customer360 import search

    hits = search(state.ws.store, q, limit, with_names=not state.settings.display_redaction)
    audit.record(state.ws, "customers_searched", principal.username, client_ip(request), results=len(hits))
    return hits


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
