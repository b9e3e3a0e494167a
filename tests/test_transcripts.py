"""Contact-center transcripts: escucha reads the customer, not the agent's courtesy."""

from __future__ import annotations

import escucha

CALL = (
    "Agente: Hola, le atiende Marta, encantada de ayudarle. ¿En qué puedo ayudarle?\n"
    "Cliente: Mi pedido no ha llegado, llevo una semana esperando y nadie me dice nada.\n"
    "Agente: Lo siento mucho, ahora mismo lo reviso. Muchas gracias por su paciencia.\n"
    "Cliente: Pues vaya servicio, estoy harto. Si no llega mañana me doy de baja."
)
HAPPY_CHAT = (
    "Agent: I'm sorry to hear about the problem, that must be frustrating.\n"
    "Customer: No worries, the replacement arrived today and it works perfectly. Thanks a lot!"
)


def test_angry_customer_with_polite_agent() -> None:
    r = escucha.analyze_texts([CALL])[0]
    assert r["sentiment"] == "negative"
    assert r["emotions"]["anger"] > 0.3
    assert r["emotions"]["joy"] == 0 and r["emotions"]["trust"] == 0  # "encantada", "gracias" are the agent's
    assert r["dominant_emotion"] == "anger"  # the emotion model reads the customer's turns only
    assert "churn_threat" in r["intents"] and "praise" not in r["intents"] and "question" not in r["intents"]
    assert {a["aspect"] for a in r["aspects"]} >= {"delivery_logistics"}
    assert all(r["sentences"][a["sentence"]]["speaker"] == "customer" for a in r["aspects"])
    assert [s["speaker"] for s in r["sentences"]][:3] == ["agent", "agent", "customer"]


def test_happy_customer_with_apologetic_agent() -> None:
    r = escucha.analyze_texts([HAPPY_CHAT])[0]
    assert r["sentiment"] == "positive"
    assert "complaint" not in r["intents"]
    assert r["emotions"]["sadness"] == 0
    assert r["dominant_emotion"] in ("joy", "trust")


def test_plain_text_is_unaffected() -> None:
    text = "Lo siento, pero el servicio fue pésimo."
    r = escucha.analyze_texts([text])[0]
    assert r["sentiment"] == "negative" and all(s["speaker"] is None for s in r["sentences"])
