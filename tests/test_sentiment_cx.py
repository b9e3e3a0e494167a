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
        # Outcomes told as plain facts: a message about an order is not always a complaint.
        ("Pedí la lámpara el lunes y el martes ya la tenía en casa.", "positive"),
        ("Pedí la silla el lunes y todavía no la tengo.", "negative"),
        ("Esta tarde me han llamado para confirmar la cita", "neutral"),  # "tarde": afternoon, not late
        # A wish is not praise.
        ("Estaría bien que abrieran los sábados por la tarde.", "neutral"),
        ("It would be great if you added Apple Pay to the checkout.", "neutral"),
        ("Llegó rapidísimo, todo perfecto.", "positive"),
        ("No está nada mal, la verdad.", "positive"),
        # Requests and questions: no problem, no evaluation (not in the seed set or the probe).
        ("Quisiera saber el saldo de mi cuenta", "neutral"),
        ("Necesito cambiar la dirección de envío de mi pedido", "neutral"),
        ("¿Tienen este modelo en talla M?", "neutral"),
        ("Buenas tardes, les escribo para consultar el estado de mi reclamación", "neutral"),
        ("I'd like to update the phone number on my account", "neutral"),
        # Problem reports without an evaluative word are negative.
        ("La app se cierra sola cada vez que intento pagar", "negative"),
        ("Me han cobrado dos veces la misma factura", "negative"),
        ("Os voy a denunciar en redes", "negative"),
        ("The app logs me out every time I try to pay", "negative"),
        # Worry is a bad experience (lexicon), and "no worries" is not.
        ("Estoy preocupada por la factura de este mes", "negative"),
        ("I'm really anxious about the delivery, it's a gift", "negative"),
        ("nervous about my flight tomorrow after last week's mess", "negative"),
        ("No worries, thanks for sorting it out", "positive"),
        # Thanks for a resolution.
        ("El técnico vino puntual y lo dejó todo funcionando, gracias", "positive"),
    ],
)
def test_cx_phrases(text: str, label: str) -> None:
    assert escucha.analyze_texts([text])[0]["sentiment"] == label


def _rows(name: str) -> list[dict[str, str]]:
    import csv
    from pathlib import Path

    path = Path(__file__).resolve().parents[1] / "data" / "seed" / name
    with path.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f, delimiter="\t", quoting=csv.QUOTE_NONE))


def _near_copies(texts: list[str], others: list[str], ratio: float = 0.7) -> list[tuple[str, str]]:
    """Pairs whose character similarity ratio reaches ``ratio`` (difflib, cheap bounds first)."""
    import difflib

    found = []
    sm = difflib.SequenceMatcher(autojunk=False)
    for o in others:
        sm.set_seq2(o)
        for t in texts:
            sm.set_seq1(t)
            if sm.real_quick_ratio() >= ratio and sm.quick_ratio() >= ratio and sm.ratio() >= ratio:
                found.append((t, o))
    return found


@pytest.mark.parametrize("name", ["contact_center_sentiment.tsv", "voices.tsv"])
def test_seed_texts_are_well_formed_and_apart_from_the_probe(name: str) -> None:
    """Our hand-written training supplements: labelled, unique, and no near-copy of a probe row
    (the probe chooses whether a supplement is used, so it must stay independent)."""
    from escucha.models import EMOTIONS
    from escucha.nlp.sentiment_model import PROBE

    rows = _rows(name)
    assert {r["lang"] for r in rows} == {"es", "en"}
    assert {r["label"] for r in rows} == {"negative", "neutral", "positive"}
    assert all(r["text"].strip() and r["domain"] for r in rows)
    emotions = {r["emotion"] for r in rows}
    assert emotions <= {*EMOTIONS, "none"} and len(emotions) >= 7
    texts = [r["text"].lower() for r in rows]
    assert len(set(texts)) == len(texts)
    probe = [line.split("\t", 2)[2].lower() for line in PROBE.read_text(encoding="utf-8").splitlines()[1:]]
    assert _near_copies(texts, probe) == []
