"""The evaluation tasks. Each returns figures for escucha's systems and for baselines.

Systems, per task where they apply:
- ``shipped``: the analysers as installed (zero-shot, trained on licence-clean data only);
- ``adapted``: :class:`~escucha.nlp.textclf.TextClassifier` trained on the task's TRAIN split
  (what a company gets with ``escucha train``); ``adapted+lexicon`` also shifts it with our
  polarity lexicon (weight tuned on a held-out fifth of TRAIN); ``adapted_ordinal`` predicts the
  median of the rating distribution (minimises expected absolute error); ``+sentences`` stacks
  the sentences' own predictions with the text's (``escucha train --sentences``);
- ``adapted+embeddings`` (English tasks, when ``escucha[embeddings]`` is installed): the same
  classifier blended with a logistic regression on MiniLM sentence embeddings, weight chosen
  out-of-fold on TRAIN (``escucha train --embeddings``); its speed includes the embedding;
- ``finetuned`` and ``finetuned+adapted`` (only with ``--finetune``; slow): MiniLM fine-tuned on
  TRAIN, and its probabilities blended with the adapted model's (weight chosen on a held-out
  fifth of TRAIN);
- baselines: ``tfidf_lr`` (plain TfidfVectorizer + LogisticRegression) and, for English
  sentiment, ``vader``.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.multiclass import OneVsRestClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import MultiLabelBinarizer

from escucha.evaluation import data as D
from escucha.evaluation import metrics as M
from escucha.evaluation.systems import (
    Result,
    Skip,
    Task,
    Trial,
    _adapted,
    _baselines,
    _has_embeddings,
    _sample,
    _split,
    _timed,
    _with_speed,
    _word_char_tfidf,
    has_analyser,
    run_pipeline,
)
from escucha.evaluation.tasks_sentiment import (
    SENT,
    airline_sentiment,
    hotel_rating_es,
    hotel_sentiment_es,
    opener_es,
)
from escucha.nlp.emotion_model import NONE
from escucha.nlp.textclf import TextClassifier
from escucha.pipeline.base import Doc

__all__ = ["TASKS", "Skip", "Task"]


def _learned_map(
    train_docs: list[Doc], train_y: list[str], key: Callable[[Doc], list[str]]
) -> dict[str, str]:
    """Map each escucha label to the task label it co-occurs with most on TRAIN."""
    counts: dict[str, Counter[str]] = {}
    for d, y in zip(train_docs, train_y, strict=True):
        for a in key(d):
            counts.setdefault(a, Counter())[y] += 1
    return {a: c.most_common(1)[0][0] for a, c in counts.items()}


def airline_reason(
    data_dir: Path, seed: int, max_train: int | None, max_test: int | None, *, finetune: bool = False
) -> Result:
    train, test = D.airline(data_dir, "negativereason")
    train = _sample([r for r in train if r[1] != "Can't Tell"], max_train, seed)
    test = _sample([r for r in test if r[1] != "Can't Tell"], max_test, seed)
    tr_x, tr_y = _split(train)
    te_x, te_y = _split(test)
    reasons = sorted(set(tr_y))
    systems: dict[str, Result] = {}
    notes: list[str] = []
    names = ["language", "sentences", "sentiment", "aspects"]
    if has_analyser("aspects"):
        def aspects_of(d: Doc) -> list[str]:
            return [a.aspect for a in d.aspects]

        mapping = _learned_map(run_pipeline(tr_x, names), tr_y, aspects_of)
        docs, speed = _timed(lambda xs: run_pipeline(xs, names), te_x)
        pred = [next((mapping[a] for a in aspects_of(d) if a in mapping), "none") for d in docs]
        systems["shipped_aspects"] = _with_speed(M.single_label(te_y, pred, reasons), speed)
        notes.append(
            "shipped_aspects: each escucha aspect mapped to the reason it co-occurs with most on "
            f"TRAIN ({mapping}); first mapped aspect wins, 'none' when no aspect"
        )
    else:
        notes.append("shipped aspects skipped: no 'aspects' analyser available")
    clf = _adapted(tr_x, tr_y, seed)
    pred, speed = _timed(clf.predict, te_x)
    systems["adapted"] = _with_speed(M.single_label(te_y, pred, reasons), speed)
    notes.append(f"adapted: {clf.meta['model']} cv {clf.meta.get('cv_macro_f1')} bias {clf.meta.get('bias')}")
    trial = Trial(systems, notes, tr_x, tr_y, te_x, lambda p: M.single_label(te_y, p, reasons), seed, finetune)
    trial.add_embedding_system(class_weight="balanced")
    trial.add_finetuned_system(class_weight="balanced")
    trial.add_finetuned_blend(adapted=lambda xs, ys: _adapted(xs, ys, seed), class_weight="balanced")
    return {
        "systems": systems,
        "baselines": _baselines(tr_x, tr_y, te_x, lambda p: M.single_label(te_y, p, reasons)),
        "primary": "macro_f1",
        "notes": notes,
    }


def _semeval_rows(data_dir: Path, split: str, n: int | None, seed: int) -> list[dict[str, Any]]:
    return _sample(D.semeval_restaurants(data_dir, split), n, seed)


def semeval14_restaurant_category(
    data_dir: Path, seed: int, max_train: int | None, max_test: int | None, *, finetune: bool = False
) -> Result:
    train = _semeval_rows(data_dir, "train", max_train, seed)
    test = _semeval_rows(data_dir, "test", max_test, seed)
    tr_x = [r["text"] for r in train]
    tr_y = [sorted({c["category"] for c in r.get("aspect_categories") or []}) for r in train]
    te_x = [r["text"] for r in test]
    te_y = [sorted({c["category"] for c in r.get("aspect_categories") or []}) for r in test]
    cats = sorted({c for ys in tr_y for c in ys})
    systems: dict[str, Result] = {}
    notes: list[str] = []
    names = ["language", "sentences", "sentiment", "aspects"]
    if has_analyser("aspects"):
        tr_docs = run_pipeline(tr_x, names, "en")
        counts: dict[str, Counter[str]] = {}
        for d, ys in zip(tr_docs, tr_y, strict=True):
            for a in {a.aspect for a in d.aspects}:
                counts.setdefault(a, Counter()).update(ys)
        mapping = {a: c.most_common(1)[0][0] for a, c in counts.items() if c}
        docs, speed = _timed(lambda xs: run_pipeline(xs, names, "en"), te_x)
        pred = []
        for d in docs:
            got = sorted({mapping[a.aspect] for a in d.aspects if a.aspect in mapping})
            pred.append(got or ["anecdotes/miscellaneous"])
        systems["shipped_aspects"] = _with_speed(M.multi_label(te_y, pred, cats), speed)
        notes.append(f"shipped_aspects: aspect -> category learned on TRAIN: {mapping}")
    else:
        notes.append("shipped aspects skipped: no 'aspects' analyser available")
    clf = TextClassifier(multilabel=True, seed=seed).fit(tr_x, tr_y)
    pred, speed = _timed(clf.predict, te_x)
    systems["adapted"] = _with_speed(M.multi_label(te_y, pred, cats), speed)
    trial = Trial(systems, notes, tr_x, tr_y, te_x, lambda p: M.multi_label(te_y, p, cats), seed, finetune)
    trial.add_embedding_system(multilabel=True)
    trial.add_finetuned_system()
    trial.add_finetuned_blend(
        adapted=lambda xs, ys: TextClassifier(multilabel=True, seed=seed, embeddings=_has_embeddings()).fit(xs, ys),
    )
    mlb = MultiLabelBinarizer(classes=cats)
    baselines: dict[str, Result] = {}
    for bname, feats, c in (("tfidf_lr", TfidfVectorizer(), 1.0), ("tfidf_wc_lr", _word_char_tfidf(), 3.0)):
        base = make_pipeline(feats, OneVsRestClassifier(LogisticRegression(C=c, max_iter=2000)))
        base.fit(tr_x, mlb.fit_transform(tr_y))

        def predict_labels(xs: list[str], b: Any = base) -> list[list[str]]:
            return [list(r) for r in mlb.inverse_transform(b.predict(xs))]

        pred, speed = _timed(predict_labels, te_x)
        baselines[bname] = _with_speed(M.multi_label(te_y, pred, cats), speed)
    return {
        "systems": systems,
        "baselines": baselines,
        "primary": "micro_f1",
        "notes": notes,
    }


def _pairs(rows: list[dict[str, Any]]) -> list[tuple[str, str, str]]:
    out = []
    for r in rows:
        for c in r.get("aspect_categories") or []:
            if c["polarity"] in ("positive", "negative", "neutral"):
                out.append((r["text"], c["category"], c["polarity"]))
    return out


def semeval14_restaurant_polarity(
    data_dir: Path, seed: int, max_train: int | None, max_test: int | None, *, finetune: bool = False
) -> Result:
    train = _pairs(_semeval_rows(data_dir, "train", max_train, seed))
    test = _pairs(_semeval_rows(data_dir, "test", max_test, seed))

    def tagged(rows: list[tuple[str, str, str]]) -> list[str]:
        # The category as words and as a prefix on every word, so a linear model can learn
        # category-specific cues ("price_cheap") next to shared ones.
        out = []
        for text, cat, _ in rows:
            tag = cat.split("/")[0]
            words = " ".join(f"{tag}_{w}" for w in text.lower().split())
            out.append(f"{text} || {tag} {words}")
        return out

    tr_y = [p for _, _, p in train]
    te_y = [p for _, _, p in test]
    systems: dict[str, Result] = {}
    te_text = [t for t, _, _ in test]
    docs, speed = _timed(lambda xs: run_pipeline(xs, ["language", "sentences", "sentiment"], "en"), te_text)
    systems["shipped"] = _with_speed(M.single_label(te_y, [d.sentiment for d in docs], SENT), speed)
    clf = _adapted(tagged(train), tr_y, seed, class_weight=None, metric="accuracy")
    pred, speed = _timed(clf.predict, tagged(test))
    systems["adapted"] = _with_speed(M.single_label(te_y, pred, SENT), speed)
    plain = _adapted([t for t, _, _ in train], tr_y, seed, class_weight=None, metric="accuracy")
    pred, speed = _timed(plain.predict, te_text)
    systems["adapted_sentence"] = _with_speed(M.single_label(te_y, pred, SENT), speed)
    notes = ["(sentence, category) pairs with positive/negative/neutral polarity; conflict left out"]

    def asked(rows: list[tuple[str, str, str]]) -> list[str]:  # the category leads: "food: <sentence>"
        return [f"{cat.replace('/', ' ')}: {text}" for text, cat, _ in rows]

    Trial(
        systems, notes, asked(train), tr_y, asked(test), lambda p: M.single_label(te_y, p, SENT), seed, finetune
    ).add_finetuned_system()
    baselines = _baselines(
        [t for t, _, _ in train], tr_y, te_text, lambda p: M.single_label(te_y, p, SENT)
    )
    return {
        "systems": systems,
        "baselines": baselines,
        "primary": "accuracy",
        "notes": notes,
    }



_EMO_MAP = {"trust": "joy", NONE: "others"}


def _emotion(lang: str) -> Task:
    def task(
    data_dir: Path, seed: int, max_train: int | None, max_test: int | None, *, finetune: bool = False
) -> Result:
        train = _sample(D.emoevent(data_dir, lang, "train") + D.emoevent(data_dir, lang, "dev"), max_train, seed)
        test = _sample(D.emoevent(data_dir, lang, "test"), max_test, seed)
        tr_x, tr_y = _split(train)
        te_x, te_y = _split(test)
        labels = sorted(set(tr_y))
        systems: dict[str, Result] = {}
        notes: list[str] = []
        if has_analyser("emotion"):
            names = ["language", "sentences", "sentiment", "emotion"]

            def shipped(xs: list[str]) -> list[str]:
                out = []
                for d in run_pipeline(xs, names):
                    top = d.extras.get("emotion", NONE)
                    out.append(_EMO_MAP.get(top, top))
                return out

            pred, speed = _timed(shipped, te_x)
            systems["shipped"] = _with_speed(M.single_label(te_y, pred, labels), speed)
            notes.append("shipped: dominant escucha emotion (lexicon + our emotion model; trust -> joy, none -> others)")
        else:
            notes.append("shipped skipped: no 'emotion' analyser registered")
        clf = _adapted(tr_x, tr_y, seed)
        pred, speed = _timed(clf.predict, te_x)
        systems["adapted"] = _with_speed(M.single_label(te_y, pred, labels), speed)
        notes.append(f"adapted: {clf.meta['model']} cv {clf.meta.get('cv_macro_f1')} bias {clf.meta.get('bias')}")
        trial = Trial(
            systems, notes, tr_x, tr_y, te_x, lambda p: M.single_label(te_y, p, labels), seed, finetune
        )
        if lang == "en":
            trial.add_embedding_system(class_weight="balanced")
        # MiniLM is English: in Spanish it measures how far word pieces carry
        trial.add_finetuned_system(class_weight="balanced")
        return {
            "systems": systems,
            "baselines": _baselines(tr_x, tr_y, te_x, lambda p: M.single_label(te_y, p, labels)),
            "primary": "macro_f1",
            "notes": [*notes, "adapted is trained on EmoEvent train+dev"],
        }

    return task


def banking77_custom(
    data_dir: Path, seed: int, max_train: int | None, max_test: int | None, *, finetune: bool = False
) -> Result:
    tr_x, tr_y = _split(_sample(D.banking77(data_dir, "train"), max_train, seed))
    te_x, te_y = _split(_sample(D.banking77(data_dir, "test"), max_test, seed))
    labels = sorted(set(tr_y) | set(te_y))
    clf = TextClassifier(model="svm_c0.3", seed=seed).fit(tr_x, tr_y)
    pred, speed = _timed(clf.predict, te_x)
    systems = {"adapted": _with_speed(M.single_label(te_y, pred, labels), speed)}
    notes = ["adapted: TextClassifier (linear SVM) trained on banking77 train, as `escucha train` does"]
    Trial(systems, notes, tr_x, tr_y, te_x, lambda p: M.single_label(te_y, p, labels), seed).add_embedding_system(
        model="svm_c0.3", metric="accuracy"
    )
    return {
        "systems": systems,
        "baselines": _baselines(tr_x, tr_y, te_x, lambda p: M.single_label(te_y, p, labels)),
        "primary": "accuracy",
        "notes": notes,
    }


def intents(
    data_dir: Path, seed: int, max_train: int | None, max_test: int | None, *, finetune: bool = False
) -> Result:
    """Per-intent precision/recall of the ``intent`` analyser on tests/data/intents_eval.csv."""
    path = Path(__file__).resolve().parents[3] / "tests" / "data" / "intents_eval.csv"
    if not path.exists():
        raise Skip(f"{path} does not exist yet")
    if not has_analyser("intent"):
        raise Skip("no 'intent' analyser registered")
    import csv

    with path.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    from escucha.models import INTENTS

    texts = [r["text"] for r in rows]
    # One 0/1 column per intent (or an "intents" column with "|"-separated names).
    if rows and "intents" in rows[0]:
        gold = [[x.strip() for x in (r.get("intents") or "").split("|") if x.strip()] for r in rows]
    else:
        gold = [[i for i in INTENTS if (r.get(i) or "0").strip() == "1"] for r in rows]
    langs = [(r.get("language") or None) for r in rows]
    names = ["language", "sentences", "sentiment", "emotion", "aspects", "intent"]
    names = [n for n in names if n in ("language", "sentences", "sentiment", "intent") or has_analyser(n)]
    docs, speed = _timed(lambda xs: run_pipeline(xs, names, langs), texts)
    fig = _with_speed(M.multi_label(gold, [d.intents for d in docs], list(INTENTS)), speed)
    return {
        "systems": {"shipped": fig},
        "baselines": _intent_baselines(texts, gold, list(INTENTS), seed),
        "primary": "micro_f1",
        "notes": [
            str(path.name),
            "baselines: keywords (one regex of obvious cue words per intent, es + en); tfidf_wc_lr_cv5 "
            "(word + char TF-IDF one-vs-rest LR, 5-fold cross-validated on this set: each text is "
            "predicted by a model that never saw it, trained on ~365 labelled texts)",
        ],
    }


# What an analyst would filter a spreadsheet on: a few obvious cue words per intent, es + en.
INTENT_KEYWORDS: dict[str, str] = {
    "complaint": r"problema|queja|reclamo|fatal|horrible|terrible|p[eé]sim|no funciona|"
    r"problem|complain|awful|worst|broken|doesn'?t work|not working",
    "praise": r"gracias|excelente|genial|encant|perfect|maravill|"
    r"thank|great|excellent|love|amazing|awesome",
    "suggestion": r"sugerencia|sugiero|deber[ií]an|podr[ií]an|ser[ií]a (bueno|mejor)|ojal[aá]|"
    r"suggest|should|could you|would be (nice|great|better)|please add",
    "question": r"\?|^(qu[eé]|c[oó]mo|cu[aá]ndo|d[oó]nde|por qu[eé])\b|^(what|how|when|where|why|can|do|is)\b",
    "churn_threat": r"\bbaja\b|competencia|me cambio a|me voy a otr|nunca m[aá]s|"
    r"cancel (my|the) (account|subscription|card|membership|service)|close my account|"
    r"switch(ing)? to|competitor|never again",
    "public_threat": r"redes|twitter|facebook|publicar|denunci|consumo|rese[nñ]a|"
    r"social media|post (this|it)|review|tell everyone|news|bbb",
}


def _intent_baselines(
    texts: list[str], gold: list[list[str]], labels: list[str], seed: int
) -> dict[str, Result]:
    """``keywords`` (cue words) and ``tfidf_wc_lr_cv5`` (a classifier trained on the set itself,
    5-fold cross-validated), scored like the shipped intents."""
    import re

    from sklearn.model_selection import KFold

    rules = {k: re.compile(v, re.IGNORECASE) for k, v in INTENT_KEYWORDS.items() if k in labels}

    def keywords(xs: list[str]) -> list[list[str]]:
        return [[k for k, rx in rules.items() if rx.search(x or "")] for x in xs]

    pred, speed = _timed(keywords, texts)
    out = {"keywords": _with_speed(M.multi_label(gold, pred, labels), speed)}
    mlb = MultiLabelBinarizer(classes=labels)
    y = mlb.fit_transform([[g for g in gs if g in labels] for gs in gold])
    cv_pred: list[list[str]] = [[] for _ in texts]
    seconds = 0.0
    for tr, va in KFold(5, shuffle=True, random_state=seed).split(texts):
        ytr = y[tr]
        keep = [j for j in range(len(labels)) if 0 < ytr[:, j].sum() < len(tr)]
        base = make_pipeline(_word_char_tfidf(), OneVsRestClassifier(LogisticRegression(C=3.0, max_iter=2000)))
        base.fit([texts[i] for i in tr], ytr[:, keep])
        t0 = time.perf_counter()
        p = base.predict([texts[i] for i in va])
        seconds += time.perf_counter() - t0
        for row, i in zip(p, va, strict=True):
            cv_pred[i] = [labels[keep[j]] for j in np.flatnonzero(row)]
    speed = round(len(texts) / max(seconds, 1e-9), 1)
    out["tfidf_wc_lr_cv5"] = _with_speed(M.multi_label(gold, cv_pred, labels), speed)
    return out


TASKS: dict[str, Task] = {
    "airline_sentiment": airline_sentiment,
    "hotel_sentiment_es": hotel_sentiment_es,
    "hotel_rating_es": hotel_rating_es,
    "airline_reason": airline_reason,
    "semeval14_restaurant_category": semeval14_restaurant_category,
    "semeval14_restaurant_polarity": semeval14_restaurant_polarity,
    "opener_es": opener_es,
    "emotion_es": _emotion("es"),
    "emotion_en": _emotion("en"),
    "banking77_custom": banking77_custom,
    "intents": intents,
}
