"""The security middleware: authentication on every route by default, CSRF, headers, request logs.

Every request is authenticated here unless its path is in the small public allow-list (login,
static assets, health, ready), so a route added later is protected without doing anything. A
feature serving pages to customers (surveys, the ideas portal) registers their paths with
``add_public_prefix``/``add_public_path`` at import time; such pages protect their own forms
(``escucha.http.public``: per-form tokens bound to a browser cookie, honeypot, time-trap, a rate
limit per IP) and must never show PII.
Cookie-authenticated state-changing requests must carry the session's CSRF token (header
``X-CSRF-Token`` or form field ``csrf_token``) and, when the browser sends ``Origin``, come from
this site. Viewers cannot make state-changing requests at all (except logout and language).
"""

from __future__ import annotations

import hmac
import ipaddress
import logging
import time
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any
from urllib.parse import parse_qs, urlsplit

from anyio import to_thread
from starlette.datastructures import MutableHeaders
from starlette.requests import Request

from escucha.http.auth import (
    SESSION_COOKIE,
    Principal,
    principal_from_session,
    principal_from_token,
)
from escucha.http.errors import error_json, wants_html

log = logging.getLogger("escucha.api")

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]

PUBLIC_PATHS = frozenset({"/login", "/health", "/ready", "/api/v1/health", "/api/v1/ready", "/favicon.ico"})
PUBLIC_PREFIXES: tuple[str, ...] = ("/static/",)
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
VIEWER_WRITES = frozenset({"/logout", "/language"})
MAX_FORM_BYTES = 1 << 20

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; "
    "frame-ancestors 'none'; form-action 'self'"
)
CSP_DOCS = CSP.replace("style-src 'self'", "style-src 'self' 'unsafe-inline'")
HEADERS = {
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "referrer-policy": "same-origin",
    "permissions-policy": "camera=(), microphone=(), geolocation=()",
    "cross-origin-opener-policy": "same-origin",
}


_extra_paths: set[str] = set()
_extra_prefixes: list[str] = []


def add_public_prefix(prefix: str) -> None:
    """Serve every path under ``prefix`` (which must end with "/") without a staff login."""
    if not prefix.startswith("/") or not prefix.endswith("/") or prefix in ("/", "/api/", "/api/v1/"):
        raise ValueError(f"public prefix {prefix!r} must be a sub-folder such as '/s/'")
    if prefix not in _extra_prefixes:
        _extra_prefixes.append(prefix)


def add_public_path(path: str) -> None:
    """Serve exactly ``path`` without a staff login."""
    if not path.startswith("/") or path in ("/", "/api", "/api/v1"):
        raise ValueError(f"public path {path!r} must be a page such as '/ideas/portal'")
    _extra_paths.add(path)


def public_registrations() -> tuple[frozenset[str], tuple[str, ...]]:
    """The paths and prefixes features registered as public (for tests and ``escucha serve``)."""
    return frozenset(_extra_paths), tuple(_extra_prefixes)


def is_public(path: str) -> bool:
    return (path in PUBLIC_PATHS or path.startswith(PUBLIC_PREFIXES) or path in _extra_paths
            or any(path.startswith(p) for p in _extra_prefixes))  # fmt: skip


def is_loopback(host: str | None) -> bool:
    if not host:
        return False
    if host in ("localhost", "testserver") or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def client_ip(request: Request) -> str:
    return request.client.host if request.client else "unknown"


class SecurityMiddleware:
    """Pure ASGI middleware (streams untouched; only small urlencoded forms are buffered)."""

    def __init__(self, app: Any):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        state = scope["app"].state.escucha
        request = Request(scope)
        path = scope["path"]
        started = time.perf_counter()
        principal: Principal | None = None
        status = 0

        async def send_wrapper(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                headers = MutableHeaders(scope=message)
                for k, v in HEADERS.items():
                    headers.setdefault(k, v)
                headers.setdefault("content-security-policy", CSP_DOCS if path == "/docs" else CSP)
                if request.url.scheme == "https":
                    headers.setdefault("strict-transport-security", "max-age=31536000")
                if principal is not None and not path.startswith("/static/"):
                    headers.setdefault("cache-control", "no-store")
            await send(message)

        try:
            scope.setdefault("state", {})["principal"] = None
            if not is_public(path):
                principal = await to_thread.run_sync(self._authenticate, state, request)
                if principal is None:
                    await self._deny(request, 401, "unauthenticated", "authentication required", scope, receive, send_wrapper)
                    return
                scope["state"]["principal"] = principal
                if scope["method"] in UNSAFE_METHODS:
                    if principal.role == "viewer" and path not in VIEWER_WRITES:
                        await self._deny(request, 403, "forbidden", "role 'viewer' is read-only", scope, receive, send_wrapper)
                        return
                    if principal.kind == "session":
                        ok, receive, why = await self._check_csrf(request, principal, receive)
                        if not ok:
                            await self._deny(request, 403, "csrf_failed", why, scope, receive, send_wrapper)
                            return
            await self.app(scope, receive, send_wrapper)
        finally:
            log.info(
                "request",
                extra={
                    "method": scope["method"], "path": path, "status": status,
                    "ms": round(1000 * (time.perf_counter() - started), 1),
                    "user": principal.username if principal else None, "ip": client_ip(request),
                },
            )  # fmt: skip

    @staticmethod
    def _authenticate(state: Any, request: Request) -> Principal | None:
        auth = request.headers.get("authorization", "")
        if auth:
            scheme, _, token = auth.partition(" ")
            if scheme.lower() != "bearer" or not token.strip():
                return None
            return principal_from_token(state.ws, token.strip())
        cookie = request.cookies.get(SESSION_COOKIE)
        if cookie:
            return principal_from_session(state.ws, state.codec, cookie)
        return None

    @staticmethod
    async def _check_csrf(request: Request, principal: Principal, receive: Receive) -> tuple[bool, Receive, str]:
        origin = request.headers.get("origin")
        if origin and origin != "null":
            o = urlsplit(origin)
            host = request.headers.get("host", "")
            if o.netloc != host:
                return False, receive, "cross-site request refused (Origin does not match)"
        expected = principal.csrf or ""
        header = request.headers.get("x-csrf-token")
        if header is not None:
            return hmac.compare_digest(header, expected), receive, "bad CSRF token"
        ctype = request.headers.get("content-type", "").split(";")[0].strip().lower()
        if ctype != "application/x-www-form-urlencoded":
            return False, receive, "CSRF token missing: send the X-CSRF-Token header"
        body = b""
        more = True
        while more:
            message = await receive()
            if message["type"] != "http.request":
                return False, receive, "client disconnected"
            body += message.get("body", b"")
            more = message.get("more_body", False)
            if len(body) > MAX_FORM_BYTES:
                return False, receive, "form too large"
        token = parse_qs(body.decode("latin-1")).get("csrf_token", [""])[0]
        sent = False

        async def replay() -> Message:
            nonlocal sent
            if not sent:
                sent = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        return hmac.compare_digest(token, expected), replay, "bad or missing CSRF token"

    @staticmethod
    async def _deny(request: Request, status: int, code: str, message: str, scope: Scope,
                    receive: Receive, send: Send) -> None:  # fmt: skip
        if status == 401 and wants_html(request) and request.method == "GET":
            from starlette.responses import RedirectResponse

            nxt = request.url.path
            response: Any = RedirectResponse(f"/login?next={nxt}", status_code=303)
        else:
            headers = {"www-authenticate": "Bearer"} if status == 401 else None
            response = error_json(status, code, message, headers=headers)
        await response(scope, receive, send)
