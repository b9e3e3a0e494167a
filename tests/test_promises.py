"""Promise vs experience: matching and judging sentences, gap and before/after tests, demo."""

from __future__ import annotations

import numpy as np
import pytest

from escucha.errors import ConfigError
from escucha.insights.promises import (
    compile_promise,
    durations,
    gap_score,
    judge,
    normalize_promises,
    two_proportions,
)

P24 = normalize_promises([{"id": "d24", "promise": "Entrega en 24 horas",
                           "keywords": ["entrega", "24h"], "start": "2024-02-26"}])[0]
FEES = normalize_promises([{"id": "fees", "promise": "Sin costes ocultos",
                            "keywords": ["precio", "cargo"]}])[0]


def test_durations() -> None:
    assert (72.0, "") in durations("tardo tres dias")
    assert (168.0, "") in durations("una semana esperando")
    assert (24.0, "less") in durations("llego en menos de 24 horas")
    assert (48.0, "") in durations("it took 2 days")


@pytest.mark.parametrize(("text", "score", "status"), [
    ("Prometían entrega en 24 horas y tardó una semana.", -0.5, "broken"),
    ("Según el anuncio 24h, pero fueron 3 días.", 0.1, "broken"),
    ("Supposedly next day delivery, it took five days.", 0.0, "broken"),
    ("Pedido el lunes y recibido el viernes, vaya con la entrega en 24 horas.", 0.0, "broken"),
    ("El edredón llegó en menos de 24 horas, genial.", 0.7, "kept"),
    ("Entrega en 24 horas, tal como prometían.", 0.4, "kept"),
])
def test_judge_delivery_promise(text: str, score: float, status: str) -> None:
    res = judge(text, score, compile_promise(P24))
    assert res is not None and res[0] == status, res


def test_unrelated_and_weak_mentions() -> None:
    c = compile_promise(P24)
    assert judge("La lámpara es preciosa.", 0.8, c) is None
    assert judge("La entrega fue normal.", 0.0, c) is None  # weak keyword, no evidence
    f = compile_promise(FEES)
    assert judge("Precio elevado para la calidad.", -0.3, f) is None
    assert judge("Me cobraron un cargo aparte que no aparecía.", -0.4, f)[0] == "broken"


def test_gap_and_tests() -> None:
    g, lo, hi = gap_score(np.array([1, 1, 0, 0]), np.array([1.0, 0.0, 0.0, 0.0]))
    assert g == pytest.approx(100 * (1.0 + 0.5) / 4) and lo < g < hi
    res = two_proportions(10, 1000, 60, 1000)
    assert res["change"] == pytest.approx(5.0) and res["p_value"] < 1e-6
    same = two_proportions(50, 1000, 52, 1000)
    assert same["p_value"] > 0.5


def test_config_errors_name_field() -> None:
    with pytest.raises(ConfigError) as e:
        normalize_promises([{"id": "x", "promise": "A", "start": "mañana"}])
    assert e.value.field == "promises[0].start"


@pytest.mark.slow
def test_demo_broken_24h_promise(demo_ws) -> None:
    from escucha.demo import stories
    from escucha.insights.promises import promise_report

    truth = next(s for s in stories() if s["id"] == "broken_promise_24h")
    rep = promise_report(demo_ws.context)
    top = rep[0]
    assert top["id"] == truth["promise_id"]
    others = [r["gap"] for r in rep[1:] if r["gap"] == r["gap"]]
    assert top["gap"] > 3 * max(others)
    assert top["broken_share"] > 60
    ba = top["before_after"]
    assert ba is not None and ba["cut"] == truth["start"] and ba["worsened"]
    assert ba["p_value"] < 1e-6
    assert top["evidence_broken"]

