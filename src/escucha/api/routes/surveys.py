"""Micro-surveys: create, invite (fatigue rules and quotas; links and e-mail), triggers, the
widget's embed code and results with confidence intervals. Customers answer on the public page
``/s/{token}`` (``escucha.web.surveys_public``)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Request
from pydantic import BaseModel, ConfigDict, Field

from escucha.errors import ValidationError
from escucha.http import audit
from escucha.http.auth import ANALYSIS_RUN, FEEDBACK_WRITE, READ, Principal
from escucha.http.deps import StateDep, require
from escucha.http.errors import BODY_ERRORS, ERROR_RESPONSES, NOT_FOUND
from escucha.http.security import client_ip

router = APIRouter(tags=["surveys"], responses=ERROR_RESPONSES)
Reader = Annotated[Principal, Depends(require(READ))]
Designer = Annotated[Principal, Depends(require(ANALYSIS_RUN))]
Inviter = Annotated[Principal, Depends(require(FEEDBACK_WRITE))]


class SurveyCreated(BaseModel):
    id: str
    name: str
    status: str
    questions: list[dict[str, Any]]
    widget_token: str


class Invitations(BaseModel):
    model_config = ConfigDict(extra="forbid")
    recipients: list[str | dict[str, Any]] = Field(
        min_length=1, max_length=1000, description="Customer ids, e-mails or {customer_id, email, language}"
    )
    trigger: str | None = Field(default=None, max_length=60, description="What happened: purchase, case_closed…")
    language: str | None = Field(default=None, pattern="^(es|en)$")
    send_email: bool = Field(default=False, description="E-mail each invited customer with an address their link")


class Trigger(BaseModel):
    model_config = ConfigDict(extra="forbid")
    customer_id: str | None = Field(default=None, max_length=200)
    email: str | None = Field(default=None, max_length=320)
    language: str | None = Field(default=None, pattern="^(es|en)$")
    send_email: bool = True


def _summary(state: Any, survey: Any) -> dict[str, Any]:
    d = survey.to_doc()
    return {"id": d["id"], "name": d["name"], "status": d["status"], "language": d["language"],
            "trigger": d["trigger"], "quota": d["quota"], "created_at": d["created_at"],
            "questions": d["questions"], "widget_token": state.ws.surveys.widget_token(d["id"])}  # fmt: skip


@router.post("/surveys", status_code=201, response_model=SurveyCreated, summary="Create a survey", responses=BODY_ERRORS)
def create_survey(
    request: Request,
    state: StateDep,
    principal: Designer,
    body: Annotated[dict[str, Any], Body(description="{name, questions: [{kind: nps|csat|ces|open, id, text, "
                                                     "show_if}], language, quota, trigger, adaptive}")],
) -> dict[str, Any]:
    survey = state.ws.surveys.create(body)
    audit.record(state.ws, "survey_created", principal.username, client_ip(request), survey=survey.id)
    return _summary(state, survey)


@router.get("/surveys", summary="Every survey")
def list_surveys(state: StateDep, principal: Reader) -> dict[str, Any]:
    return {"surveys": [_summary(state, s) for s in state.ws.surveys.list()]}


@router.get("/surveys/{survey_id}", summary="One survey", responses=NOT_FOUND)
def get_survey(state: StateDep, survey_id: str, principal: Reader) -> dict[str, Any]:
    return _summary(state, state.ws.surveys.get(survey_id))


@router.post("/surveys/{survey_id}/close", summary="Close a survey (its links stop working)", responses=NOT_FOUND)
def close_survey(request: Request, state: StateDep, survey_id: str, principal: Designer) -> dict[str, Any]:
    survey = state.ws.surveys.close(survey_id)
    audit.record(state.ws, "survey_closed", principal.username, client_ip(request), survey=survey_id)
    return _summary(state, survey)


@router.post("/surveys/{survey_id}/invitations", status_code=201, summary="Invite customers (links; e-mail)",
             responses={**NOT_FOUND, **BODY_ERRORS})  # fmt: skip
def invite(request: Request, state: StateDep, survey_id: str, body: Invitations, principal: Inviter) -> dict[str, Any]:
    """Each recipient is ``invited`` (with its signed ``link``) or ``refused`` with the ``reason``:
    ``fatigue`` (invited to some survey within ``survey_fatigue_days``) or ``quota`` (segment full)."""
    out = state.ws.surveys.invite(survey_id, list(body.recipients), trigger=body.trigger, language=body.language,
                                  send_email=body.send_email)  # fmt: skip
    audit.record(state.ws, "survey_invitations", principal.username, client_ip(request), survey=survey_id,
                 invited=len(out["invited"]), refused=len(out["refused"]))  # fmt: skip
    return out


@router.post("/surveys/triggers/{trigger}", status_code=201, summary="An event happened: invite to the surveys it triggers",
             responses=BODY_ERRORS)  # fmt: skip
def fire_trigger(request: Request, state: StateDep, trigger: str, body: Trigger, principal: Inviter) -> dict[str, Any]:
    """Invite the customer to every active survey whose ``trigger`` is this one (after a purchase,
    after a case closes…); fatigue rules apply across them, so at most one invitation goes out."""
    if not (body.customer_id or body.email):
        raise ValidationError("give customer_id or email", field="customer_id")
    recipient = {k: v for k, v in {"customer_id": body.customer_id, "email": body.email,
                                   "language": body.language}.items() if v}  # fmt: skip
    results = []
    for s in state.ws.surveys.list():
        if s.trigger == trigger and s.status == "active":
            out = state.ws.surveys.invite(s.id, [recipient], trigger=trigger, send_email=body.send_email)
            results.append({"survey_id": s.id, **out})
            if out["invited"]:
                break
    audit.record(state.ws, "survey_trigger", principal.username, client_ip(request), trigger=trigger,
                 surveys=len(results))  # fmt: skip
    return {"trigger": trigger, "results": results}


@router.get("/surveys/{survey_id}/widget", summary="Embed code of the survey widget", responses=NOT_FOUND)
def widget(state: StateDep, survey_id: str, principal: Reader) -> dict[str, Any]:
    token = state.ws.surveys.widget_token(survey_id)
    base = state.settings.survey_base_url.rstrip("/")
    return {"token": token, "link": f"{base}/s/{token}",
            "snippet": f'<script src="{base}/s/widget.js" data-survey="{token}" defer></script>',
            "allowed_origins": list(state.settings.survey_widget_origins)}  # fmt: skip


@router.get("/surveys/{survey_id}/results", summary="NPS, CSAT, CES with 95% CIs; response rates", responses=NOT_FOUND)
def results(state: StateDep, survey_id: str, principal: Reader) -> dict[str, Any]:
    return state.ws.surveys.results(survey_id)
