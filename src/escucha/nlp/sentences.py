"""Sentence splitting: a fast rule-based splitter for Spanish and English.

Offsets (``start``, ``end``) index into the text given (the analyser ``sentences`` gives the
body, not the title), so highlighting a sentence is a plain slice: ``text[s.start:s.end] == s.text``.

Rules: a sentence ends at ``.``, ``!``, ``?`` (runs like ``?!`` included, closing quotes and
brackets kept) unless the word before the dot is a known abbreviation (Sr., Dra., p.ej., etc.,
e.g., Mr., …) or an initial; an ellipsis or a run of emojis ends one only when a capital or
``¿``/``¡`` follows; a line break always does. ``¿…?`` and ``¡…!`` stay whole. Call transcripts
with speaker turns (``Agente: …``, ``Customer: …``, ``[00:01] Agent: …``) keep the speaker on each
sentence, normalised to ``agent``/``customer`` (other names lower-cased). Over-long stretches
without punctuation are cut at a space every ``max_chars``; past ``max_sentences`` the rest of
the text becomes the last sentence.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field


@dataclass(slots=True)
class Sentence:
    """One sentence of a voice: its text, offsets into the voice's text, speaker (transcripts)
    and what the analysers read in it."""

    text: str
    start: int
    end: int
    speaker: str | None = None
    sentiment: str = "unknown"
    sentiment_score: float = 0.0
    aspects: list[str] = field(default_factory=list)


ABBREVIATIONS: frozenset[str] = frozenset(
    {
        # Spanish
        "sr", "sra", "srta", "sres", "dr", "dra", "drs", "d", "dña", "ud", "uds", "vd", "vds",
        "lic", "ing", "arq", "prof", "profa", "p.ej", "ej", "pág", "pag", "págs", "núm", "num",
        "tel", "telf", "av", "avda", "c", "cía", "dpto", "depto", "aprox", "máx", "mín", "min",
        "max", "art", "cap", "vol", "aa.vv", "ee.uu", "etc", "admón", "atte", "att", "hnos",
        # English
        "mr", "mrs", "ms", "jr", "st", "vs", "e.g", "i.e", "approx", "inc", "ltd", "co", "corp",
        "dept", "est", "fig", "no", "nos", "ave", "blvd", "mt", "u.s", "u.k", "a.m", "p.m", "ph.d",
    }
)
# Abbreviations that often close a sentence too: split after them when a capital follows.
_CAN_END = frozenset({"etc", "ee.uu", "u.s", "u.k", "a.m", "p.m", "inc", "ltd", "co", "no"})

_EMOJI = "\u2600-\u27bf\U0001f000-\U0001faff"
_SPEAKER = re.compile(
    r"(?:^[ \t]*|(?<=[.!?…] ))(?:\[?\(?\d{1,2}:\d{2}(?::\d{2})?\)?\]?[ \t]*[-–]?[ \t]*)?"
    r"(?P<speaker>agente|agent|cliente|customer|client|operador(?:a)?|operator|asesor(?:a)?|"
    r"advisor|usuario|usuaria|user|caller|llamante|rep|representative|bot|sistema|system|"
    r"ejecutivo|ejecutiva|vendedor(?:a)?|support|soporte)(?:[ \t]+\d+)?[ \t]*:[ \t]*",
    re.IGNORECASE | re.MULTILINE,
)
_SPEAKER_CANON = {
    "agente": "agent", "agent": "agent", "operador": "agent", "operadora": "agent",
    "operator": "agent", "asesor": "agent", "asesora": "agent", "advisor": "agent",
    "rep": "agent", "representative": "agent", "ejecutivo": "agent", "ejecutiva": "agent",
    "vendedor": "agent", "vendedora": "agent", "support": "agent", "soporte": "agent",
    "cliente": "customer", "customer": "customer", "client": "customer", "usuario": "customer",
    "usuaria": "customer", "user": "customer", "caller": "customer", "llamante": "customer",
    "bot": "bot", "sistema": "system", "system": "system",
}
_CANDIDATE = re.compile(
    rf"(?P<punct>[.!?]+|…+)[\"»”’')\]]*(?=\s|$|[{_EMOJI}])|(?P<nl>\n)|(?P<emo>[{_EMOJI}]+)(?=\s)"
)
_WORD_BEFORE = re.compile(r"([^\W\d_](?:[\w.]*[^\W\d_])?)\.?$")
_NEXT = re.compile(rf"\s*([^\s{_EMOJI}])?")
_OPENERS = "¿¡\"«“'("


def _speaker_segments(text: str) -> list[tuple[int, int, str | None]]:
    matches = list(_SPEAKER.finditer(text))
    if not matches:
        return [(0, len(text), None)]
    segs: list[tuple[int, int, str | None]] = []
    if matches[0].start() > 0:
        segs.append((0, matches[0].start(), None))
    for i, m in enumerate(matches):
        end = matches[i + 1].start() if i + 1 < len(matches) else len(text)
        who = m.group("speaker").lower()
        segs.append((m.end(), end, _SPEAKER_CANON.get(who, who)))
    return segs


def _is_boundary(text: str, m: re.Match[str], seg_end: int) -> bool:
    if m.group("nl"):
        return True
    nxt = _NEXT.match(text, m.end(), seg_end)
    following = nxt.group(1) if nxt else None
    starts_upper = following is not None and (following.isupper() or following in _OPENERS)
    if m.group("emo"):
        return starts_upper
    punct = m.group("punct")
    if punct.startswith("…") or punct.startswith(".."):
        return starts_upper or following is None
    if punct != ".":
        return True
    word = _WORD_BEFORE.search(text, max(0, m.start() - 12), m.start())
    if word:
        w = word.group(1).lower()
        if len(w) == 1 and w.isalpha() and text[word.start(1)].isupper():
            return False  # an initial: "J. Pérez"
        if w in ABBREVIATIONS:
            return w in _CAN_END and starts_upper
    return True


def split_sentences(
    text: str, max_sentences: int = 200, max_chars: int = 1000
) -> list[Sentence]:
    """Split ``text`` into sentences with offsets into ``text`` and the speaker of each."""
    out: list[Sentence] = []
    if not text or not text.strip():
        return out

    def emit(a: int, b: int, speaker: str | None) -> None:
        while a < b and text[a].isspace():
            a += 1
        while b > a and text[b - 1].isspace():
            b -= 1
        while b - a > max_chars:  # no punctuation for too long: cut at the last space
            cut = text.rfind(" ", a + max_chars // 2, a + max_chars)
            cut = cut if cut > a else a + max_chars
            out.append(Sentence(text=text[a:cut], start=a, end=cut, speaker=speaker))
            a = cut
            while a < b and text[a].isspace():
                a += 1
        if b > a and any(c.isalnum() or c in "!?" or ord(c) > 0x2000 for c in text[a:b]):
            out.append(Sentence(text=text[a:b], start=a, end=b, speaker=speaker))

    for seg_start, seg_end, speaker in _speaker_segments(text):
        start = seg_start
        for m in _CANDIDATE.finditer(text, seg_start, seg_end):
            if len(out) >= max_sentences - 1:
                break
            if m.end() > start and _is_boundary(text, m, seg_end):
                emit(start, m.end(), speaker)
                start = m.end()
        if len(out) >= max_sentences - 1:
            emit_last = [s for s in out[: max_sentences - 1]]
            out[:] = emit_last
            tail_start = out[-1].end if out else seg_start
            remainder = Sentence(text="", start=tail_start, end=len(text), speaker=speaker)
            while remainder.start < remainder.end and text[remainder.start].isspace():
                remainder.start += 1
            remainder.end = len(text.rstrip())
            remainder.text = text[remainder.start : remainder.end]
            if remainder.text:
                out.append(remainder)
            return out
        emit(start, seg_end, speaker)
    return out
