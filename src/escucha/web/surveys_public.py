"""The public survey page ``/s/{token}`` (signed link, no staff login) and the widget script
``/s/widget.js``. Two steps: the first questions, then the conditional questions and the adaptive
follow-up chosen from the live analysis of the open answer; then thanks.

Forms carry a per-form token bound to the browser (``escucha.http.public``), a honeypot and a
time-trap; posts are rate limited per IP. The widget's iframe (``?embed=1``) may be framed only
by ``survey_widget_origins``; its open link binds no cookie (a third-party frame gets none).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import FileResponse, Response

from escucha.errors import ConflictError, NotFoundError, ValidationError
from escucha.http.deps import StateDep
from escucha.http.public import (
    PUBLIC_CSP,
    check_form,
    check_trap,
    finish,
    form_token,
    framed_csp,
    read_form,
)
from escucha.http.security import add_public_prefix
from escucha.i18n import add_messages, t
from escucha.web.render import add_template_dir, render

router = APIRouter(include_in_schema=False)
TEMPLATES = Path(__file__).parent / "public_templates"
WIDGET_JS = Path(__file__).parent / "static" / "widget.js"
add_template_dir(TEMPLATES)
add_public_prefix("/s/")

add_messages({
    "survey.next": ("Siguiente", "Next"),
    "survey.send": ("Enviar", "Send"),
    "survey.thanks": ("¡Gracias! Hemos recibido sus respuestas.", "Thank you! We have received your answers."),
    "survey.thanks_so_far": ("Gracias. Una última pregunta:", "Thank you. One last question:"),
    "survey.callback": ("Sí, quiero que me llamen", "Yes, please call me back"),
    "survey.callback_done": ("Alguien del equipo le llamará pronto.", "Someone from the team will call you soon."),
    "survey.privacy": ("Sus respuestas se usan solo para mejorar nuestro servicio.",
                       "Your answers are used only to improve our service."),
    "survey.invalid": ("Este enlace de encuesta no es válido o ya no está activo.",
                       "This survey link is not valid or no longer active."),
    "survey.answered": ("Esta encuesta ya está respondida. ¡Gracias!", "This survey has already been answered. Thank you!"),
    "survey.answer_one": ("Responda al menos una pregunta.", "Please answer at least one question."),
    "public.leave_empty": ("Deje este campo vacío", "Leave this field empty"),
})  # fmt: skip


def _csp(request: Request, embed: bool) -> str:
    return framed_csp(request.app.state.escucha.settings.survey_widget_origins) if embed else PUBLIC_CSP


def _page(request: Request, embed: bool, status: int = 200, **ctx: Any) -> Response:
    ctx.setdefault("values", {})
    resp = render(request, "survey.html", status_code=status, embed=embed, **ctx)
    return finish(request, resp, _csp(request, embed))


def _message(request: Request, embed: bool, key: str, status: int) -> Response:
    return _page(request, embed, status, survey={"name": "escucha"}, step=0, message=t(key, _lang(request)))


def _lang(request: Request) -> str:
    return str(getattr(request.state, "lang_override", None) or "es")


def _resolve(request: Request, state: Any, token: str, lang: str | None) -> Any:
    link = state.ws.surveys.resolve(token, lang)
    request.state.lang_override = link.language
    return link


@router.get("/s/widget.js")
def widget_js() -> Response:
    return FileResponse(WIDGET_JS, media_type="text/javascript", headers={"cache-control": "public, max-age=3600",
                                                                          "cross-origin-resource-policy": "cross-origin"})


@router.get("/s/{token}")
def survey_page(
    request: Request,
    state: StateDep,
    token: str,
    lang: Annotated[str | None, Query(pattern="^(es|en)$")] = None,
    embed: Annotated[bool, Query()] = False,
) -> Response:
    from escucha.surveys.responses import mark_opened, new_response_id

    request.state.lang_override = lang or "es"
    try:
        link = _resolve(request, state, token, lang)
    except NotFoundError:
        return _message(request, embed, "survey.invalid", 404)
    except ConflictError:
        return _message(request, embed, "survey.answered", 409)
    mark_opened(state.ws.surveys.ctx, link)
    bind = "0" if embed and link.invitation is None else "1"
    ft = form_token(request, "survey", r=new_response_id(link), s="1", bind=bind)
    return _page(request, embed, survey=link.survey, token=token, step=1, questions=link.survey.first,
                 form_token=ft)  # fmt: skip


@router.post("/s/{token}")
async def survey_post(
    request: Request,
    state: StateDep,
    token: str,
    embed: Annotated[bool, Query()] = False,
) -> Response:
    form = await read_form(request)
    lang = form.get("lang") if form.get("lang") in ("es", "en") else None
    request.state.lang_override = lang or "es"
    data = check_form(request, "survey", form.get("form_token", ""), form.get("website", ""), trap=False)
    if data.get("s") == "1":  # the second step's token is only had by passing the first
        check_trap(request, data)
    return await run_in_threadpool(_answer, request, state, token, lang, embed, form, data)


def _answer(request: Request, state: Any, token: str, lang: str | None, embed: bool, form: dict[str, str],
            data: dict[str, Any]) -> Response:  # fmt: skip
    from escucha.surveys import responses as R

    try:
        link = _resolve(request, state, token, lang)
    except NotFoundError:
        return _message(request, embed, "survey.invalid", 404)
    except ConflictError:
        return _message(request, embed, "survey.answered", 409)
    rid, step, bind = str(data.get("r", "")), data.get("s"), str(data.get("bind", "1"))
    if link.invitation is not None and rid != link.invitation["id"]:
        return _message(request, embed, "survey.invalid", 404)
    ctx = state.ws.surveys.ctx
    try:
        if step == "1":
            doc = R.first_step(ctx, link, rid, form)
            asked = [q for q in link.survey.questions if q.id in doc["follow_ups"]]
            if not asked and not doc.get("adaptive"):
                doc = R.second_step(ctx, link, rid, {})
                return _page(request, embed, survey=link.survey, step=3, callback=False)
            ft = form_token(request, "survey", r=rid, s="2", bind=bind)
            return _page(request, embed, survey=link.survey, token=token, step=2, questions=asked,
                         adaptive=doc.get("adaptive"), intro=True, form_token=ft)  # fmt: skip
        doc = R.second_step(ctx, link, rid, form)
        return _page(request, embed, survey=link.survey, step=3, callback=bool(doc.get("callback")))
    except ConflictError:
        return _message(request, embed, "survey.answered", 409)
    except ValidationError as exc:
        adaptive = None
        if step == "1":
            questions = link.survey.first
        else:  # the second step again: the questions it asked, the follow-up it chose
            doc = ctx.read_doc(R.RESPONSES, rid) or {}
            questions = [q for q in link.survey.questions if q.id in doc.get("follow_ups", [])]
            adaptive = doc.get("adaptive")
        ft = form_token(request, "survey", r=rid, s=str(step), bind=bind)
        return _page(request, embed, 422, survey=link.survey, token=token, step=1 if step == "1" else 2,
                     questions=questions, adaptive=adaptive, form_token=ft, values=form, error=exc.message)  # fmt: skip
