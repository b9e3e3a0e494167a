"""Analyser ``language``: which language a voice is written in (py3langid, restricted set).

Short or ambiguous texts lean towards Spanish or English with a small prior (most voices are in
one of them); ``Doc.language_hint`` wins when given; texts without letters are ``"unknown"``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache
from typing import ClassVar

import numpy as np

from escucha.pipeline.base import Doc, register

DEFAULT_LANGUAGES: tuple[str, ...] = ("es", "en", "pt", "fr", "it", "de", "ca")
_LETTERS = re.compile(r"[^\W\d_]")
_URL_OR_MENTION = re.compile(r"(?:https?://|www\.)\S+|@\w+|#", re.IGNORECASE)
_ES_CUES = re.compile(
    r"[ñ¿¡]|\b(?:que|el|los|las|muy|pero|por|para|una?|está|es|hola|gracias|bien|buen[oa]s?|"
    r"mal[oa]?|todo|nada|también|siempre|nunca|genial|pésim[oa]|vale|me|mi|yo|sí)\b",
    re.IGNORECASE,
)
_EN_CUES = re.compile(
    r"\b(?:the|and|is|was|you|my|it|not|but|for|with|this|hi|hello|thanks?|good|bad|great|"
    r"love|awesome|terrible|ok|okay|please|i|me)\b",
    re.IGNORECASE,
)


@lru_cache(maxsize=4)
def _identifier(langs: tuple[str, ...]):  # type: ignore[no-untyped-def]
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    ident = LanguageIdentifier.from_pickled_model(MODEL_FILE, norm_probs=True)
    ident.set_languages(list(langs))
    return ident


def detect(
    text: str,
    languages: Sequence[str] = DEFAULT_LANGUAGES,
    prior: float = 0.15,
    min_letters: int = 2,
) -> tuple[str, float]:
    """``(language, confidence)`` for one text; ``("unknown", 0.0)`` without enough letters."""
    clean = _URL_OR_MENTION.sub(" ", text or "")
    n_letters = len(_LETTERS.findall(clean))
    if n_letters < min_letters:
        return "unknown", 0.0
    ident = _identifier(tuple(languages))
    fv = ident.instance2fv(clean)
    probs = ident.nb_classprobs(fv)
    probs = np.exp(probs - probs.max())
    probs /= probs.sum()
    langs = list(ident.nb_classes)
    # Short texts carry little evidence: add a prior for es/en that fades with length, and
    # let a few unambiguous function words decide between the two.
    weight = prior * max(0.0, 1.0 - n_letters / 60)
    if weight > 0:
        for lang in ("es", "en"):
            if lang in langs:
                probs[langs.index(lang)] += weight
        es, en = len(_ES_CUES.findall(clean)), len(_EN_CUES.findall(clean))
        if es != en and "es" in langs and "en" in langs:
            probs[langs.index("es" if es > en else "en")] += weight * 2
        probs /= probs.sum()
    best = int(probs.argmax())
    return langs[best], float(probs[best])


@register("language")
class LanguageAnalyzer:
    """Assigns ``language`` and ``language_confidence`` to each doc."""

    name = "language"
    version = "1"
    requires: ClassVar[tuple[str, ...]] = ()
    assigns: ClassVar[tuple[str, ...]] = ("language", "language_confidence")

    def __init__(self, languages: Sequence[str] = DEFAULT_LANGUAGES, prior: float = 0.15):
        self.languages = tuple(languages)
        self.prior = prior
        self.version = f"1:{','.join(self.languages)}"

    def __call__(self, docs: list[Doc]) -> None:
        for d in docs:
            if d.language_hint and d.language_hint.strip():
                d.language = d.language_hint.strip().lower()[:2]
                d.language_confidence = 1.0
                continue
            d.language, d.language_confidence = detect(
                d.full_text, self.languages, self.prior
            )
