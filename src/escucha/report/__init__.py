"""Reports: the data (``build_report``), a terminal rendering and a self-contained HTML page.

Rendering lives here, apart from the insights that compute: ``data`` builds, ``terminal``,
``charts``, ``html``, ``journey_chart`` and ``drivers_chart`` draw.
"""

from escucha.report.data import build_report, insight_sections, plain, sections
from escucha.report.html import render_html
from escucha.report.terminal import render_insights_terminal, render_terminal

__all__ = [
    "build_report", "insight_sections", "plain", "render_html", "render_insights_terminal",
    "render_terminal", "sections",
]  # fmt: skip
