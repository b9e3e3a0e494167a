"""Every dashboard page in the navigation, opened in a real browser in Spanish and in English, on
the demo company: no raw interface key, no English interface text in the Spanish dashboard and no
Spanish in the English one, no Content-Security-Policy violation (charts included), no script
error. Generic: pages other features add to the navigation are checked the same way.

What is data, not interface text, is left out of the language check: customer words (elements
with class ``quote``/``text`` or inside ``q``/``blockquote``) and anything marked
``translate="no"`` (the HTML attribute for content that must not be translated: theme labels,
customer ids, product names)."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.slow]

CHROMIUM = os.environ.get("ESCUCHA_CHROMIUM", "/usr/bin/chromium")
if not Path(CHROMIUM).exists():
    pytest.skip(f"chromium not found at {CHROMIUM} (apt-get install chromium)", allow_module_level=True)
sync_api = pytest.importorskip("playwright.sync_api")

from test_api import PASSWORD  # noqa: E402
from test_api_server import running_server  # noqa: E402

DATA = ("[translate=no]", ".quote", ".text", "q", "blockquote", "code", "pre", "script", "style",
        "textarea", "svg", "canvas")  # fmt: skip

#: the interface's own text nodes (data left out), one string per text node
UI_TEXT_JS = """(data) => {
  const out = [];
  const skip = data.join(",");
  const walk = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  let n;
  while ((n = walk.nextNode())) {
    const el = n.parentElement;
    if (!el || el.closest(skip)) continue;
    const s = n.textContent.replace(/\\s+/g, " ").trim();
    if (s) out.push(s);
  }
  for (const el of document.querySelectorAll("[title],[aria-label],[placeholder],img[alt]")) {
    if (el.closest(skip)) continue;
    for (const a of ["title", "aria-label", "placeholder", "alt"]) {
      const v = el.getAttribute(a);
      if (v && v.trim()) out.push(v.trim());
    }
  }
  return out;
}"""

CSP_JS = """window.__csp = [];
document.addEventListener("securitypolicyviolation",
  (e) => window.__csp.push(e.violatedDirective + " " + (e.blockedURI || "inline")));"""

EN_ONLY = {"the", "of", "and", "with", "by", "to", "for", "is", "are", "from", "voices", "customers",
           "mentions", "negative", "positive", "week", "broken", "growing", "stable", "theme", "themes",
           "what", "who", "which", "not", "no", "none", "yet", "first", "raised", "priority", "low", "fix",
           "now", "keep", "up", "maintain", "driver", "drivers", "importance", "performance"}  # fmt: skip
ES_ONLY = {"de", "la", "el", "los", "las", "y", "con", "por", "para", "que", "del", "una", "voces",
           "clientes", "menciones", "semana", "rota", "rotas", "tema", "temas", "sin", "aún", "hay",
           "primero", "prioridad", "baja", "palanca", "palancas", "importancia"}  # fmt: skip
WORD = re.compile(r"[a-záéíóúñü]+", re.I)


def leaks(texts: list[str], lang: str) -> list[str]:
    """Interface strings in the other language (or raw keys) among ``texts``."""
    import importlib

    from escucha.i18n import MESSAGES
    from escucha.web import WEB_PAGE_MODULES

    for name in WEB_PAGE_MODULES:  # every page's interface text in the catalogue
        importlib.import_module(name)

    keys = set(MESSAGES)
    other = {pair[0 if lang == "en" else 1] for pair in MESSAGES.values()}
    mine = {pair[1 if lang == "en" else 0] for pair in MESSAGES.values()}
    foreign, home = (ES_ONLY, EN_ONLY) if lang == "en" else (EN_ONLY, ES_ONLY)
    bad = []
    for s in texts:
        if s in keys or re.fullmatch(r"[a-z_]+\.[a-z_.]+", s):
            bad.append(f"raw key: {s!r}")
        elif s in other and s not in mine and len(WORD.findall(s)) >= 1 and not s.isdigit():
            bad.append(f"other language: {s!r}")
        else:
            words = [w.lower() for w in WORD.findall(s)]
            hits = [w for w in words if w in foreign]
            if len(hits) >= 2 and not any(w in home for w in words):
                bad.append(f"other language: {s!r}")
    return bad


def test_leak_detector() -> None:
    assert leaks(["journey.title"], "es") and leaks(["Customer journey"], "es")
    assert leaks(["growing · 632 voices · 11% negative"], "es")
    assert leaks(["Recorrido del cliente"], "en") and leaks(["brecha 1.2 · 3 de 4 menciones la ven rota"], "en")
    assert not leaks(["Recorrido del cliente", "NPS", "12.5", "C00042"], "es")
    assert not leaks(["Customer journey", "CSAT", "2024-05-01"], "en")


@pytest.fixture(scope="module")
def demo_server(demo_ws: Any) -> Iterator[str]:
    from escucha.http import auth
    from escucha.http.insight_cache import precompute

    precompute(demo_ws)  # what `escucha analyze` stores after analysing
    auth.add_user(demo_ws, "i18n_es", PASSWORD, "admin", language="es", replace=True)
    auth.add_user(demo_ws, "i18n_en", PASSWORD, "admin", language="en", replace=True)
    auth.clear_cache()
    with running_server(demo_ws) as base:
        yield base


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True,
                              args=["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                                    "--disable-component-update", "--no-first-run"])  # fmt: skip
        yield b
        b.close()


@pytest.mark.parametrize("lang", ["es", "en"])
def test_every_page_in_one_language_without_csp_violations(demo_server: str, browser: Any, lang: str,
                                                            tmp_path: Path) -> None:  # fmt: skip
    ctx = browser.new_context(viewport={"width": 1280, "height": 900})
    ctx.add_init_script(CSP_JS)
    page = ctx.new_page()
    console: list[str] = []
    page.on("console", lambda m: console.append(m.text) if "Content Security Policy" in m.text else None)
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(f"{demo_server}/")
    page.fill("input[name=username]", f"i18n_{lang}")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{demo_server}/")
    assert page.locator("html").get_attribute("lang") == lang
    links = page.eval_on_selector_all("nav.mainnav a", "els => els.map(e => e.getAttribute('href'))")
    assert len(links) >= 8, links  # snapshot, explore, customers and the insight pages
    problems: dict[str, list[str]] = {}
    for href in links:
        resp = page.goto(f"{demo_server}{href}")
        assert resp is not None and resp.status == 200, (href, resp and resp.status)
        page.wait_for_load_state("networkidle")
        found = leaks(page.evaluate(UI_TEXT_JS, list(DATA)), lang)
        found += [f"CSP: {v}" for v in page.evaluate("window.__csp")]
        if found:
            problems[href] = found
        page.screenshot(path=str(tmp_path / f"{lang}{href.replace('/', '_')}.png"), full_page=True)
    assert not problems, problems
    assert console == [] and errors == [], (console, errors)
    journey = page.goto(f"{demo_server}/journey")
    assert journey is not None and journey.status == 200
    img = page.locator("#journey-chart img.journey-chart")
    assert img.count() == 1 and page.evaluate("document.querySelector('#journey-chart img').naturalWidth") > 0
    ctx.close()


def test_what_a_cx_lead_sees_first(demo_server: str, browser: Any) -> None:
    """The snapshot (the first page) shows the courier problem with its spike week, the broken
    24-hour promise and the most supported idea with its supporters."""
    ctx = browser.new_context()
    page = ctx.new_page()
    page.goto(f"{demo_server}/")
    page.fill("input[name=username]", "i18n_es")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{demo_server}/")
    plan = page.locator("#section-plan li").first.inner_text()
    assert "Entrega y logística" in plan and "pico la semana del 2024-04-22" in plan
    assert "Entrega en 24 horas" in page.locator("#section-promises li").first.inner_text()
    idea = page.locator("#section-ideas li").first.inner_text()
    assert "franja" in idea.lower() and int(re.search(r"(\d+) apoyos", idea).group(1)) >= 70  # type: ignore[union-attr]
    ctx.close()
