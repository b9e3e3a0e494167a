"""The staff side of the ideas portal in the dashboard: the moderation queue (approve, reject,
merge into a likely duplicate) and the published ideas (status, links to the improvement plan
and the ideas board). Analysts and admins act; others read."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from escucha.http import audit
from escucha.http.auth import ANALYSIS_RUN, READ, Principal
from escucha.http.deps import StateDep, require
from escucha.http.security import client_ip
from escucha.i18n import add_messages
from escucha.web.nav import NavItem, register_nav
from escucha.web.render import render

router = APIRouter(include_in_schema=False)
register_nav(NavItem("portal", "/ideas/moderation", {"es": "Portal", "en": "Portal"}, order=47))
add_messages({
    "moderation.title": ("Portal de ideas: moderación", "Ideas portal: moderation"),
    "moderation.intro": ("Lo que los clientes proponen en el portal público", "What customers propose on the public portal"),
    "moderation.queue": ("Pendientes de revisar", "Waiting for review"),
    "moderation.similar": ("Parecida a:", "Looks like:"),
    "moderation.approve": ("Publicar", "Publish"),
    "moderation.reject": ("Rechazar", "Reject"),
    "moderation.merge_into": ("Fusionar con", "Merge into"),
    "moderation.empty": ("No hay propuestas pendientes.", "Nothing waiting."),
    "moderation.published": ("Ideas publicadas", "Published ideas"),
    "moderation.status": ("Estado", "Status"),
    "moderation.reason": ("Motivo (obligatorio si se descarta)", "Reason (required when declined)"),
    "moderation.save": ("Guardar", "Save"),
    "moderation.plan": ("Plan de mejora", "Improvement plan"),
    "moderation.board": ("Tablón de ideas", "Ideas board"),
    "moderation.link": ("Enlazar", "Link"),
})  # fmt: skip
ReadDep = Annotated[Principal, Depends(require(READ))]
ActDep = Annotated[Principal, Depends(require(ANALYSIS_RUN))]


@router.get("/ideas/moderation")
def moderation(request: Request, state: StateDep, principal: ReadDep) -> HTMLResponse:
    from escucha.portal import STATUSES

    plan = [{"id": k, "label": str(d.get("label") or d.get("title") or k)[:80]}
            for k, d in state.ws.store.get_docs("plans").items()]  # fmt: skip
    from escucha.http.insight_cache import insight_data

    try:  # the ideas board's stored result: read, not recomputed per visit
        board = [str(i["label"]) for i in insight_data(state.ws, state.cache, "ideas")]
    except Exception:  # the board needs enough suggestions; the queue must show anyway
        board = []
    return render(request, "moderation.html", queue=state.ws.portal.queue(), ideas=state.ws.portal.public(),
                  statuses=STATUSES, plan=plan, board=board, can_act=principal.can(ANALYSIS_RUN))  # fmt: skip


@router.post("/ideas/moderation/{idea_id}")
def act(
    request: Request,
    state: StateDep,
    idea_id: str,
    principal: ActDep,
    action: Annotated[str, Form(pattern="^(approve|reject|merge|status|link)$")],
    into: Annotated[str, Form(max_length=40)] = "",
    status: Annotated[str, Form(max_length=20)] = "",
    reason: Annotated[str, Form(max_length=500)] = "",
    plan_item: Annotated[str, Form(max_length=200)] = "",
    board: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    p, who = state.ws.portal, principal.username
    details: dict[str, Any] = {"idea": idea_id, "action": action}
    if action in ("approve", "reject"):
        p.moderate(idea_id, action, None, who)
    elif action == "merge":
        p.merge(idea_id, into, who)
        details["into"] = into
    elif action == "status":
        doc = p.set_status(idea_id, status, reason or None, who)
        details.update(status=status, notified=doc.get("notified", 0))
    else:
        p.link(idea_id, plan_item=plan_item, board=board, by=who)
    audit.record(state.ws, "portal_" + action, who, client_ip(request), **details)
    return RedirectResponse("/ideas/moderation", status_code=303)
