"""The public co-creation portal at ``/ideas/portal``: customers propose ideas (with the ideas
that look the same shown while they type), vote (one vote per browser), follow statuses and see
who is credited when an idea ships. No staff login; no e-mail or name is ever shown except the
credit names people chose (PII redacted); idea ids are random, so nothing can be enumerated."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse, RedirectResponse, Response

from escucha.errors import NotFoundError, ValidationError
from escucha.http.deps import StateDep
from escucha.http.errors import ApiError
from escucha.http.public import check_form, finish, form_token, limiter, read_form
from escucha.http.security import add_public_path, add_public_prefix, client_ip
from escucha.i18n import add_messages, t
from escucha.web.portal_signin import person, signed_in_email
from escucha.web.render import add_template_dir, render

router = APIRouter(include_in_schema=False)
PORTAL = "/ideas/portal"
add_template_dir(Path(__file__).parent / "public_templates")
add_public_path(PORTAL)
add_public_prefix(PORTAL + "/")

add_messages({
    "portal.title": ("Ideas de los clientes", "Customers' ideas"),
    "portal.intro": ("Proponga mejoras y apoye las de otros clientes. Le contaremos qué hacemos con ellas.",
                     "Propose improvements and support other customers' ideas. We will tell you what we do with them."),
    "portal.propose": ("Proponer una idea", "Propose an idea"),
    "portal.idea_title": ("Su idea, en una frase", "Your idea, in one sentence"),
    "portal.idea_body": ("Cuéntenos más (opcional)", "Tell us more (optional)"),
    "portal.credit": ("Nombre con el que quiere aparecer (opcional)", "Name to be credited with (optional)"),
    "portal.email": ("Su e-mail, para avisarle cuando se haga realidad (opcional, nunca se muestra)",
                     "Your e-mail, to tell you when it ships (optional, never shown)"),
    "portal.email_vote": ("Su e-mail para avisarle (opcional, nunca se muestra)",
                          "Your e-mail to be told (optional, never shown)"),
    "portal.send": ("Enviar idea", "Send idea"),
    "portal.similar": ("Alguien ya ha propuesto algo parecido: ¿quiere apoyarlo?",
                       "Someone already proposed something similar: vote for it?"),
    "portal.already": ("Alguien ya ha propuesto esto. ¿Quiere votar por esa idea? Si es distinta, envíe la suya otra vez.",
                       "Someone already proposed this. Vote for it? If yours is different, send it again."),
    "portal.vote_this": ("Votar por esta", "Vote for this one"),
    "portal.vote": ("Apoyar esta idea", "Support this idea"),
    "portal.votes": ("apoyos", "votes"),
    "portal.list": ("Ideas propuestas", "Proposed ideas"),
    "portal.none": ("Aún no hay ideas publicadas. ¡Sea el primero!", "No ideas published yet. Be the first!"),
    "portal.proposed_by": ("Propuesta por", "Proposed by"),
    "portal.reason": ("Motivo:", "Why:"),
    "portal.thanks_to": ("Gracias a", "Thanks to"),
    "portal.and_more": ("{n} más sin nombre", "{n} more without a name"),
    "portal.role.proposer": ("la propuso", "proposed it"),
    "portal.role.supporter": ("la apoyó", "supported it"),
    "portal.received": ("¡Gracias! Su idea aparecerá aquí en cuanto la revisemos.",
                        "Thank you! Your idea will show here once we have reviewed it."),
    "portal.voted": ("¡Gracias por su apoyo!", "Thank you for your support!"),
    "portal.privacy": ("No publique datos personales. Su e-mail solo se usa para avisarle.",
                       "Do not publish personal data. Your e-mail is only used to tell you."),
    "portal.status.under_review": ("En estudio", "Under review"),
    "portal.status.planned": ("Planificada", "Planned"),
    "portal.status.shipped": ("¡Hecha!", "Shipped"),
    "portal.status.declined": ("Descartada", "Declined"),
})  # fmt: skip


def _lang(request: Request, lang: str | None) -> str:
    if lang not in ("es", "en"):
        accept = request.headers.get("accept-language", "")
        lang = "en" if accept.lower().startswith("en") else "es"
    request.state.lang_override = lang
    return lang




def _portal_page(request: Request, state: Any, lang: str, status: int = 200, **ctx: Any) -> Response:
    ideas = state.ws.portal.public()
    dups = ctx.get("duplicates") or []
    ctx.setdefault("values", {"title": "", "body": "", "credit": "", "email": ""})
    resp = render(request, "portal.html", status_code=status, ideas=ideas, propose_token=form_token(request, "portal-propose"),
                  vote_tokens={d["id"]: form_token(request, "portal-vote") for d in dups},
                  signin_token=form_token(request, "portal-signin"), signed_in=bool(signed_in_email(request)),
                  **ctx)  # fmt: skip
    return finish(request, resp)


@router.get(PORTAL)
def portal(request: Request, state: StateDep, lang: Annotated[str | None, Query(pattern="^(es|en)$")] = None,
           sent: Annotated[bool, Query()] = False, signin: Annotated[bool, Query()] = False) -> Response:  # fmt: skip
    lang = _lang(request, lang)
    notice = t("portal.received", lang) if sent else t("portal.signin_sent", lang) if signin else None
    return _portal_page(request, state, lang, notice=notice)


@router.get(PORTAL + "/similar")
def similar(request: Request, state: StateDep, q: Annotated[str, Query(max_length=500)] = "") -> Response:
    """Public ideas that look like ``q`` (title, votes, status only), for the page's script."""
    cap = 6 * int(state.settings.public_rate_limit)
    if limiter(request).hit("similar:" + client_ip(request), cap) > 0:
        raise ApiError(429, "too many requests from this address; try again in a minute")
    return finish(request, JSONResponse({"similar": state.ws.portal.similar(q) if len(q.strip()) >= 8 else []}))


@router.post(PORTAL + "/propose")
async def propose(request: Request, state: StateDep) -> Response:
    form = await read_form(request)
    lang = _lang(request, form.get("lang"))
    check_form(request, "portal-propose", form.get("form_token", ""), form.get("website", ""))
    return await run_in_threadpool(_propose, request, state, lang, form)


def _propose(request: Request, state: Any, lang: str, form: dict[str, str]) -> Response:
    values = {k: form.get(k, "") for k in ("title", "body", "credit", "email")}
    if not form.get("confirm"):
        dups = [d for d in state.ws.portal.similar(f"{values['title']}. {values['body']}") if d["duplicate"]]
        if dups:
            return _portal_page(request, state, lang, duplicates=dups, values=values)
    try:
        who, known = person(request)
        state.ws.portal.propose(title=values["title"], body=values["body"], person=who,
                                credit=values["credit"] or None, email=values["email"] or known)  # fmt: skip
    except ValidationError as exc:
        return _portal_page(request, state, lang, 422, error=exc.message, values=values)
    return finish(request, RedirectResponse(f"{PORTAL}?sent=1&lang={lang}", status_code=303))


def _public_idea(state: Any, idea_id: str) -> dict[str, Any]:
    from escucha.portal.ideas import is_public, public_view

    try:
        doc = state.ws.portal.get(idea_id)
    except NotFoundError:
        doc = None
    if doc is None or not is_public(doc):
        raise ApiError(404, "no such idea")
    return public_view(doc)


@router.get(PORTAL + "/{idea_id}")
def idea_page(request: Request, state: StateDep, idea_id: str,
              lang: Annotated[str | None, Query(pattern="^(es|en)$")] = None,
              voted: Annotated[bool, Query()] = False) -> Response:  # fmt: skip
    lang = _lang(request, lang)
    idea = _public_idea(state, idea_id)
    resp = render(request, "portal_idea.html", idea=idea, form_token=form_token(request, "portal-vote"),
                  notice=t("portal.voted", lang) if voted else None)  # fmt: skip
    return finish(request, resp)


@router.post(PORTAL + "/{idea_id}/vote")
async def vote(request: Request, state: StateDep, idea_id: str) -> Response:
    form = await read_form(request)
    lang = _lang(request, form.get("lang"))
    check_form(request, "portal-vote", form.get("form_token", ""), form.get("website", ""), trap=False)
    _public_idea(state, idea_id)
    who, known = person(request)
    try:
        await run_in_threadpool(state.ws.portal.vote, idea_id, person=who,
                                credit=form.get("credit") or None, email=form.get("email") or known)  # fmt: skip
    except NotFoundError:
        raise ApiError(404, "no such idea") from None
    return finish(request, RedirectResponse(f"{PORTAL}/{idea_id}?voted=1&lang={lang}", status_code=303))
