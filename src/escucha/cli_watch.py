"""CLI of the reputation watch: ``alerts`` (list, ``replay``, ``ack``, ``resolve``, ``rules``,
``incidents``),
``watchlist``, ``influencers``, ``listen`` (JSONL on stdin) and ``watch --folder DIR``."""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import Annotated, Any

import typer

from escucha.cli_common import WorkspaceOpt, _emit_json, _ws, console, err
from escucha.errors import ValidationError

JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON.")]


def _print_rows(rows: list[dict[str, Any]], noun: str = "alert") -> None:
    """Alerts (their kind) or incidents (how many alerts), one line each."""
    if not rows:
        console.print(f"no {noun}s")
        return
    for r in rows:
        what = r["kind"] if noun == "alert" else f"{len(r['alert_ids'])} alerts"
        who = f" by {r['acknowledged_by']}" if r.get("acknowledged_by") else ""
        console.print(f"{r['detected_at'][:16]}  [bold]{what}[/]  {r['score']:>6}  {r.get('state', '')}{who}  "
                      f"{r['summary']}  [dim]{r['id']}[/]", highlight=False, markup=True)  # fmt: skip


def _list_command(noun: str, read: str, doc: str) -> Any:
    """``alerts`` and ``alerts incidents``: evaluate the rules first (unless told not to), then list."""

    def listing(
        ctx: typer.Context,
        as_json: bool = typer.Option(False, "--json", help="Print JSON."),
        state: str | None = typer.Option(None, help="open, acknowledged or resolved."),
        evaluate: bool = typer.Option(True, help="Evaluate the rules on the stored voices first."),
        workspace: WorkspaceOpt = None,
    ) -> None:
        if ctx.invoked_subcommand is not None:
            return
        ws = _ws(workspace)
        if evaluate:
            ws.watch.evaluate()
        rows = getattr(ws.watch, read)(state)
        _emit_json(rows) if as_json else _print_rows(rows, noun)

    listing.__doc__ = doc
    listing.__name__ = f"{noun}s_list"
    return listing


def _state_command(noun: str, book: str, action: str, done: str, also: str) -> Any:
    """``alerts ack|resolve`` and ``alerts incidents ack|resolve``: one command per book and action."""
    verb = {"ack": "Acknowledge", "resolve": "Resolve"}[action]

    # defaults, not Annotated: these help texts name the closure's noun, which string annotations cannot see
    def command(
        doc_id: str = typer.Argument(..., metavar=f"{noun.upper()}_ID", help=f"The {noun}'s id."),
        by: str = typer.Option("cli", help=f"Who {'acknowledges' if action == 'ack' else 'resolves'} it."),
        note: str | None = typer.Option(None, help=f"A note kept with the {noun}."),
        as_json: JsonOpt = False,
        workspace: WorkspaceOpt = None,
    ) -> None:
        doc = getattr(getattr(_ws(workspace).watch, book), action)(doc_id, by, note)
        _emit_json(doc) if as_json else console.print(f"{noun} {doc_id} {done} by {by}")

    command.__doc__ = f"{verb} an {noun}{also}" + (" (someone is on it)." if action == "ack" else ".")
    command.__name__ = f"{noun}_{action}"
    return command

def register(app: typer.Typer) -> None:
    alerts = typer.Typer(help="Reputation alerts: current ones, a replay, acknowledge, resolve, rules.",
                         invoke_without_command=True)  # fmt: skip
    app.add_typer(alerts, name="alerts")

    alerts.callback()(_list_command("alert", "alerts", "The current alerts (the rules are evaluated on the stored voices first)."))

    @alerts.command("replay")
    def alerts_replay(
        step: Annotated[str, typer.Option(help="How often the watcher looks: 15min, 1h, 6h, 1d.")] = "1h",
        until: Annotated[str | None, typer.Option(help="Stop the replay at this time (ISO 8601).")] = None,
        save: Annotated[bool, typer.Option(help="Also store the alerts (never delivered).")] = False,
        as_json: JsonOpt = False,
        incidents: Annotated[bool, typer.Option("--incidents", help="Print the incidents (alerts grouped).")] = False,
        workspace: WorkspaceOpt = None,
    ) -> None:
        """Replay the stored voices in event-time order as a live watcher would (each step sees only
        the voices up to its end) and print the alerts raised (or, with --incidents, their incidents)."""
        ws = _ws(workspace)
        t0 = time.perf_counter()
        noun = "incident" if incidents else "alert"
        found = (ws.watch.replay_incidents if incidents else ws.watch.replay)(step=step, until=until, save=save)
        if as_json:
            _emit_json(found)
            return
        _print_rows(found, noun)
        err.print(f"{len(found)} {noun}s in {time.perf_counter() - t0:.1f}s")

    inc = typer.Typer(help="Incidents: the alerts of one underlying event, grouped.", invoke_without_command=True)
    alerts.add_typer(inc, name="incidents")

    inc.callback()(_list_command("incident", "incidents",
                                 "The current incidents (the rules are evaluated on the stored voices first)."))

    for group, noun, book, also in ((inc, "incident", "incident_book", " and its alerts"), (alerts, "alert", "book", "")):
        for action, done in (("ack", "acknowledged"), ("resolve", "resolved")):
            group.command(action)(_state_command(noun, book, action, done, also))

    @alerts.command("rules")
    def alerts_rules(as_json: JsonOpt = False, workspace: WorkspaceOpt = None) -> None:
        """The alert rules in force (alerts.yaml, or the defaults)."""
        rows = _ws(workspace).watch.rules.list()
        if as_json:
            _emit_json(rows)
            return
        for r in rows:
            console.print(f"[bold]{r['id']}[/]  {r['kind']}  {json.dumps({k: v for k, v in r.items() if k not in ('id', 'kind')})}")

    @app.command("watchlist")
    def watchlist_cmd(
        top: Annotated[int, typer.Option(help="How many voices.")] = 20,
        as_json: JsonOpt = False,
        workspace: WorkspaceOpt = None,
    ) -> None:
        """Voices ranked by viral risk (emotion × threat × reach × velocity × time unresolved)."""
        rows = _ws(workspace).watch.watchlist(top)
        if as_json:
            _emit_json(rows)
            return
        for r in rows:
            console.print(f"{r['viral_risk']:.3f}  {r['channel']}  {r['item_id']}  reach {r['reach']:.2f} · "
                          f"velocity {r['velocity']:.2f} · threat {r['threat']:.2f}  {r['text'][:80]}",
                          highlight=False, markup=False)  # fmt: skip

    @app.command("influencers")
    def influencers_cmd(
        top: Annotated[int, typer.Option(help="How many authors.")] = 20,
        as_json: JsonOpt = False,
        workspace: WorkspaceOpt = None,
    ) -> None:
        """Authors ranked by influence (reach, replies, echoes of their first opinions)."""
        rows = _ws(workspace).watch.influencers(top)
        if as_json:
            _emit_json(rows)
            return
        for r in rows:
            console.print(f"{r['influence']:.3f}  {r['author']}  voices {r['voices']} · reach {r['reach']:,} · "
                          f"replies {r['replies']} · echoes {r['echoes']}", highlight=False, markup=False)  # fmt: skip

    @app.command("reputation")
    def reputation_cmd(
        by: Annotated[str, typer.Option(help="location or product.")] = "location",
        period: Annotated[str, typer.Option(help="M (month), W (week), Q (quarter).")] = "M",
        as_json: JsonOpt = False,
        workspace: WorkspaceOpt = None,
    ) -> None:
        """Reputation 0-100 per location (or product) and period, from review channels."""
        if by not in ("location", "product"):
            raise ValidationError(f"--by {by!r}: use location or product", field="by")
        rows = _ws(workspace).watch.reputation(by=by, period=period)
        if as_json:
            _emit_json(rows)
            return
        for r in rows:
            console.print(f"{r['period']}  {r[by]:<24} {r['reputation']:>5.1f}  ({r['reviews']} reviews, mean {r['mean']:.2f})",
                          highlight=False, markup=False)  # fmt: skip

    @app.command("listen")
    def listen_cmd(
        batch: Annotated[int, typer.Option(help="Voices analysed together.")] = 100,
        workspace: WorkspaceOpt = None,
    ) -> None:
        """Read voices as JSON lines on stdin, analyse them inline, evaluate the alert rules and
        print each new alert as a JSON line."""
        ws = _ws(workspace, create=True)
        buf: list[dict[str, Any]] = []
        for n, line in enumerate(sys.stdin, 1):
            if not line.strip():
                continue
            try:
                rec = json.loads(line)
            except json.JSONDecodeError as exc:
                raise ValidationError(f"stdin line {n}: not JSON ({exc.msg})", record=f"line {n}") from None
            buf.append(rec)
            if len(buf) >= batch:
                _listen_batch(ws, buf)
                buf = []
        if buf:
            _listen_batch(ws, buf)

    @app.command("watch")
    def watch_cmd(
        folder: Annotated[Path, typer.Option(help="Folder to watch for new files.")],
        mapping: Annotated[str, typer.Option(help="Preset or mapping file for the files.")] = "jsonl_feedback",
        interval: Annotated[float, typer.Option(help="Seconds between looks.")] = 2.0,
        once: Annotated[bool, typer.Option(help="Look once and stop.")] = False,
        workspace: WorkspaceOpt = None,
    ) -> None:
        """Watch a folder: each new file is ingested, analysed inline and the alert rules evaluated
        on the windows its voices fall in."""
        from escucha.watch.live import FolderWatcher

        ws = _ws(workspace, create=True)
        watcher = FolderWatcher(ws, folder, mapping)
        while True:
            for alert in watcher.poll():
                sys.stdout.write(json.dumps(alert, ensure_ascii=False, default=str) + "\n")
                sys.stdout.flush()
            if once:
                return
            time.sleep(interval)


def _listen_batch(ws: Any, records: list[dict[str, Any]]) -> None:
    from pydantic import ValidationError as PydanticError

    from escucha.models import Feedback

    items = []
    for i, rec in enumerate(records):
        try:
            items.append(Feedback.model_validate(rec))
        except PydanticError as exc:
            first = exc.errors()[0]
            where = ".".join(str(p) for p in first.get("loc", ()))
            raise ValidationError(f"record {rec.get('id', i)!r}: {where}: {first.get('msg')}", field=where,
                                  record=str(rec.get("id", i))) from None  # fmt: skip
    items.sort(key=lambda f: (f.timestamp is None, f.timestamp))  # event-time order
    out = ws.listen(items)
    for alert in out["alerts"]:
        sys.stdout.write(json.dumps(alert, ensure_ascii=False, default=str) + "\n")
    sys.stdout.flush()
