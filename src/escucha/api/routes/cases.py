"""Cases: list, open, change, reply; open them from the rules; check SLAs; recovery and churn."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from pydantic import BaseModel, ConfigDict, Field

from escucha.cases.model import PRIORITIES, RESOLUTION_CODES, STATUSES
from escucha.http import audit, casework
from escucha.http.auth import ADMIN, CASES_WRITE, CUSTOMERS, READ, Principal
from escucha.http.deps import StateDep, require
from escucha.http.errors import BODY_ERRORS, ERROR_RESPONSES, NOT_FOUND
from escucha.http.security import client_ip

router = APIRouter(tags=["cases"], responses=ERROR_RESPONSES)
Writer = Annotated[Principal, Depends(require(CASES_WRITE))]
Reader = Annotated[Principal, Depends(require(READ))]


class CaseList(BaseModel):
    total: int
    limit: int
    offset: int
    cases: list[dict[str, Any]] = Field(description="Each case: id, customer_id, status, priority, opened_at, "
                                        "due_at, reason, item_ids, then the rest with its SLA clocks")


class NewCase(BaseModel):
    model_config = ConfigDict(extra="forbid")

    customer_id: str | None = Field(default=None, max_length=200)
    reason: str = Field(min_length=1, max_length=500)
    priority: str = Field(default="normal", description=f"One of {', '.join(PRIORITIES)}")
    topic: str = Field(default="general", max_length=100)
    item_ids: list[str] = Field(default_factory=list, max_length=500)
    assignee: str | None = Field(default=None, max_length=64)
    language: str | None = Field(default=None, pattern="^(es|en)$")
    channel: str | None = Field(default=None, max_length=20)


class CaseChange(BaseModel):
    model_config = ConfigDict(extra="forbid")

    status: str | None = Field(default=None, description=f"One of {', '.join(STATUSES)}")
    priority: str | None = Field(default=None, description=f"One of {', '.join(PRIORITIES)}")
    assignee: str | None = Field(default=None, max_length=64)
    queue: str | None = Field(default=None, max_length=64)
    resolution_code: str | None = Field(default=None, description=f"One of {', '.join(RESOLUTION_CODES)}")
    playbook: str | None = Field(default=None, max_length=64)
    topic: str | None = Field(default=None, max_length=100)
    compensation: dict[str, Any] | None = None
    note: str | None = Field(default=None, max_length=20_000, description="An internal note added to the history")


class Reply(BaseModel):
    model_config = ConfigDict(extra="forbid")

    text: str = Field(min_length=1, max_length=20_000)
    wait_customer: bool = Field(default=False, description="Then wait on the customer (the SLA clocks pause)")
    language: str | None = Field(default=None, pattern="^(es|en)$")
    playbook: str | None = Field(default=None, max_length=64)
    compensation: dict[str, Any] | None = Field(default=None, description="What was offered: {kind, amount}")


class RulesRun(BaseModel):
    model_config = ConfigDict(extra="forbid")

    since: datetime | None = None
    item_ids: list[str] | None = Field(default=None, max_length=5000)


@router.get("/cases", response_model=CaseList, summary="Cases, newest first, with their SLA clocks")
def list_cases(
    state: StateDep,
    principal: Reader,
    status: Annotated[str | None, Query(description=f"One of {', '.join(STATUSES)}")] = None,
    assignee: Annotated[str | None, Query(max_length=64, description="An agent; 'me' for the caller")] = None,
    customer_id: Annotated[str | None, Query(max_length=200)] = None,
    active: Annotated[bool | None, Query(description="Only active (true) or finished (false) cases")] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 200,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> dict[str, Any]:
    who = principal.username if assignee == "me" else assignee
    total, page = casework.list_cases(state, status, who, customer_id, active, limit, offset)
    return {"total": total, "limit": limit, "offset": offset, "cases": page}


@router.post("/cases", status_code=201, summary="Open a case by hand", responses=BODY_ERRORS)
def open_case(request: Request, state: StateDep, body: NewCase, principal: Writer) -> dict[str, Any]:
    return casework.open_case(state, principal, client_ip(request), **body.model_dump())


@router.post("/cases/open-from-rules", summary="Open cases from the rules in cases.yaml", responses=BODY_ERRORS)
def open_from_rules(request: Request, state: StateDep, principal: Writer, body: RulesRun | None = None) -> dict[str, Any]:
    from escucha.cases.rules import open_from_rules as run

    s = run(state.ws.store, state.ws.layout, since=body.since if body else None,
            item_ids=body.item_ids if body else None, actor=principal.username)  # fmt: skip
    audit.record(state.ws, "cases_opened_by_rules", principal.username, client_ip(request), opened=len(s.opened))
    return s.to_json()


@router.post("/cases/check-sla", summary="Warn before SLA deadlines and escalate breaches")
def check_sla(request: Request, state: StateDep, principal: Writer) -> dict[str, Any]:
    from escucha.cases.escalate import check_sla as run

    r = run(state.ws.store, state.ws.layout)
    audit.record(state.ws, "cases_sla_checked", principal.username, client_ip(request),
                 warnings=len(r.warnings), escalations=len(r.escalations))  # fmt: skip
    return r.to_json()


@router.get("/cases/recovery", summary="Service recovery per case, playbook and team")
def recovery(state: StateDep, principal: Reader,
             window_days: Annotated[int, Query(ge=1, le=730)] = 90) -> dict[str, Any]:  # fmt: skip
    from escucha.cases.recovery import recovery as run

    return run(state.ws.store, window_days)


@router.get("/churn", summary="Churn risk per customer and its time-split evaluation")
def churn(state: StateDep, principal: Annotated[Principal, Depends(require(CUSTOMERS))],
          top: Annotated[int, Query(ge=1, le=5000)] = 50) -> dict[str, Any]:  # fmt: skip
    from escucha.cases.churn import evaluate
    from escucha.cases.customer360 import store_risk

    return {"evaluation": evaluate(state.ws.store), "at_risk": store_risk(state.ws.store)["customers"][:top]}


@router.get("/churn/silent", summary="Customers who complained and went quiet")
def silent(state: StateDep, principal: Annotated[Principal, Depends(require(CUSTOMERS))],
           days: Annotated[float, Query(ge=0, le=3650)] = 30,
           limit: Annotated[int, Query(ge=1, le=1000)] = 100) -> list[dict[str, Any]]:  # fmt: skip
    from escucha.cases.churn import silent_customers

    return silent_customers(state.ws.store, quiet_days=days, limit=limit)


class RulesConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")

    rules: list[dict[str, Any]] | None = Field(default=None, description="Rules: name, when, priority, topic")
    vip: dict[str, Any] | None = None
    assignment: str | None = None
    queues: dict[str, Any] | None = None
    sla: dict[str, Any] | None = None
    auto_open: bool | None = None
    auto_open_days: float | None = None


@router.get("/cases/rules", summary="The case rules, queues and SLA policies in force")
def get_rules(state: StateDep, principal: Reader) -> dict[str, Any]:
    from escucha.cases.config import load_config

    return load_config(state.ws.layout)


@router.put("/cases/rules", summary="Replace parts of the case configuration (cases.yaml)", responses=BODY_ERRORS)
def put_rules(request: Request, state: StateDep, body: RulesConfig,
              principal: Annotated[Principal, Depends(require(ADMIN))]) -> dict[str, Any]:  # fmt: skip
    from escucha.cases.config import save_config

    changes = body.model_dump(exclude_none=True)
    cfg = save_config(state.ws.layout, changes)
    audit.record(state.ws, "cases_config_changed", principal.username, client_ip(request), keys=sorted(changes))
    return cfg


@router.get("/cases/{case_id}", summary="One case with its SLA clocks and history", responses=NOT_FOUND)
def get_case(state: StateDep, case_id: str, principal: Reader) -> dict[str, Any]:
    return casework.view(state, case_id)


@router.patch("/cases/{case_id}", summary="Change a case (status, priority, assignee, resolution, note)",
              responses={**NOT_FOUND, **BODY_ERRORS})  # fmt: skip
def patch_case(request: Request, state: StateDep, case_id: str, body: CaseChange, principal: Writer) -> dict[str, Any]:
    changes = body.model_dump(exclude_unset=True)
    return casework.change(state, principal, client_ip(request), case_id, changes)


@router.post("/cases/{case_id}/reply", summary="Reply to the customer (stored as the agent's voice on the thread)",
             responses={**NOT_FOUND, **BODY_ERRORS})  # fmt: skip
def reply(request: Request, state: StateDep, case_id: str, body: Reply, principal: Writer) -> dict[str, Any]:
    return casework.answer(state, principal, client_ip(request), case_id, body.text,
                           wait_customer=body.wait_customer, language=body.language, playbook=body.playbook,
                           compensation=body.compensation)  # fmt: skip
