from escucha.pipeline.base import Doc
from escucha.pipeline.urgency import UrgencyAnalyzer


def urgency(text: str, score: float, intents=(), anger: float = 0.0, reach=None) -> Doc:
    d = Doc(text=text, sentiment="negative" if score < -0.2 else "neutral", sentiment_score=score,
            reach=reach)
    d.intents = list(intents)
    d.intent_scores = {i: 1.0 for i in intents}
    d.emotions = {"anger": anger}
    d.extras["anger_intensity"] = anger
    UrgencyAnalyzer()([d])
    return d


def test_parts_explain_urgency():
    calm = urgency("El desayuno podría mejorar", -0.1)
    angry = urgency("Es una vergüenza, me doy de baja", -0.8, ["complaint", "churn_threat"], 0.8)
    assert 0 <= calm.urgency < 0.2 < 0.7 < angry.urgency <= 1
    parts = angry.extras["urgency_parts"]
    assert parts["churn_threat"] == 1.0 and parts["anger"] == 0.8


def test_safety_and_legal_words():
    d = urgency("El enchufe echaba humo, es peligroso. Hablaré con mi abogado", -0.6)
    assert d.extras["urgency_parts"]["safety"] > 0 and d.extras["urgency_parts"]["legal"] > 0
    assert d.urgency > urgency("El enchufe no funciona", -0.6).urgency
    assert urgency("This is dangerous, food poisoning", -0.6).extras["urgency_parts"]["safety"] > 0


def test_reach_log_scaled():
    few = urgency("Terrible service", -0.8, reach=10)
    many = urgency("Terrible service", -0.8, reach=1_000_000)
    assert many.extras["urgency_parts"]["reach"] == 1.0
    assert many.urgency > few.urgency


def test_empty_text():
    d = urgency("", 0.0)
    assert d.urgency == 0.0


def test_fraud_on_a_card_or_account_is_urgent():
    # Calmly worded, near-neutral: only the fraud phrase makes them urgent.
    for text in ("I think someone is using my card", "There is a charge I don't recognise on my statement",
                 "Hay un cargo que no reconozco en mi cuenta", "Creo que alguien está usando mi tarjeta",
                 "Me llegó un cargo no autorizado", "Suspicious activity on my account"):
        d = urgency(text, -0.05)
        assert d.extras["urgency_parts"]["safety"] > 0, text
        assert d.urgency > 0.45 > urgency("The app is a bit slow today", -0.05).urgency, text
    assert urgency("Reconozco que el personal fue amable", 0.0).extras["urgency_parts"]["safety"] == 0
