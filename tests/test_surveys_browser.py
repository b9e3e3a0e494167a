"""Surveys and the ideas portal in a real browser (Playwright driving Debian's chromium, headless):
a customer opens a survey link, answers in Spanish, gets the adaptive follow-up and submits; the
answer shows analysed in the dashboard within seconds; a second invitation inside the fatigue
window is refused. The widget answers from a page on another origin; the portal offers the
near-duplicate while the customer types, and customer markup never runs."""

from __future__ import annotations

import http.server
import os
import threading
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

import httpx  # noqa: E402

from public_helpers import free_port, path_of, survey_workspace  # noqa: E402
from test_api import PASSWORD, H  # noqa: E402
from test_api_server import running_server  # noqa: E402

ANSWER = "El pedido llegó tres días tarde y el repartidor fue muy borde al entregarlo."
XSS_IDEA = '<script>window.__pwned = 1</script><img src=x onerror="window.__pwned = 2"> Abrir la tienda de Murcia los domingos'


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Any, dict[str, str], str]]:
    """The escucha server, its workspace, API tokens and another site (another origin) that
    embeds the survey widget."""
    ws, tokens = survey_workspace(tmp_path_factory.mktemp("sbrowser") / "ws")
    ws.settings.public_min_form_s = 1.0  # the time-trap stays on: a person takes longer than this
    other_port = free_port()
    other = f"http://127.0.0.1:{other_port}"
    ws.settings.survey_widget_origins = [other]
    idea = ws.portal.propose(title=XSS_IDEA, person="b:seed", credit="Ana", premoderate=False)
    assert idea["moderation"] == "approved"
    with running_server(ws) as base:
        survey = ws.surveys.create({"name": "Tu pedido", "questions": [{"kind": "nps"}, {"id": "why", "kind": "open"}]})
        snippet = httpx.get(f"{base}/api/v1/surveys/{survey.id}/widget", headers=H(tokens, "viewer")).json()["snippet"]
        snippet = snippet.replace(ws.settings.survey_base_url.rstrip("/"), base)
        root = tmp_path_factory.mktemp("othersite")
        (root / "index.html").write_text(f"<!doctype html><html><body><h1>Tienda</h1>{snippet}</body></html>",
                                         encoding="utf-8")  # fmt: skip

        class Quiet(http.server.SimpleHTTPRequestHandler):
            def __init__(self, *a: Any, **kw: Any) -> None:
                super().__init__(*a, directory=str(root), **kw)

            def log_message(self, *a: Any) -> None:
                pass

        httpd = http.server.ThreadingHTTPServer(("127.0.0.1", other_port), Quiet)
        threading.Thread(target=httpd.serve_forever, daemon=True).start()
        try:
            yield base, ws, tokens, other
        finally:
            httpd.shutdown()
            httpd.server_close()


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


def _watch(page: Any) -> tuple[list[str], list[str]]:
    dialogs: list[str] = []
    errors: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.on("pageerror", lambda e: errors.append(str(e)))
    return dialogs, errors


def test_survey_answer_follow_up_dashboard_and_fatigue(site: Any, browser: Any, tmp_path: Path) -> None:
    base, _ws, tokens, _ = site
    h = H(tokens, "agent")
    sid = httpx.post(f"{base}/api/v1/surveys", json={"name": "Después de tu compra", "questions": [
        {"kind": "nps"}, {"id": "why", "kind": "open"}]}, headers=H(tokens, "analyst")).json()["id"]  # fmt: skip
    r = httpx.post(f"{base}/api/v1/surveys/{sid}/invitations", json={"recipients": ["c2"], "trigger": "purchase"},
                   headers=h)  # fmt: skip
    link = base + path_of(r.json()["invited"][0]["link"])

    # the customer answers in Spanish
    customer = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, locale="es-ES")
    page = customer.new_page()
    dialogs, errors = _watch(page)
    page.goto(link)
    expect(page.locator("#q-nps legend")).to_contain_text("¿Qué probabilidad hay de que nos recomiende")
    page.check("input[name=nps][value='3']")
    page.fill("textarea[name=why]", ANSWER)
    page.wait_for_timeout(1100)  # a person takes longer than the time-trap
    page.click("#survey-submit")
    adaptive = page.locator("#adaptive")
    expect(adaptive).to_have_attribute("data-kind", "aspect_negative")
    expect(adaptive).to_have_attribute("data-aspect", "delivery_logistics")
    assert "problema con" in adaptive.locator("legend").inner_text()  # it asks about the delivery, in Spanish
    page.fill("textarea[name=follow_up]", "Nadie avisó del retraso y tuve que llamar dos veces.")
    page.screenshot(path=str(tmp_path / "survey-follow-up.png"), full_page=True)
    page.wait_for_timeout(1100)
    page.click("#survey-submit")
    expect(page.locator("#survey-thanks")).to_be_visible()
    assert dialogs == [] and errors == [], (dialogs, errors)
    customer.close()

    # staff see it analysed in the dashboard within seconds
    staff = browser.new_context(viewport={"width": 1280, "height": 900})
    page = staff.new_page()
    page.goto(f"{base}/login")
    page.fill("input[name=username]", "agent1")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/")
    page.goto(f"{base}/explore?channel=survey&q=repartidor")
    card = page.locator("article.voice").first
    expect(card).to_contain_text("repartidor", timeout=5000)
    expect(card.locator(".badge").first).to_have_text("negativo")
    rid = link.rsplit("/s/", 1)[1].split(".")[0]
    page.goto(f"{base}/voices/survey:{rid}")
    expect(page.locator("#voice-text")).to_contain_text("Nadie avisó del retraso")
    assert page.locator("#voice-text .sent-negative").count() >= 1  # the aspect sentences, analysed
    page.screenshot(path=str(tmp_path / "survey-in-dashboard.png"), full_page=True)
    page.goto(f"{base}/surveys")
    expect(page.locator(f"#survey-{sid} .nps")).to_contain_text("-100")
    page.screenshot(path=str(tmp_path / "surveys-page.png"), full_page=True)
    staff.close()

    # a second invitation to the same customer inside the fatigue window is refused
    r = httpx.post(f"{base}/api/v1/surveys/{sid}/invitations", json={"recipients": ["c2"]}, headers=h)
    assert r.status_code == 201 and r.json()["invited"] == []
    assert r.json()["refused"][0]["reason"] == "fatigue"
    res = httpx.get(f"{base}/api/v1/surveys/{sid}/results", headers=h).json()
    assert res["completed"] == 1 and res["response_rate"]["value"] == 100.0


def test_widget_on_another_site(site: Any, browser: Any) -> None:
    other = site[3]
    ctx = browser.new_context()
    page = ctx.new_page()
    dialogs, errors = _watch(page)
    page.goto(other + "/index.html")
    frame = page.frame_locator("iframe")
    expect(frame.locator("#survey-form")).to_be_visible()
    frame.locator("input[name=nps][value='10']").check()
    frame.locator("textarea[name=why]").fill("Todo perfecto, el personal fue muy amable.")
    page.wait_for_timeout(1100)
    frame.locator("#survey-submit").click()
    expect(frame.locator("#adaptive")).to_be_visible()
    frame.locator("#survey-submit").click()
    expect(frame.locator("#survey-thanks")).to_be_visible()
    assert dialogs == [] and errors == [], (dialogs, errors)
    ctx.close()


def test_portal_offers_the_duplicate_and_markup_never_runs(site: Any, browser: Any) -> None:
    base = site[0]
    ctx = browser.new_context()
    page = ctx.new_page()
    dialogs, errors = _watch(page)
    page.goto(f"{base}/ideas/portal")
    assert page.evaluate("window.__pwned") is None
    assert page.locator("#ideas img[src=x]").count() == 0
    page.fill("#idea-title", "que abran la tienda de Murcia los domingos")
    expect(page.locator("#similar li")).to_have_count(1, timeout=5000)
    expect(page.locator("#similar a")).to_contain_text("<script>")  # shown as text
    page.locator("#similar a").click()
    page.wait_for_url("**/ideas/portal/*")
    page.fill("input[name=credit]", "Luis")
    page.click("#vote-submit")
    expect(page.locator("#portal-notice")).to_be_visible()
    expect(page.locator("#idea-votes")).to_have_text("2")
    assert page.evaluate("window.__pwned") is None
    assert dialogs == [] and errors == [], (dialogs, errors)
    ctx.close()
