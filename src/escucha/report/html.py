"""The report as one self-contained HTML page (inline SVG charts and CSS, no external assets).

Each insight section renders its own template: the built-ins' under ``templates/sections/``, a
plugin's ``<name>.html`` from its ``Insight.templates`` folder (the same fragment its dashboard
page shows).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from jinja2 import ChoiceLoader, Environment, FileSystemLoader, PackageLoader, select_autoescape

from escucha.i18n import MESSAGES, t
from escucha.insights.base import all_insights
from escucha.insights.base import fmt as f
from escucha.report import text as _text  # noqa: F401  (the report's Spanish and English)
from escucha.report.charts import charts

REPORT_TEMPLATES = Path(__file__).parent / "templates"
SECTIONS_DIR = REPORT_TEMPLATES / "sections"


def _env() -> Environment:
    loaders: list[Any] = [PackageLoader("escucha.report", "templates")]
    loaders += [FileSystemLoader(str(i.templates)) for i in all_insights() if i.templates is not None]
    return Environment(loader=ChoiceLoader(loaders), autoescape=select_autoescape(["html"]))


def section_templates() -> dict[str, str]:
    """The template of each insight's report section."""
    out = {}
    for i in all_insights():
        if i.templates is not None and (i.templates / i.template).exists():
            out[i.name] = i.template
        elif (SECTIONS_DIR / i.template).exists():
            out[i.name] = f"sections/{i.template}"
        else:
            out[i.name] = "sections/_generic.html"
    return out


def render_html(data: dict[str, Any], lang: str = "en") -> str:
    """A self-contained HTML page in ``lang`` (es or en): inline SVG charts and CSS, no external
    assets."""
    lang = lang if lang in ("es", "en") else "en"

    def tr(key: str, **kw: Any) -> str:
        return t(key, lang, **kw)

    def label(value: Any, kind: str) -> str:
        key = f"{kind}.{value}"
        return t(key, lang) if key in MESSAGES else str(value)

    return _env().get_template("report.html").render(
        d=data, charts=charts(data, lang), f=f, t=tr, label=label, lang=lang, templates=section_templates(),
        titles={i.name: i.label(lang) for i in all_insights()},
    )


def render_pdf(data: dict[str, Any], out: str | Path, lang: str = "en") -> Path:
    """The report as a PDF (needs the optional ``pdf`` extra: ``pip install escucha[pdf]``)."""
    from escucha.errors import ConfigError

    try:
        from weasyprint import HTML
    except ImportError as exc:  # the optional extra is missing
        raise ConfigError("PDF reports need WeasyPrint: pip install 'escucha[pdf]'", field="pdf") from exc
    out = Path(out)
    HTML(string=render_html(data, lang)).write_pdf(str(out))
    return out
