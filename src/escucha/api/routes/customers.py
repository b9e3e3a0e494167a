"""The 360° customer profile."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request

from escucha.http import audit
from escucha.http.auth import CUSTOMERS, Principal
from escucha.http.deps import StateDep, require
from escucha.http.errors import ERROR_RESPONSES
from escucha.http.profiles import customer_profile
from escucha.http.security import client_ip

router = APIRouter(tags=["customers"], responses=ERROR_RESPONSES)


@router.get("/customers/{customer_id:path}", summary="All voices of one customer, metrics and open threats")
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
