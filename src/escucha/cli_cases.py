"""CLI `cases`: list cases, open them from the rules, work them (assign, status, note, reply), check
SLAs, agent assist, recovery outcomes, churn risk and the silent customers."""

from __future__ import annotations

import getpass
from datetime import datetime
from typing import Annotated, Any

import typer
from rich.table import Table

from escucha.cli_common import WorkspaceOpt, _emit_json, _ws, console

cases_app = typer.Typer(help="Cases: the closed loop in the contact center.", invoke_without_command=True)
JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON.")]


def _actor() -> str:
    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):
        return "cli"


def _views(ws: Any, status: str | None = None, assignee: str | None = None, every: bool = False) -> list[dict[str, Any]]:
    from escucha.cases import store as case_store
    from escucha.cases.config import load_config
    from escucha.cases.sla import Policies
    from escucha.cases.workflow import case_view

    policies = Policies(load_config(ws.layout))
    out = []
    for c in case_store.load_all(ws.store):
        if (status and c.status != status) or (assignee and c.assignee != assignee):
            continue
        if not every and not status and not c.active:
            continue
        out.append(case_view(c, policies))
    return out


@cases_app.callback()
def cases_main(
    ctx: typer.Context,
    status: Annotated[str | None, typer.Option(help="Only cases with this status.")] = None,
    assignee: Annotated[str | None, typer.Option(help="Only cases of this agent.")] = None,
    every: Annotated[bool, typer.Option("--all", help="Resolved and closed cases too.")] = False,
    as_json: JsonOpt = False,
    workspace: WorkspaceOpt = None,
) -> None:
    """List the active cases (or --all) with their SLA state."""
    if ctx.invoked_subcommand is not None:
        return
    views = _views(_ws(workspace), status, assignee, every)
    if as_json:
        _emit_json(views)
        return
    t = Table(title=f"Cases ({len(views)})")
    for c in ("id", "customer", "status", "priority", "reason", "topic", "assignee", "SLA", "due"):
        t.add_column(c)
    for v in views:
        t.add_row(v["id"], str(v["customer_id"] or "–"), v["status"], v["priority"], v["reason"], v["topic"],
                  str(v["assignee"] or "–"), v["sla_state"], str(v["next_due_at"] or "–")[:16])  # fmt: skip
    console.print(t)


@cases_app.command("open-from-rules")
def open_cmd(
    since: Annotated[datetime | None, typer.Option(help="Only voices from this time on.")] = None,
    as_json: JsonOpt = False,
    workspace: WorkspaceOpt = None,
) -> None:
    """Open cases from the rules in cases.yaml (voices already in a case are skipped)."""
    from escucha.cases.rules import open_from_rules

    ws = _ws(workspace)
    s = open_from_rules(ws.store, ws.layout, since=since)
    if as_json:
        _emit_json(s.to_json())
        return
    console.print(f"Checked {s.checked:,} voices: opened {len(s.opened):,} cases, "
                  f"{sum(len(v) for v in s.joined.values()):,} voices joined open cases.")  # fmt: skip


@cases_app.command("show")
def show_cmd(case_id: str, as_json: JsonOpt = False, workspace: WorkspaceOpt = None) -> None:
    """One case with its SLA clocks and history."""
    from escucha.cases import store as case_store
    from escucha.cases.config import load_config
    from escucha.cases.sla import Policies
    from escucha.cases.workflow import case_view

    ws = _ws(workspace)
    v = case_view(case_store.load(ws.store, case_id), Policies(load_config(ws.layout)))
    if as_json:
        _emit_json(v)
        return
    console.print(f"[bold]{v['id']}[/] {v['status']} · {v['priority']} · {v['reason']} · {v['topic']} · "
                  f"customer {v['customer_id']} · assignee {v['assignee'] or '–'}")  # fmt: skip
    for name, c in v["sla"].items():
        console.print(f"  {name}: {c['state']} (due {c['due_at']})")
    for e in v["events"]:
        console.print(f"  {e['ts']} {e['type']} {e.get('actor') or ''}")


def _patch(case_id: str, changes: dict[str, Any], as_json: bool, workspace: Any) -> None:
    from escucha.cases.workflow import patch_case

    ws = _ws(workspace)
    c = patch_case(ws.store, ws.layout, case_id, changes, actor=_actor())
    _emit_json(c.public()) if as_json else console.print(f"{c.id}: {c.status}, {c.priority}, {c.assignee or '–'}")


@cases_app.command("assign")
def assign_cmd(case_id: str, agent: str, as_json: JsonOpt = False, workspace: WorkspaceOpt = None) -> None:
    """Assign a case to an agent."""
    _patch(case_id, {"assignee": agent}, as_json, workspace)


@cases_app.command("status")
def status_cmd(
    case_id: str,
    status: str,
    code: Annotated[str | None, typer.Option(help="Resolution code (to resolve).")] = None,
    as_json: JsonOpt = False,
    workspace: WorkspaceOpt = None,
) -> None:
    """Change a case's status (new, open, pending, resolved, closed)."""
    _patch(case_id, {"status": status, **({"resolution_code": code} if code else {})}, as_json, workspace)


@cases_app.command("note")
def note_cmd(case_id: str, text: str, as_json: JsonOpt = False, workspace: WorkspaceOpt = None) -> None:
    """Add an internal note to a case."""
    _patch(case_id, {"note": text}, as_json, workspace)


@cases_app.command("reply")
def reply_cmd(
    case_id: str,
    text: str,
    wait: Annotated[bool, typer.Option("--wait", help="Then wait on the customer (SLA paused).")] = False,
    playbook: Annotated[str | None, typer.Option(help="The playbook followed (for the recovery figures).")] = None,
    as_json: JsonOpt = False,
    workspace: WorkspaceOpt = None,
) -> None:
    """Reply to the customer (stored as the agent's voice on the customer's thread)."""
    from escucha.cases.workflow import reply

    ws = _ws(workspace)
    c, fb = reply(ws.store, case_id, text, actor=_actor(), wait_customer=wait, playbook=playbook)
    _emit_json({"case": c.public(), "item_id": fb.id}) if as_json else console.print(f"{c.id}: replied ({fb.id})")


@cases_app.command("check-sla")
def check_cmd(as_json: JsonOpt = False, workspace: WorkspaceOpt = None) -> None:
    """Warn before SLA deadlines and escalate breaches (through notify.yaml's channels)."""
    from escucha.cases.escalate import check_sla

    ws = _ws(workspace)
    r = check_sla(ws.store, ws.layout)
    if as_json:
        _emit_json(r.to_json())
        return
    console.print(f"Checked {r.checked:,} cases: {len(r.warnings):,} warnings, {len(r.escalations):,} "
                  f"escalations, {r.delivered:,} notifications delivered.")  # fmt: skip


@cases_app.command("assist")
def assist_cmd(
    text: str,
    customer: Annotated[str | None, typer.Option(help="The customer's id.")] = None,
    language: Annotated[str | None, typer.Option(help="es or en (default: detected).")] = None,
    as_json: JsonOpt = False,
    workspace: WorkspaceOpt = None,
) -> None:
    """Agent assist for one message: emotion, urgency, intents, playbook step, suggested reply."""
    from escucha.cases.assist import AssistService

    ws = _ws(workspace)
    r = AssistService(ws.store, ws.layout, ws.settings, ws.pipeline).assist(text, customer, language)
    if as_json:
        _emit_json(r)
        return
    console.print(f"emotion {r['emotion'] or '–'} · urgency {r['urgency']:.2f} · intents "
                  f"{', '.join(r['intents']) or '–'} · playbook {r['playbook']['name']}")  # fmt: skip
    console.print(f"step: {r['playbook']['step']}")
    console.print(f"reply ({r['language']}, {r['register']}): {r['suggested_reply']}", markup=False)


@cases_app.command("recovery")
def recovery_cmd(as_json: JsonOpt = False, workspace: WorkspaceOpt = None) -> None:
    """Did answered customers come back, score higher, stop threatening? Per playbook and team."""
    from escucha.cases.recovery import recovery

    r = recovery(_ws(workspace).store)
    if as_json:
        _emit_json(r)
        return
    for by in ("playbook", "team"):
        t = Table(title=f"Recovery by {by}")
        for c in (by, "cases", "came back", "score up", "threat stopped", "score Δ"):
            t.add_column(c)
        for row in r[f"by_{by}"]:
            t.add_row(*(str(row.get(k) if row.get(k) is not None else "–")
                        for k in (by, "cases", "came_back", "score_up", "threat_stopped", "score_delta")))  # fmt: skip
        console.print(t)


@cases_app.command("churn")
def churn_cmd(
    top: Annotated[int, typer.Option(help="Customers at highest risk to list.")] = 10,
    as_json: JsonOpt = False,
    workspace: WorkspaceOpt = None,
) -> None:
    """Churn risk: the time-split evaluation (AUC vs recency only) and the customers most at risk."""
    from escucha.cases.churn import evaluate
    from escucha.cases.customer360 import store_risk

    ws = _ws(workspace)
    ev = evaluate(ws.store)
    at_risk = store_risk(ws.store)["customers"][:top]
    if as_json:
        _emit_json({"evaluation": ev, "at_risk": at_risk})
        return
    console.print(f"AUC {ev['auc_model']:.3f} (recency only {ev['auc_recency']:.3f}); trained at "
                  f"{ev['train_cutoff'][:10]}, tested at {ev['test_cutoff'][:10]}, horizon {ev['horizon_days']} days")  # fmt: skip
    for r in at_risk:
        console.print(f"  {r['customer_id']}: risk {r['risk']}, quiet {r['recency_days']:.0f} days")


@cases_app.command("silent")
def silent_cmd(
    days: Annotated[float, typer.Option(help="Quiet for at least this many days.")] = 30,
    as_json: JsonOpt = False,
    workspace: WorkspaceOpt = None,
) -> None:
    """Customers who complained and went quiet."""
    from escucha.cases.churn import silent_customers

    rows = silent_customers(_ws(workspace).store, quiet_days=days)
    if as_json:
        _emit_json(rows)
        return
    for r in rows:
        console.print(f"{r['customer_id']} {r['tier'] or ''} quiet {r['quiet_days']:.0f} days since "
                      f"{r['last_complaint_at'][:10]} ({r['channel']})")  # fmt: skip


def register(app: typer.Typer) -> None:
    app.add_typer(cases_app, name="cases")
