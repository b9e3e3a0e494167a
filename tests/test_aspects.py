from pathlib import Path

import pytest

from escucha.errors import ConfigError
from escucha.pipeline.aspects import AspectAnalyzer, clause_polarity
from escucha.pipeline.base import Doc, Sentence
from escucha.taxonomy import load_taxonomy


def run(text: str, sentiment: str = "neutral", score: float = 0.0, **cfg) -> Doc:
    d = Doc(text=text, language="es", sentiment=sentiment, sentiment_score=score)
    d.sentences = [Sentence(text, 0, len(text), sentiment=sentiment, sentiment_score=score)]
    AspectAnalyzer(**cfg)([d])
    return d


def aspects(d: Doc) -> dict[str, str]:
    return {m.aspect: m.sentiment for m in d.aspects}


def test_taxonomy_structure():
    tax = load_taxonomy()
    general = {"customer_service", "waiting_time", "price_billing", "product_quality",
               "delivery_logistics", "web_app", "policies_returns", "advertising_promise",
               "cleanliness_facilities"}
    assert general <= set(tax.aspects)
    for a in tax.aspects.values():
        assert a.label["es"] and a.label["en"] and a.owner
        if a.domain != "general":
            assert a.parent in general
    assert tax.roll_up("airline.flight_attendants") == "customer_service"
    assert {d for d in tax.cues} == {"airline", "hotel", "retail", "telecom", "banking"}


def test_clause_sentiment_with_pero():
    d = run("El personal muy amable pero la habitación estaba sucísima.", "negative", -0.3)
    a = aspects(d)
    assert a["customer_service"] == "positive"
    assert a["hotel.room"] == "negative"
    assert d.sentences[0].aspects


def test_accents_plurals_case():
    d = run("LOS PRECIOS son altos y las habitaciones pequeñas", "negative", -0.5)
    assert {"price_billing", "hotel.room"} <= set(aspects(d))
    d2 = run("el precio y la habitacion", "neutral", 0.0)
    assert {"price_billing", "hotel.room"} <= set(aspects(d2))


def test_airline_english_and_specific_beats_parent():
    d = run("@united flight delayed 3 hours and they lost my bag. The flight attendant was rude",
            "negative", -0.8)
    a = aspects(d)
    assert {"airline.delays", "airline.baggage", "airline.flight_attendants"} <= set(a)
    assert "waiting_time" not in a  # rolled into the more specific airline.delays
    assert all(v == "negative" for v in a.values())


def test_context_terms_need_domain_cue():
    hotel = run("Nos tocó una habitación con mucho retraso en la limpieza", "negative", -0.4)
    assert "airline.delays" not in aspects(hotel)
    flight = run("El vuelo salió con retraso", "negative", -0.4)
    assert "airline.delays" in aspects(flight)


def test_negation_in_clause_polarity():
    from escucha.nlp.lexicons import fold

    assert clause_polarity(fold("la comida no estaba buena")) < 0
    assert clause_polarity(fold("la comida estaba buena")) > 0


def test_workspace_taxonomy_overlay(tmp_path: Path):
    (tmp_path / "taxonomy.yaml").write_text(
        "aspects:\n"
        "  - id: loyalty_app\n"
        "    label: {es: App de puntos, en: Points app}\n"
        "    parent: web_app\n"
        "    owner: Loyalty\n"
        "    terms: {es: [app de puntos], en: [points app]}\n"
        "disable: [advertising_promise]\n",
        encoding="utf-8",
    )
    d = run("La app de puntos no funciona", "negative", -0.5, workspace=tmp_path)
    assert "loyalty_app" in aspects(d)
    an = AspectAnalyzer(workspace=tmp_path)
    assert "advertising_promise" not in an.taxonomy.aspects


def test_bad_taxonomy_names_file_and_field(tmp_path: Path):
    p = tmp_path / "taxonomy.yaml"
    p.write_text("aspects:\n  - id: x\n    label: {es: X, en: X}\n    parent: nope\n    terms: [x]\n")
    with pytest.raises(ConfigError, match="parent"):
        load_taxonomy(extra=[p])
    p.write_text("aspects: [\n")
    with pytest.raises(ConfigError, match=r"taxonomy\.yaml"):
        load_taxonomy(extra=[p])
    p.write_text("aspects:\n  - id: y\n    label: {es: Y, en: Y}\n    terms: ['re:(']\n")
    with pytest.raises(ConfigError, match=r"aspects\[0\] \(y\)\.terms"):
        load_taxonomy(extra=[p])


def test_empty_text():
    d = Doc(text="")
    AspectAnalyzer()([d])
    assert d.aspects == []
