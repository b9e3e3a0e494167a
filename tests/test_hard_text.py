"""Hard text: sarcasm, typos and slang, very long transcripts, garbage — never a crash."""

from __future__ import annotations

import pytest

import escucha
from escucha.nlp.sarcasm import is_sarcastic


@pytest.mark.parametrize(
    "text",
    [
        "Genial, otra vez retrasado 🙄",
        "Great, another delay. Thanks a lot, United 🙄",
        "Qué maravilla, tres horas esperando... 🙃",
        "Oh great, my bag is lost again #fail",
        # The thanks in a sentence of its own is part of the sarcasm, not a mixed voice.
        'Great, another "planned maintenance" right when I need to pay my bills. Thanks a lot.',
        "Genial, otra vez sin luz. Muchas gracias.",
    ],
)
def test_sarcasm_is_a_complaint(text: str) -> None:
    r = escucha.analyze_texts([text])[0]
    assert r["sentiment"] == "negative" and "praise" not in r["intents"]


@pytest.mark.parametrize(
    "text",
    ["Genial, todo perfecto", "Great service, thanks a lot!", "Como siempre, un placer comprar aquí",
     "Thanks a lot for the quick help!"],
)
def test_sincere_praise_stays_praise(text: str) -> None:
    assert not is_sarcastic(text)
    assert escucha.analyze_texts([text])[0]["sentiment"] == "positive"


@pytest.mark.parametrize(("text", "label"), [("pesimo servisio, nunka mas", "negative"),
                                             ("q mal xq no llega el pedido", "negative"),
                                             ("xq sois tan buenos?? me encantais 😍", "positive")])
def test_typos_and_slang(text: str, label: str) -> None:
    assert escucha.analyze_texts([text])[0]["sentiment"] == label


def test_a_very_long_transcript_is_chunked_with_speakers_kept() -> None:
    turns = []
    for i in range(600):
        turns.append(f"Agente: Entiendo, déjeme revisar el pedido número {i}.")
        turns.append("Cliente: Sigue sin llegar y ya estoy harto de esperar.")
    r = escucha.analyze_texts(["\n".join(turns)])[0]
    assert 0 < len(r["sentences"]) <= 200
    assert {s["speaker"] for s in r["sentences"]} == {"agent", "customer"}
    assert r["sentiment"] == "negative"


@pytest.mark.parametrize("text", ["", " ", "\x00\x01", "🙂" * 5000, "a" * 100_000, "<script>alert(1)</script>"])
def test_garbage_never_crashes(text: str) -> None:
    r = escucha.analyze_texts([text])[0]
    assert r["sentiment"] in ("negative", "neutral", "positive", "unknown")
