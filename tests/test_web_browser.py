"""The dashboard in a real browser (Playwright driving Debian's chromium, headless): log in, open
every page, filter, drill down to a voice and a customer, switch language, and an XSS payload in
customer text never runs."""

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
