"""Theme curation on the dashboard (rename, pin, split, merge): the same stored effect as the CLI,
for analysts only, through CSRF-protected forms."""

from __future__ import annotations

import re
from typing import Any

import pytest

from escucha.insights.themes import CURATION, DOCS
from test_api import build_workspace, login, make_client


@pytest.fixture(scope="module")
def ws(tmp_path_factory: pytest.TempPathFactory) -> Any:
    ws, _ = build_workspace(tmp_path_factory.mktemp("curation") / "ws")
    ws.add([{"id": f"more-{i}", "channel": "review", "text": text.format(i=i)} for i in range(40)
            for text in ("El repartidor llegó tarde otra vez, pedido {i}.",
                         "La factura {i} venía con un cobro duplicado.",
                         "La app se cierra al pagar, intento {i}.")])  # fmt: skip
    ws.analyze()
    ws.themes(refresh=True)
    return ws


def _csrf(html: str) -> str:
    return re.search(r'name="csrf-token" content="([^"]+)"', html).group(1)  # type: ignore[union-attr]


def test_analyst_curates_themes_like_the_cli(ws: Any) -> None:
    c = make_client(ws)
    login(c, "analyst1")
    page = c.get("/themes")
    assert page.status_code == 200 and 'id="merge-form"' in page.text
    token = _csrf(page.text)
    ids = [int(k) for k in ws.store.get_docs(DOCS)]
    assert len(ids) >= 3, ids
    first = ids[0]
    assert c.post(f"/themes/{first}/rename", data={"name": "Cobros duplicados"}).status_code == 403  # no token
    r = c.post(f"/themes/{first}/rename", data={"name": "Cobros duplicados", "csrf_token": token}, follow_redirects=False)
    assert r.status_code == 303 and "done=rename" in r.headers["location"]
    assert ws.store.get_docs(DOCS)[str(first)]["label"] == "Cobros duplicados"
    assert ws.store.get_docs(CURATION)[str(first)]["name"] == "Cobros duplicados"  # what `escucha themes rename` stores
    shown = c.get(r.headers["location"]).text
    assert "Cobros duplicados" in shown and 'id="curation-done"' in shown
    c.post(f"/themes/{first}/pin", data={"pinned": "1", "csrf_token": token})
    assert ws.store.get_docs(CURATION)[str(first)]["pinned"] is True
    # split: recorded as `escucha themes split` records it (two new ids), themes re-described
    other = ids[1]
    r = c.post(f"/themes/{other}/split", data={"csrf_token": token}, follow_redirects=False)
    assert "done=split" in r.headers["location"]
    assert len(ws.store.get_docs(CURATION)[str(other)]["split_into"]) == 2
    # merge two ticked themes into the first
    now = [int(k) for k in ws.store.get_docs(DOCS)]
    a, b = now[0], now[-1]
    r = c.post("/themes/merge", data={"theme_id": [str(a), str(b)], "csrf_token": token}, follow_redirects=False)
    assert r.status_code == 303 and "done=merge" in r.headers["location"]
    assert ws.store.get_docs(CURATION)[str(b)]["merged_into"] == a
    bad = c.post("/themes/999999/rename", data={"name": "x", "csrf_token": token}, follow_redirects=False)
    assert "failed=" in bad.headers["location"]


def test_viewers_see_no_curation_and_cannot_post(ws: Any) -> None:
    c = make_client(ws)
    login(c, "viewer1")
    page = c.get("/themes")
    assert 'id="merge-form"' not in page.text and "/rename" not in page.text
    tid = next(iter(ws.store.get_docs(DOCS)))
    r = c.post(f"/themes/{tid}/rename", data={"name": "x", "csrf_token": _csrf(page.text)})
    assert r.status_code == 403
