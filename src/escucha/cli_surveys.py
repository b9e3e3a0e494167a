"""CLI commands ``surveys`` (create, list, invite, results, widget, close) and ``portal``
(list, queue, approve, reject, merge, link, status)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from escucha.cli_common import WorkspaceOpt, _emit_json, _ws, console
from escucha.errors import ConfigError

surveys_app = typer.Typer(help="Micro-surveys: NPS, CSAT, CES and open questions, by link, e-mail or widget.",
                          no_args_is_help=True)  # fmt: skip
portal_app = typer.Typer(help="The public co-creation portal: moderation, statuses, links.", no_args_is_help=True)
JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON.")]


def _load(path: Path) -> dict[str, Any]:
    import yaml

    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise ConfigError(f"{path}: cannot read the survey definition: {exc}", field="file") from None
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: expected a mapping with name and questions", field="file")
    return data


@surveys_app.command("create")
def create(
    name: Annotated[str | None, typer.Option(help="The survey's name (or give --file).")] = None,
    file: Annotated[Path | None, typer.Option("--file", "-f", help="A YAML/JSON survey definition.")] = None,
    kind: Annotated[list[str] | None, typer.Option("--question", "-q", help="nps, csat, ces or open (repeatable).")] = None,
    trigger: Annotated[str | None, typer.Option(help="The event that triggers it (purchase, case_closed…).")] = None,
    language: Annotated[str, typer.Option(help="Default language (es or en).")] = "es",
    as_json: JsonOpt = False,
    workspace: WorkspaceOpt = None,
) -> None:
    """Create a survey from a definition file or from --name and --question flags."""
    spec: dict[str, Any] = _load(file) if file else {"name": name or "", "language": language}
    if kind:
        spec["questions"] = [{"kind": k} for k in kind]
    if trigger:
        spec["trigger"] = trigger
    s = _ws(workspace).surveys.create(spec)
    if as_json:
        _emit_json(s.to_doc())
        return
    console.print(f"survey [bold]{s.id}[/bold] created: {s.name} ({', '.join(q.kind for q in s.questions)})")


@surveys_app.command("list")
def list_(as_json: JsonOpt = False, workspace: WorkspaceOpt = None) -> None:
    """Every survey with its counts."""
    ws = _ws(workspace)
    rows = [ws.surveys.results(s.id) | {"status": s.status, "trigger": s.trigger} for s in ws.surveys.list()]
    if as_json:
        _emit_json(rows)
        return
    t = Table(title="Surveys")
    for c in ("id", "name", "status", "trigger", "invited", "responses", "completed"):
        t.add_column(c)
    for r in rows:
        t.add_row(r["id"], r["name"], r["status"], str(r["trigger"] or "–"), str(r["invited"]), str(r["responses"]),
                  str(r["completed"]))  # fmt: skip
    console.print(t)


@surveys_app.command("invite")
def invite(
    survey_id: Annotated[str, typer.Argument(help="The survey id.")],
    recipients: Annotated[list[str], typer.Argument(help="Customer ids or e-mail addresses.")],
    trigger: Annotated[str | None, typer.Option(help="What happened (purchase, case_closed…).")] = None,
    email: Annotated[bool, typer.Option("--email", help="E-mail each invited customer their link.")] = False,
    as_json: JsonOpt = False,
    workspace: WorkspaceOpt = None,
) -> None:
    """Invite customers (fatigue rules and quotas apply); prints each link or why it was refused."""
    out = _ws(workspace).surveys.invite(survey_id, list(recipients), trigger=trigger, send_email=email)
    if as_json:
        _emit_json(out)
        return
    for i in out["invited"]:
        console.print(f"[green]invited[/green] {i['recipient']}: {i['link']}")
    for r in out["refused"]:
        console.print(f"[yellow]refused[/yellow] {r['recipient']}: {r['reason']} ({r['message']})")
    if "email" in out:
        console.print(f"e-mail: {out['email']}")


@surveys_app.command("results")
def results(survey_id: str, as_json: JsonOpt = False, workspace: WorkspaceOpt = None) -> None:
    """NPS, CSAT, CES with 95% CIs, response and completion rates."""
    r = _ws(workspace).surveys.results(survey_id)
    if as_json:
        _emit_json(r)
        return

    def ci(d: dict[str, Any] | None) -> str:
        if not d or d.get("value") is None:
            return "–"
        band = f" [{d['low']}, {d['high']}]" if d.get("low") is not None else ""
        return f"{d['value']}{band} (n={d['n']})"

    t = Table(title=f"{r['name']} ({r['id']})")
    t.add_column("measure")
    t.add_column("value")
    for label, v in (("invited", r["invited"]), ("responses", f"{r['responses']} ({r['partial']} partial)"),
                     ("response rate %", ci(r["response_rate"])), ("completion rate %", ci(r["completion_rate"])),
                     ("NPS", ci(r.get("nps"))), ("CSAT %", ci(r.get("csat"))), ("CES", ci(r.get("ces"))),
                     ("call backs", r["callbacks"]), ("follow-ups", r["follow_ups"])):  # fmt: skip
        t.add_row(label, str(v))
    console.print(t)


@surveys_app.command("widget")
def widget(survey_id: str, workspace: WorkspaceOpt = None) -> None:
    """The HTML snippet that embeds the survey on a site (allow the site in survey_widget_origins)."""
    ws = _ws(workspace)
    token = ws.surveys.widget_token(survey_id)
    base = ws.settings.survey_base_url.rstrip("/")
    console.print(f'<script src="{base}/s/widget.js" data-survey="{token}" defer></script>', markup=False)


@surveys_app.command("close")
def close(survey_id: str, workspace: WorkspaceOpt = None) -> None:
    """Close a survey: its links stop working."""
    _ws(workspace).surveys.close(survey_id)
    console.print(f"survey {survey_id} closed")


@portal_app.command("list")
def portal_list(as_json: JsonOpt = False, workspace: WorkspaceOpt = None) -> None:
    """The public ideas, most voted first."""
    ideas = _ws(workspace).portal.public()
    if as_json:
        _emit_json(ideas)
        return
    t = Table(title="Ideas portal")
    for c in ("id", "title", "status", "votes", "first proposer"):
        t.add_column(c)
    for i in ideas:
        t.add_row(i["id"], i["title"][:60], i["status"], str(i["votes"]), str(i["first_proposer_credit"]))
    console.print(t)


@portal_app.command("queue")
def portal_queue(as_json: JsonOpt = False, workspace: WorkspaceOpt = None) -> None:
    """Proposals waiting for moderation, with the public ideas they look like."""
    q = _ws(workspace).portal.queue()
    if as_json:
        _emit_json(q)
        return
    for i in q:
        similar = ", ".join(f"{s['id']} ({s['similarity']})" for s in i["similar"]) or "–"
        console.print(f"{i['id']}  {i['title']}  [dim]similar: {similar}[/dim]", markup=True)


@portal_app.command("approve")
def approve(idea_id: str, workspace: WorkspaceOpt = None) -> None:
    """Publish a proposal."""
    _ws(workspace).portal.moderate(idea_id, "approve", by="cli")
    console.print(f"{idea_id} published")


@portal_app.command("reject")
def reject(idea_id: str, note: Annotated[str | None, typer.Option(help="Why (staff only).")] = None,
           workspace: WorkspaceOpt = None) -> None:  # fmt: skip
    """Reject a proposal (it never shows)."""
    _ws(workspace).portal.moderate(idea_id, "reject", note, by="cli")
    console.print(f"{idea_id} rejected")


@portal_app.command("merge")
def merge(duplicate: str, into: str, workspace: WorkspaceOpt = None) -> None:
    """Merge DUPLICATE into INTO: its proposers and supporters back INTO."""
    d = _ws(workspace).portal.merge(duplicate, into, by="cli")
    console.print(f"{duplicate} merged into {into}: {d['votes']} votes")


@portal_app.command("link")
def link(idea_id: str, plan_item: Annotated[str | None, typer.Option(help="Improvement-plan item id.")] = None,
         board: Annotated[str | None, typer.Option(help="Ideas-board idea (its label).")] = None,
         workspace: WorkspaceOpt = None) -> None:  # fmt: skip
    """Link an idea to an improvement-plan item and/or an ideas-board idea."""
    d = _ws(workspace).portal.link(idea_id, plan_item=plan_item, board=board, by="cli")
    console.print(f"{idea_id} links: {d['links']}")


@portal_app.command("status")
def status(idea_id: str, new_status: Annotated[str, typer.Argument(help="under_review, planned, shipped, declined")],
           reason: Annotated[str | None, typer.Option(help="Required when declined.")] = None,
           workspace: WorkspaceOpt = None) -> None:  # fmt: skip
    """Change an idea's status (shipped: credits and e-mails proposers and supporters)."""
    d = _ws(workspace).portal.set_status(idea_id, new_status, reason, by="cli")
    console.print(f"{idea_id}: {d['status']}" + (f" ({d['notified']} notified)" if "notified" in d else ""))


def register(app: typer.Typer) -> None:
    app.add_typer(surveys_app, name="surveys")
    app.add_typer(portal_app, name="portal")
