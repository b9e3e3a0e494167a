"""The report in Spanish and in English (every section, its charts' words) and as a PDF."""

from __future__ import annotations

import io
import re
from typing import Any

import pytest
from rich.console import Console

from escucha import report as R


@pytest.fixture(scope="module")
def demo_data(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    from escucha.demo.build import build_demo

    ws, _ = build_demo(tmp_path_factory.mktemp("report_lang") / "demo", n=1500, console=Console(file=io.StringIO()))
    return R.build_report(ws)


ENGLISH = ("Most urgent voices", "What moves", "Moments of truth", "Customers who", "first proposed by",
           "Impact ", "Owner", "Metric to watch", "before → after campaign", "% negative", "voices ·")  # fmt: skip
SPANISH = ("Voces más urgentes", "Qué mueve", "Momentos de la verdad", "la propuso primero", "Impacto ",
           "Responsable", "Métrica a vigilar", "antes → después de la campaña", "% negativas", "voces ·")  # fmt: skip


def _visible(html: str) -> str:
    """The report's text without the customers' quotes and the charts (data, not interface)."""
    html = re.sub(r"<(blockquote|svg|style)\b.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"<[^>]+>", " ", html)


@pytest.mark.slow
def test_report_in_spanish_and_english(demo_data: dict[str, Any]) -> None:
    es, en = R.render_html(demo_data, "es"), R.render_html(demo_data, "en")
    assert '<html lang="es">' in es and '<html lang="en">' in en
    for s in SPANISH:
        assert s in es, s
    for s in ENGLISH:
        assert s not in _visible(es), s
    for s in ("Voces más urgentes", "Momentos de la verdad", "Responsable", "Métrica a vigilar"):
        assert s not in en, s
    assert "Entrega y logística" in es and "Delivery and logistics" in en  # aspect labels per language
    assert "Índice de sentimiento" in es  # the charts' words too
    assert "NaT" not in es and "NaT" not in en


@pytest.mark.slow
def test_report_as_pdf(demo_data: dict[str, Any], tmp_path: Any) -> None:
    pytest.importorskip("weasyprint", reason="the optional 'pdf' extra is not installed")
    from escucha.report.html import render_pdf

    out = render_pdf(demo_data, tmp_path / "informe.pdf", "es")
    head = out.read_bytes()
    assert head.startswith(b"%PDF-") and len(head) > 20_000
