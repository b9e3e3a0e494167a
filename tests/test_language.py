"""Language detection on Spanish, English, other languages and garbage."""

from __future__ import annotations

import pytest

from escucha.pipeline import Doc, create
from escucha.pipeline.language import detect


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("El vuelo llegó tarde y nadie nos ayudó en el aeropuerto", "es"),
        ("The flight was delayed and nobody helped us at the airport", "en"),
        ("Le vol était en retard et personne ne nous a aidés", "fr"),
        ("O voo atrasou e ninguém nos ajudou no aeroporto", "pt"),
        ("Der Flug hatte Verspätung und niemand hat uns geholfen", "de"),
        ("Il volo era in ritardo e nessuno ci ha aiutato", "it"),
        ("El vol va arribar tard i ningú ens va ajudar a l'aeroport", "ca"),
    ],
)
def test_detects_languages(text: str, lang: str) -> None:
    got, conf = detect(text)
    assert got == lang
    assert 0.0 < conf <= 1.0


@pytest.mark.parametrize(("text", "lang"), [("hola", "es"), ("gracias!", "es"), ("thanks", "en"), ("muy bueno", "es")])
def test_short_texts_lean_to_es_en(text: str, lang: str) -> None:
    assert detect(text)[0] == lang


@pytest.mark.parametrize("text", ["", "   ", "👍👍😡", "12345 ### !!!", "https://t.co/abc @user"])
def test_garbage_is_unknown(text: str) -> None:
    assert detect(text) == ("unknown", 0.0)


def test_analyser_honours_hint_and_restricts_languages() -> None:
    docs = [Doc(text="ok", language_hint="ES"), Doc(text="Der Flug war pünktlich und gut")]
    create("language")(docs)
    assert docs[0].language == "es" and docs[0].language_confidence == 1.0
    assert docs[1].language == "de"
    only = [Doc(text="Der Flug war pünktlich und gut")]
    create("language", languages=["es", "en"])(only)
    assert only[0].language in {"es", "en"}
