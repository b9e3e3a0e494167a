"""Optional customer sign-in on the ideas portal by e-mail link (no password, no account).

``POST /ideas/portal/signin`` answers the same whatever the address (nothing to enumerate) and
e-mails a link valid for an hour through the workspace's notifier; opening it sets a signed,
HttpOnly cookie. A signed-in customer votes once whatever the browser, and hears back at that
address when an idea they proposed or supported ships. The address is never shown on a page.
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import RedirectResponse, Response

from escucha.http.deps import StateDep
from escucha.http.errors import ApiError
from escucha.http.public import browser_id, check_form, finish, read_form
from escucha.http.security import is_loopback
from escucha.i18n import add_messages

log = logging.getLogger(__name__)
router = APIRouter(include_in_schema=False)
COOKIE = "escucha_customer"
SALT = "escucha-portal-signin"
LINK_MAX_AGE_S = 3600
SESSION_MAX_AGE_S = 90 * 86400

add_messages({
    "portal.signin": ("Entrar con mi e-mail (opcional)", "Sign in with my e-mail (optional)"),
    "portal.signin_send": ("Enviarme el enlace", "Send me the link"),
    "portal.signin_sent": ("Si la dirección es válida, le hemos enviado un enlace para entrar. Caduca en una hora.",
                           "If the address is valid, we have sent you a link to sign in. It expires in an hour."),
    "portal.signed_in": ("Ha entrado con su e-mail: sus votos cuentan una vez y le avisaremos.",
                         "You are signed in with your e-mail: your votes count once and we will tell you."),
    "portal.signin_subject": ("Su enlace para el portal de ideas", "Your link to the ideas portal"),
})  # fmt: skip


def _serializer(state: Any) -> Any:
    from itsdangerous import URLSafeTimedSerializer

    return URLSafeTimedSerializer(state.ws.surveys.ctx.secret(), salt=SALT)


def signed_in_email(request: Request) -> str | None:
    """The e-mail of the signed-in customer (from the signed cookie), or None."""
    value = request.cookies.get(COOKIE)
    if not value:
        return None
    from itsdangerous import BadSignature

    try:
        data = _serializer(request.app.state.escucha).loads(value, max_age=SESSION_MAX_AGE_S)
    except (BadSignature, ValueError, TypeError):
        return None
    return str(data["e"]) if isinstance(data, dict) and data.get("k") == "session" and data.get("e") else None


def person(request: Request) -> tuple[str, str | None]:
    """(person key, e-mail): the signed-in customer's, else this browser's (no e-mail)."""
    from escucha.portal.ideas import person_key

    email = signed_in_email(request)
    return (person_key("e", email), email) if email else (person_key("b", browser_id(request)), None)


@router.post("/ideas/portal/signin")
async def signin(request: Request, state: StateDep) -> Response:
    form = await read_form(request)
    lang = "en" if form.get("lang") == "en" else "es"
    check_form(request, "portal-signin", form.get("form_token", ""), form.get("website", ""))
    email = form.get("email", "").strip()
    await run_in_threadpool(_send_link, state, email, lang)
    return finish(request, RedirectResponse(f"/ideas/portal?signin=1&lang={lang}", status_code=303))


def _send_link(state: Any, email: str, lang: str) -> None:
    from escucha.i18n import t
    from escucha.portal.ideas import EMAIL

    if not EMAIL.match(email) or len(email) > 320:
        return  # the same answer as for a good address: nothing to learn from it
    token = _serializer(state).dumps({"k": "link", "e": email})
    url = f"{state.settings.survey_base_url.rstrip('/')}/ideas/portal/signin/{token}"
    text = {"es": f"Hola:\n\nPara entrar en el portal de ideas, abra este enlace (caduca en una hora):\n\n{url}\n\n"
                  "Si no lo ha pedido usted, ignore este mensaje.\n",
            "en": f"Hello,\n\nTo sign in to the ideas portal, open this link (it expires in an hour):\n\n{url}\n\n"
                  "If you did not ask for it, ignore this message.\n"}[lang]  # fmt: skip
    try:
        state.ws.notifier.email(to=[email], subject=t("portal.signin_subject", lang), text=text, topic="portal")
    except Exception as exc:  # no e-mail channel: the customer simply gets no link (logged, never shown)
        log.warning("portal sign-in link not sent: %s", type(exc).__name__)


@router.get("/ideas/portal/signin/{token}")
def signin_link(request: Request, state: StateDep, token: str) -> Response:
    from itsdangerous import BadSignature

    try:
        data = _serializer(state).loads(token, max_age=LINK_MAX_AGE_S)
    except (BadSignature, ValueError, TypeError):
        raise ApiError(404, "this sign-in link is not valid or has expired") from None
    if not isinstance(data, dict) or data.get("k") != "link" or not data.get("e"):
        raise ApiError(404, "this sign-in link is not valid or has expired")
    resp = RedirectResponse("/ideas/portal?signed=1", status_code=303)
    secure = state.secure_cookies if state.secure_cookies is not None else not is_loopback(request.url.hostname)
    resp.set_cookie(COOKIE, _serializer(state).dumps({"k": "session", "e": data["e"]}), max_age=SESSION_MAX_AGE_S,
                    httponly=True, samesite="lax", secure=bool(secure), path="/ideas/portal")  # fmt: skip
    return finish(request, resp)
