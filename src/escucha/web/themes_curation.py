"""Theme curation on the dashboard: rename, pin, merge and split, with the same effect as
``escucha themes rename|pin|merge|split`` (the same functions of ``escucha.insights.themes``).

Plain HTML forms (POST with the session's CSRF token), for analysts and admins; each action
redirects back to /themes with a message. Stored page results are rebuilt on the next visit
(the curated themes are part of their key)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse

from escucha.errors import EscuchaError, ValidationError
from escucha.http import audit
from escucha.http import insight_cache as D
from escucha.http.auth import ANALYSIS_RUN, Principal
from escucha.http.deps import StateDep, require
from escucha.i18n import add_messages

router = APIRouter(include_in_schema=False)
CurateDep = Annotated[Principal, Depends(require(ANALYSIS_RUN))]

add_messages({
    "themes.curate": ("Curar", "Curate"),
    "themes.rename": ("Renombrar", "Rename"),
    "themes.new_name": ("Nuevo nombre", "New name"),
    "themes.pin": ("Fijar", "Pin"),
    "themes.unpin": ("Soltar", "Unpin"),
    "themes.pinned": ("fijado", "pinned"),
    "themes.split": ("Dividir en dos", "Split in two"),
    "themes.merge": ("Unir los marcados", "Merge the ticked ones"),
    "themes.merge_pick": ("Marcar para unir", "Tick to merge"),
    "themes.done.rename": ("Tema renombrado.", "Theme renamed."),
    "themes.done.pin": ("Tema fijado: su nombre y sus frases se mantienen al actualizar.",
                        "Theme pinned: its name and sentences stay on updates."),
    "themes.done.unpin": ("Tema soltado.", "Theme unpinned."),
    "themes.done.split": ("Tema dividido en dos temas nuevos.", "Theme split into two new themes."),
    "themes.done.merge": ("Temas unidos en el primero.", "Themes merged into the first."),
    "themes.failed": ("No se pudo: {reason}", "Could not: {reason}"),
})  # fmt: skip


def _back(state: StateDep, done: str | None = None, failed: str | None = None) -> RedirectResponse:
    D.forget(state.cache)
    q = f"?done={done}" if done else ""
    if failed:
        from urllib.parse import quote

        q = f"?failed={quote(failed[:200])}"
    return RedirectResponse(f"/themes{q}#themes", status_code=303)


def _run(state: StateDep, principal: Principal, action: str, fn: object, *args: object) -> RedirectResponse:
    try:
        fn(state.ws.context, *args)  # type: ignore[operator]
    except EscuchaError as exc:
        return _back(state, failed=str(exc))
    audit.record(state.ws, f"theme_{action}", principal.username, args=[str(a) for a in args])
    return _back(state, done=action)


@router.post("/themes/{theme_id}/rename")
def rename(state: StateDep, principal: CurateDep, theme_id: int, name: Annotated[str, Form(max_length=120)] = "") -> RedirectResponse:
    from escucha.insights.themes import rename_theme

    return _run(state, principal, "rename", rename_theme, theme_id, name)


@router.post("/themes/{theme_id}/pin")
def pin(state: StateDep, principal: CurateDep, theme_id: int, pinned: Annotated[str, Form()] = "1") -> RedirectResponse:
    from escucha.insights.themes import pin_theme

    on = pinned == "1"
    return _run(state, principal, "pin" if on else "unpin", pin_theme, theme_id, on)


@router.post("/themes/{theme_id}/split")
def split(state: StateDep, principal: CurateDep, theme_id: int) -> RedirectResponse:
    from escucha.insights.themes import split_theme

    return _run(state, principal, "split", split_theme, theme_id)


@router.post("/themes/merge")
async def merge(request: Request, state: StateDep, principal: CurateDep) -> RedirectResponse:
    from anyio import to_thread

    from escucha.insights.themes import merge_themes

    form = await request.form()
    try:
        ids = [int(str(v)) for v in form.getlist("theme_id")]
    except ValueError as exc:
        raise ValidationError("theme ids must be whole numbers", field="theme_id") from exc
    return await to_thread.run_sync(_run, state, principal, "merge", merge_themes, ids)
