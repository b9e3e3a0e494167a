"""The company's own accounts: voices they wrote are the company's words (speaker ``agent``).

A workspace lists its accounts in ``company.yaml`` (``social_handles: ['@Brand', '@Brand_Help']``,
at the top or in its ``company:`` block); a voice whose author (metadata ``author``, ``handle`` or
``user``; case-insensitive, with or without ``@``) is one of them is stored with ``speaker =
"agent"`` by every way in: file ingest, ``Workspace.add`` (``POST /api/v1/feedback``) and
``Workspace.listen`` (``escucha listen``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from escucha.errors import ConfigError
from escucha.layout import read_company
from escucha.models import AGENT, Feedback

AUTHOR_KEYS: tuple[str, ...] = ("author", "handle", "user")
"""Keys (case-insensitive) of a record or its metadata that name who wrote a voice."""


def handle_key(handle: str) -> str:
    """A handle as compared: no spaces, no leading ``@``, case folded."""
    return handle.strip().lstrip("@").strip().casefold()


def company_handles(path: Path) -> frozenset[str]:
    """The ``social_handles`` of a company file, at the top or under ``company:`` (compared with
    :func:`handle_key`); none when absent."""
    data = read_company(path)
    about = data.get("company")
    handles = data.get("social_handles") or (about.get("social_handles") if isinstance(about, dict) else None) or []
    if isinstance(handles, str):
        handles = [handles]
    if not isinstance(handles, list) or not all(isinstance(h, str) for h in handles):
        raise ConfigError(
            f"{path}: social_handles must be a list of handles, e.g. ['@Brand', '@Brand_Help']",
            field="social_handles",
        )
    return frozenset(k for k in map(handle_key, handles) if k)


def by_company(handles: frozenset[str], *sources: Mapping[str, Any]) -> bool:
    """Whether the author named in any of ``sources`` (a record, its metadata) is a company account."""
    if not handles:
        return False
    for src in sources:
        for key, value in src.items():
            named = isinstance(value, str) and str(key).strip().lower() in AUTHOR_KEYS
            if named and handle_key(value) in handles:
                return True
    return False


def mark_company_voices(items: Iterable[Feedback], handles: frozenset[str]) -> list[Feedback]:
    """``items`` with the company accounts' voices as ``speaker = "agent"`` (copies; ids are kept)."""
    out: list[Feedback] = []
    for it in items:
        if it.speaker != AGENT and by_company(handles, it.metadata):
            it = it.model_copy(update={"speaker": AGENT})
        out.append(it)
    return out
