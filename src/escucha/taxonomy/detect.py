"""Which domain packs a set of voices is about, from the packs' own cue words.

Each pack (``airline.yaml``, ``hotel.yaml``, …) lists ``cues``: words that say a text is about
its domain ("vuelo", "habitación", "tarjeta", "fibra"). :func:`domain_shares` is the share of
texts that mention at least one cue of each pack; :func:`detect_domains` keeps the packs that
are clearly present: a share of at least :data:`MIN_SHARE` and at least :data:`RELATIVE` of the
leading pack's share. A hotel's reviews that mention a flight now and then get the hotel pack
alone; a travel agency's voices, about flights and hotels alike, get both; voices about nothing
in particular get none (general aspects only). Thresholds chosen on the shared sets' TRAIN
splits and the demo company (figures in ``docs/notes/issue-19.md``).
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache

from escucha.nlp.lexicons import TermMatcher, fold, load_yaml

MIN_SHARE = 0.08
RELATIVE = 0.35
AUTO = "auto"
"""The ``domains`` setting that asks for detection (the default)."""


@lru_cache(maxsize=1)
def _cues() -> TermMatcher[str]:
    from escucha.taxonomy import DOMAINS, TAXONOMY_DIR

    entries: list[tuple[str, str]] = []
    for d in DOMAINS:
        cues = (load_yaml(TAXONOMY_DIR / f"{d}.yaml") or {}).get("cues") or {}
        terms = [t for ts in cues.values() for t in ts] if isinstance(cues, dict) else list(cues)
        entries.extend((str(t), d) for t in terms)
    return TermMatcher(entries, plurals=True)


def domain_shares(texts: Iterable[str]) -> dict[str, float]:
    """For each pack with any cue in ``texts``, the share of texts that mention one."""
    matcher = _cues()
    counts: dict[str, int] = {}
    n = 0
    for t in texts:
        n += 1
        seen = {d for hit in matcher.finditer(fold(t or "")) for d in hit.payloads}
        for d in seen:
            counts[d] = counts.get(d, 0) + 1
    return {d: round(c / n, 4) for d, c in sorted(counts.items())} if n else {}


def detect_domains(texts: Iterable[str], min_share: float = MIN_SHARE, relative: float = RELATIVE) -> list[str]:
    """The packs clearly present in ``texts`` (see the module docstring), most present first."""
    shares = domain_shares(texts)
    if not shares:
        return []
    top = max(shares.values())
    keep = [d for d, s in shares.items() if s >= min_share and s >= relative * top]
    return sorted(keep, key=lambda d: -shares[d])
