"""CLI commands `notify log`, `notify flush`, `notify test`: the delivery outbox (notify.yaml)."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from escucha.cli_common import WorkspaceOpt, _emit_json, _ws, console

notify_app = typer.Typer(help="Deliveries of alerts and e-mails to the channels of notify.yaml.")
JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON.")]


@notify_app.command("log")
def log_cmd(
    limit: Annotated[int, typer.Option(help="How many deliveries, newest first.")] = 50,
    status: Annotated[str | None, typer.Option(help="Only this status (queued, retrying, sent, dead, held, "
                                                     "digested, suppressed).")] = None,
    as_json: JsonOpt = False,
    workspace: WorkspaceOpt = None,
) -> None:
    """Show the delivery log."""
    rows = _ws(workspace).notifier.log(limit=limit, status=status)
    if as_json:
        _emit_json([{k: v for k, v in r.items() if k != "message"} | {"subject": r["message"]["subject"]}
                    for r in rows])
        return
    t = Table(title="Deliveries")
    for c in ("created", "channel", "status", "tries", "subject", "last error"):
        t.add_column(c)
    for r in rows:
        t.add_row(r["created_at"][:19], r["channel"], r["status"], str(r["attempts"]),
                  r["message"]["subject"][:60], (r.get("last_error") or "")[:40])
    console.print(t)


@notify_app.command("flush")
def flush_cmd(workspace: WorkspaceOpt = None) -> None:
    """Deliver what is due now (retries and digests); `escucha serve` does this every few seconds."""
    report = _ws(workspace).notifier.flush()
    console.print(f"sent {len(report.sent)} · retrying {len(report.retrying)} · dead {len(report.dead)} "
                  f"· digests {len(report.digests)}")


@notify_app.command("test")
def test_cmd(
    channel: Annotated[str, typer.Argument(help="A channel name from notify.yaml.")],
    workspace: WorkspaceOpt = None,
) -> None:
    """Send a test message to one channel and say whether it arrived."""
    from datetime import UTC, datetime

    from escucha.notify import Message

    ws = _ws(workspace)
    stamp = datetime.now(UTC).isoformat(timespec="seconds")
    [d] = ws.notifier.send(Message(key=f"test:{stamp}", subject="escucha: test message",
                                   text=f"Sent by `escucha notify test` at {stamp}.", topic="test"),
                           channels=[channel])
    console.print(f"{channel}: {d['status']}" + (f" ({d['last_error']})" if d.get("last_error") else ""))
    if d["status"] != "sent":
        raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    app.add_typer(notify_app, name="notify")
