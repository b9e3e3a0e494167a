"""Dashboard pages for agents: the inbox (my cases, SLA clocks) and the case page with assist,
the reply, status, assignment and notes. Viewers read; writing needs ``cases:write``; every write
is audited (``escucha.http.casework``)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

import escucha.cases.texts  # noqa: F401  (registers the pages' Spanish and English text)
from escucha.cases.model import PRIORITIES, RESOLUTION_CODES, STATUSES
from escucha.errors import EscuchaError
from escucha.http import audit, casework
from escucha.http.auth import CASES_WRITE, CUSTOMERS, READ, Principal
from escucha.http.bulk import get_many
from escucha.http.deps import StateDep, require
from escucha.http.security import client_ip
from escucha.web.nav import NavItem, register_nav
from escucha.web.render import add_template_dir, render

router = APIRouter(include_in_schema=False)
add_template_dir(Path(__file__).parent / "cases_templates")
register_nav(NavItem("inbox", "/inbox", {"es": "Bandeja", "en": "Inbox"}, permission=READ, order=35))
ReadDep = Annotated[Principal, Depends(require(READ))]
WriteDep = Annotated[Principal, Depends(require(CASES_WRITE))]
VIEWS = ("mine", "unassigned", "all", "late")


def namers(state: Any, lang: str) -> dict[str, Any]:
    """Template helpers naming a case's reason and topic in the page's language (a rule or aspect
    without a name in either list shows as it is)."""
    from escucha.i18n import MESSAGES, t
    from escucha.taxonomy import workspace_taxonomy

    tax = casework.cached_taxonomy(state, workspace_taxonomy)

    def reason(r: str) -> str:
        return t(f"reason.{r}", lang) if f"reason.{r}" in MESSAGES else r

    def topic(x: str) -> str:
        if f"topic.{x}" in MESSAGES:
            return t(f"topic.{x}", lang)
        return tax[x].label_for(lang) if x in tax else x

    return {"reason_label": reason, "topic_label": topic}


def _lang(request: Request, principal: Principal) -> str:
    return getattr(request.state, "lang_override", None) or principal.language or "es"


def remaining(due: str | None, now: datetime) -> str:
    """``2h 05m`` left, or ``-1h 10m`` late."""
    if not due:
        return "–"
    s = int((datetime.fromisoformat(due) - now).total_seconds())
    sign, s = ("-" if s < 0 else ""), abs(s) + (59 if s < 0 else 0)  # late by a few seconds: -0h 01m
    d, h, m = s // 86400, s % 86400 // 3600, s % 3600 // 60
    return f"{sign}{d}d {h}h" if d else f"{sign}{h}h {m:02d}m"


@router.get("/inbox")
def inbox(
    request: Request,
    state: StateDep,
    principal: ReadDep,
    view: Annotated[str, Query(pattern="^(mine|unassigned|all|late)$")] = "mine",
    done: Annotated[str, Query(max_length=40)] = "",
) -> HTMLResponse:
    _, cases = casework.list_cases(state, active=True, limit=100_000)
    if view == "mine":
        cases = [c for c in cases if c["assignee"] == principal.username]
    elif view == "unassigned":
        cases = [c for c in cases if not c["assignee"]]
    elif view == "late":
        cases = [c for c in cases if c["sla_state"] == "breached"]
    rank = {p: i for i, p in enumerate(PRIORITIES)}
    cases.sort(key=lambda c: (c["sla_state"] != "breached", rank.get(c["priority"], 9), c["next_due_at"] or "9"))
    now = datetime.now(UTC)
    rows = [{**c, "left": remaining(c["next_due_at"], now)} for c in cases[:200]]
    return render(request, "inbox.html", cases=rows, total=len(cases), view=view, views=VIEWS, done=done,
                  can_write=principal.can(CASES_WRITE), can_customers=principal.can(CUSTOMERS),
                  **namers(state, _lang(request, principal)))  # fmt: skip


@router.post("/inbox/open-from-rules")
def inbox_rules(request: Request, state: StateDep, principal: WriteDep) -> Response:
    from escucha.cases.rules import open_from_rules

    s = open_from_rules(state.ws.store, state.ws.layout, actor=principal.username)
    audit.record(state.ws, "cases_opened_by_rules", principal.username, client_ip(request), opened=len(s.opened))
    return RedirectResponse(f"/inbox?view=all&done=opened:{len(s.opened)}", status_code=303)


@router.post("/inbox/check-sla")
def inbox_sla(request: Request, state: StateDep, principal: WriteDep) -> Response:
    from escucha.cases.escalate import check_sla

    r = check_sla(state.ws.store, state.ws.layout, notifier=state.ws.notifier)
    audit.record(state.ws, "cases_sla_checked", principal.username, client_ip(request),
                 warnings=len(r.warnings), escalations=len(r.escalations))  # fmt: skip
    return RedirectResponse("/inbox?view=late", status_code=303)


@router.get("/cases/{case_id}")
def case_page(
    request: Request,
    state: StateDep,
    case_id: str,
    principal: ReadDep,
    done: Annotated[str, Query(max_length=40)] = "",
    error: Annotated[str, Query(max_length=300)] = "",
) -> HTMLResponse:
    case = casework.view(state, case_id)
    found = get_many(state.ws, case["item_ids"] + case["reply_ids"])
    voices = []
    for i in sorted(found, key=lambda i: (found[i][0].timestamp or datetime.min.replace(tzinfo=UTC), i)):
        fb, an = found[i]
        voices.append({"id": i, "fb": fb, "an": an, "agent": i in case["reply_ids"], "text": state.redact(fb.text)})
    hint = None
    own = [v for v in voices if not v["agent"]]
    if own and case["status"] not in ("resolved", "closed") and principal.can(CASES_WRITE):
        last = own[-1]["fb"]
        text = last.text if not last.title else f"{last.title}. {last.text}"
        hint = casework.assist_service(state).assist(
            text, case["customer_id"] if principal.can(CUSTOMERS) else None, None, case_id)
    now = datetime.now(UTC)
    clocks = [{**c, "left": remaining(c["due_at"], now)} for c in case["sla"].values()]
    return render(request, "case.html", c=case, voices=voices, hint=hint, clocks=clocks, done=done, error=error,
                  statuses=STATUSES, codes=RESOLUTION_CODES, priorities=PRIORITIES,
                  can_write=principal.can(CASES_WRITE), can_customers=principal.can(CUSTOMERS),
                  **namers(state, _lang(request, principal)))  # fmt: skip


def _back(case_id: str, done: str = "", error: str = "") -> Response:
    q = f"?done={done}" if done else f"?error={quote(error[:280])}" if error else ""
    return RedirectResponse(f"/cases/{quote(case_id, safe='')}{q}", status_code=303)


@router.post("/cases/{case_id}/reply")
def case_reply(
    request: Request,
    state: StateDep,
    case_id: str,
    principal: WriteDep,
    text: Annotated[str, Form(max_length=20_000)],
    wait_customer: Annotated[bool, Form()] = False,
    playbook: Annotated[str, Form(max_length=64)] = "",
    compensation_kind: Annotated[str, Form(max_length=64)] = "",
    compensation_amount: Annotated[float | None, Form(ge=0)] = None,
) -> Response:
    comp: dict[str, Any] | None = None
    if compensation_kind:
        comp = {"kind": compensation_kind, "amount": compensation_amount}
    try:
        casework.answer(state, principal, client_ip(request), case_id, text, wait_customer=wait_customer,
                        playbook=playbook or None, compensation=comp)  # fmt: skip
    except EscuchaError as exc:
        return _back(case_id, error=exc.message)
    return _back(case_id, done="replied")


@router.post("/cases/{case_id}/update")
def case_update(
    request: Request,
    state: StateDep,
    case_id: str,
    principal: WriteDep,
    status: Annotated[str, Form(max_length=20)] = "",
    resolution_code: Annotated[str, Form(max_length=40)] = "",
    priority: Annotated[str, Form(max_length=20)] = "",
    assignee: Annotated[str, Form(max_length=64)] = "",
    note: Annotated[str, Form(max_length=20_000)] = "",
) -> Response:
    changes: dict[str, Any] = {}
    if assignee:
        changes["assignee"] = principal.username if assignee == "me" else assignee
    for k, v in (("priority", priority), ("resolution_code", resolution_code), ("status", status)):
        if v:
            changes[k] = v
    if note.strip():
        changes["note"] = note
    if changes:
        try:
            casework.change(state, principal, client_ip(request), case_id, changes)
        except EscuchaError as exc:
            return _back(case_id, error=exc.message)
    return _back(case_id, done="updated")


register_nav(NavItem("retention", "/retention", {"es": "Retención", "en": "Retention"}, permission=CUSTOMERS,
                     order=36))  # fmt: skip


@router.get("/retention")
def retention(
    request: Request, state: StateDep, principal: Annotated[Principal, Depends(require(CUSTOMERS))]
) -> HTMLResponse:
    """Churn risk (with its time-split evaluation), the silent customers and the recovery figures."""
    from escucha.cases import store as case_store
    from escucha.cases.churn import evaluate, silent_customers
    from escucha.cases.customer360 import store_risk
    from escucha.cases.recovery import recovery
    from escucha.errors import ValidationError
    from escucha.http.insight_cache import cached

    def build() -> dict[str, Any]:
        try:
            ev: dict[str, Any] | None = evaluate(state.ws.store)
            at_risk = store_risk(state.ws.store)["customers"][:25]
        except ValidationError as exc:
            ev, at_risk = {"error": exc.message}, []
        rec = recovery(state.ws.store)
        return {"evaluation": ev, "at_risk": at_risk, "silent": silent_customers(state.ws.store, limit=25),
                "by_playbook": rec["by_playbook"], "by_team": rec["by_team"], "answered": len(rec["cases"])}  # fmt: skip

    data = cached(state.ws, state.cache, f"retention:{case_store.generation()}", build)
    return render(request, "retention.html", d=data)
