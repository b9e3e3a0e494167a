"""Ideas board: suggestion detection, supporters, first proposer; the demo's hidden idea."""

from __future__ import annotations

import pytest

from escucha.insights.ideas import ideas, is_suggestion


def test_suggestion_markers_es_en():
    assert is_suggestion("Estaría genial poder elegir la hora de entrega.")
    assert is_suggestion("It would be great if you offered gift wrapping.")
    assert is_suggestion("Ojalá pusieran más cajas abiertas.")
    assert not is_suggestion("El pedido llegó tarde y roto.")


def test_ideas_credit_first_proposer(ws):
    wishes = [
        "Estaría genial poder pagar a plazos sin intereses.",
        "Ojalá se pudiera pagar a plazos sin intereses.",
        "Sugerencia: permitid pagar a plazos sin intereses en la web.",
        "It would be great to pay in instalments without interest.",
    ]
    other = ["Sería genial tener un modo oscuro en la app.", "Estaría bien un modo oscuro en la aplicación."]
    voices = [
        {"id": f"p{i}", "channel": "review", "text": wishes[i % 3] + " Por lo demás todo bien.",
         "timestamp": f"2024-04-{10 + i:02d}T09:00:00Z", "customer_id": f"C{i:03d}"}
        for i in range(8)
    ] + [
        {"id": f"o{i}", "channel": "review", "text": other[i % 2],
         "timestamp": f"2024-04-0{1 + i}T09:00:00Z", "customer_id": f"D{i:03d}"}
        for i in range(3)
    ]  # fmt: skip
    voices.append({"id": "p-dup", "channel": "survey", "text": wishes[1], "timestamp": "2024-04-28T09:00:00Z",
                   "customer_id": "C001"})  # same customer again
    ws.add(voices)
    ws.analyze()
    board = ideas(ws.context)
    top = board[0]
    assert "plazos" in " ".join(top["key_phrases"]) or "plazos" in top["label"]
    assert top["supporters"] == 8
    assert top["first_proposer"]["customer_id"] == "C000" and top["first_proposer"]["item_id"] == "p0"
    assert board[1]["supporters"] == 3


@pytest.mark.slow
def test_demo_top_idea_is_the_hidden_one(tmp_path):
    from escucha.demo import stories
    from escucha.demo.build import build_demo

    ws, _files = build_demo(tmp_path / "demo")
    truth = next(s for s in stories() if s["kind"] == "idea")
    top = ideas(ws.context, top=5)[0]
    text = " ".join(q["text"].lower() for q in top["quotes"]) + " " + top["label"].lower()
    assert any(k in text for k in truth["keywords"]) or "hora" in text
    assert top["first_proposer"]["customer_id"] == truth["first_customer"]
    assert top["first_proposer"]["date"].startswith(truth["first_date"])
    assert top["supporters"] >= 40
