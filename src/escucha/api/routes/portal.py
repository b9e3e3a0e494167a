"""The co-creation portal for staff: the public ideas, the moderation queue, merges, links to the
ideas board and improvement plan, statuses (shipping notifies proposers and supporters).
Customers use the public pages at ``/ideas/portal`` (``escucha.web.portal_public``)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel, ConfigDict, Field

from escucha.http import audit
from escucha.http.auth import ANALYSIS_RUN, READ, Principal
from escucha.http.deps import StateDep, require
from escucha.http.errors import BODY_ERRORS, ERROR_RESPONSES, NOT_FOUND
from escucha.http.security import client_ip

router = APIRouter(tags=["portal"], responses=ERROR_RESPONSES)
Reader = Annotated[Principal, Depends(require(READ))]
Staff = Annotated[Principal, Depends(require(ANALYSIS_RUN))]


class Decision(BaseModel):
    model_config = ConfigDict(extra="forbid")
    decision: str = Field(pattern="^(approve|reject)$")
    note: str | None = Field(default=None, max_length=500)


class Merge(BaseModel):
    model_config = ConfigDict(extra="forbid")
    into: str = Field(min_length=1, max_length=40, description="The idea that absorbs this duplicate")


class Links(BaseModel):
    model_config = ConfigDict(extra="forbid")
    board: str | None = Field(default=None, max_length=200, description="The ideas-board idea (its label)")
    plan_item: str | None = Field(default=None, max_length=200, description="The improvement-plan item id")


class Status(BaseModel):
    model_config = ConfigDict(extra="forbid")
    status: str = Field(pattern="^(under_review|planned|shipped|declined)$")
    reason: str | None = Field(default=None, max_length=500, description="Required when declined")


def _staff_view(state: Any, doc: dict[str, Any]) -> dict[str, Any]:
    from escucha.portal.ideas import people, public_view

    folks = people(state.ws.portal.ctx, doc["id"])
    return {**public_view(doc), "moderation": doc.get("moderation"), "merged_into": doc.get("merged_into"),
            "merged": doc.get("merged", []), "history": doc.get("history", []),
            "proposers": sum(1 for p in folks if p.get("role") == "proposer"),
            "supporters": sum(1 for p in folks if p.get("role") != "proposer"),
            "with_email": sum(1 for p in folks if p.get("email"))}  # fmt: skip


@router.get("/ideas/portal", summary="Public ideas of the co-creation portal")
def public_ideas(state: StateDep, principal: Reader) -> dict[str, Any]:
    """``id``, ``title``, ``status``, ``votes``, ``first_proposer_credit`` (and body, reason, credits…)."""
    return {"ideas": state.ws.portal.public()}


@router.get("/ideas/portal/moderation", summary="Proposals waiting for moderation, with likely duplicates")
def queue(state: StateDep, principal: Reader) -> dict[str, Any]:
    return {"queue": state.ws.portal.queue()}


@router.get("/ideas/portal/{idea_id}", summary="One idea (staff view)", responses=NOT_FOUND)
def get_idea(state: StateDep, idea_id: str, principal: Reader) -> dict[str, Any]:
    return _staff_view(state, state.ws.portal.get(idea_id))


@router.post("/ideas/portal/{idea_id}/moderation", summary="Approve or reject a proposal", responses={**NOT_FOUND, **BODY_ERRORS})
def moderate(request: Request, state: StateDep, idea_id: str, body: Decision, principal: Staff) -> dict[str, Any]:
    doc = state.ws.portal.moderate(idea_id, body.decision, body.note, principal.username)
    audit.record(state.ws, "portal_moderation", principal.username, client_ip(request), idea=idea_id,
                 decision=body.decision)  # fmt: skip
    return _staff_view(state, doc)


@router.post("/ideas/portal/{idea_id}/merge", summary="Merge a duplicate into another idea", responses={**NOT_FOUND, **BODY_ERRORS})
def merge(request: Request, state: StateDep, idea_id: str, body: Merge, principal: Staff) -> dict[str, Any]:
    doc = state.ws.portal.merge(idea_id, body.into, principal.username)
    audit.record(state.ws, "portal_merge", principal.username, client_ip(request), idea=idea_id, into=body.into)
    return _staff_view(state, doc)


@router.post("/ideas/portal/{idea_id}/links", summary="Link to the ideas board and the improvement plan",
             responses={**NOT_FOUND, **BODY_ERRORS})  # fmt: skip
def link(request: Request, state: StateDep, idea_id: str, body: Links, principal: Staff) -> dict[str, Any]:
    doc = state.ws.portal.link(idea_id, board=body.board, plan_item=body.plan_item, by=principal.username)
    audit.record(state.ws, "portal_link", principal.username, client_ip(request), idea=idea_id)
    return _staff_view(state, doc)


@router.post("/ideas/portal/{idea_id}/status", summary="Change an idea's status (shipped: credit and notify)",
             responses={**NOT_FOUND, **BODY_ERRORS})  # fmt: skip
def status(request: Request, state: StateDep, idea_id: str, body: Status, principal: Staff) -> dict[str, Any]:
    doc = state.ws.portal.set_status(idea_id, body.status, body.reason, principal.username)
    audit.record(state.ws, "portal_status", principal.username, client_ip(request), idea=idea_id,
                 status=body.status, notified=doc.get("notified", 0))  # fmt: skip
    return {**_staff_view(state, doc), "notified": doc.get("notified", 0)}
