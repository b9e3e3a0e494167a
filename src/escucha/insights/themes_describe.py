"""Describing themes: c-TF-IDF key phrases per language, sentiment, emotion, trend, quotes, first voice."""

from __future__ import annotations

import logging
import math
import re
from collections import Counter
from typing import Any, cast

import numpy as np
import pandas as pd
from scipy.stats import norm as normal
from sklearn.feature_extraction.text import CountVectorizer

from escucha.insights.themes_text import STOP_WORDS, TOKEN

log = logging.getLogger(__name__)

RECENT_DAYS = 28


def key_phrases(groups: dict[Any, list[str]], top: int = 6, ngrams: tuple[int, int] = (1, 2)) -> dict[Any, list[str]]:
    """c-TF-IDF: one class document per group (normalised texts); top 1–2-grams per group."""
    keys = [k for k, v in groups.items() if v]
    if not keys:
        return {}
    docs = [" . ".join(groups[k]) for k in keys]
    cv = CountVectorizer(token_pattern=TOKEN.pattern, stop_words=sorted(STOP_WORDS), ngram_range=ngrams,
                         min_df=1)  # fmt: skip
    try:
        m = cv.fit_transform(docs).astype(np.float64)
    except ValueError:
        return {k: [] for k in keys}
    terms = cv.get_feature_names_out()
    tf = m.multiply(1.0 / np.maximum(m.sum(axis=1), 1)).tocsr()
    f = np.asarray(m.sum(axis=0)).ravel()
    avg = m.sum() / len(keys)
    idf = np.log1p(avg / np.maximum(f, 1))
    w = tf.multiply(idf).tocsr()
    out: dict[Any, list[str]] = {}
    for r, k in enumerate(keys):
        row = w.getrow(r)
        order = row.indices[np.argsort(-row.data)]
        chosen: list[str] = []
        for j in order[: top * 4]:
            t = str(terms[j])
            if any(t in c.split() or c in t.split() or t == c for c in chosen):
                continue
            if any(set(t.split()) <= set(c.split()) for c in chosen):
                continue
            chosen.append(t)
            if len(chosen) == top:
                break
        out[k] = chosen
    return out


def label_from(phrases: list[str], n: int = 3) -> str:
    return " · ".join(phrases[:n]) if phrases else "(no key words)"


_ACCENTS = {"a": "[aáàä]", "e": "[eéèë]", "i": "[iíìï]", "o": "[oóòö]", "u": "[uúùü]", "n": "[nñ]", "c": "[cç]"}


def _word_pattern(word: str) -> str:
    return "".join(_ACCENTS.get(ch, re.escape(ch)) for ch in word)


def surface(phrase: str, texts: list[str]) -> str | None:
    """The commonest way the customers wrote ``phrase`` (normalised words, in order, up to two
    short words between them: "mañana casa" → "mañana en casa"), in their own spelling."""
    words = phrase.split()
    if not words:
        return None
    gap = r"[\s'’-]+(?:\w{1,4}[\s'’-]+){0,2}?"  # spaces, not punctuation: a phrase never spans a comma
    rx = re.compile(r"\b" + gap.join(_word_pattern(w) for w in words) + r"\b", re.I)
    found = Counter(m.group(0).lower() for t in texts for m in rx.finditer(t))
    return found.most_common(1)[0][0] if found else None


MIN_PHRASE_SHARE = 0.04  # a multi-word name must be written in at least this share of the texts


def _same_stem(a: str, b: str) -> bool:
    """"seat"/"seats", "flight"/"flights", "wait"/"waiting": one word said twice."""
    a, b = a.lower(), b.lower()
    n = min(len(a), len(b))
    return n >= 3 and a[: max(3, n - 1)] == b[: max(3, n - 1)]


def _written(form: str, texts: list[str]) -> int:
    return sum(form in t.lower() for t in texts[:1000])


def readable_label(phrases: list[str], texts: list[str], multi: list[str] | None = None) -> str:
    """A theme's name as a person would write it, in the customers' own wording, capitalised.

    Tried in order, each kept only when enough of the theme's texts contain it: a key phrase of
    two or more words holding the theme's top word; the commonest way the customers put the top
    word together with another top word ("volvería a comprar", "need help"); another key phrase
    holding one of the top three words; any other pair. Else the top word with a runner-up that is not the same word again
    ("Seat · wifi", never "Seat · seats")."""
    if not phrases:
        return label_from(phrases)
    need = MIN_PHRASE_SHARE * min(len(texts), 1000)
    top = phrases[0].split()
    cands = [p for p in (multi or []) + phrases[:4] if len(p.split()) >= 2][:6]
    singles = [p for p in phrases[:4] if len(p.split()) == 1]

    def holds_top(p: str) -> bool:
        return any(_same_stem(w, t) for w in p.split() for t in top)

    def phrase(ps: list[str]) -> str | None:
        for p in ps:
            form = surface(p, texts)
            if form and _written(form, texts) >= need:
                return form
        return None

    def pair(first: list[str]) -> str | None:
        found = []
        for a in first:
            for b in singles:
                if a == b or _same_stem(a, b):
                    continue
                for form in (surface(f"{a} {b}", texts), surface(f"{b} {a}", texts)):
                    if form:
                        found.append((_written(form, texts), form))
        best = max(found, default=None)
        return best[1] if best and best[0] >= need else None

    def holds_any(p: str) -> bool:  # one of the top three words: never a phrase off the theme's point
        return any(_same_stem(w, t) for w in p.split() for t in " ".join(phrases[:3]).split())

    name = (phrase([p for p in cands if holds_top(p)]) or pair([w for w in singles if holds_top(w)])
            or phrase([p for p in cands if holds_any(p)]) or pair(singles))
    if not name:
        best = phrases[0]
        name = surface(best, texts) or best
        if len(name.split()) == 1:
            other = next((p for p in phrases[1:] if p != best and not _same_stem(p, best)), None)
            if other:
                name = f"{name} · {surface(other, texts) or other}"
    return name[:1].upper() + name[1:]


def names_for(groups: dict[Any, list[str]]) -> dict[Any, str]:
    """A readable name for each group of raw texts, from what sets it apart from the other groups
    (c-TF-IDF key phrases, then :func:`readable_label`)."""
    from escucha.insights.themes_text import normalize

    norm = {k: [normalize(t) for t in v] for k, v in groups.items()}
    phrases, multi = key_phrases(norm), key_phrases(norm, ngrams=(2, 3))
    return {k: readable_label(phrases.get(k, []), groups[k][:2000], multi.get(k, []))
            for k in groups if phrases.get(k)}  # fmt: skip


def item_emotions(ctx: Any, filters: Any = None) -> pd.Series | None:
    """Each voice's dominant emotion (for a theme's), or None when the store has no analyses."""
    try:
        it = ctx.store.items(filters)
    except Exception:  # pragma: no cover - store without analyses
        return None
    if "dominant_emotion" not in it:
        return None
    out: pd.Series = it.set_index("id")["dominant_emotion"].dropna()
    return out


def trend(ts: pd.Series, all_ts: pd.Series) -> tuple[str, float | None, list[list[Any]]]:
    """emerging / growing / stable / declining from weekly counts (two-proportion z-test of the
    last four weeks' share against the earlier share); also the weekly counts."""
    ts = pd.to_datetime(ts, utc=True).dropna()
    all_ts = pd.to_datetime(all_ts, utc=True).dropna()
    if ts.empty or all_ts.empty:
        return "stable", None, []
    weeks = ts.dt.tz_localize(None).dt.to_period("W").dt.start_time
    weekly = [[cast(pd.Timestamp, d).date().isoformat(), int(c)]
              for d, c in weeks.value_counts().sort_index().items()]
    end = all_ts.max()
    start = all_ts.min()
    cut = end - pd.Timedelta(days=RECENT_DAYS)
    if (end - start) < pd.Timedelta(days=2 * RECENT_DAYS):
        return "stable", None, weekly
    n_recent, n_before = int((all_ts > cut).sum()), int((all_ts <= cut).sum())
    x_recent, x_before = int((ts > cut).sum()), int((ts <= cut).sum())
    if n_recent == 0 or n_before == 0:
        return "stable", None, weekly
    if ts.min() > cut and x_recent >= 5:
        return "emerging", None, weekly
    p1, p0 = x_recent / n_recent, x_before / n_before
    p = (x_recent + x_before) / (n_recent + n_before)
    se = math.sqrt(max(p * (1 - p) * (1 / n_recent + 1 / n_before), 1e-12))
    z = (p1 - p0) / se
    pval = float(2 * normal.sf(abs(z)))
    if pval < 0.05:
        return ("growing" if z > 0 else "declining"), pval, weekly
    return "stable", pval, weekly


def describe(
    sents: pd.DataFrame,
    labels: np.ndarray,
    sims: np.ndarray,
    emotions: pd.Series | None,
    *,
    n_quotes: int = 3,
) -> dict[int, dict[str, Any]]:
    """Per theme id: size, items, customers, sentiment shares, emotion, trend, quotes, first voice,
    languages, top aspects and key phrases (per language and in the theme's main language)."""
    df = sents.assign(_theme=labels, _sim=sims)
    df = df[df["_theme"] >= 0]
    out: dict[int, dict[str, Any]] = {}
    groups: dict[tuple[int, str], list[str]] = {}
    rng = np.random.default_rng(0)
    for tid, g in df.groupby("_theme", sort=True):
        langs = g["language"].fillna("unknown").value_counts()
        for lang, lg in g.groupby(g["language"].fillna("unknown")):
            texts = lg["_norm"].tolist()
            if len(texts) > 3000:
                texts = [texts[i] for i in np.sort(rng.choice(len(texts), 3000, replace=False))]
            groups[(int(cast(int, tid)), str(lang))] = texts
        sent = g["sentiment"].value_counts(normalize=True)
        emo = None
        if emotions is not None:
            e = emotions.reindex(g["item_id"].unique()).dropna()
            if not e.empty:
                emo = str(e.value_counts().idxmax())
        tr, pval, weekly = trend(g["timestamp"], sents["timestamp"])
        quotes = []
        seen: set[str] = set()
        cand = g[g["text"].str.len().between(15, 300)]
        cand = cand if len(cand) else g
        for r in cand.sort_values("_sim", ascending=False).head(50).itertuples():
            key = str(r.text).strip().lower()
            if key in seen:
                continue
            seen.add(key)
            quotes.append({"item_id": r.item_id, "text": r.text, "customer_id": r.customer_id})
            if len(quotes) == n_quotes:
                break
        first = None
        dated = g.dropna(subset=["timestamp"])
        if len(dated):
            f = dated.sort_values(["timestamp", "item_id", "idx"]).iloc[0]
            first = {
                "customer_id": None if pd.isna(f["customer_id"]) else f["customer_id"],
                "item_id": f["item_id"],
                "timestamp": pd.Timestamp(f["timestamp"]).isoformat(),
                "text": f["text"],
            }
        aspects = pd.Series([a for lst in g["_aspects"] for a in lst]).value_counts().head(3)
        out[int(cast(int, tid))] = {
            "size": len(g),
            "items": int(g["item_id"].nunique()),
            "customers": int(g["customer_id"].dropna().nunique()),
            "share_negative": round(float(sent.get("negative", 0.0)), 4),
            "share_positive": round(float(sent.get("positive", 0.0)), 4),
            "dominant_emotion": emo,
            "trend": tr,
            "trend_p": pval,
            "weekly": weekly,
            "quotes": quotes,
            "first_raised": first,
            "language": str(langs.index[0]),
            "languages": {str(k): int(v) for k, v in langs.items()},
            "aspects": [str(a) for a in aspects.index],
        }
    phrases = key_phrases(groups)
    multi = key_phrases(groups, ngrams=(2, 3))
    for tid, d in out.items():
        by_lang = {lang: phrases.get((tid, lang), []) for lang in d["languages"]}
        d["key_phrases_by_language"] = by_lang
        d["key_phrases"] = by_lang.get(d["language"], [])
        g = df[(df["_theme"] == tid) & (df["language"].fillna("unknown") == d["language"])]
        d["name"] = readable_label(d["key_phrases"], g["text"].astype(str).head(2000).tolist(),
                                   multi.get((tid, d["language"]), []))
    distinct_names(out)
    return out


def distinct_names(themes: dict[Any, dict[str, Any]]) -> None:
    """Two themes never share a name: the larger keeps it, each other one adds its first key
    phrase that is not already in the name ("Customer service · hold")."""
    by_name: dict[str, list[Any]] = {}
    for tid, d in themes.items():
        by_name.setdefault(str(d.get("name", "")).lower(), []).append(tid)
    taken = set(by_name)
    for ids in by_name.values():
        ids.sort(key=lambda t: -int(themes[t].get("size") or 0))
        for tid in ids[1:]:
            d = themes[tid]
            name = str(d.get("name", ""))
            for p in d.get("key_phrases") or []:
                cand = f"{name} · {p}"
                if p.lower() not in name.lower() and cand.lower() not in taken:
                    d["name"] = cand
                    taken.add(cand.lower())
                    break


def snapshot_section(ctx: Any, limit: int = 5) -> list[dict[str, Any]]:
    """Rising themes (trend emerging or growing) for the morning snapshot, from stored themes only."""
    docs = [d for d in ctx.store.get_docs("themes").values() if d.get("trend") in ("emerging", "growing")]
    docs.sort(key=lambda d: (d.get("trend") != "emerging", -int(d.get("size") or 0), str(d.get("label"))))
    out = []
    trend_es = {"emerging": "emergente", "growing": "en alza"}
    for d in docs[:limit]:
        neg = d.get("share_negative")
        n = int(d.get("items") or d.get("size") or 0)
        detail = f"{d.get('trend')} · {n} voices"
        detail_es = f"{trend_es.get(str(d.get('trend')), d.get('trend'))} · {n} voces"
        if isinstance(neg, int | float) and neg == neg:
            detail += f" · {100 * float(neg):.0f}% negative"
            detail_es += f" · {100 * float(neg):.0f}% negativas"
        out.append({"title": str(d.get("label") or d.get("id")), "detail": detail, "detail_en": detail,
                    "detail_es": detail_es, "href": "/themes"})  # fmt: skip
    return out


LANG_NAMES = {"es": "Spanish", "en": "English", "pt": "Portuguese", "fr": "French", "de": "German",
              "it": "Italian", "ca": "Catalan"}  # fmt: skip
_NAME_OK = re.compile(r"^[^\n]{2,60}$")


def proposed_name(answer: str) -> str | None:
    """An endpoint's answer as a theme name, or None when it is not one (a paragraph, a list)."""
    name = answer.strip().splitlines()[0].strip() if answer.strip() else ""
    name = re.sub(r"^(?:name|nombre|theme|tema)\s*:\s*", "", name, flags=re.I).strip(" \"'“”«»*.`")
    if not _NAME_OK.match(name) or not 1 <= len(name.split()) <= 6:
        return None
    return name[:1].upper() + name[1:]


def llm_names(themes: dict[Any, dict[str, Any]], url: str, model: str, timeout: float,
              reuse: dict[str, dict[str, Any]] | None = None) -> int:  # fmt: skip
    """Ask an OpenAI-compatible endpoint to name each theme from its key phrases and quotes, in
    the theme's language; keep the phrase-based name when the answer is not a short name. A theme
    whose top key phrases are unchanged keeps the name proposed on an earlier run (``reuse``: the
    stored theme documents). Stops asking after the first failed request (endpoint down). Returns
    how many names came from the endpoint. Message text is never logged."""
    from escucha.backends.chat import ChatError, complete

    asked = 0
    for tid, d in themes.items():
        old = (reuse or {}).get(str(tid), {})
        if old.get("name_source") == "llm" and old.get("key_phrases", [])[:3] == d.get("key_phrases", [])[:3]:
            d.update(name=old.get("label"), name_source="llm")
            continue
        lang = LANG_NAMES.get(str(d.get("language")), "the customers' language")
        quotes = "\n".join(f"- {q['text']}" for q in d.get("quotes", [])[:5] if q.get("text"))
        system = (f"You name themes found in customer feedback. Answer with the theme's name only: 2 to 5 "
                  f"words in {lang}, as a customer-experience analyst would write it, no quotes.")  # fmt: skip
        user = f"Key phrases: {', '.join(d.get('key_phrases', [])[:6])}\nWhat customers wrote:\n{quotes}"
        try:
            answer = complete(url, model, system, user, timeout=timeout, temperature=0.0)
        except ChatError as exc:
            log.warning("themes: the naming endpoint failed (%s); names from key phrases", exc.reason)
            break
        name = proposed_name(answer)
        if name:
            d.update(name=name, name_source="llm")
            asked += 1
    return asked


def propose_names(themes: dict[Any, dict[str, Any]], settings: Any, reuse: dict[str, dict[str, Any]]) -> None:
    """Names from the endpoint in ``settings.themes_llm_url`` when one is configured (else nothing)."""
    url, model = settings.themes_llm_url, settings.themes_llm_model
    if url and model and themes:
        llm_names(themes, url, model, settings.themes_llm_timeout_s, reuse=reuse)
        distinct_names(themes)
