"""Work the server keeps doing between requests (retrying deliveries, watching, SLA clocks).

A feature adds a *starter* with :func:`add_background`: it is called with the server state when
the server starts and returns a function that stops what it started (called at shutdown)::

    def start_sla_clock(state: ServerState) -> Callable[[], None]:
        loop = MyLoop(state.ws).start()
        return loop.stop

    add_background("sla-clock", start_sla_clock)
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from escucha.http.deps import ServerState

log = logging.getLogger(__name__)

Starter = Callable[["ServerState"], Callable[[], None] | None]
_STARTERS: dict[str, Starter] = {}


def add_background(name: str, starter: Starter) -> None:
    """Run ``starter`` when a server starts (a later starter of the same name replaces it)."""
    _STARTERS[name] = starter


def background_names() -> list[str]:
    return sorted(_STARTERS)


def _notify_retries(state: ServerState) -> Callable[[], None] | None:
    """Retry failed deliveries and send digests every few seconds (only when channels exist)."""
    from escucha.notify import RetryLoop

    notifier = state.ws.notifier
    if not notifier.channel_names():
        return None
    return RetryLoop(notifier, interval_s=5.0).start().stop


add_background("notify-retries", _notify_retries)


def lifespan(state: ServerState) -> Callable[[Any], Any]:
    """The app's lifespan: start every background starter, stop them in reverse at shutdown."""

    @asynccontextmanager
    async def run(app: Any) -> AsyncIterator[None]:
        stops: list[tuple[str, Callable[[], None]]] = []
        for name, starter in list(_STARTERS.items()):
            try:
                stop = starter(state)
            except Exception:
                log.exception("background %s failed to start", name)
                continue
            if stop is not None:
                stops.append((name, stop))
        try:
            yield
        finally:
            for name, stop in reversed(stops):
                try:
                    stop()
                except Exception:
                    log.exception("background %s failed to stop", name)

    return run
