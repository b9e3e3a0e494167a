"""Customer effort of one voice, in [0, 1], from what the customer had to go through.

Four kinds of cue (``nlp/lexicons/effort.yaml``, Spanish and English, hand-written): calling,
writing or going back again (``repeat_contact``: "es la tercera vez que llamo", "llamar cinco
veces", "third time I call", "four emails"), being passed around (``transfer``: "de un
departamento a otro", "transferred four times"), waiting on the phone (``waiting``: "dos horas
al teléfono", "on hold for an hour") and the customer's own word for it (``ordeal``: "un
calvario", "an ordeal", "a nightmare to cancel"). Each part is ``min(1, 0.7 · hits)`` (a weak
cue counts half); ``effort = 1 - Π(1 - w_k · part_k)`` (a noisy-OR, as urgency combines its
parts), so one clear sign gives about 0.5 and two kinds of sign more. A negated cue ("no tuve que
llamar dos veces") counts nothing. The agent's words count too: "le paso con otro departamento"
is effort for the customer.
"""

from __future__ import annotations

from functools import lru_cache

from escucha.nlp.lexicons import TermMatcher, fold, load_lexicon, negated

KINDS: tuple[str, ...] = ("repeat_contact", "transfer", "waiting", "ordeal")
WEIGHTS: dict[str, float] = {"repeat_contact": 0.85, "transfer": 0.8, "waiting": 0.75, "ordeal": 0.75}
HIGH_EFFORT = 0.5
"""From this effort on a voice reads as a high-effort experience."""


@lru_cache(maxsize=1)
def _matcher() -> TermMatcher[tuple[str, float]]:
    data = load_lexicon("effort")
    entries: list[tuple[str, tuple[str, float]]] = []
    for kind in KINDS:
        for strength, w in (("strong", 0.7), ("weak", 0.35)):
            entries.extend((str(t), (kind, w)) for t in (data.get(kind) or {}).get(strength) or [])
    return TermMatcher(entries)


def effort_parts(text: str) -> dict[str, float]:
    """Each kind's part in [0, 1] for ``text`` (see the module docstring)."""
    parts = dict.fromkeys(KINDS, 0.0)
    if not text or not text.strip():
        return parts
    folded = fold(text)
    for hit in _matcher().finditer(folded):
        if negated(folded, hit.start, window=3):
            continue
        for kind, w in hit.payloads:
            parts[kind] += w
    return {k: round(min(1.0, v), 4) for k, v in parts.items()}


def combine_effort(parts: dict[str, float]) -> float:
    """The effort score from its parts: a noisy-OR weighted by :data:`WEIGHTS`."""
    keep = 1.0
    for k, w in WEIGHTS.items():
        keep *= 1.0 - w * parts.get(k, 0.0)
    return round(min(1.0, max(0.0, 1.0 - keep)), 4)


def effort(text: str) -> tuple[float, dict[str, float]]:
    """(effort in [0, 1], its parts) for one text."""
    parts = effort_parts(text)
    return combine_effort(parts), parts
