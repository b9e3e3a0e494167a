"""Spanish contact-center and delivery complaints, where generic sentiment models fail."""

from __future__ import annotations

import pytest

import escucha


@pytest.mark.parametrize(
    ("text", "label"),
    [
        ("Prometían entrega en 24 horas y me llegó en 6 días.", "negative"),
        ("Mi pedido no ha llegado.", "negative"),
        ("El pedido sigue sin llegar y nadie contesta.", "negative"),
        ("Llegó tarde y con un golpe.", "negative"),
        ("No llegó nunca.", "negative"),
        ("Por fin ha llegado el sofá, genial.", "positive"),
        ("Llegó rapidísimo, todo perfecto.", "positive"),
        ("No está nada mal, la verdad.", "positive"),
    ],
)
def test_cx_phrases(text: str, label: str) -> None:
    assert escucha.analyze_texts([text])[0]["sentiment"] == label
