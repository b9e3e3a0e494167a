"""Sarcasm markers: praise words used to complain ("Genial, otra vez retrasado 🙄").

A sentiment model reads "genial" and "thanks a lot" as praise. When a text carries an explicit
marker (an eye-roll emoji, #sarcasm, "gracias por nada") or an ironic opening ("oh great",
"qué maravilla") next to a complaint cue ("otra vez", "again", "esperando", "lost"), its positive
reading is turned around. Our own hand-written patterns (Apache-2.0).
"""

from __future__ import annotations

import re

MARKERS = re.compile(
    r"🙄|🙃|😒|🤡|#(?:not|sarcasm|sarcasmo|ironia|ironía|fail|epicfail)\b"
    r"|\b(?:yeah right|thanks for nothing|gracias por nada|s[ií],? claro|what a surprise|"
    r"qu[eé] sorpresa|vaya tela)\b",
    re.IGNORECASE,
)
IRONIC_OPENING = re.compile(
    r"^\W*(?:oh,? )?(?:great|genial|perfecto|perfect|fantastic|fant[aá]stico|wonderful|brilliant|"
    r"qu[eé] (?:maravilla|bien|bonito|gusto)|love (?:it|that)|me encanta|thanks a lot|muchas gracias)\b"
    r"[\s,.!…]+(?:.*\b(?:otra vez|de nuevo|again|another|once more|still|todav[ií]a|sigue|esperando|"
    r"waiting|lost|perdid[oa]s?|retras\w*|delay\w*|cancel\w*|hours?|horas))",
    re.IGNORECASE,
)


def is_sarcastic(text: str) -> bool:
    """True when the text shows an explicit sarcasm marker or an ironic opening with a complaint cue."""
    return bool(MARKERS.search(text) or IRONIC_OPENING.search(text))
