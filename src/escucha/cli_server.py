"""CLI commands for the server: ``serve``, ``users add/list/delete``, ``tokens create/list/revoke``."""

from __future__ import annotations

import os
import sys
from typing import Annotated

import typer

from escucha.cli_common import WorkspaceOpt, _emit_json, _ws, console
from escucha.errors import MissingExtraError


def _need_server() -> None:
    try:
        import argon2  # noqa: F401
        import fastapi  # noqa: F401
        import itsdangerous  # noqa: F401
        import uvicorn  # noqa: F401
    except ImportError as exc:
        raise MissingExtraError(exc.name or "fastapi", "server", "the web server") from None


def _password(from_stdin: bool) -> str:
    env = os.environ.get("ESCUCHA_NEW_PASSWORD")
    if from_stdin:
        return sys.stdin.readline().rstrip("\n")
    if env:
        return env
    return str(typer.prompt("Password", hide_input=True, confirmation_prompt=True))


def register(app: typer.Typer) -> None:
    users = typer.Typer(help="Dashboard and API users (roles: viewer, agent, analyst, admin).", no_args_is_help=True)
    tokens = typer.Typer(help="API tokens for machines (Bearer).", no_args_is_help=True)
    app.add_typer(users, name="users")
    app.add_typer(tokens, name="tokens")

    @app.command()
    def serve(
        host: Annotated[str, typer.Option(help="Interface to listen on (non-loopback needs a secret key and an admin).")] = "127.0.0.1",
        port: Annotated[int, typer.Option(help="TCP port.")] = 8000,
        workspace: WorkspaceOpt = None,
    ) -> None:
        """Serve the REST API (/api/v1, docs at /docs) and the dashboard."""
        _need_server()
        from escucha.http.preflight import preflight
        from escucha.server import serve as run

        ws = _ws(workspace)
        preflight(ws, host)
        console.print(f"escucha serving [bold]{ws.path}[/] at http://{host}:{port}/ (API docs /docs)")
        run(ws, host=host, port=port)

    @users.command("add")
    def users_add(
        username: Annotated[str, typer.Argument(help="User name.")],
        role: Annotated[str, typer.Option(help="viewer, agent, analyst or admin.")] = "viewer",
        language: Annotated[str, typer.Option(help="Dashboard language: es or en.")] = "es",
        password_stdin: Annotated[bool, typer.Option("--password-stdin", help="Read the password from stdin.")] = False,
        replace: Annotated[bool, typer.Option(help="Reset an existing user (ends their sessions).")] = False,
        workspace: WorkspaceOpt = None,
    ) -> None:
        """Add a user (password prompted, from --password-stdin or ESCUCHA_NEW_PASSWORD)."""
        _need_server()
        from escucha.http import audit, auth

        ws = _ws(workspace)
        user = auth.add_user(ws, username, _password(password_stdin), role, language, replace=replace)
        audit.record(ws, "user_created", "cli", target=username, role=role)
        console.print(f"user [bold]{user['username']}[/] ({user['role']}) saved")

    @users.command("list")
    def users_list(
        as_json: Annotated[bool, typer.Option("--json")] = False, workspace: WorkspaceOpt = None
    ) -> None:
        """List users (never their password hashes)."""
        _need_server()
        from escucha.http import auth

        rows = auth.list_users(_ws(workspace))
        if as_json:
            _emit_json(rows)
            return
        for r in rows:
            console.print(f"{r['username']}\t{r['role']}\t{r['language']}\t{r['created_at']}")

    @users.command("delete")
    def users_delete(username: str, workspace: WorkspaceOpt = None) -> None:
        """Delete a user (their sessions end)."""
        _need_server()
        from escucha.http import audit, auth

        ws = _ws(workspace)
        auth.delete_user(ws, username)
        audit.record(ws, "user_deleted", "cli", target=username)
        console.print(f"user [bold]{username}[/] deleted")

    @tokens.command("create")
    def tokens_create(
        name: Annotated[str, typer.Option(help="What the token is for.")],
        role: Annotated[str, typer.Option(help="viewer, agent, analyst or admin.")] = "analyst",
        as_json: Annotated[bool, typer.Option("--json")] = False,
        workspace: WorkspaceOpt = None,
    ) -> None:
        """Create an API token; it is printed once and stored only hashed."""
        _need_server()
        from escucha.http import audit, auth

        ws = _ws(workspace)
        token_id, token = auth.create_token(ws, name, role, created_by="cli")
        audit.record(ws, "token_created", "cli", token_id=token_id, role=role)
        if as_json:
            _emit_json({"id": token_id, "name": name, "role": role, "token": token})
            return
        console.print(f"token id [bold]{token_id}[/] ({role}); keep this secret, it is not shown again:")
        sys.stdout.write(token + "\n")

    @tokens.command("list")
    def tokens_list(as_json: Annotated[bool, typer.Option("--json")] = False, workspace: WorkspaceOpt = None) -> None:
        """List API tokens (ids, names, roles, revocation; never the secrets)."""
        _need_server()
        from escucha.http import auth

        rows = auth.list_tokens(_ws(workspace))
        if as_json:
            _emit_json(rows)
            return
        for r in rows:
            state = f"revoked {r['revoked_at']}" if r.get("revoked_at") else "active"
            console.print(f"{r['id']}\t{r['name']}\t{r['role']}\t{state}")

    @tokens.command("revoke")
    def tokens_revoke(token_id: str, workspace: WorkspaceOpt = None) -> None:
        """Revoke an API token (takes effect within seconds in a running server)."""
        _need_server()
        from escucha.http import audit, auth

        ws = _ws(workspace)
        auth.revoke_token(ws, token_id)
        audit.record(ws, "token_revoked", "cli", token_id=token_id)
        console.print(f"token [bold]{token_id}[/] revoked")


