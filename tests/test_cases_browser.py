"""The agent's closed loop in a real browser (Playwright + Debian chromium, headless): open cases from
the rules in the inbox, work the churn threat with assist (reply, resolve with a code), see it on the
customer 360; the unanswered public threat breaches its SLA and escalates to a real webhook; a
viewer reads cases but gets no forms; Spanish and English."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.slow]

CHROMIUM = os.environ.get("ESCUCHA_CHROMIUM", "/usr/bin/chromium")
if not Path(CHROMIUM).exists():
    pytest.skip(f"chromium not found at {CHROMIUM} (apt-get install chromium)", allow_module_level=True)
sync_api = pytest.importorskip("playwright.sync_api")
expect = sync_api.expect

import escucha.cases.store as case_store  # noqa: E402
from receivers import webhook_receiver  # noqa: E402
from test_api_server import running_server  # noqa: E402
from test_cases_walkthrough import CASES_YAML, PASSWORD, build  # noqa: E402

# the public threat (urgent) must be answered within 3 seconds: it breaches while the agent works
FAST = CASES_YAML.replace("urgent: {first_response: 1h", "urgent: {first_response: 3s") + "auto_open: false\n"


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True,
                              args=["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                                    "--disable-component-update", "--no-first-run"])  # fmt: skip
        yield b
        b.close()


def _login(page: Any, base: str, user: str) -> None:
    page.goto(f"{base}/login")
    page.fill("input[name=username]", user)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/")


def test_agent_works_a_case_in_the_dashboard(browser: Any, tmp_path: Path) -> None:
    ws, _ = build(tmp_path / "ws", FAST)
    errors: list[str] = []
    with webhook_receiver() as hook:
        ws.layout.notify.write_text(f"channels: {{ops: {{type: webhook, url: '{hook.url}'}}}}\n", encoding="utf-8")
        _work(browser, ws, hook, tmp_path, errors)
    assert errors == []


def _work(browser: Any, ws: Any, hook: Any, tmp_path: Path, errors: list[str]) -> None:
    with running_server(ws) as base:
        page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
        page.on("pageerror", lambda e: errors.append(str(e)))
        _login(page, base, "agent1")
        page.click("nav.mainnav >> text=Bandeja")
        page.wait_for_url("**/inbox")
        assert page.locator("h1").inner_text() == "Bandeja de casos"
        page.click("#open-from-rules")
        page.wait_for_url("**/inbox?view=all*")
        assert "2 casos nuevos." in page.locator("[role=status]").inner_text()
        rows = page.locator("#cases tbody tr")
        expect(rows).to_have_count(2)
        page.click("nav.filters >> text=Mis casos")
        page.wait_for_url("**view=mine")
        mine = page.locator("#cases tbody tr").first.get_attribute("data-case")
        by_customer = {c.customer_id: c for c in case_store.load_all(ws.store)}
        if by_customer["c9"].id != mine:  # round robin gave agent1 the public threat: take the churn case
            other = by_customer["c9"]
            page.goto(f"{base}/cases/{other.id}")
            page.click("#take-case")
            page.wait_for_url(f"**/cases/{other.id}?done=updated")
            mine = other.id
        else:
            page.click(f"#cases a[href='/cases/{mine}']")
        page.goto(f"{base}/cases/{mine}")
        assert "churn_threat" in page.locator("#assist").inner_text()
        assert page.locator("#case-assignee").inner_text() == "agent1"
        reply = page.locator("#reply-form textarea").input_value()
        assert reply.startswith("Hola Marta") and "LH-555123" in reply and "te" in reply  # tú, as she wrote
        offer = page.locator("#offer").inner_text()
        assert "voucher" in offer and "25 EUR" in offer
        page.screenshot(path=str(tmp_path / "case.png"), full_page=True)
        page.click("#send-reply")
        page.wait_for_url("**?done=replied")
        assert "Respuesta guardada" in page.locator("#flash").inner_text()
        expect(page.locator("article.voice.agent")).to_have_count(1)
        assert page.locator("article.voice.agent .text").inner_text().startswith("Agente: Hola Marta")

        page.select_option("#status-select", "resolved")
        page.click("#update-case")
        page.wait_for_url("**?error=*")
        assert "resolution_code" in page.locator("#flash-error").inner_text()
        page.select_option("#status-select", "resolved")
        page.select_option("#code-select", "compensated")
        page.fill("#update-form textarea[name=note]", "cupón enviado")
        page.click("#update-case")
        page.wait_for_url("**?done=updated")
        assert page.locator("#case-status").inner_text() == "resuelto"
        assert "cupón enviado" in page.locator("#history").inner_text()
        page.click("#lang-switch")
        page.wait_for_url(f"**/cases/{mine}*")
        assert page.locator("#case-status").inner_text() == "resolved"

        # the customer 360: the case, the agent's reply on the timeline, churn risk
        page.goto(f"{base}/customers?q=marta")
        page.click("#hits a")
        page.wait_for_url("**/customers/c9")
        assert mine in page.locator("#customer-cases").inner_text()
        assert page.locator("#timeline li.agent").count() == 1
        page.screenshot(path=str(tmp_path / "customer360.png"), full_page=True)

        # the public threat was never answered: the SLA check escalates it
        time.sleep(3.5)
        page.goto(f"{base}/inbox")
        page.click("text=Check SLAs")
        page.wait_for_url("**/inbox?view=late")
        late = page.locator("#cases tbody tr")
        expect(late).to_have_count(1)
        assert "breached" in late.first.inner_text()
        deadline = time.monotonic() + 10
        while not hook.bodies and time.monotonic() < deadline:
            time.sleep(0.1)
        assert any("escalation level" in b["subject"] for b in hook.bodies)
        page.screenshot(path=str(tmp_path / "inbox.png"), full_page=True)

        # a viewer reads cases but has nothing to act with
        viewer = browser.new_context().new_page()
        _login(viewer, base, "viewer1")
        viewer.goto(f"{base}/inbox?view=all")
        expect(viewer.locator("#cases tbody tr")).to_have_count(1)  # the resolved one left the inbox
        assert viewer.locator("#open-from-rules").count() == 0
        viewer.goto(f"{base}/cases/{by_customer['c10'].id}")
        assert "vencido" in viewer.locator("#sla").inner_text()
        assert viewer.locator("#reply-form").count() == 0 and viewer.locator("#update-form").count() == 0
