"""Shared request dependencies: the server state, the workspace, the caller and role checks."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import Depends, Query, Request

from escucha.config import Settings
from escucha.http.auth import LoginLimiter, Principal, SessionCodec
from escucha.http.errors import ApiError
from escucha.store import Filters
from escucha.workspace import Workspace


@dataclass
class ServerState:
    """Everything a request needs, built once by ``create_app``."""

    ws: Workspace
    settings: Settings
    codec: SessionCodec
    limiter: LoginLimiter
    secure_cookies: bool | None = None
    analysis_lock: threading.Lock = field(default_factory=threading.Lock)
    cache: dict[str, Any] = field(default_factory=dict)

    def redact(self, text: Any) -> Any:
        """PII redaction for display, when the workspace asks for it."""
        if not self.settings.display_redaction or not isinstance(text, str):
            return text
        from escucha.privacy import redact

        return redact(text)


def get_state(request: Request) -> ServerState:
    return request.app.state.escucha  # type: ignore[no-any-return]


def get_ws(request: Request) -> Workspace:
    return get_state(request).ws


def get_principal(request: Request) -> Principal:
    p = getattr(request.state, "principal", None)
    if p is None:
        raise ApiError(401, "authentication required")
    return p  # type: ignore[no-any-return]


def require(permission: str) -> Callable[..., Principal]:
    """A dependency that lets the request through only when the caller's role has ``permission``."""

    def check(principal: Annotated[Principal, Depends(get_principal)]) -> Principal:
        if not principal.can(permission):
            raise ApiError(403, f"role {principal.role!r} may not do this (needs {permission!r})", field="role")
        return principal

    check.__name__ = f"require_{permission.replace(':', '_')}"
    return check


StateDep = Annotated[ServerState, Depends(get_state)]
WsDep = Annotated[Workspace, Depends(get_ws)]
PrincipalDep = Annotated[Principal, Depends(get_principal)]

SentimentQ = Literal["negative", "neutral", "positive", "unknown"]


def _split(values: list[str] | None) -> list[str] | None:
    if not values:
        return None
    out = [v.strip() for val in values for v in val.split(",") if v.strip()]
    return out[:50] or None


def filters_dep(
    since: Annotated[datetime | None, Query(description="From this time (inclusive, ISO 8601)")] = None,
    until: Annotated[datetime | None, Query(description="Before this time (exclusive)")] = None,
    channel: Annotated[list[str] | None, Query(max_length=50)] = None,
    product: Annotated[list[str] | None, Query(max_length=50)] = None,
    location: Annotated[list[str] | None, Query(max_length=50)] = None,
    language: Annotated[list[str] | None, Query(max_length=50)] = None,
    sentiment: Annotated[list[SentimentQ] | None, Query(max_length=4)] = None,
    aspect: Annotated[list[str] | None, Query(max_length=50)] = None,
    intent: Annotated[list[str] | None, Query(max_length=50)] = None,
    customer_id: Annotated[list[str] | None, Query(max_length=50)] = None,
    q: Annotated[str | None, Query(max_length=200, description="Full-text search in text and title")] = None,
) -> Filters:
    """Filters shared by list, export and metrics routes (repeat a parameter or use commas)."""
    return Filters(
        since=since,
        until=until,
        channel=_split(channel),
        product=_split(product),
        location=_split(location),
        language=_split(language),
        sentiment=list(sentiment) if sentiment else None,
        aspect=_split(aspect),
        intent=_split(intent),
        customer_id=customer_id or None,
        search=q.strip() if q and q.strip() else None,
    )


FiltersDep = Annotated[Filters, Depends(filters_dep)]


def listing_filters_dep(request: Request, filters: FiltersDep) -> Filters:
    """Filters for routes that list or export voices one by one: employee voices never by author
    id, never from fewer than ``employee_min_group`` people (``insights.protect.safe_listing``)."""
    from escucha.insights.protect import safe_listing

    state = get_state(request)
    return safe_listing(state.ws.store, state.ws.settings.employee_min_group, filters)


ListingFiltersDep = Annotated[Filters, Depends(listing_filters_dep)]
