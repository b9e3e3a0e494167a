"""Dashboard pages: login, snapshot, explorer, one voice, customer profile, language switch."""

from __future__ import annotations

import math
import re
from datetime import datetime, time, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from escucha.http import audit, auth
from escucha.http.auth import CUSTOMERS, EXPORT, LOGIN_COOKIE, READ, SESSION_COOKIE, Principal
from escucha.http.bulk import get_many
from escucha.http.deps import StateDep, require
from escucha.http.insight_cache import cached
from escucha.http.profiles import customer_profile
from escucha.http.security import client_ip, is_loopback
from escucha.http.serialize import anonymise_feedback, frame_records
from escucha.insights.protect import safe_listing
from escucha.models import INTENTS
from escucha.store import Filters
from escucha.web.render import highlight, render
from escucha.web.snapshot import cached_snapshot, open_alerts

router = APIRouter(include_in_schema=False)
PAGE_SIZE = 20
ReadDep = Annotated[Principal, Depends(require(READ))]


def safe_next(target: str | None) -> str:
    """Only local paths: never redirect to another site."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    return target


def _secure(request: Request, state: Any) -> bool:
    if state.secure_cookies is not None:
        return bool(state.secure_cookies)
    return not is_loopback(request.url.hostname)


# -- login / logout / language -----------------------------------------------------------
@router.get("/login")
def login_page(request: Request, state: StateDep, next: str = "/", lang: str | None = None,
               error: str | None = None, status_code: int = 200) -> HTMLResponse:  # fmt: skip
    cookie, token = state.codec.login_token()
    if lang in ("es", "en"):
        request.state.lang_override = lang
    resp = render(request, "login.html", status_code=status_code, login_token=token, next=safe_next(next),
                  error=error)  # fmt: skip
    resp.set_cookie(LOGIN_COOKIE, cookie, max_age=3600, httponly=True, samesite="lax",
                    secure=_secure(request, state), path="/login")  # fmt: skip
    return resp


@router.post("/login")
def login(
    request: Request,
    state: StateDep,
    username: Annotated[str, Form(max_length=64)],
    password: Annotated[str, Form(max_length=1000)],
    csrf_token: Annotated[str, Form(max_length=200)] = "",
    next: Annotated[str, Form(max_length=2000)] = "/",
) -> Response:
    ip = client_ip(request)
    if not state.codec.check_login_token(request.cookies.get(LOGIN_COOKIE), csrf_token):
        return login_page(request, state, next, error="login.expired", status_code=403)
    wait = state.limiter.retry_after(ip, username)
    if wait > 0:
        audit.record(state.ws, "login_rate_limited", username, ip)
        resp: Response = login_page(request, state, next, error="login.limited", status_code=429)
        resp.headers["retry-after"] = str(math.ceil(wait))
        return resp
    user = auth.authenticate(state.ws, username, password)
    if user is None:
        state.limiter.failed(ip, username)
        audit.record(state.ws, "login_failed", username, ip)
        return login_page(request, state, next, error="login.failed", status_code=401)
    state.limiter.succeeded(ip, username)
    audit.record(state.ws, "login", username, ip)
    sid = auth.start_session(state.ws, user["username"], state.settings.session_max_age_s)
    value, _ = state.codec.issue(user, sid)
    resp = RedirectResponse(safe_next(next), status_code=303)
    resp.set_cookie(SESSION_COOKIE, value, max_age=state.settings.session_max_age_s, httponly=True,
                    samesite="lax", secure=_secure(request, state), path="/")  # fmt: skip
    resp.delete_cookie(LOGIN_COOKIE, path="/login")
    return resp


@router.post("/logout")
def logout(request: Request, state: StateDep, principal: ReadDep) -> Response:
    if principal.session_id:
        auth.end_session(state.ws, principal.session_id)  # the old cookie signs nobody in any more
    audit.record(state.ws, "logout", principal.username, client_ip(request))
    resp = RedirectResponse("/login", status_code=303)
    resp.delete_cookie(SESSION_COOKIE, path="/")
    return resp


@router.post("/language")
def language(
    state: StateDep,
    principal: ReadDep,
    lang: Annotated[str, Form(pattern="^(es|en)$")],
    next: Annotated[str, Form(max_length=2000)] = "/",
) -> Response:
    if principal.kind == "session":
        auth.set_language(state.ws, principal.username, lang)
    return RedirectResponse(safe_next(next), status_code=303)


# -- snapshot ----------------------------------------------------------------------------------
@router.get("/")
def snapshot(request: Request, state: StateDep, principal: ReadDep) -> HTMLResponse:
    data = {**cached_snapshot(state.ws, state.cache), "alerts": open_alerts(state.ws)}  # alerts: never stale
    urgent = [{**u, "text": state.redact(u["text"])} for u in data.get("urgent", [])]
    aspects = [{**a, "quote": state.redact(a["quote"])} for a in data.get("negative_aspects", [])]
    return render(request, "snapshot.html", d=data, urgent=urgent, aspects=aspects,
                  can_customers=principal.can(CUSTOMERS))  # fmt: skip


# -- explorer ----------------------------------------------------------------------------------
def _date(v: str | None, end: bool = False) -> datetime | None:
    if not v or not re.fullmatch(r"\d{4}-\d{2}-\d{2}", v):
        return None
    try:
        d = datetime.combine(datetime.strptime(v, "%Y-%m-%d").date(), time())
    except ValueError:
        return None
    return d + timedelta(days=1) if end else d


def _one(v: str | None) -> list[str] | None:
    return [v] if v else None


def _options(state: Any) -> dict[str, list[str]]:
    """The explorer's filter choices (cached until the workspace's data changes)."""

    def build() -> dict[str, list[str]]:
        ws = state.ws
        chans = ws.metrics(by="channel")
        asps = ws.metrics(by="aspect", min_volume=1)
        langs = ws.metrics(by="language")
        return {
            "channel": [str(c) for c in chans["channel"].dropna()] if not chans.empty else [],
            "aspect": [str(a) for a in asps["aspect"].dropna()] if not asps.empty else [],
            "language": [str(x) for x in langs["language"].dropna()] if not langs.empty else [],
        }

    return cached(state.ws, state.cache, "options", build)  # type: ignore[no-any-return]


LISTINGS_KEPT = 64  # explorer filter combinations whose count is remembered per data version


def _listing(state: Any, f: Filters) -> tuple[Filters, int]:
    """The explorer's filters with employee anonymity applied, and how many voices match: two scans
    of every voice, remembered until the data changes (paging through one search costs one)."""
    from escucha.http.insight_cache import data_version

    key = (data_version(state.ws), repr(f))
    memo: dict[Any, tuple[Filters, int]] = state.cache.setdefault("explore_listings", {})
    if key not in memo:
        safe = safe_listing(state.ws.store, state.ws.settings.employee_min_group, f)
        if len(memo) >= LISTINGS_KEPT:
            memo.pop(next(iter(memo)))
        memo[key] = (safe, state.ws.store.count_items(safe))
    return memo[key]


@router.get("/explore")
def explore(
    request: Request,
    state: StateDep,
    principal: ReadDep,
    q: Annotated[str, Query(max_length=200)] = "",
    channel: Annotated[str, Query(max_length=50)] = "",
    sentiment: Annotated[str, Query(pattern="^(|positive|negative|neutral|unknown)$")] = "",
    aspect: Annotated[str, Query(max_length=80)] = "",
    intent: Annotated[str, Query(max_length=50)] = "",
    language: Annotated[str, Query(max_length=10)] = "",
    customer: Annotated[str, Query(max_length=100)] = "",
    since: Annotated[str, Query(max_length=10)] = "",
    until: Annotated[str, Query(max_length=10)] = "",
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
) -> HTMLResponse:
    f = Filters(
        since=_date(since), until=_date(until, end=True), channel=_one(channel), sentiment=_one(sentiment),
        aspect=_one(aspect), intent=_one(intent), language=_one(language), customer_id=_one(customer),
        search=q.strip() or None,
    )  # fmt: skip
    f, total = _listing(state, f)
    pages = max(1, math.ceil(total / PAGE_SIZE))
    page = min(page, pages)
    rows = frame_records(state.ws.items(f, limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE))
    found = get_many(state.ws, [r["id"] for r in rows])
    voices = [_voice_view(state, *found[r["id"]], row=r) for r in rows if r["id"] in found]
    params = {"q": q, "channel": channel, "sentiment": sentiment, "aspect": aspect, "intent": intent,
              "language": language, "customer": customer, "since": since, "until": until}  # fmt: skip
    ctx: dict[str, Any] = dict(
        voices=voices, total=total, page=page, pages=pages, params=params,
        query={k: v for k, v in params.items() if v}, options=_options(state), intents=INTENTS,
        export_query={("customer_id" if k == "customer" else k): v for k, v in params.items() if v},
        can_export=principal.can(EXPORT), can_customers=principal.can(CUSTOMERS),
    )  # fmt: skip
    partial = request.headers.get("hx-request") == "true" and request.headers.get("hx-target") == "results"
    return render(request, "_results.html" if partial else "explore.html", **ctx)


def _voice_view(state: Any, fb: Any, an: Any, row: dict[str, Any] | None = None) -> dict[str, Any]:
    if state.settings.display_redaction:
        from markupsafe import escape

        body = escape(state.redact(fb.text if not fb.title else f"{fb.title}. {fb.text}"))
    else:
        body = highlight(fb.text, an, fb.title)
    return {"fb": fb, "an": an, "html": body, "row": row or {}}


# -- one voice ---------------------------------------------------------------------------------
@router.get("/voices/{item_id:path}")
def voice(request: Request, state: StateDep, item_id: str, principal: ReadDep) -> HTMLResponse:
    fb, an = state.ws.get(item_id)
    v = _voice_view(state, anonymise_feedback(fb), an)
    an = v["an"]
    sentences = []
    if an is not None:
        sentences = [{"s": s, "text": state.redact(s.text)} for s in an.sentences]
    aspects = [] if an is None else [{"m": m, "evidence": state.redact(m.evidence)} for m in an.aspects]
    return render(request, "voice.html", v=v, sentences=sentences, aspects=aspects,
                  can_customers=principal.can(CUSTOMERS))  # fmt: skip


# -- customers ---------------------------------------------------------------------------------
@router.get("/customers")
def customers_index(
    request: Request,
    state: StateDep,
    principal: Annotated[Principal, Depends(require(CUSTOMERS))],
    id: Annotated[str, Query(max_length=100)] = "",
    q: Annotated[str, Query(max_length=200)] = "",
) -> Response:
    from escucha.cases.customer360 import search

    if id.strip():
        from urllib.parse import quote

        return RedirectResponse(f"/customers/{quote(id.strip(), safe='')}", status_code=303)
    hits = None
    if len(q.strip()) >= 2:  # by id, name or e-mail (names hidden when the server redacts PII)
        hits = search(state.ws.store, q, 50, with_names=not state.settings.display_redaction)
        audit.record(state.ws, "customers_searched", principal.username, client_ip(request), results=len(hits))
        if len(hits) == 1 and hits[0]["id"].lower() == q.strip().lower():
            from urllib.parse import quote

            return RedirectResponse(f"/customers/{quote(hits[0]['id'], safe='')}", status_code=303)
    return render(request, "customers.html", q=q, hits=hits)


@router.get("/customers/{customer_id:path}")
def customer(
    request: Request,
    state: StateDep,
    customer_id: str,
    principal: Annotated[Principal, Depends(require(CUSTOMERS))],
) -> HTMLResponse:
    prof = customer_profile(state.ws, customer_id, limit=100, redact=state.redact)
    audit.record(state.ws, "customer_viewed", principal.username, client_ip(request), target=customer_id)
    return render(request, "customer.html", p=prof, spark=sparkline([t["score"] for t in prof["trajectory"]]))


def sparkline(values: list[float], width: int = 240, height: int = 40) -> str:
    """SVG polyline points for sentiment scores in [-1, 1] (oldest left)."""
    if len(values) < 2:
        return ""
    step = width / (len(values) - 1)
    return " ".join(f"{i * step:.1f},{(1 - (max(-1.0, min(1.0, v)) + 1) / 2) * height:.1f}" for i, v in enumerate(values))
