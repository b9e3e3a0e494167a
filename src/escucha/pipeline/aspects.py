"""Aspect analyser: which parts of the experience a voice talks about, each with its sentiment.

Terms come from the CX taxonomy (:mod:`escucha.taxonomy`: general aspects + domain packs +
the workspace's ``taxonomy.yaml``) and are matched in one regex pass, robust to case, accents
and plurals. A domain aspect's ambiguous ``context_terms`` count only when the text mentions
one of that domain's cues. When an aspect and its parent match in the same sentence, only the
more specific one is kept.

Sentiment of a mention: the sentiment of its sentence, or, when the sentence has contrasting
clauses ("pero", "but", "aunque", "however"…), of the clause holding the mention, read with
our polarity lexicon (negation-aware) and falling back to the sentence when the clause has no
evaluative words. Company rules (``rules.yaml``, see :mod:`escucha.nlp.rules`) add or block
aspects after the model.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path
from typing import ClassVar

from escucha.layout import WorkspaceLayout
from escucha.models import AspectMention
from escucha.nlp.lexicons import TermMatcher, fold, load_lexicon, negated, sentence_index
from escucha.nlp.rules import RuleSet, load_rules
from escucha.pipeline.base import Doc, Sentence, register
from escucha.taxonomy import Taxonomy, load_taxonomy
from escucha.taxonomy.detect import AUTO, detect_domains

_CONTRAST = re.compile(
    r"(?<!\w)(?:pero|aunque|sin embargo|no obstante|mientras que|en cambio|salvo|excepto|"
    r"but|although|though|however|except|whereas|yet)(?!\w)|;"
)
_CUE = "@cue"


@lru_cache(maxsize=1)
def _polarity() -> TermMatcher[float]:
    data = load_lexicon("polarity")
    entries: list[tuple[str, float]] = []
    for sign, key in ((1.0, "positive"), (-1.0, "negative")):
        for strength, w in (("strong", 1.0), ("weak", 0.5)):
            entries.extend((str(t), sign * w) for t in data[key].get(strength) or [])
    return TermMatcher(entries)


def clause_polarity(folded: str, start: int = 0, end: int | None = None) -> float:
    """Lexicon polarity in [-1, 1] of ``folded[start:end]`` (0.0 when no evaluative word)."""
    end = len(folded) if end is None else end
    total = 0.0
    n = 0
    for hit in _polarity().finditer(folded[start:end]):
        w = hit.payloads[0]
        if negated(folded, start + hit.start):
            w = -0.6 * w
        total += w
        n += 1
    if not n:
        return 0.0
    return max(-1.0, min(1.0, total / max(1.0, float(n**0.5))))


def _label(score: float) -> str:
    return "positive" if score > 0.15 else "negative" if score < -0.15 else "neutral"


class AspectModel:
    """A compiled taxonomy: one matcher for every aspect term and domain cue."""

    def __init__(self, taxonomy: Taxonomy, domains: Sequence[str] | None = None):
        self.taxonomy = taxonomy
        entries: list[tuple[str, tuple[str, str, bool]]] = []
        for a in taxonomy.aspects.values():
            entries.extend((t, ("aspect", a.id, False)) for t in a.terms)
            entries.extend((t, ("aspect", a.id, True)) for t in a.context_terms)
        for d, cues in taxonomy.cues.items():
            entries.extend((t, (_CUE, d, False)) for t in cues)
        self.matcher: TermMatcher[tuple[str, str, bool]] = TermMatcher(entries, plurals=True)
        active = {a.domain for a in taxonomy.aspects.values() if a.domain != "general"}
        # With a single domain configured, its context terms always count.
        self.always_on = active if len(active) == 1 else set()
        self.domains = tuple(domains) if domains is not None else tuple(sorted(active))

    def find(self, text: str, folded: str | None = None) -> list[tuple[int, int, str]]:
        """(start, end, aspect id) for every aspect mention in ``text``, cues resolved."""
        f = folded if folded is not None else fold(text)
        hits = list(self.matcher.finditer(f))
        cues = set(self.always_on)
        for h in hits:
            for kind, ident, _ctx in h.payloads:
                if kind == _CUE:
                    cues.add(ident)
        out = []
        for h in hits:
            for kind, ident, ctx in h.payloads:
                if kind != "aspect":
                    continue
                if ctx and self.taxonomy.aspects[ident].domain not in cues:
                    continue
                out.append((h.start, h.end, ident))
        return out


@lru_cache(maxsize=8)
def _default_model(domains: tuple[str, ...] | None, extra: tuple[str, ...]) -> AspectModel:
    return AspectModel(load_taxonomy(domains, extra), domains)


def _spans(doc: Doc) -> list[Sentence]:
    if doc.sentences:
        return doc.sentences
    return [Sentence(text=doc.text, start=0, end=len(doc.text), sentiment=doc.sentiment,
                     sentiment_score=doc.sentiment_score)]


def _mention_sentiment(folded: str, sent: Sentence, pos: int) -> tuple[str, float]:
    cuts = [m.start() for m in _CONTRAST.finditer(folded, sent.start, sent.end)]
    if cuts:
        bounds = [sent.start, *cuts, sent.end]
        i = max(0, sentence_index(bounds, pos))
        lo, hi = bounds[i], bounds[min(i + 1, len(bounds) - 1)]
        local = clause_polarity(folded, lo, hi)
        if local:
            return _label(local), round(local, 4)
    if sent.sentiment in ("positive", "negative", "neutral"):
        return sent.sentiment, round(max(-1.0, min(1.0, sent.sentiment_score)), 4)
    local = clause_polarity(folded, sent.start, sent.end)
    return _label(local), round(local, 4)


def analyse_aspects(doc: Doc, model: AspectModel, rules: RuleSet | None = None) -> list[AspectMention]:
    """Aspect mentions of one doc; also fills ``Sentence.aspects`` when the doc has sentences."""
    text = doc.text or ""
    if not text.strip():
        return []
    folded = fold(text)
    sents = _spans(doc)
    starts = [s.start for s in sents]
    tax = model.taxonomy
    found: dict[tuple[int, str], tuple[int, int]] = {}
    transcript = doc.is_transcript
    for start, end, aid in model.find(text, folded):
        if transcript and doc.agent_at(starts, start):
            continue
        key = (sentence_index(starts, start), aid)
        if key not in found:
            found[key] = (start, end)
    if rules:
        hits = rules.find(text, doc.language, "aspect", folded)
        add, block = RuleSet.decide(hits)
        for h in hits:
            if h.rule.label in add:
                key = (sentence_index(starts, h.start), h.rule.label)
                found.setdefault(key, (h.start, h.end))
        found = {k: v for k, v in found.items() if k[1] not in block}
    # Keep the most specific aspect per sentence.
    present: dict[int, set[str]] = {}
    for si, aid in found:
        present.setdefault(si, set()).add(aid)
    redundant = {
        (si, anc) for si, aids in present.items() for aid in aids
        for anc in (tax.ancestors(aid) if aid in tax else []) if anc in aids
    }
    mentions: list[AspectMention] = []
    for (si, aid), (start, end) in sorted(found.items(), key=lambda kv: (kv[0][0], kv[1][0])):
        if (si, aid) in redundant:
            continue
        sent = sents[si]
        label, score = _mention_sentiment(folded, sent, start)
        mentions.append(AspectMention(aspect=aid, sentiment=label, score=score,  # type: ignore[arg-type]
                                      evidence=text[start:end], sentence=si if doc.sentences else None))
    if doc.sentences:
        for s in doc.sentences:
            s.aspects = []
        for m in mentions:
            if m.sentence is not None and m.aspect not in doc.sentences[m.sentence].aspects:
                doc.sentences[m.sentence].aspects.append(m.aspect)
    return mentions


@register("aspects")
class AspectAnalyzer:
    """Taxonomy aspects with per-clause sentiment; company taxonomy and rules on top."""

    name = "aspects"
    requires: ClassVar[tuple[str, ...]] = ("language", "sentences", "sentiment")
    assigns: ClassVar[tuple[str, ...]] = ("aspects",)

    def __init__(
        self,
        domains: Sequence[str] | None = None,
        taxonomy_path: str | Path | None = None,
        rules_path: str | Path | None = None,
        workspace: str | Path | None = None,
        **_: object,
    ) -> None:
        extra: list[str] = []
        if taxonomy_path is not None:
            extra.append(str(taxonomy_path))
        elif workspace is not None and WorkspaceLayout(Path(workspace)).taxonomy.exists():
            extra.append(str(WorkspaceLayout(Path(workspace)).taxonomy))
        # No domains, or ["auto"]: each call picks the packs its voices are about
        # (escucha.taxonomy.detect); a workspace passes the packs it chose once for all its voices.
        self.auto = domains is None or AUTO in domains
        doms = None if self.auto else tuple(domains or ())
        self._extra = tuple(extra)
        self.model = _default_model(doms, self._extra)
        self.rules = load_rules(rules_path, workspace, known_aspects=self.model.taxonomy.aspects)
        auto = "auto+" if self.auto else ""
        self.version = f"1.1+{auto}{self.model.taxonomy.digest}{('.' + self.rules.digest) if self.rules else ''}"

    @property
    def taxonomy(self) -> Taxonomy:
        return self.model.taxonomy

    def __call__(self, docs: list[Doc]) -> None:
        model = self.model
        if self.auto and docs:
            model = _default_model(tuple(sorted(detect_domains(d.text for d in docs))), self._extra)
        for doc in docs:
            doc.aspects = analyse_aspects(doc, model, self.rules)
