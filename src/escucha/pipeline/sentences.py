"""Analyser ``sentences``: splits ``Doc.text`` with :func:`escucha.nlp.sentences.split_sentences`.

Offsets (``start``, ``end``) index into ``Doc.text`` (the body, not the title), so highlighting a
sentence in the stored text is a plain slice: ``doc.text[s.start:s.end] == s.text``. The rules
(abbreviations, ellipses, emojis, ``¿…?``, speaker turns of transcripts) are described in
:mod:`escucha.nlp.sentences`.
"""

from __future__ import annotations

from typing import ClassVar

from escucha.nlp.sentences import ABBREVIATIONS, split_sentences
from escucha.pipeline.base import Doc, register

__all__ = ["ABBREVIATIONS", "SentenceSplitter", "split_sentences"]


@register("sentences")
class SentenceSplitter:
    """Assigns ``sentences`` (offsets into ``Doc.text``, speaker kept for transcripts)."""

    name = "sentences"
    version = "1"
    requires: ClassVar[tuple[str, ...]] = ()
    assigns: ClassVar[tuple[str, ...]] = ("sentences",)

    def __init__(self, max_sentences: int = 200, max_chars: int = 1000):
        self.max_sentences = max(1, int(max_sentences))
        self.max_chars = max(50, int(max_chars))
        self.version = f"1:{self.max_sentences}:{self.max_chars}"

    def __call__(self, docs: list[Doc]) -> None:
        for d in docs:
            d.sentences = split_sentences(d.text or "", self.max_sentences, self.max_chars)
