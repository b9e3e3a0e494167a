"""The reputation watch: alerts (list, one, acknowledge, resolve, replay), incidents (the alerts
of one event grouped: list, one, acknowledge, resolve), alert rules (CRUD), the viral-risk watch
list and influencers. Alerts and incidents come with their ``summary`` in ``?lang=es|en``
(default: the workspace's ``ui_language``); every other key as stored."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Path, Query
from pydantic import BaseModel, Field

from escucha.http import audit
from escucha.http.auth import ADMIN, ANALYSIS_RUN, FEEDBACK_WRITE, READ, Principal
from escucha.http.deps import StateDep, require
from escucha.http.errors import BODY_ERRORS, ERROR_RESPONSES, NOT_FOUND

router = APIRouter(tags=["alerts"], responses=ERROR_RESPONSES)
ReadDep = Annotated[Principal, Depends(require(READ))]
AlertId = Annotated[str, Path(max_length=64, pattern=r"^[A-Za-z0-9_.:-]+$")]
IncidentId = Annotated[str, Path(max_length=64, pattern=r"^[A-Za-z0-9_.:-]+$")]
Lang = Annotated[str | None, Query(pattern="^(es|en)$",
                                   description="The language of each summary (default: the workspace's ui_language)")]  # fmt: skip
RuleId = Annotated[str, Path(max_length=64, pattern=r"^[A-Za-z0-9_.-]+$")]


class AlertList(BaseModel):
    alerts: list[dict[str, Any]]


class IncidentList(BaseModel):
    incidents: list[dict[str, Any]]


class AlertNote(BaseModel):
    note: str | None = Field(default=None, max_length=1000)


class Watchlist(BaseModel):
    voices: list[dict[str, Any]]


class Influencers(BaseModel):
    authors: list[dict[str, Any]]
    first_opinions: list[dict[str, Any]]


class RuleList(BaseModel):
    rules: list[dict[str, Any]]


def _redact(state: Any, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    from escucha.jsonable import jsonable

    return jsonable(rows, state.redact if state.settings.display_redaction else None)  # type: ignore[no-any-return]


@router.get("/alerts", response_model=AlertList, summary="Alerts (open, acknowledged, resolved), newest first")
def list_alerts(
    state: StateDep,
    principal: ReadDep,
    status: Annotated[str | None, Query(alias="state", pattern="^(open|acknowledged|resolved)$")] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 200,
    lang: Lang = None,
) -> AlertList:
    return AlertList(alerts=state.ws.watch.told(state.ws.watch.alerts(status)[:limit], lang))


@router.get("/alerts/replay", response_model=AlertList, summary="Replay the stored voices as a live watcher would")
def replay_alerts(
    state: StateDep,
    principal: Annotated[Principal, Depends(require(ANALYSIS_RUN))],
    step: Annotated[str, Query(max_length=10, description="15min, 1h, 6h, 1d")] = "1h",
    lang: Lang = None,
) -> AlertList:
    return AlertList(alerts=state.ws.watch.told(state.ws.watch.replay(step=step), lang))


@router.get("/alerts/rules", response_model=RuleList, summary="The alert rules in force")
def list_rules(state: StateDep, principal: ReadDep) -> RuleList:
    return RuleList(rules=state.ws.watch.rules.list())


@router.put("/alerts/rules/{rule_id}", response_model=dict[str, Any], summary="Add or replace an alert rule",
            responses={**BODY_ERRORS, **NOT_FOUND})  # fmt: skip
def put_rule(
    state: StateDep,
    rule_id: RuleId,
    rule: Annotated[dict[str, Any], Body(description="kind (anomaly, viral, vip, threshold, broken_promise) and its fields")],
    principal: Annotated[Principal, Depends(require(ADMIN))],
) -> dict[str, Any]:
    saved = state.ws.watch.rules.put({**rule, "id": rule_id})
    audit.record(state.ws, "alert_rule_saved", principal.username, target=rule_id)
    return saved


@router.delete("/alerts/rules/{rule_id}", status_code=204, summary="Delete an alert rule", responses=NOT_FOUND)
def delete_rule(state: StateDep, rule_id: RuleId, principal: Annotated[Principal, Depends(require(ADMIN))]) -> None:
    state.ws.watch.rules.delete(rule_id)
    audit.record(state.ws, "alert_rule_deleted", principal.username, target=rule_id)


@router.get("/alerts/{alert_id}", response_model=dict[str, Any], summary="One alert with its evidence",
            responses=NOT_FOUND)  # fmt: skip
def get_alert(state: StateDep, alert_id: AlertId, principal: ReadDep, lang: Lang = None) -> dict[str, Any]:
    return state.ws.watch.told([state.ws.watch.book.get(alert_id)], lang)[0]


@router.get("/incidents", response_model=IncidentList,
            summary="Incidents (the alerts of one underlying event, grouped), newest first")  # fmt: skip
def list_incidents(
    state: StateDep,
    principal: ReadDep,
    status: Annotated[str | None, Query(alias="state", pattern="^(open|acknowledged|resolved)$")] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 200,
    lang: Lang = None,
) -> IncidentList:
    return IncidentList(incidents=state.ws.watch.told(state.ws.watch.incidents(status)[:limit], lang))


@router.get("/incidents/{incident_id}", response_model=dict[str, Any], summary="One incident with its alerts",
            responses=NOT_FOUND)  # fmt: skip
def get_incident(state: StateDep, incident_id: IncidentId, principal: ReadDep, lang: Lang = None) -> dict[str, Any]:
    return state.ws.watch.told([state.ws.watch.incident(incident_id)], lang)[0]


def _state_route(noun: str, book: str, action: str, summary: str) -> None:
    """``POST /{noun}s/{id}/ack|resolve``: one route per book (alerts, incidents) and action,
    audited as ``{noun}_acknowledged|resolved`` with the caller as who."""
    done = {"ack": "acknowledged", "resolve": "resolved"}[action]

    # a default, not Annotated: the path parameter's name comes from the closure, which string annotations cannot see
    def route(
        state: StateDep, principal: Annotated[Principal, Depends(require(FEEDBACK_WRITE))],
        body: AlertNote | None = None,
        doc_id: str = Path(alias=f"{noun}_id", max_length=64, pattern=r"^[A-Za-z0-9_.:-]+$"), lang: Lang = None,
    ) -> dict[str, Any]:  # fmt: skip
        watch = state.ws.watch
        doc = getattr(getattr(watch, book), action)(doc_id, principal.username, body.note if body else None)
        audit.record(state.ws, f"{noun}_{done}", principal.username, target=doc_id)
        return watch.told([doc], lang)[0]

    router.add_api_route(f"/{noun}s/{{{noun}_id}}/{action}", route, methods=["POST"], name=f"{action}_{noun}",
                         response_model=dict[str, Any], summary=summary, responses={**NOT_FOUND, **BODY_ERRORS})  # fmt: skip


_state_route("alert", "book", "ack", "Acknowledge an alert")
_state_route("alert", "book", "resolve", "Resolve an alert")
_state_route("incident", "incident_book", "ack", "Acknowledge an incident (and each of its open alerts)")
_state_route("incident", "incident_book", "resolve", "Resolve an incident (and each of its alerts)")


@router.get("/watchlist", response_model=Watchlist, summary="Voices ranked by viral risk, with its parts")
def get_watchlist(
    state: StateDep, principal: ReadDep, top: Annotated[int, Query(ge=1, le=200)] = 20
) -> Watchlist:
    return Watchlist(voices=_redact(state, state.ws.watch.watchlist(top)))


class Reputation(BaseModel):
    rows: list[dict[str, Any]]


@router.get("/reputation", response_model=Reputation, summary="Reputation 0-100 per location or product and month")
def get_reputation(
    state: StateDep, principal: ReadDep,
    by: Annotated[str, Query(pattern="^(location|product)$")] = "location",
    period: Annotated[str, Query(pattern="^(W|M|Q)$")] = "M",
) -> Reputation:  # fmt: skip
    return Reputation(rows=state.ws.watch.reputation(by=by, period=period))


@router.get("/influencers", response_model=Influencers, summary="Authors by influence; first opinions and echoes")
def get_influencers(
    state: StateDep, principal: ReadDep, top: Annotated[int, Query(ge=1, le=200)] = 20,
    by: Annotated[str, Query(pattern="^(product|location|channel)$")] = "product",
) -> Influencers:  # fmt: skip
    return Influencers(authors=state.ws.watch.influencers(top),
                       first_opinions=_redact(state, state.ws.watch.first_opinions(by=by)))  # fmt: skip
