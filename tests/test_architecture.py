"""The architecture holds: layers point one way, no import cycles, small modules, a pinned public
API, and a new insight is one module plus one template that every interface shows."""

from __future__ import annotations

import ast
import json
from importlib.metadata import EntryPoint
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

import escucha

SRC = Path(escucha.__file__).parent

#: Lowest first. A module may import its own layer and those below, never one above.
LAYERS: tuple[frozenset[str], ...] = (
    frozenset({"errors", "models", "config", "layout", "jsonable", "plugins", "privacy", "i18n", "version", "extras"}),
    frozenset({"nlp", "taxonomy"}),
    frozenset({"pipeline", "backends"}),
    frozenset({"store"}),
    frozenset({"ingest", "analysis"}),
    frozenset({"insights"}),
    frozenset({"notify", "watch", "cases", "surveys", "portal"}),
    frozenset({"workspace"}),
    frozenset({"report", "http"}),
    frozenset({"api", "web"}),
    frozenset({"server", "distributed", "evaluation", "demo", "cli", "__init__", "__main__"}),
)
#: Same layer, still apart: the API and the dashboard share escucha.http, never each other.
APART = (("api", "web"), ("web", "api"))


def _package(module: str) -> str:
    """escucha.insights.plan → insights; escucha.cli_themes → cli; escucha → __init__."""
    parts = module.split(".")
    if len(parts) == 1:
        return "__init__"
    top = parts[1]
    return "cli" if top.startswith("cli") else top


def _layer(pkg: str) -> int:
    for i, layer in enumerate(LAYERS):
        if pkg in layer:
            return i
    raise AssertionError(f"package escucha.{pkg} is in no layer: add it to LAYERS")


def _module_name(path: Path) -> str:
    rel = path.relative_to(SRC.parent).with_suffix("")
    parts = list(rel.parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {".".join(p.relative_to(SRC.parent).with_suffix("").parts).removesuffix(".__init__")
           for p in SRC.rglob("*.py")}


def _imports(path: Path) -> list[tuple[str, bool]]:
    """(imported escucha module, at module level?) for every import in ``path``, lazy ones too."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    me = _module_name(path)
    top_level = {id(n) for n in tree.body}
    top_level |= {id(n) for node in tree.body if isinstance(node, ast.If | ast.Try) for n in ast.walk(node)}
    out = []
    for node in ast.walk(tree):
        names: list[str] = []
        if isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                pkg = me.split(".") if path.name == "__init__.py" else me.split(".")[:-1]
                base = ".".join(pkg[: len(pkg) - node.level + 1] + ([node.module] if node.module else []))
            # `from escucha.pkg import module` imports the module, not the package's __init__
            names = [f"{base}.{a.name}" if f"{base}.{a.name}" in MODULES else base for a in node.names]
        elif isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        for n in names:
            if n == "escucha" or n.startswith("escucha."):
                out.append((n, id(node) in top_level))
    return out


def _sources() -> list[Path]:
    return sorted(SRC.rglob("*.py"))


def test_layers_point_one_way() -> None:
    upward = []
    for path in _sources():
        me = _package(_module_name(path))
        for target, _ in _imports(path):
            to = _package(target)
            if to == me:
                continue
            if _layer(to) > _layer(me) or (me, to) in APART:
                upward.append(f"{_module_name(path)} imports {target}")
    assert upward == []


def test_no_import_cycles() -> None:
    import graphlib

    graph: dict[str, set[str]] = {}
    modules = {_module_name(p) for p in _sources()}
    for path in _sources():
        deps = set()
        for target, at_top in _imports(path):
            if not at_top:
                continue  # a lazy import cannot make a cycle at import time
            while target not in modules and "." in target:
                target = target.rsplit(".", 1)[0]
            if target != _module_name(path):
                deps.add(target)
        graph[_module_name(path)] = deps
    graphlib.TopologicalSorter(graph).prepare()  # raises CycleError naming the cycle


def test_no_module_is_too_long() -> None:
    exempt = {"demo/generator.py", "demo/bank_es.py", "demo/bank_en.py"}  # the demo's phrase banks
    long = {str(p.relative_to(SRC)): n for p in _sources()
            if (n := len(p.read_text(encoding="utf-8").splitlines())) > 520}  # fmt: skip
    assert {k: v for k, v in long.items() if k not in exempt} == {}


def test_public_api_is_pinned() -> None:
    assert sorted(escucha.__all__) == [
        "Analysis", "Channel", "Customer", "EscuchaError", "Feedback", "Filters", "Insight",
        "InsightContext", "InsightResult", "Pipeline", "Workspace", "__version__", "all_insights",
        "analyze_texts", "default_pipeline", "open", "register_insight",
    ]  # fmt: skip
    for name in escucha.__all__:
        assert getattr(escucha, name) is not None, name


# -- a new insight: one module and one template, shown by every interface --------------------------
@pytest.fixture
def busiest(monkeypatch: pytest.MonkeyPatch) -> Any:
    """The toy insight of tests/plugins, installed as a plugin through its entry point."""
    from escucha.insights import base
    from escucha.web.nav import NAV

    nav = list(NAV)
    ep = EntryPoint("busiest", "tests.plugins.busiest:Busiest", "escucha.insights")
    monkeypatch.setattr("escucha.plugins.entry_points", lambda group: [ep] if group == "escucha.insights" else [])
    yield base.get_insight("busiest")
    base.INSIGHTS.unregister("busiest")
    NAV[:] = nav  # the dashboard's navigation as it was (other tests open every page in it)


def test_a_new_insight_shows_everywhere(ws: Any, voices: list[dict[str, Any]], busiest: Any) -> None:
    from escucha import report
    from escucha.cli import app
    from escucha.http import auth
    from escucha.server import create_app

    ws.add(voices)
    ws.analyze()
    expected = ws.metrics(by="channel").sort_values(["volume", "channel"], ascending=[False, True])
    top = str(expected["channel"].iloc[0])

    # the library and the CLI (--json)
    assert ws.insight("busiest").to_json()[0]["channel"] == top
    res = CliRunner().invoke(app, ["-w", str(ws.path), "insight", "busiest", "--json"])
    assert res.exit_code == 0, res.output
    rows = json.loads(res.output)
    assert [r["channel"] for r in rows] == [str(c) for c in expected["channel"]]
    assert [r["volume"] for r in rows] == [int(v) for v in expected["volume"]]

    # the report: data, terminal and HTML (its own template)
    data = report.build_report(ws)
    assert data["busiest"][0]["channel"] == top
    assert {"key": "busiest", "title": "Busiest channels"} in data["sections"]
    html = report.render_html(data)
    assert '<section id="busiest"><h2>Busiest channels</h2>' in html
    assert f"<li><b>{top}</b>: {rows[0]['volume']} voices</li>" in html

    # the REST API and the dashboard
    auth.add_user(ws, "ana", "a-long-enough-password", "viewer", language="es")
    _, token = auth.create_token(ws, "machine", "viewer")
    client = TestClient(create_app(ws, secure_cookies=False))
    r = client.get("/api/v1/insights/busiest", headers={"authorization": f"Bearer {token}"})
    assert r.status_code == 200 and r.json()["data"] == rows
    assert client.get("/api/v1/insights/busiest").status_code == 401
    listed = client.get("/api/v1/insights", headers={"authorization": f"Bearer {token}"}).json()
    assert "busiest" in [i["name"] for i in listed["insights"]]
    page = client.get("/insights/busiest", headers={"authorization": f"Bearer {token}"})
    assert page.status_code == 200
    assert "Canales con más voces" in page.text  # the viewer reads Spanish
    assert f"<li><b>{top}</b>: {rows[0]['volume']} voices</li>" in page.text
    assert 'href="/insights/busiest"' in page.text  # in the navigation
    assert client.get("/insights/nope", headers={"authorization": f"Bearer {token}"}).status_code == 404


# -- configuration: every setting documented, read somewhere, and the reference up to date ---------
def test_every_setting_is_documented_and_read() -> None:
    from escucha.config import ServerSettings, Settings, WorkspaceSettings, reference

    docs = (SRC.parent.parent / "docs" / "settings.md").read_text(encoding="utf-8")
    assert docs == reference(), "docs/settings.md is stale: python -m escucha.config > docs/settings.md"
    code = "\n".join(p.read_text(encoding="utf-8") for p in _sources() if p.name != "config.py")
    for cls in (WorkspaceSettings, ServerSettings):
        for name, field in cls.model_fields.items():
            assert field.description, f"{name} has no description"
            assert f".{name}" in code or f'"{name}"' in code, f"setting {name} is never read"
    assert set(Settings.model_fields) == {*WorkspaceSettings.model_fields, *ServerSettings.model_fields, "workspace"}
