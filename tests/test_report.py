"""The report: every insight section in the HTML and terminal, self-contained, escaped, JSON-able,
and a failing section left out without breaking the rest."""

from __future__ import annotations

import io
import json
import logging
import math
import re
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from rich.console import Console

from escucha import report as R

PAYLOAD = "<script>alert('xss')</script>"
XSS_TEXT = (f"Deberíais dejar elegir la franja horaria de entrega {PAYLOAD} por favor. Es una "
            "vergüenza, me doy de baja y lo voy a denunciar en Twitter.")


@pytest.fixture(scope="module")
def demo_report(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, Any], str]:
    """A 1,500-voice demo workspace plus two hostile voices; its report data and HTML."""
    from escucha.demo.build import build_demo

    path = tmp_path_factory.mktemp("report") / "demo"
    ws, _ = build_demo(path, n=1500, console=Console(file=io.StringIO()))
    ws.add([
        {"id": f"xss{i}", "channel": "survey", "timestamp": f"2023-12-0{i}T09:00:00", "nps": 0,
         "customer_id": f"XSS{i}", "reach": 900000, "text": XSS_TEXT}
        for i in (1, 2)
    ])  # fmt: skip
    ws.analyze()
    data = R.build_report(ws)
    return data, R.render_html(data)


@pytest.mark.slow
def test_html_has_every_insight_section_in_order(demo_report: tuple[dict[str, Any], str]) -> None:
    data, html = demo_report
    assert data["skipped"] == {}
    starts = []
    for key, title in R.sections():
        m = re.search(rf'<section id="{key}"><h2>{re.escape(title)}</h2>', html)
        assert m, f"section {key} missing"
        starts.append(m.start())
    assert starts == sorted(starts)
    assert starts[0] > html.index("Most urgent voices")  # after the existing sections
    # the charts: plan and promises and journey as inline SVG, drivers as a base64 PNG
    for key in ("plan", "promises", "journey"):
        sec = html[html.index(f'<section id="{key}">'):]
        assert sec.index("<svg") < sec.index("</section>")
    assert re.search(r'<img class="chart" alt="Key drivers[^"]*" src="data:image/png;base64,', html)
    # the plan credits customers and shows the parts of its score
    p = data["plan"][0]
    assert p["rank"] == 1 and p["raisers"]["count"] > 0 and p["raisers"]["first"]
    assert math.isclose(sum(p["impact_parts"].values()), p["impact"], abs_tol=0.1)
    assert all(x["problem"] != "-1" for x in data["plan"])
    assert "Moments of truth" in html and data["journey"]["moments"]
    assert data["drivers"]["target"] == "nps" and "ΔNPS" in html
    assert all(not r["driver"].endswith(":-1") for r in data["drivers"]["rows"])


@pytest.mark.slow
def test_html_has_no_external_assets(demo_report: tuple[dict[str, Any], str]) -> None:
    _, html = demo_report
    assert "<script" not in html.lower() and "<link" not in html.lower()
    assert "@import" not in html
    for url in re.findall(r"url\(([^)]*)\)", html):
        assert url.strip("'\"").startswith("#"), url  # SVG clip paths only
    for src in re.findall(r'\bsrc="([^"]*)"', html):
        assert src.startswith("data:image/"), src[:40]
    for href in re.findall(r'\bhref="([^"]*)"', html):
        assert href.startswith("#"), href
    assert "xlink:href=\"http" not in html


@pytest.mark.slow
def test_customer_text_is_escaped(demo_report: tuple[dict[str, Any], str]) -> None:
    data, html = demo_report
    assert PAYLOAD in json.dumps(data, ensure_ascii=False)  # the hostile text reached the report
    assert "&lt;script&gt;alert(" in html
    assert "alert('xss')</script>" not in html


@pytest.mark.slow
def test_report_json_is_serialisable(demo_report: tuple[dict[str, Any], str]) -> None:
    data, _ = demo_report
    text = json.dumps(data, allow_nan=False, ensure_ascii=False)
    back = json.loads(text)
    assert [s["key"] for s in back["sections"]] == [k for k, _ in R.sections()]
    pr = next(p for p in back["promises"] if p["before_after"])
    assert pr["before_after"]["p_value"] is not None and 0 <= pr["before_after"]["p_value"] <= 1
    assert back["segments"]["segments"] and back["ideas"][0]["first_proposer"]["customer_id"]


@pytest.mark.slow
def test_terminal_shows_every_section(demo_report: tuple[dict[str, Any], str]) -> None:
    data, _ = demo_report
    buf = io.StringIO()
    R.render_terminal(data, Console(file=buf, width=140, color_system=None))
    out = buf.getvalue()
    for title in ("What to fix first", "Promise vs experience", "Customer journey", "Key drivers",
                  "Themes in their own words", "Ideas board", "Segments"):
        assert title in out


# ------------------------------------------------------------------------------- unit tests
IDEA = {"rank": 1, "label": "[red]franja[/red] horaria", "supporters": 3, "mentions": 3,
        "languages": ["es"], "first_proposer": {"customer_id": "C1", "date": "2024-01-02",
                                                "text": f"Dejad elegir la franja {PAYLOAD}"},
        "quotes": ["Ojalá pudiera elegir la hora."]}  # fmt: skip


def test_failing_section_is_left_out(ws, voices, monkeypatch: pytest.MonkeyPatch,
                                     caplog: pytest.LogCaptureFixture) -> None:
    ws.add(voices)

    def boom(self: Any, ctx: Any) -> Any:
        raise RuntimeError("secret customer words")

    from escucha.insights.base import all_insights

    sections = {i.name: type(i) for i in all_insights()}
    for cls in sections.values():
        monkeypatch.setattr(cls, "section", lambda self, ctx: None)
    monkeypatch.setattr(sections["promises"], "section", boom)
    monkeypatch.setattr(sections["ideas"], "section", lambda self, ctx: [IDEA])
    with caplog.at_level(logging.WARNING, logger="escucha.report.data"):
        data = R.build_report(ws)
    assert data["skipped"]["promises"] == "RuntimeError"
    assert data["skipped"]["themes"] == "no data"
    assert "promises" not in data and data["ideas"][0]["label"] == IDEA["label"]
    assert [s["key"] for s in data["sections"]] == ["ideas"]
    msgs = " ".join(r.getMessage() for r in caplog.records)
    assert "RuntimeError" in msgs and "secret" not in msgs
    html = R.render_html(json.loads(json.dumps(data, allow_nan=False)))
    assert '<section id="ideas">' in html and 'id="promises"' not in html
    assert "&lt;script&gt;" in html and PAYLOAD not in html
    buf = io.StringIO()
    R.render_terminal(data, Console(file=buf, width=140, color_system=None))
    out = buf.getvalue()
    assert "[red]franja[/red]" in out  # customer words are never read as Rich markup
    assert "Left out after an error: promises (RuntimeError)" in out


def test_plain_makes_json() -> None:
    v = {"a": np.float64(1e-50), "b": float("nan"), "c": pd.Timestamp("2024-01-02"),
         "d": (np.int64(3), {np.str_("x")}), "e": np.array([1.5, np.inf]), "f": pd.NaT,
         "g": Path("/x")}  # fmt: skip
    out = R.plain(v)
    assert json.loads(json.dumps(out, allow_nan=False)) == {
        "a": 1e-50, "b": None, "c": "2024-01-02T00:00:00", "d": [3, ["x"]], "e": [1.5, None],
        "f": None, "g": "/x"}
