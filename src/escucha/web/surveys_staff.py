"""The staff side of the surveys in the dashboard: every survey with its invitations, response
and completion rates, NPS/CSAT/CES with 95% intervals, adaptive follow-ups and call backs, and
the widget's embed code."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse

from escucha.http.auth import READ, Principal
from escucha.http.deps import StateDep, require
from escucha.i18n import add_messages
from escucha.web.nav import NavItem, register_nav
from escucha.web.render import render

router = APIRouter(include_in_schema=False)
register_nav(NavItem("surveys", "/surveys", {"es": "Encuestas", "en": "Surveys"}, order=46))
add_messages({
    "surveys.title": ("Encuestas", "Surveys"),
    "surveys.none": ("Aún no hay encuestas: créelas con la API (POST /api/v1/surveys) o `escucha surveys create`.",
                     "No surveys yet: create them with the API (POST /api/v1/surveys) or `escucha surveys create`."),
    "surveys.invited": ("Invitados", "Invited"),
    "surveys.responses": ("Respuestas", "Responses"),
    "surveys.partial": ("parciales", "partial"),
    "surveys.rate": ("Tasa de respuesta", "Response rate"),
    "surveys.completion": ("Completadas", "Completed"),
    "surveys.callbacks": ("Piden llamada", "Call backs"),
    "surveys.follow_ups": ("Preguntas de seguimiento", "Follow-up questions"),
    "surveys.widget": ("Insertar en una web", "Embed on a site"),
    "surveys.status.active": ("activa", "active"),
    "surveys.status.closed": ("cerrada", "closed"),
})  # fmt: skip


@router.get("/surveys")
def surveys_page(request: Request, state: StateDep,
                 principal: Annotated[Principal, Depends(require(READ))]) -> HTMLResponse:  # fmt: skip
    s = state.ws.surveys
    base = state.settings.survey_base_url.rstrip("/")
    rows = []
    for survey in reversed(s.list()):
        token = s.widget_token(survey.id)
        rows.append({"survey": survey, "r": s.results(survey.id),
                     "snippet": f'<script src="{base}/s/widget.js" data-survey="{token}" defer></script>'})  # fmt: skip
    return render(request, "surveys.html", rows=rows)
