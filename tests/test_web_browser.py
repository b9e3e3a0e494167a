"""The dashboard in a real browser (Playwright driving Debian's chromium, headless): log in, open
every page, filter, drill down to a voice and a customer, switch language, and an XSS payload in
customer text never runs; on the demo company, the ideas board, the segments and the plan's status
control (analysts change a status, viewers cannot)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.browser

CHROMIUM = os.environ.get("ESCUCHA_CHROMIUM", "/usr/bin/chromium")
if not Path(CHROMIUM).exists():
    pytest.skip(f"chromium not found at {CHROMIUM} (apt-get install chromium)", allow_module_level=True)
sync_api = pytest.importorskip("playwright.sync_api")
expect = sync_api.expect

from test_api import PASSWORD, build_workspace  # noqa: E402
from test_api_server import running_server  # noqa: E402

XSS = '<script>window.__pwned = 1; alert("xss")</script><img src=x onerror="alert(2)"> factura duplicada'
XSS_IDEA = '<script>window.__pwned = 1; alert("idea")</script><img src=x onerror="alert(3)"> Ojalá abrierais la tienda de Murcia los domingos.'


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    ws, _ = build_workspace(tmp_path_factory.mktemp("web") / "ws")
    ws.add([{"id": "xss-1", "channel": "email", "text": XSS, "customer_id": "c2",
             "timestamp": "2024-03-15T12:00:00Z"}])  # fmt: skip
    ws.analyze()
    with running_server(ws) as base:
        yield base


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--no-first-run"],
        )  # fmt: skip
        yield b
        b.close()


def _login(page: Any, base: str, user: str) -> None:
    page.goto(f"{base}/")
    assert "/login" in page.url
    page.fill("input[name=username]", user)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/")


def test_dashboard_end_to_end(server: str, browser: Any, tmp_path: Path) -> None:
    ctx = browser.new_context(viewport={"width": 1280, "height": 900})
    page = ctx.new_page()
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    shots = tmp_path / "screenshots"
    shots.mkdir()

    _login(page, server, "agent1")  # Spanish user
    assert page.locator("h1").inner_text() == "Resumen de la mañana"
    assert page.locator("#kpi-nps").is_visible() and page.locator("#urgent").is_visible()
    assert page.locator("#channels td").first.is_visible()
    expect(page.locator("#trend-chart")).to_have_attribute("data-done", "1")  # Chart.js drew (CSP allows it)
    page.screenshot(path=str(shots / "snapshot.png"), full_page=True)

    page.click("nav.mainnav >> text=Explorar")
    page.wait_for_url("**/explore")
    total_all = page.locator("#total").inner_text()
    page.select_option("select[name=sentiment]", "negative")
    expect(page.locator("#total")).not_to_have_text(total_all)
    assert "sentiment=negative" in page.url
    for badge in page.locator("article.voice .badge").all_inner_texts():
        assert badge in ("negativo",) or badge.replace(".", "").isdigit()
    page.select_option("select[name=sentiment]", "")
    expect(page.locator("#total")).to_have_text(total_all)
    page.fill("input[name=q]", "factura")
    page.click("#filters button[type=submit]")
    expect(page.locator("#total")).to_have_text("1 voces")
    text = page.locator("article.voice .text").first.inner_text()
    assert "<script>" in text and "onerror" in text  # the payload is shown as literal text
    page.screenshot(path=str(shots / "explore.png"), full_page=True)

    page.click("article.voice a.more")
    page.wait_for_url("**/voices/xss-1")
    assert "<script>window.__pwned" in page.locator("#voice-text").inner_text()
    assert page.locator("img[src=x]").count() == 0
    page.screenshot(path=str(shots / "voice.png"), full_page=True)

    page.click("article.voice .meta a[href^='/customers/']")
    page.wait_for_url("**/customers/c2")
    assert "Amenazas abiertas" in page.locator("#threats").inner_text()
    page.screenshot(path=str(shots / "customer.png"), full_page=True)

    page.click("#lang-switch")
    page.wait_for_url("**/customers/c2")
    assert "Open threats" in page.locator("#threats").inner_text()
    page.goto(f"{server}/")
    assert page.locator("h1").inner_text() == "Morning snapshot"  # the choice is stored for the user
    page.click("#lang-switch")
    page.wait_for_url(f"{server}/")
    assert page.locator("h1").inner_text() == "Resumen de la mañana"

    page.goto(f"{server}/voices/does-not-exist")
    assert "No encontrado" in page.content()
    assert dialogs == [] and errors == [], (dialogs, errors)
    ctx.close()


def test_phone_layout_and_viewer_limits(server: str, browser: Any, tmp_path: Path) -> None:
    ctx = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    page = ctx.new_page()
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    _login(page, server, "viewer1")
    assert not page.locator("nav.mainnav").is_visible()  # collapsed behind the menu button
    page.click("label.menu-button")
    assert page.locator("nav.mainnav").is_visible()
    links = page.locator("nav.mainnav a").all_inner_texts()
    assert links[:2] == ["Resumen", "Explorar"] and "Clientes" not in links  # no customer profiles
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 400, width  # no horizontal scrolling on a phone
    page.screenshot(path=str(tmp_path / "phone.png"), full_page=True)
    page.goto(f"{server}/explore")
    assert page.locator("text=Exportar CSV").count() == 0
    resp = page.goto(f"{server}/customers/c2")
    assert resp is not None and resp.status == 403
    page.goto(f"{server}/explore?q=factura")
    assert dialogs == []
    ctx.close()


def test_api_docs_render_offline(server: str, browser: Any) -> None:
    ctx = browser.new_context()
    page = ctx.new_page()
    external: list[str] = []
    page.on("request", lambda r: external.append(r.url) if not r.url.startswith(server) else None)
    _login(page, server, "analyst1")
    page.goto(f"{server}/docs")
    expect(page.get_by_text("/api/v1/feedback/upload", exact=True)).to_be_visible(timeout=15000)
    assert external == [], external
    ctx.close()


@pytest.fixture(scope="module")
def demo_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The demo company (its hidden idea, needs segments, plan) plus a suggestion with a payload."""
    import io

    from rich.console import Console

    from escucha.demo.build import build_demo
    from escucha.http import auth

    ws, _ = build_demo(tmp_path_factory.mktemp("demo") / "ws", n=1500, console=Console(file=io.StringIO()))
    ws.add([{"id": f"idea-xss{i}", "channel": "review", "text": XSS_IDEA, "customer_id": f"C0000{i + 1}",
             "timestamp": f"2023-11-0{i + 1}T10:00:00Z"} for i in range(3)])  # fmt: skip
    ws.analyze()
    auth.add_user(ws, "analyst1", PASSWORD, "analyst", language="en")
    auth.add_user(ws, "viewer1", PASSWORD, "viewer", language="es")
    auth.clear_cache()
    with running_server(ws) as base:
        yield base


def _watch(page: Any) -> tuple[list[str], list[str]]:
    dialogs: list[str] = []
    errors: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.on("pageerror", lambda e: errors.append(str(e)))
    return dialogs, errors


def test_ideas_board_and_segments(demo_server: str, browser: Any, tmp_path: Path) -> None:
    ctx = browser.new_context(viewport={"width": 1280, "height": 900})
    page = ctx.new_page()
    dialogs, errors = _watch(page)
    _login(page, demo_server, "analyst1")
    page.click("nav.mainnav >> text=Ideas")
    page.wait_for_url("**/ideas")
    ideas = page.request.get(f"{demo_server}/api/v1/ideas").json()["ideas"]
    assert ideas and ideas[0]["supporters"] >= 40  # the demo's hidden idea
    cards = page.locator("section.idea")
    expect(cards).to_have_count(len(ideas))
    for i in (0, len(ideas) - 1):
        card, idea = cards.nth(i), ideas[i]
        assert card.locator(".idea-label").inner_text() == idea["label"]
        assert card.locator(".supporters").inner_text() == str(idea["supporters"])
        first = idea["first_proposer"]
        assert card.locator(".first a[href^='/customers/']").inner_text() == first["customer_id"]
        assert first["date"][:10] in card.locator(".first").inner_text()
        quotes = card.locator(".quotes li").all_inner_texts()
        assert len(quotes) == len(idea["quotes"])
        assert all(q["text"] in shown for q, shown in zip(idea["quotes"], quotes, strict=True))
    murcia = cards.filter(has_text="Murcia")
    expect(murcia).to_have_count(1)
    assert "<script>window.__pwned = 1;" in murcia.locator(".quotes").inner_text()  # literal text
    assert murcia.locator(".first a[href^='/customers/']").inner_text() == "C00001"
    assert page.evaluate("window.__pwned === undefined") and page.locator("img[src=x]").count() == 0
    page.screenshot(path=str(tmp_path / "ideas.png"), full_page=True)

    page.click("nav.mainnav >> text=Segments")
    page.wait_for_url("**/segments")
    data = page.request.get(f"{demo_server}/api/v1/segments").json()
    rows = page.locator("#segments tr.segment")
    expect(rows).to_have_count(len(data["segments"]))
    assert len(data["segments"]) >= 2
    for i, seg in enumerate(data["segments"]):
        assert rows.nth(i).locator(".desc").inner_text() == seg["description_en"]
        assert rows.nth(i).locator(".size").inner_text() == str(seg["size"])
    page.screenshot(path=str(tmp_path / "segments.png"), full_page=True)
    assert dialogs == [] and errors == [], (dialogs, errors)
    ctx.close()


def test_plan_status_analyst_changes_viewer_cannot(demo_server: str, browser: Any) -> None:
    from urllib.parse import quote

    ctx = browser.new_context()
    page = ctx.new_page()
    dialogs, errors = _watch(page)
    _login(page, demo_server, "analyst1")
    page.goto(f"{demo_server}/plan")
    item = page.locator("section.plan-item").nth(1)
    form = item.locator("form.plan-status")
    expect(item.locator(".plan-status-value")).to_have_text("open")
    form.locator("select[name=status]").select_option("in_progress")
    form.locator("button[type=submit]").click()
    expect(form.locator(".plan-status-msg")).to_have_text("Saved")
    expect(item.locator(".plan-status-value")).to_have_text("in progress")
    assert page.url == f"{demo_server}/plan"  # changed in place, through the API
    page.reload()
    item = page.locator("section.plan-item").nth(1)
    expect(item.locator(".plan-status-value")).to_have_text("in progress")
    expect(item.locator("select[name=status]")).to_have_value("in_progress")
    plan = page.request.get(f"{demo_server}/api/v1/plan").json()["plan"]
    assert plan[1]["status"] == "in_progress" and plan[0]["status"] == "open"
    assert dialogs == [] and errors == [], (dialogs, errors)
    ctx.close()

    ctx = browser.new_context()
    page = ctx.new_page()
    _login(page, demo_server, "viewer1")
    page.goto(f"{demo_server}/plan")
    expect(page.locator("section.plan-item .plan-status-value").nth(1)).to_have_text("en curso")
    assert page.locator("form.plan-status").count() == 0 and page.locator("select[name=status]").count() == 0
    url = f"/api/v1/plan/{quote(plan[1]['id'], safe='/')}/status"
    status = page.evaluate(
        """(url) => fetch(url, {method: "POST", headers: {"Content-Type": "application/json",
             "X-CSRF-Token": document.querySelector('meta[name="csrf-token"]').content},
             body: JSON.stringify({status: "done"})}).then((r) => r.status)""",
        url,
    )
    assert status == 403  # the API refuses a viewer even with the session's CSRF token
    again = page.request.get(f"{demo_server}/api/v1/plan").json()["plan"]
    assert again[1]["status"] == "in_progress"
    ctx.close()
