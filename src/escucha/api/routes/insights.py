"""Insights: every registered insight by name (``/insights``, ``/insights/{name}``), and the
built-ins' own routes: themes, ideas, journey, promises, improvement plan (and status changes),
segments."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Request
from pydantic import BaseModel, ConfigDict, Field

from escucha.errors import NotFoundError
from escucha.http import audit
from escucha.http import insight_cache as D
from escucha.http.auth import ANALYSIS_RUN, READ, Principal
from escucha.http.deps import StateDep, require
from escucha.http.errors import BODY_ERRORS, ERROR_RESPONSES, NOT_FOUND
from escucha.http.security import client_ip
from escucha.insights.base import all_insights, find_insight

router = APIRouter(tags=["insights"], responses=ERROR_RESPONSES)
ReadDep = Annotated[Principal, Depends(require(READ))]


class StatusChange(BaseModel):
    status: str = Field(max_length=20, description="open, in_progress, done or dismissed")
    note: str | None = Field(default=None, max_length=1000)


class InsightResult(BaseModel):
    name: str
    title: dict[str, str]
    data: Any = Field(description="The insight's result, as its own route returns it")


class ThemesResult(BaseModel):
    themes: list[dict[str, Any]]
    stored: bool
    hint: str | None


class IdeasResult(BaseModel):
    ideas: list[dict[str, Any]]


class PromisesResult(BaseModel):
    promises: list[dict[str, Any]]


class PlanResult(BaseModel):
    plan: list[dict[str, Any]]


class PlanItem(BaseModel):
    item: dict[str, Any]


class SegmentsResult(BaseModel):
    model_config = ConfigDict(extra="allow")
    k: int | None = Field(description="How many segments (0 with too few customers)")
    silhouette: float | None
    customers: int | None
    segments: list[dict[str, Any]]


class InsightInfo(BaseModel):
    name: str
    title: dict[str, str]
    path: str = Field(description="The insight's dashboard page")


@router.get("/insights", summary="Every insight this server knows (built-in and plugins)")
def list_insights(principal: ReadDep) -> dict[str, list[InsightInfo]]:
    return {"insights": [InsightInfo(name=i.name, title=dict(i.title), path=i.path) for i in all_insights()]}


@router.get("/insights/{name}", response_model=InsightResult, summary="One insight's result by name (JSON; customer text redacted when asked)",
            responses=NOT_FOUND)  # fmt: skip
def get_insight_result(state: StateDep, principal: ReadDep, name: Annotated[str, Path(max_length=80)]) -> dict[str, Any]:
    insight = find_insight(name)
    if insight is None:
        raise NotFoundError(f"no insight {name!r}; see GET /api/v1/insights", field="name", record=name)
    data = D.insight_data(state.ws, state.cache, name)
    return {"name": name, "title": dict(insight.title), "data": D.jsonable(data, state.redact)}


@router.get(
    "/themes", response_model=ThemesResult, summary="Stored themes (label, size, negativity, trend, quotes, first raised by)"
)
def get_themes(state: StateDep, principal: ReadDep) -> dict[str, Any]:
    rows = D.jsonable(D.stored_themes(state.ws), state.redact)
    return {
        "themes": rows,
        "stored": bool(rows),
        "hint": None if rows else "no themes stored yet: run `escucha themes` to discover them",
    }


@router.get("/ideas", response_model=IdeasResult, summary="The ideas board: suggestions clustered, with supporters")
def get_ideas(state: StateDep, principal: ReadDep,
              top: Annotated[int, Query(ge=1, le=100)] = 20) -> dict[str, Any]:  # fmt: skip
    return {"ideas": D.jsonable(D.ideas_data(state.ws, state.cache, top), state.redact)}


@router.get(
    "/journey", summary="The customer journey map: touchpoints, feeling, effort, moments of truth"
)
def get_journey(state: StateDep, principal: ReadDep) -> dict[str, Any]:
    return D.jsonable(D.journey_data(state.ws, state.cache), state.redact)  # type: ignore[no-any-return]


@router.get("/promises", response_model=PromisesResult, summary="Promise vs experience: per brand promise, broken share and gap")
def get_promises(state: StateDep, principal: ReadDep) -> dict[str, Any]:
    return {"promises": D.jsonable(D.promises_data(state.ws, state.cache), state.redact)}


@router.get("/plan", response_model=PlanResult, summary="The improvement plan: ranked problems with impact parts and evidence")
def get_plan(state: StateDep, principal: ReadDep,
             top: Annotated[int, Query(ge=1, le=100)] = 20) -> dict[str, Any]:  # fmt: skip
    return {"plan": D.jsonable(D.plan_data(state.ws, state.cache, top), state.redact)}


@router.post("/plan/{item_id:path}/status", response_model=PlanItem, summary="Set a plan item's status (analyst or admin)",
             responses={**BODY_ERRORS, **NOT_FOUND})  # fmt: skip
def set_plan_status(
    request: Request,
    state: StateDep,
    item_id: str,
    body: StatusChange,
    principal: Annotated[Principal, Depends(require(ANALYSIS_RUN))],
) -> dict[str, Any]:
    from escucha.insights import plan as P

    ws = state.ws
    if item_id not in ws.store.get_docs("plans"):  # items are stored when the plan is first saved
        ws.plan(top=100, save=True)
    doc = P.set_status(ws.context, item_id, body.status, note=body.note)
    D.forget(state.cache, "plan")
    audit.record(state.ws, "plan_status_changed", principal.username, client_ip(request),
                 target=item_id, status=doc.get("status"))  # fmt: skip
    return {"item": D.jsonable(doc, state.redact)}


@router.get("/segments", response_model=SegmentsResult, summary="Needs-based customer segments, described in words")
def get_segments(state: StateDep, principal: ReadDep) -> dict[str, Any]:
    return D.jsonable(D.segments_data(state.ws, state.cache))  # type: ignore[no-any-return]
