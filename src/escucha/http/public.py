"""Guards for public pages (survey links, the ideas portal): no staff login, so each form protects
itself.

- **CSRF**: a per-form token signed with the server key and bound to a random browser id held in an
  HttpOnly SameSite cookie (``escucha_pub``); a POST must carry the token of a form this browser
  was given, and when the browser sends ``Origin`` it must be this site.
- **Bots**: a honeypot field (``website``, hidden from people) must stay empty, and a form posted
  sooner than ``public_min_form_s`` after it was served is refused (time-trap); no third-party
  service is involved.
- **Rate limit**: at most ``public_rate_limit`` public POSTs per IP per minute (429 beyond).
"""

from __future__ import annotations

import hmac
import secrets
import threading
import time
from collections import defaultdict, deque
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from fastapi import Request, Response

from escucha.http.errors import ApiError
from escucha.http.security import client_ip

BROWSER_COOKIE = "escucha_pub"
HONEYPOT = "website"
FORM_MAX_AGE_S = 4 * 3600
RATE_WINDOW_S = 60.0

#: Strict policy for public pages: nothing but this site, no inline script, no framing.
PUBLIC_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; "
    "frame-ancestors 'none'; form-action 'self'"
)


def framed_csp(origins: list[str] | tuple[str, ...]) -> str:
    """The public policy, letting only ``origins`` frame the page (the survey widget)."""
    allowed = " ".join(o for o in origins if o.startswith(("https://", "http://")) and " " not in o and ";" not in o)
    return PUBLIC_CSP.replace("frame-ancestors 'none'", f"frame-ancestors 'self' {allowed}".rstrip())


@dataclass
class RateLimiter:
    """Sliding-window counter of events per key (an IP): ``hit`` says how long to wait."""

    _events: dict[str, deque[float]] = field(default_factory=lambda: defaultdict(deque))
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def hit(self, key: str, cap: int, window_s: float = RATE_WINDOW_S) -> float:
        """Count one event for ``key``; 0 when allowed, else seconds until the oldest leaves."""
        now = time.monotonic()
        with self._lock:
            q = self._events[key]
            while q and now - q[0] > window_s:
                q.popleft()
            if len(q) >= cap:
                return window_s - (now - q[0])
            q.append(now)
            if len(self._events) > 50_000:  # forget idle keys
                for k in [k for k, v in self._events.items() if not v or now - v[-1] > window_s]:
                    del self._events[k]
            return 0.0


_limiters: dict[int, RateLimiter] = {}
_limiters_lock = threading.Lock()


def limiter(request: Request) -> RateLimiter:
    """The public-form rate limiter of this app (one per application object)."""
    key = id(request.app)
    with _limiters_lock:
        return _limiters.setdefault(key, RateLimiter())


def _serializer(request: Request) -> Any:
    from itsdangerous import URLSafeTimedSerializer

    state = request.app.state.escucha
    return URLSafeTimedSerializer(state.codec.secret_key, salt="escucha-public-form")


def browser_id(request: Request) -> str:
    """This browser's id from its cookie (a new one when absent or malformed)."""
    value = request.cookies.get(BROWSER_COOKIE, "")
    if 16 <= len(value) <= 64 and all(c.isalnum() or c in "-_" for c in value):
        return value
    stored = getattr(request.state, "browser_id", None)
    if stored:
        return str(stored)
    new = secrets.token_urlsafe(18)
    request.state.browser_id = new
    return new


def form_token(request: Request, purpose: str, **extra: str) -> str:
    """A token for one form of ``purpose`` served to this browser (put it in ``form_token``);
    ``bind="0"`` in ``extra`` skips the browser binding (for a frame on another site, which gets
    no cookie: only where a forged post could do nothing a visitor cannot)."""
    return str(_serializer(request).dumps({"p": purpose, "b": browser_id(request), "t": time.time(), **extra}))


def finish(request: Request, response: Response, csp: str = PUBLIC_CSP) -> Response:
    """Set the browser cookie (when new) and the public page headers on ``response``."""
    from escucha.http.security import is_loopback

    new = getattr(request.state, "browser_id", None)
    if new and request.cookies.get(BROWSER_COOKIE) != new:
        state = request.app.state.escucha
        secure = state.secure_cookies if state.secure_cookies is not None else not is_loopback(request.url.hostname)
        response.set_cookie(BROWSER_COOKIE, new, max_age=365 * 86400, httponly=True, samesite="lax",
                            secure=bool(secure), path="/")  # fmt: skip
    response.headers["content-security-policy"] = csp
    if "frame-ancestors 'none'" not in csp:
        response.headers["x-frame-options"] = "SAMEORIGIN"
    response.headers["cache-control"] = "no-store"
    response.headers["referrer-policy"] = "no-referrer"
    return response


MAX_FORM_BYTES = 64 * 1024


async def read_form(request: Request) -> dict[str, str]:
    """A public form's fields (URL-encoded, at most 64 KB: 413 beyond, before anything else is
    done with it); repeated fields keep their first value."""
    from urllib.parse import parse_qs

    ctype = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if ctype != "application/x-www-form-urlencoded":
        raise ApiError(415, "send the form as application/x-www-form-urlencoded", field="content-type")
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > MAX_FORM_BYTES:
        raise ApiError(413, "the form is too large", field="body")
    body = b""
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_FORM_BYTES:
            raise ApiError(413, "the form is too large", field="body")
    try:
        fields = parse_qs(body.decode("utf-8"), keep_blank_values=True, max_num_fields=100)
    except (UnicodeDecodeError, ValueError):
        raise ApiError(400, "the form could not be read", field="body") from None
    return {k: v[0] for k, v in fields.items() if v}


def check_rate(request: Request) -> None:
    """429 when this IP posted more than ``public_rate_limit`` public forms in the last minute."""
    settings = request.app.state.escucha.settings
    wait = limiter(request).hit(client_ip(request), int(settings.public_rate_limit))
    if wait > 0:
        raise ApiError(429, "too many requests from this address; try again in a minute",
                       headers={"retry-after": str(int(wait) + 1)})  # fmt: skip


def check_form(request: Request, purpose: str, token: str, honeypot: str = "", *, trap: bool = True) -> dict[str, Any]:
    """Check a public POST: rate, Origin, honeypot, the form token and the time-trap. Returns the
    token's payload (with the ``extra`` values given to :func:`form_token`); raises ``ApiError``."""
    check_rate(request)
    origin = request.headers.get("origin")
    if origin and origin != "null" and urlsplit(origin).netloc != request.headers.get("host", ""):
        raise ApiError(403, "cross-site request refused (Origin does not match)", field="origin")
    if honeypot:
        raise ApiError(400, "this form was filled in by a robot", field=HONEYPOT)
    from itsdangerous import BadSignature

    try:
        data = _serializer(request).loads(token or "", max_age=FORM_MAX_AGE_S)
    except (BadSignature, ValueError, TypeError):
        raise ApiError(403, "the form has expired or is not valid; reload the page", field="form_token") from None
    cookie = request.cookies.get(BROWSER_COOKIE, "")
    bound = not isinstance(data, dict) or data.get("bind") != "0"  # unbound: the widget's open link only
    if (not isinstance(data, dict) or data.get("p") != purpose
            or (bound and not hmac.compare_digest(str(data.get("b")), cookie))):  # fmt: skip
        raise ApiError(403, "the form has expired or is not valid; reload the page", field="form_token")
    if trap:
        check_trap(request, data)
    return data


def check_trap(request: Request, data: dict[str, Any]) -> None:
    """The time-trap: 400 when the form (``data`` from :func:`check_form`) came back sooner than
    ``public_min_form_s`` after it was served (people read first; scripts post at once)."""
    min_s = float(request.app.state.escucha.settings.public_min_form_s)
    if time.time() - float(data.get("t", 0)) < min_s:
        raise ApiError(400, "the form was sent too quickly; wait a moment and send it again", field="form_token")
