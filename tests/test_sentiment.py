"""Sentiment on clear and hard cases in Spanish and English, per voice and per sentence."""

from __future__ import annotations

import pytest

from escucha.nlp.polarity import score_text
from escucha.pipeline import Doc, Pipeline


@pytest.fixture(scope="module")
def pipe() -> Pipeline:
    return Pipeline.from_names(["language", "sentences", "sentiment"])


def label(pipe: Pipeline, text: str) -> str:
    return pipe.run([Doc(text=text)])[0].sentiment


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("El hotel es maravilloso, el personal muy amable", "positive"),
        ("Pésima atención, nunca más vuelvo a este hotel", "negative"),
        ("The staff were lovely and the room was spotless", "positive"),
        ("Worst airline ever, they lost my bag and nobody helped", "negative"),
        ("no está nada mal", "positive"),
        ("not bad at all", "positive"),
        ("no me gustó nada la comida", "negative"),
        ("the food was not good", "negative"),
        ("maravillosooo 😍😍", "positive"),
        ("😡😡😡", "negative"),
        ("👍", "positive"),
        ("El hotel was amazing, muy limpio", "positive"),
        ("súper lento el wifi, un desastre", "negative"),
        ("The flight leaves at 5pm from gate 12.", "neutral"),
    ],
)
def test_clear_and_hard_cases(pipe: Pipeline, text: str, expected: str) -> None:
    assert label(pipe, text) == expected


@pytest.mark.parametrize("text", ["", "   ", "### 123 !!!", "https://t.co/xyz"])
def test_empty_or_garbage_is_unknown(pipe: Pipeline, text: str) -> None:
    d = pipe.run([Doc(text=text)])[0]
    assert d.sentiment == "unknown" and d.sentiment_score == 0.0 and d.sentiment_proba == {}


def test_scores_and_sentences(pipe: Pipeline) -> None:
    d = pipe.run([Doc(text="La comida excelente. El servicio pésimo, tardaron una hora.")])[0]
    assert set(d.sentiment_proba) == {"negative", "neutral", "positive"}
    assert abs(sum(d.sentiment_proba.values()) - 1) < 1e-3
    assert -1 <= d.sentiment_score <= 1
    assert [s.sentiment for s in d.sentences] == ["positive", "negative"]
    one = pipe.run([Doc(text="Excelente servicio.")])[0]
    assert one.sentences[0].sentiment == one.sentiment == "positive"
    assert one.sentences[0].sentiment_score == one.sentiment_score > 0.3


def test_intensifiers_raise_the_score() -> None:
    assert score_text("muy bueno").score > score_text("bueno").score > 0
    assert score_text("very bad").score < score_text("bad").score < 0
    assert score_text("good but the service was terrible").score < 0


@pytest.mark.parametrize(
    "text",
    [
        "La habitación era preciosa y muy limpia. El personal nos ignoró todo el tiempo. "
        "El desayuno estuvo delicioso. La piscina estaba sucia y fría.",
        "The room was lovely. The staff were rude to us. Breakfast was delicious. The pool was dirty.",
    ],
)
def test_a_review_that_goes_both_ways_is_mixed(pipe: Pipeline, text: str) -> None:
    doc = pipe.run([Doc(text=text)])[0]
    labels = [s.sentiment for s in doc.sentences]
    assert labels.count("positive") == 2 and labels.count("negative") == 2  # sentences keep theirs
    assert doc.sentiment == "neutral"
    assert doc.extras["sentiment_mixed"] is True
    assert doc.sentiment_proba["neutral"] >= 0.5


def test_one_complaint_in_a_glowing_review_is_not_mixed(pipe: Pipeline) -> None:
    doc = pipe.run([Doc(text=(
        "The room was lovely. The staff were wonderful. Breakfast was delicious. "
        "The wifi was slow."
    ))])[0]
    assert doc.sentiment == "positive"
    assert "sentiment_mixed" not in doc.extras


def test_mixed_needs_both_directions() -> None:
    from escucha.pipeline.sentiment import is_mixed

    assert is_mixed(["positive", "negative"])
    assert is_mixed(["positive", "negative", "neutral", "positive", "negative", "positive"])
    assert not is_mixed(["positive", "positive", "negative"])  # one in three is under 40%
    assert not is_mixed(["negative", "neutral", "negative"])
    assert not is_mixed([None, "positive"])


def test_a_wish_is_not_praise_to_the_lexicon() -> None:
    from escucha.nlp.polarity import score_text

    for wish in ("Estaría bien que abrieran los domingos", "Sería genial poder pagar con Bizum",
                 "It would be really nice to have a dark mode", "it'd be great if the app had filters"):
        assert score_text(wish).score == 0.0, wish
    for praise in ("Estaría genial.", "It will be great to see you", "I would recommend it"):
        assert score_text(praise).score > 0.5, praise
