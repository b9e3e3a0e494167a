"""Intent analyser: multi-label complaint, praise, suggestion, question, churn and public threats.

Spanish and English patterns (``nlp/lexicons/intents.yaml``) are matched in one pass. Churn,
public-threat and suggestion patterns are negation-aware: "no me voy a dar de baja" and
"I won't cancel my account" are not threats. Complaint and praise weigh the text's sentiment
(and its sentences') with problem or praise words and the emotions already read. Scores are in
[0, 1]; an intent is assigned at ``threshold`` (0.5). Company rules (``rules.yaml``) then add or
block intents, and always win (see :mod:`escucha.nlp.rules`).

:func:`evaluate` scores the analyser on a labelled CSV (``tests/data/intents_eval.csv``).
"""

from __future__ import annotations

import csv
import re
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any, ClassVar

from escucha.errors import EscuchaError
from escucha.models import INTENTS
from escucha.nlp.lexicons import TermMatcher, fold, load_lexicon, negated, negated_intent
from escucha.nlp.rules import RuleSet, load_rules
from escucha.nlp.sarcasm import is_sarcastic
from escucha.pipeline.base import Doc, register

_WEIGHTS = {"strong": 1.0, "weak": 0.4}
_NEGATABLE = {"churn_threat", "public_threat", "suggestion"}
# Thanks are courtesy: they count as praise only in a voice with nothing negative in it ("Es la
# tercera vez que llamo. Gracias." and a call that ends "vale, gracias" are not praise).
_THANKS = re.compile(r"(?:gracias|agradec\w*|thank\w*|thx|ty|appreciat\w*|cheers)", re.ASCII)


@lru_cache(maxsize=1)
def _matcher() -> TermMatcher[tuple[str, float]]:
    data = load_lexicon("intents")
    entries: list[tuple[str, tuple[str, float]]] = []
    for intent, groups in data.items():
        if intent not in INTENTS:
            raise ValueError(f"intents.yaml: {intent}: unknown intent")
        for strength, w in _WEIGHTS.items():
            entries.extend((str(t), (intent, w)) for t in groups.get(strength) or [])
    return TermMatcher(entries)


def _polarity(doc: Doc) -> tuple[float, bool, bool]:
    """(doc score, has a negative sentence, has a positive sentence), with a lexicon fallback."""
    score = doc.sentiment_score
    label = doc.sentiment
    if label == "unknown":
        from escucha.pipeline.aspects import clause_polarity

        score = clause_polarity(fold(doc.text))
        label = "positive" if score > 0.15 else "negative" if score < -0.15 else "neutral"
    own = [s for s in doc.sentences if s.speaker != "agent"]
    has_neg = label == "negative" or any(s.sentiment == "negative" for s in own)
    has_pos = label == "positive" or any(s.sentiment == "positive" for s in own)
    if label == "negative":
        score = min(score, -0.3)
    elif label == "positive":
        score = max(score, 0.3)
    return score, has_neg, has_pos


def score_intents(doc: Doc) -> tuple[dict[str, float], dict[str, list[str]]]:
    """Intent scores in [0, 1] and the matched evidence per intent, before company rules."""
    text = doc.text or ""
    scores = dict.fromkeys(INTENTS, 0.0)
    evidence: dict[str, list[str]] = {}
    if not text.strip():
        return scores, evidence
    folded = fold(text)
    best: dict[str, float] = {}
    counts = {"complaint": 0, "praise": 0, "thanks": 0}
    transcript = doc.is_transcript
    starts = [s.start for s in doc.sentences]
    for hit in _matcher().finditer(folded):
        if transcript and doc.agent_at(starts, hit.start):
            continue
        for intent, w in hit.payloads:
            if intent in _NEGATABLE and negated_intent(folded, hit.start):
                continue
            if intent == "praise" and negated(folded, hit.start):
                counts["complaint"] += 1
                continue
            if intent == "praise" and _THANKS.fullmatch(folded[hit.start : hit.end]):
                counts["thanks"] += 1
                continue
            if intent in counts:
                counts[intent] += 1
            best[intent] = max(best.get(intent, 0.0), w)
            ev = evidence.setdefault(intent, [])
            if len(ev) < 3 and text[hit.start : hit.end] not in ev:
                ev.append(text[hit.start : hit.end])
    score, has_neg, has_pos = _polarity(doc)
    neg = max(0.0, -score)
    pos = max(0.0, score)
    emo = doc.emotions
    neg_emo = max(emo.get("anger", 0.0), emo.get("disgust", 0.0), emo.get("sadness", 0.0))
    pos_emo = max(emo.get("joy", 0.0), emo.get("trust", 0.0))
    p = min(1.0, 0.6 * counts["complaint"])
    if score < -0.15:
        c = 0.45 + 0.35 * p + 0.15 * neg_emo + 0.1 * neg
    elif has_neg:
        c = 0.3 + 0.35 * p + 0.1 * neg_emo
    elif score <= 0.15:
        c = 0.1 + 0.35 * p + 0.15 * neg_emo
    else:
        c = 0.15 * p
    if not has_neg and score >= -0.15:
        counts["praise"] += counts["thanks"]
    q = min(1.0, 0.6 * counts["praise"])
    if score > 0.15:
        pr = 0.45 + 0.35 * q + 0.15 * pos_emo + 0.1 * pos
    elif has_pos:
        pr = 0.3 + 0.35 * q + 0.1 * pos_emo
    elif score >= -0.15:
        pr = 0.1 + 0.35 * q + 0.1 * pos_emo
    else:
        pr = 0.1 * q
    if is_sarcastic(text):  # "Genial, otra vez sin luz. Muchas gracias.": the praise is the sarcasm
        pr = min(pr, 0.2)
    scores["complaint"] = c
    scores["praise"] = pr
    for intent in ("churn_threat", "public_threat", "suggestion", "question"):
        s = best.get(intent, 0.0)
        if 0 < s < 1.0 and intent in ("churn_threat", "public_threat") and score < -0.15:
            s += 0.2
        if 0 < s < 1.0 and intent == "question" and "?" in doc.customer_text():
            s += 0.3
        scores[intent] = s
    # A threat is a complaint too.
    if max(scores["churn_threat"], scores["public_threat"]) >= 0.5 and (has_neg or neg_emo >= 0.3):
        scores["complaint"] = max(scores["complaint"], 0.5)
    return {k: round(min(1.0, max(0.0, v)), 4) for k, v in scores.items()}, evidence


@register("intent")
class IntentAnalyzer:
    """Pattern + sentiment intents, negation-aware, with company rules on top."""

    name = "intent"
    requires: ClassVar[tuple[str, ...]] = ("language", "sentences", "sentiment")
    assigns: ClassVar[tuple[str, ...]] = ("intents", "intent_scores")

    def __init__(self, rules_path: str | Path | None = None, workspace: str | Path | None = None,
                 threshold: float = 0.5, **_: object) -> None:
        _matcher()
        self.threshold = threshold
        self.rules: RuleSet = load_rules(rules_path, workspace)
        self.version = "1.2" + (f"+{self.rules.digest}" if self.rules else "")

    def __call__(self, docs: list[Doc]) -> None:
        for doc in docs:
            scores, evidence = score_intents(doc)
            if self.rules:
                labels, scores, hits = self.rules.apply_labels(scores, doc.text, doc.language, self.threshold)
                for h in hits:
                    evidence.setdefault(h.rule.label, []).append(f"rule:{h.term}")
            else:
                labels = [k for k in INTENTS if scores[k] >= self.threshold]
            doc.intent_scores = scores
            doc.intents = labels
            if evidence:
                doc.extras["intent_evidence"] = evidence


# --------------------------------------------------------------------------- evaluation

EVAL_LABELS: tuple[str, ...] = (*INTENTS, "gratitude", "anger")


def _prepare(docs: list[Doc], names: Sequence[str]) -> None:
    """Run the upstream analysers that exist; fill what is missing minimally."""
    from escucha.pipeline.base import Sentence, create

    for name in names:
        try:
            create(name)(docs)
            continue
        except EscuchaError:  # an upstream analyser or its model is not available: go without it
            pass
        if name == "sentences":
            for d in docs:
                d.sentences = [Sentence(d.text, 0, len(d.text))]
        elif name == "language":
            for d in docs:
                d.language = d.language_hint or "unknown"


def evaluate(csv_path: str | Path, threshold: float = 0.5, emotion_threshold: float = 0.4) -> dict[str, Any]:
    """Precision, recall and F1 per intent (and gratitude/anger from emotions) on a labelled CSV.

    The CSV has ``text``, ``language`` and one 0/1 column per label in :data:`EVAL_LABELS`.
    The texts go through the default pipeline up to ``urgency`` (analysers that are not
    available are skipped).
    """
    with open(csv_path, encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    docs = [Doc(text=r["text"], id=str(i), language_hint=r.get("language") or None) for i, r in enumerate(rows)]
    _prepare(docs, ("language", "sentences", "sentiment", "emotion"))
    IntentAnalyzer(threshold=threshold)(docs)
    out: dict[str, Any] = {"n": len(rows)}
    macro = []
    for label in EVAL_LABELS:
        if label not in (rows[0] if rows else {}):
            continue
        tp = fp = fn = 0
        for r, d in zip(rows, docs, strict=True):
            gold = str(r[label]).strip() == "1"
            if label == "gratitude":
                pred = d.emotions.get("trust", 0.0) >= emotion_threshold
            elif label == "anger":
                pred = d.emotions.get("anger", 0.0) >= emotion_threshold
            else:
                pred = label in d.intents
            tp += gold and pred
            fp += (not gold) and pred
            fn += gold and not pred
        prec = tp / (tp + fp) if tp + fp else 0.0
        rec = tp / (tp + fn) if tp + fn else 0.0
        f1 = 2 * prec * rec / (prec + rec) if prec + rec else 0.0
        out[label] = {"precision": round(prec, 3), "recall": round(rec, 3), "f1": round(f1, 3),
                      "support": tp + fn, "predicted": tp + fp}
        if label in INTENTS:
            macro.append(f1)
    out["macro_f1_intents"] = round(sum(macro) / len(macro), 3) if macro else 0.0
    return out
