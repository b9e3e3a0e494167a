"""What the cases API and the agent dashboard share: the warm assist service, case views, and the
audited actions (every write to a case is an audit event, never with message text)."""

from __future__ import annotations

import logging
import threading
from typing import TYPE_CHECKING, Any

from escucha.cases import store as case_store
from escucha.cases.assist import AssistService
from escucha.cases.config import load_config
from escucha.cases.sla import Policies
from escucha.cases.workflow import case_view, create_case, patch_case, reply
from escucha.http import audit
from escucha.http.background import add_background

if TYPE_CHECKING:
    from collections.abc import Callable

    from escucha.http.auth import Principal
    from escucha.http.deps import ServerState

log = logging.getLogger(__name__)
_SERVICES: dict[int, AssistService] = {}
_LOCK = threading.Lock()


def assist_service(state: ServerState) -> AssistService:
    """The workspace's assist service (built once per server; its pipeline is the workspace's)."""
    key = id(state.ws)
    with _LOCK:
        svc = _SERVICES.get(key)
        if svc is None:
            svc = _SERVICES[key] = AssistService(state.ws.store, state.ws.layout, state.ws.settings, state.ws.pipeline)
    return svc


def cached_taxonomy(state: ServerState, load: Callable[..., Any]) -> Any:
    """The workspace's taxonomy (aspect labels), loaded once per server."""
    key = "cases:taxonomy"
    if key not in state.cache:
        state.cache[key] = load(state.ws.path, state.ws.settings.domains)
    return state.cache[key]


def policies(state: ServerState) -> Policies:
    return Policies(load_config(state.ws.layout))


def list_cases(state: ServerState, status: str | None = None, assignee: str | None = None,
               customer_id: str | None = None, active: bool | None = None, limit: int = 200,
               offset: int = 0) -> tuple[int, list[dict[str, Any]]]:
    """(total, page of case views) newest first, filtered."""
    from escucha.cases.model import STATUSES, check_choice

    if status is not None:
        check_choice(status, STATUSES, "status")
    pol = policies(state)
    found = [c for c in reversed(case_store.load_all(state.ws.store))
             if (status is None or c.status == status) and (assignee is None or c.assignee == assignee)
             and (customer_id is None or c.customer_id == customer_id)
             and (active is None or c.active == active)]  # fmt: skip
    return len(found), [case_view(c, pol) for c in found[offset:offset + limit]]


def view(state: ServerState, case_id: str) -> dict[str, Any]:
    return case_view(case_store.load(state.ws.store, case_id), policies(state))


def open_case(state: ServerState, who: Principal, ip: str | None, **fields: Any) -> dict[str, Any]:
    case = create_case(state.ws.store, state.ws.layout, actor=who.username, **fields)
    audit.record(state.ws, "case_opened", who.username, ip, target=case.id, customer=case.customer_id)
    return case_view(case, policies(state))


def change(state: ServerState, who: Principal, ip: str | None, case_id: str, changes: dict[str, Any]) -> dict[str, Any]:
    case = patch_case(state.ws.store, state.ws.layout, case_id, changes, actor=who.username)
    audit.record(state.ws, "case_changed", who.username, ip, target=case_id, fields=sorted(changes))
    return case_view(case, policies(state))


def answer(state: ServerState, who: Principal, ip: str | None, case_id: str, text: str, **kw: Any) -> dict[str, Any]:
    case, fb = reply(state.ws.store, case_id, text, actor=who.username, **kw)
    audit.record(state.ws, "case_replied", who.username, ip, target=case_id, item_id=fb.id)
    return {**case_view(case, policies(state)), "reply_item_id": fb.id}


def _sla_clock(state: ServerState) -> Callable[[], None] | None:
    """Every ``cases_sla_check_s`` seconds: open cases from the rules over recent voices (when
    cases.yaml's ``auto_open`` is on) and check the SLAs; agent assist is warmed at start."""
    interval = state.settings.cases_sla_check_s
    if interval <= 0:
        return None
    from escucha.cases.escalate import check_sla
    from escucha.cases.rules import auto_open

    stop = threading.Event()

    def loop() -> None:
        try:
            assist_service(state).warm()
        except Exception:
            log.exception("cases: warming agent assist failed")
        while not stop.wait(interval):
            try:
                auto_open(state.ws.store, state.ws.layout)
                check_sla(state.ws.store, state.ws.layout, notifier=state.ws.notifier)
            except Exception:
                log.exception("cases: the SLA check failed")

    threading.Thread(target=loop, name="cases-sla", daemon=True).start()
    return stop.set


add_background("cases-sla", _sla_clock)
