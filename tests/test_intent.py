from pathlib import Path

import pytest

from escucha.pipeline.base import Doc, Sentence
from escucha.pipeline.intent import IntentAnalyzer, evaluate

EVAL = Path(__file__).parent / "data" / "intents_eval.csv"


def intents(text: str, sentiment: str = "neutral", score: float = 0.0, **cfg) -> list[str]:
    d = Doc(text=text, sentiment=sentiment, sentiment_score=score)
    d.sentences = [Sentence(text, 0, len(text), sentiment=sentiment, sentiment_score=score)]
    IntentAnalyzer(**cfg)([d])
    assert all(0 <= v <= 1 for v in d.intent_scores.values())
    return d.intents


def test_churn_spanish_and_english():
    assert "churn_threat" in intents("Estoy harta, me doy de baja mañana mismo", "negative", -0.8)
    assert "churn_threat" in intents("Me paso a la competencia, adiós", "negative", -0.5)
    assert "churn_threat" in intents("No volveremos a este hotel jamás", "negative", -0.7)
    assert "churn_threat" in intents("@united never flying United again!", "negative", -0.8)
    assert "churn_threat" in intents("I'm switching to @Delta", "negative", -0.4)
    assert "churn_threat" in intents("Please cancel my account", "neutral", 0.0)
    # taking one's money or business elsewhere
    assert "churn_threat" in intents("If this isn't fixed by Friday I'm moving my account to another bank")
    assert "churn_threat" in intents("Si no lo arreglan me llevo mi dinero a otro banco", "negative", -0.5)
    assert "churn_threat" in intents("Voy a llevarme la hipoteca a la competencia")
    assert "churn_threat" not in intents("Can I move my account to another branch?")


def test_churn_is_negation_aware():
    assert "churn_threat" not in intents("No me voy a dar de baja, tranquilos", "neutral", 0.0)
    assert "churn_threat" not in intents("I won't cancel my account, you fixed it", "positive", 0.5)
    # a conditional threat is still a threat
    assert "churn_threat" in intents("If you don't fix it I'll cancel my account", "negative", -0.5)


def test_public_threat():
    assert "public_threat" in intents("Lo voy a subir a redes sociales", "negative", -0.6)
    assert "public_threat" in intents("Pienso poner una reclamación en la OCU", "negative", -0.6)
    assert "public_threat" in intents("Pedí la hoja de reclamaciones", "negative", -0.5)
    assert "public_threat" in intents("I'll post this everywhere on social media", "negative", -0.7)
    assert "public_threat" not in intents("Saw your post on social media, nice", "positive", 0.6)


def test_suggestion_question_praise_complaint():
    assert "suggestion" in intents("Deberían poner más ascensores", "neutral", 0.0)
    assert "suggestion" in intents("It would be nice if you added a vegan menu", "neutral", 0.0)
    assert "question" in intents("¿Cómo puedo cambiar mi reserva?", "neutral", 0.0)
    assert "question" in intents("how do I change my seat", "neutral", 0.0)
    got = intents("El personal fue maravilloso, muchas gracias", "positive", 0.9)
    assert "praise" in got and "complaint" not in got
    got = intents("El wifi no funciona y nadie lo arregla", "negative", -0.7)
    assert "complaint" in got and "praise" not in got


def test_mixed_language_and_empty():
    assert "churn_threat" in intents("Worst service ever, me doy de baja", "negative", -0.8)
    assert intents("", "unknown", 0.0) == []


def test_rules_win(tmp_path: Path):
    (tmp_path / "rules.yaml").write_text(
        "rules:\n"
        "  - {label: churn_threat, terms: [portabilidad]}\n"
        "  - {label: complaint, action: block, terms: [prueba interna]}\n",
        encoding="utf-8",
    )
    assert "churn_threat" in intents("Solicito la portabilidad", "neutral", 0.0, workspace=tmp_path)
    got = intents("prueba interna: todo falla, pésimo", "negative", -0.9, workspace=tmp_path)
    assert "complaint" not in got


@pytest.mark.slow
def test_evaluate_on_hand_labelled_set():
    r = evaluate(EVAL)
    assert r["n"] >= 300
    assert r["churn_threat"]["support"] >= 25 and r["public_threat"]["support"] >= 25
    assert r["churn_threat"]["f1"] > 0.7
    assert r["complaint"]["f1"] > 0.5 and r["praise"]["f1"] > 0.6
