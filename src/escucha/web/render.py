"""Templates (autoescaped Jinja2), the page renderer and aspect highlighting.

Customer text is never marked safe as is: ``highlight`` escapes every piece of it first and only
then wraps the analysed spans in ``<span>``/``<mark>`` elements.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import ChoiceLoader, Environment, FileSystemLoader
from markupsafe import Markup, escape

from escucha.i18n import MESSAGES, fnum, t
from escucha.insights.base import fmt
from escucha.models import Analysis
from escucha.web.nav import visible

TEMPLATE_DIR = Path(__file__).parent / "templates"
_loaders: list[Any] = [FileSystemLoader(str(TEMPLATE_DIR))]
env = Environment(loader=ChoiceLoader(_loaders), autoescape=True, trim_blocks=True, lstrip_blocks=True)


def add_template_dir(path: str | Path) -> None:
    """Let a feature's page module use its own templates (they may extend ``base.html``)."""
    if any(getattr(x, "searchpath", None) == [str(path)] for x in _loaders):
        return
    _loaders.insert(0, FileSystemLoader(str(path)))
    env.loader = ChoiceLoader(list(_loaders))


env.filters["fnum"] = fnum


_page = threading.local()  # the language and aspect names of the page being rendered


def label(value: Any, kind: str) -> str:
    """A data value shown in the page's language (macros too): an aspect id by its taxonomy
    label, else the interface text ``kind.value`` when it exists (e.g. ``channel.review``), else
    the value itself (a workspace's own channel names)."""
    if value is None:
        return ""
    lang = getattr(_page, "lang", "es")
    if kind == "aspect":
        return str(getattr(_page, "aspects", {}).get(str(value), value))
    key = f"{kind}.{value}"
    return t(key, lang) if key in MESSAGES else str(value)


def aspect_names(ws: Any, lang: str) -> dict[str, str]:
    """Aspect id → label in ``lang`` (cached until the workspace's taxonomy file changes)."""
    from escucha.taxonomy import aspect_labels

    return aspect_labels(ws.path, lang)


env.filters["label"] = label
env.globals["label"] = label  # the report's fragments call label(value, kind)
env.globals["f"] = fmt  # the number format the report fragments use


def page_lang(request: Request) -> str:
    """The language the page is shown in: the user's choice, else the workspace's default."""
    state = request.app.state.escucha
    principal = getattr(request.state, "principal", None)
    lang = getattr(request.state, "lang_override", None) or (
        principal.language if principal is not None else state.settings.ui_language
    )
    return lang if lang in ("es", "en") else "es"


def page_context(request: Request) -> dict[str, Any]:
    """What every page template gets: the user, language, translations, navigation and CSRF token."""
    state = request.app.state.escucha
    principal = getattr(request.state, "principal", None)
    lang = page_lang(request)

    def tr(key: str, **kw: Any) -> str:
        return t(key, lang, **kw)

    return {
        "request": request,
        "user": principal,
        "lang": lang,
        "t": tr,
        "nav": visible(principal, state.ws),
        "csrf": principal.csrf if principal is not None else "",
        "path": request.url.path,
    }


def render(request: Request, template: str, status_code: int = 200, **context: Any) -> HTMLResponse:
    page = page_context(request)
    _page.lang = page["lang"]
    _page.aspects = aspect_names(request.app.state.escucha.ws, page["lang"])
    html = env.get_template(template).render(**page, **context)
    return HTMLResponse(html, status_code=status_code)


def display_text(text: str, title: str | None) -> str:
    """The text the analysers read (title and body), so sentence offsets line up."""
    if title and title.strip() and title.strip() not in text:
        return f"{title.strip()}. {text}"
    return text


def highlight(text: str, analysis: Analysis | None, title: str | None = None) -> Markup:
    """``text`` escaped, with sentences that mention aspects wrapped by their sentiment and the
    aspect's evidence words marked."""
    full = display_text(text, title)
    if analysis is None or not analysis.sentences:
        return Markup(escape(full))
    spans: list[tuple[int, int, Any]] = []
    cursor = 0
    for s in sorted(analysis.sentences, key=lambda s: s.start):
        start, end = s.start, s.end
        if not (0 <= start < end <= len(full) and full[start:end] == s.text):
            found = full.find(s.text, cursor) if s.text else -1
            if found < 0:
                continue
            start, end = found, found + len(s.text)
        if start < cursor:
            continue
        cursor = end
        if s.aspects:
            spans.append((start, end, s))
    mentions: dict[int, list[Any]] = {}
    for m in analysis.aspects:
        if m.sentence is not None and m.evidence:
            mentions.setdefault(m.sentence, []).append(m)
    out: list[str] = []
    pos = 0
    for start, end, s in spans:
        out.append(str(escape(full[pos:start])))
        tip = ", ".join(s.aspects)
        out.append(f'<span class="sent sent-{escape(s.sentiment)}" title="{escape(tip)}">')
        out.append(_mark_evidence(full[start:end], mentions.get(s.index, [])))
        out.append("</span>")
        pos = end
    out.append(str(escape(full[pos:])))
    return Markup("".join(out))


def _mark_evidence(sentence: str, mentions: list[Any]) -> str:
    lower = sentence.lower()
    marks: list[tuple[int, int, Any]] = []
    for m in mentions:
        i = lower.find(m.evidence.lower())
        if i >= 0 and all(i >= e or i + len(m.evidence) <= s for s, e, _ in marks):
            marks.append((i, i + len(m.evidence), m))
    marks.sort(key=lambda x: x[0])
    out: list[str] = []
    pos = 0
    for s, e, m in marks:
        out.append(str(escape(sentence[pos:s])))
        out.append(
            f'<mark class="asp asp-{escape(m.sentiment)}" title="{escape(m.aspect)}">{escape(sentence[s:e])}</mark>'
        )
        pos = e
    out.append(str(escape(sentence[pos:])))
    return "".join(out)
