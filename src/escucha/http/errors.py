"""One error model for every route: ``{"error": {"code", "message", "field", "record"}}``.

EscuchaError (with its ``code`` and ``http_status``), FastAPI's RequestValidationError and
Starlette's HTTPException are all turned into this shape here, and nowhere else.
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from pydantic import BaseModel
from starlette.exceptions import HTTPException as StarletteHTTPException

from escucha.errors import EscuchaError

log = logging.getLogger("escucha.api")

STATUS_CODES: dict[int, str] = {
    400: "bad_request",
    401: "unauthenticated",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "too_large",
    415: "unsupported_media_type",
    422: "invalid_input",
    429: "rate_limited",
    500: "internal_error",
    503: "unavailable",
}


class ErrorBody(BaseModel):
    code: str
    message: str
    field: str | None = None
    record: str | None = None


class ErrorResponse(BaseModel):
    """What every failing request returns."""

    error: ErrorBody


def error_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI ``responses=`` entries: each status answers with the one error model."""
    return {s: {"model": ErrorResponse, "description": STATUS_CODES.get(s, "error")} for s in statuses}


ERROR_RESPONSES: dict[int | str, dict[str, Any]] = error_responses(401, 403, 422)
"""What any authenticated route may answer: not logged in, not allowed, bad parameters."""

BODY_ERRORS = error_responses(400)
"""Routes with a request body: a body that is not valid JSON (or form data) is a 400."""

NOT_FOUND = error_responses(404)
CONFLICT = error_responses(409)


class ApiError(EscuchaError):
    """An HTTP error raised by the API layer itself (auth, permissions, limits)."""

    def __init__(
        self,
        status: int,
        message: str,
        *,
        code: str | None = None,
        field: str | None = None,
        headers: dict[str, str] | None = None,
    ):
        super().__init__(message, field=field)
        self.http_status = status
        self.code = code or STATUS_CODES.get(status, "http_error")
        self.headers = headers or {}


def error_json(
    status: int,
    code: str,
    message: str,
    field: str | None = None,
    record: str | None = None,
    headers: dict[str, str] | None = None,
) -> JSONResponse:
    body = {"error": {"code": code, "message": message, "field": field, "record": record}}
    return JSONResponse(body, status_code=status, headers=headers)


def wants_html(request: Request) -> bool:
    """A browser page request (not the API) that should get a page or a redirect, not JSON."""
    path = request.url.path
    if path.startswith("/api/") or path in ("/openapi.json", "/export.csv"):
        return False
    return "text/html" in request.headers.get("accept", "")


def _validation_field(loc: tuple[Any, ...]) -> tuple[str | None, str | None]:
    parts = [p for p in loc if p not in ("body", "query", "path", "header", "cookie", "form")]
    record = next((str(p) for p in parts if isinstance(p, int)), None)
    names = [str(p) for p in parts if not isinstance(p, int)]
    # union-type tags such as "Feedback" or "list[Feedback]" are not fields
    names = [n for n in names if not n[:1].isupper() and "[" not in n]
    return (".".join(names) or None), record


def install_error_handlers(app: FastAPI, render_error_page: Any = None) -> None:
    """Route every error through the one model (or an HTML page for browser page requests)."""

    def respond(request: Request, status: int, code: str, message: str, field: str | None = None,
                record: str | None = None, headers: dict[str, str] | None = None) -> Response:  # fmt: skip
        if wants_html(request):
            if status == 401:
                nxt = request.url.path
                return RedirectResponse(f"/login?next={nxt}", status_code=303)
            if render_error_page is not None:
                return render_error_page(request, status, code, message)
        return error_json(status, code, message, field, record, headers)

    @app.exception_handler(EscuchaError)
    async def _escucha(request: Request, exc: EscuchaError) -> Response:
        status = int(getattr(exc, "http_status", 500))
        if status >= 500:
            log.error("error %s on %s %s: %s", exc.code, request.method, request.url.path, type(exc).__name__)
        return respond(request, status, exc.code, exc.message, exc.field, exc.record, getattr(exc, "headers", None))

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> Response:
        errs = list(exc.errors())
        # with a union body (one item or a list) drop the "wrong shape" errors of the other branch
        shape = {"model_attributes_type", "model_type", "list_type", "dict_type"}
        errs = [e for e in errs if e.get("type") not in shape] or errs
        first = errs[0] if errs else {"loc": (), "msg": "invalid request"}
        field, record = _validation_field(tuple(first.get("loc", ())))
        msg = str(first.get("msg", "invalid request"))
        where = f"record {record}: " if record is not None else ""
        message = f"{where}{field + ': ' if field else ''}{msg}"
        if len(errs) > 1:
            message += f" (and {len(errs) - 1} more problem{'s' if len(errs) > 2 else ''})"
        return respond(request, 422, "invalid_input", message, field, record)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> Response:
        code = STATUS_CODES.get(exc.status_code, "http_error")
        message = exc.detail if isinstance(exc.detail, str) else code.replace("_", " ")
        return respond(request, exc.status_code, code, message, headers=dict(exc.headers or {}))

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> Response:
        log.exception("unexpected %s on %s %s", type(exc).__name__, request.method, request.url.path)
        return respond(request, 500, "internal_error", "internal error; the server log has the details")
