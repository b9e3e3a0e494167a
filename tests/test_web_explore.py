"""The explorer remembers a search's count only while the data stays the same."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

pytest.importorskip("fastapi")
pytest.importorskip("argon2")

from test_api import build_workspace, login, make_client


def _total(html: str) -> int:
    m = re.search(r'<strong id="total">\D*([\d.,\s]+)', html)
    assert m, html[:500]
    return int(re.sub(r"\D", "", m.group(1)))


def test_explorer_count_follows_new_voices(tmp_path: Path) -> None:
    ws, _tokens = build_workspace(tmp_path / "ws")
    c = make_client(ws)
    login(c, "agent1")
    before = _total(c.get("/explore").text)
    assert before > 0 and _total(c.get("/explore?page=2").text) == before  # paging reuses the count
    ws.add([{"id": "new1", "channel": "review", "text": "El envío llegó roto y nadie responde."}])
    ws.analyze()
    assert _total(c.get("/explore").text) == before + 1
