"""Customer journey map: stages and touchpoints from YAML, feedback assigned per sentence.

A journey comes from (first found): the ``journey`` argument (a dict, a shipped name such as
``retail`` or a YAML path), the workspace's ``journey.yaml``, the ``journey:`` block of its
``company.yaml``, or the shipped default of the workspace's domain (airline, hotel, retail,
telecom). Each customer sentence goes to touchpoints by keyword rules, by aspect mapping
(explicit ``aspects:`` or learnt from keyword-assigned sentences) and by TF-IDF character n-gram
similarity to the touchpoint's example phrases.
"""

from __future__ import annotations

import copy
import json
import math
import re
from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import yaml

from escucha.errors import ConfigError
from escucha.insights.base import (
    Insight,
    InsightContext,
    InsightResult,
    TableView,
    fmt,
    register_insight,
    titles,
)
from escucha.insights.drivers import choose_target, driver_weights, key_drivers
from escucha.insights.inputs import aspect_labels, customer_items, load_company, voice_sentences
from escucha.insights.journey_phrases import content_words as content_words
from escucha.insights.journey_phrases import fold as fold
from escucha.insights.journey_phrases import folded_words, propose_touchpoints, top_phrases
from escucha.insights.metrics import net_score

JOURNEY_DIR = Path(__file__).parent / "journeys"
DEFAULT_JOURNEYS: tuple[str, ...] = ("airline", "hotel", "retail", "telecom")
SIM_THRESHOLD = 0.42
SIM_CHUNK = 50_000  # texts vectorised at a time
EFFORT = re.compile(
    r"(?<!\w)(dificil|complicad[oa]|un lio|lioso|engorros[oa]|tuve que|tengo que|varias veces|"
    r"otra vez|de nuevo|imposible|me costo|no hay manera|facil|sencill[oa]|comod[oa] de|rapido y|"
    r"hard|difficult|complicated|hassle|had to|several times|again and again|impossible|"
    r"easy|simple|effortless|seamless)(?!\w)"
)
EFFORT_EASY = re.compile(r"(?<!\w)(facil|sencill[oa]|easy|simple|effortless|seamless)(?!\w)")
SUGGESTION = re.compile(
    r"(?<!\w)(deberian|deberiais|podrian|podriais|ojala|estaria bien|seria genial|seria bueno|"
    r"me gustaria|falta|faltaria|should|could you|would be nice|would love|wish|please add|"
    r"why not|por que no|porque no|me encantaria|propongo|sugiero)(?!\w)"
)
MOTIVE = re.compile(r"(?<!\w)(porque|por eso|por el|por la|me decidi|elegi|because|chose|that's why)(?!\w)")


def keyword_regex(keywords: list[str]) -> re.Pattern[str] | None:
    kws = sorted({fold(k).strip() for k in keywords if str(k).strip()}, key=len, reverse=True)
    if not kws:
        return None
    return re.compile(r"(?<![\w@])(?:" + "|".join(re.escape(k) for k in kws) + r")(?!\w)")


# ------------------------------------------------------------------------ loading
def as_str_list(v: Any) -> list[str]:
    """Strings from a YAML value: none, one, a list, or a mapping of lists (e.g. per language)."""
    if v is None:
        return []
    if isinstance(v, str):
        return [v]
    if isinstance(v, dict):
        return [str(x) for vals in v.values() for x in as_str_list(vals)]
    return [str(x) for x in v]


def normalize_journey(data: Any, source: str = "journey") -> dict[str, Any]:
    """Check and normalise a journey mapping; errors name the file and the field."""
    if isinstance(data, dict) and "journey" in data and "stages" not in data:
        data = data["journey"]
    if not isinstance(data, dict) or not isinstance(data.get("stages"), list) or not data["stages"]:
        raise ConfigError(f"{source}: a journey needs a non-empty 'stages' list", field="stages")
    stages = []
    seen: set[str] = set()
    for i, st in enumerate(data["stages"]):
        where = f"stages[{i}]"
        if not isinstance(st, dict) or not st.get("id"):
            raise ConfigError(f"{source}: {where}: each stage needs an 'id'", field=f"{where}.id")
        tps = []
        for j, tp in enumerate(st.get("touchpoints") or []):
            w2 = f"{where}.touchpoints[{j}]"
            if not isinstance(tp, dict) or not tp.get("id"):
                raise ConfigError(f"{source}: {w2}: each touchpoint needs an 'id'", field=f"{w2}.id")
            tid = str(tp["id"])
            if tid in seen:
                raise ConfigError(f"{source}: {w2}: duplicate touchpoint id '{tid}'", field=f"{w2}.id")
            seen.add(tid)
            tps.append({
                "id": tid, "stage": str(st["id"]), "name": str(tp.get("name") or tid),
                "name_en": str(tp.get("name_en") or tp.get("name") or tid),
                "description": str(tp.get("description") or ""),
                "keywords": as_str_list(tp.get("keywords")), "aspects": as_str_list(tp.get("aspects")),
                "examples": as_str_list(tp.get("examples")),
            })
        if not tps:
            raise ConfigError(f"{source}: {where}: stage '{st['id']}' has no touchpoints",
                              field=f"{where}.touchpoints")
        stages.append({"id": str(st["id"]), "name": str(st.get("name") or st["id"]),
                       "name_en": str(st.get("name_en") or st.get("name") or st["id"]),
                       "touchpoints": tps})
    return {"name": str(data.get("name") or "journey"), "source": source, "stages": stages}


def _read_yaml(p: Path) -> Any:
    try:
        return yaml.safe_load(p.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise ConfigError(f"{p}: not valid YAML: {exc}", field="journey") from exc


def _guess_domain(ctx: InsightContext) -> str:
    doms = [d for d in ctx.settings.domains if d in DEFAULT_JOURNEYS]
    if len(doms) == 1:
        return doms[0]
    try:
        a = ctx.aspects()
    except Exception:
        return "retail"
    counts = Counter(str(x).split(".")[0] for x in a["aspect"] if "." in str(x)) if len(a) else {}
    best = [d for d, _ in Counter(counts).most_common() if d in DEFAULT_JOURNEYS]
    return best[0] if best else "retail"


def load_journey(ctx: InsightContext | None = None, journey: Any = None) -> dict[str, Any]:
    """The journey to use (see the module doc for the order)."""
    if isinstance(journey, dict):
        return normalize_journey(journey, "journey")
    if isinstance(journey, str | Path):
        name = str(journey)
        if name in DEFAULT_JOURNEYS:
            p = JOURNEY_DIR / f"{name}.yaml"
        else:
            p = Path(name)
            if not p.exists():
                raise ConfigError(f"no journey '{name}': give a YAML file or one of "
                                  f"{', '.join(DEFAULT_JOURNEYS)}", field="journey")
        return normalize_journey(_read_yaml(p), str(p))
    if ctx is not None:
        p = ctx.layout.journey
        if p.exists():
            return normalize_journey(_read_yaml(p), str(p))
        company = load_company(ctx)
        if company.get("journey"):
            return normalize_journey(company["journey"], str(ctx.layout.company))
        name = _guess_domain(ctx)
    else:
        name = "retail"
    p = JOURNEY_DIR / f"{name}.yaml"
    return normalize_journey(_read_yaml(p), str(p))


def touchpoints(journey: dict[str, Any]) -> list[dict[str, Any]]:
    return [tp for st in journey["stages"] for tp in st["touchpoints"]]


# ------------------------------------------------------------------------ assignment
def assign_sentences(sentences: pd.DataFrame, journey: dict[str, Any]) -> pd.DataFrame:
    """(item_id, idx, touchpoint, stage, how, score) for every sentence that fits a touchpoint."""
    tps = touchpoints(journey)
    cols = ["item_id", "idx", "touchpoint", "stage", "how", "score"]
    if sentences.empty:
        return pd.DataFrame(columns=cols)
    texts = [fold(t) for t in sentences["text"].astype(str)]
    n, k = len(texts), len(tps)
    kw = np.zeros((n, k))
    for j, tp in enumerate(tps):
        rx = keyword_regex(tp["keywords"])
        if rx is None:
            continue
        for i, t in enumerate(texts):
            hits = len(rx.findall(t))
            if hits:
                kw[i, j] = 1.0 + 0.1 * (hits - 1)
    aspects = [list(a) if isinstance(a, list | np.ndarray) else [] for a in sentences["aspects"]]
    amap = _aspect_map(tps, aspects, kw)
    # short turns ("Vale, gracias") inherit aspects from context: only keywords may place them
    substantive = np.array([len(folded_words(t)) >= 3 for t in texts])
    asp = np.zeros((n, k))
    for i, al in enumerate(aspects):
        if not substantive[i]:
            continue
        for a in al:
            for j in amap.get(str(a), ()):
                asp[i, j] = 0.6
    sim = _similarity(texts, tps, substantive)  # zero for the others
    total = kw + asp + np.where(sim >= SIM_THRESHOLD, sim, 0.0)
    # each placed sentence goes to its best touchpoint and to every touchpoint a keyword names
    best = total.argmax(axis=1)  # a journey has touchpoints (normalize_journey)
    placed = total[np.arange(n), best] >= 0.45
    strong = kw >= 1.0
    strong[np.arange(n), best] = False
    multi = placed & strong.any(axis=1)
    rows_i, rows_j = [np.flatnonzero(placed & ~multi)], [best[placed & ~multi]]
    for i in np.flatnonzero(multi).tolist():  # the few with several: in the order as before
        chosen = list({int(best[i])} | set(np.flatnonzero(kw[i] >= 1.0).tolist()))
        rows_i.append(np.full(len(chosen), i))
        rows_j.append(np.array(chosen, dtype=np.intp))
    ri, rj = np.concatenate(rows_i), np.concatenate(rows_j).astype(np.intp)
    order = np.argsort(ri, kind="stable")
    ri, rj = ri[order], rj[order]
    how = np.where(kw[ri, rj] != 0, "keyword", np.where(asp[ri, rj] != 0, "aspect", "similarity"))
    tp_ids = np.array([tp["id"] for tp in tps], dtype=object)
    tp_stages = np.array([tp["stage"] for tp in tps], dtype=object)
    return pd.DataFrame({"item_id": sentences["item_id"].to_numpy()[ri], "idx": sentences["idx"].to_numpy()[ri].astype(np.int64),
                         "touchpoint": tp_ids[rj], "stage": tp_stages[rj], "how": how.astype(object),
                         "score": total[ri, rj].astype(float)}, columns=cols)  # fmt: skip


def _aspect_map(tps: list[dict[str, Any]], aspects: list[list[str]], kw: np.ndarray
                ) -> dict[str, list[int]]:
    """Aspect → touchpoints: explicit ``aspects:`` lists, else learnt from keyword matches."""
    out: dict[str, list[int]] = {}
    explicit = any(tp["aspects"] for tp in tps)
    for j, tp in enumerate(tps):
        for a in tp["aspects"]:
            out.setdefault(a, []).append(j)
    if explicit:
        return out
    co: dict[str, Counter[int]] = {}
    for i, al in enumerate(aspects):
        hit = np.nonzero(kw[i])[0]
        if len(hit) != 1:
            continue
        for a in al:
            co.setdefault(str(a), Counter())[int(hit[0])] += 1
    for a, c in co.items():
        total = sum(c.values())
        j, top = c.most_common(1)[0]
        if total >= 20 and top / total >= 0.5:
            out[a] = [j]
    return out


def _similarity(texts: list[str], tps: list[dict[str, Any]], rows: np.ndarray | None = None) -> np.ndarray:
    """Each text's best TF-IDF character n-gram similarity to each touchpoint's examples; only
    the texts where ``rows`` is true are compared (the others get 0: no need to vectorise them)."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    ex = [(j, fold(e)) for j, tp in enumerate(tps) for e in tp["examples"]]
    sim = np.zeros((len(texts), len(tps)))
    if not ex or not texts:
        return sim
    vec = TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 5), min_df=1, sublinear_tf=True)
    vec.fit(texts[:20000] + [e for _, e in ex])
    E = vec.transform([e for _, e in ex]).T.tocsr()
    rows_at = np.arange(len(texts)) if rows is None else np.flatnonzero(rows)
    for lo in range(0, len(rows_at), SIM_CHUNK):  # in chunks: a million texts' n-grams do not fit at once
        at = rows_at[lo:lo + SIM_CHUNK]
        m = (vec.transform([texts[i] for i in at]) @ E).toarray()
        for c, (j, _) in enumerate(ex):
            sim[at, j] = np.maximum(sim[at, j], m[:, c])
    return sim


# ------------------------------------------------------------------------ the map
def journey_map(ctx: InsightContext, journey: Any = None, lang: str = "es") -> dict[str, Any]:
    """The journey map: per stage and touchpoint volume, sentiment index (95% CI), emotions,
    effort, importance, motivations and doubts, moments of truth, and proposed touchpoints. The
    workspace's own journey is mapped once per context and language (page and section share it)."""

    def build() -> dict[str, Any]:
        j = load_journey(ctx, journey)
        sents = voice_sentences(ctx)
        assigned = assign_sentences(sents, j)
        return build_map(j, customer_items(ctx), sents, assigned, lang=lang, labels=aspect_labels(ctx, lang))

    if journey is not None:
        return build()
    return copy.deepcopy(ctx.memo(f"journey_map:{lang}", build))


def build_map(j: dict[str, Any], items: pd.DataFrame, sents: pd.DataFrame, assigned: pd.DataFrame,
              lang: str = "es", labels: dict[str, str] | None = None) -> dict[str, Any]:
    sent_key = sents.set_index(["item_id", "idx"])
    merged = assigned.join(sent_key[["text", "sentiment", "sentiment_score"]],
                           on=["item_id", "idx"])
    it = items.set_index("id")
    # importance: touchpoints as drivers (signed by the sentence's sentiment)
    drows = merged.groupby(["item_id", "touchpoint"])["sentiment_score"].mean().reset_index()
    drows["sign"] = np.sign(drows["sentiment_score"].where(drows["sentiment_score"].abs() >= 0.15, 0))
    drows = drows.rename(columns={"touchpoint": "driver"})
    drows["label"] = drows["driver"]
    target = choose_target(items) if not items.empty else "sentiment"
    kd = key_drivers(items, drows, target=target, min_mentions=10, n_boot=100) if len(items) else None
    weights = driver_weights(kd) if kd is not None else {}
    overall = _index(merged["sentiment"]) if len(merged) else (math.nan,) * 3
    tp_out = []
    for tp in touchpoints(j):
        m = merged[merged["touchpoint"] == tp["id"]]
        tp_out.append(_touchpoint_stats(tp, m, it, weights.get(tp["id"], 0.0), lang))
    _flag_moments(tp_out)
    stages = []
    for st in j["stages"]:
        ids = [tp["id"] for tp in st["touchpoints"]]
        m = merged[merged["stage"] == st["id"]].drop_duplicates(["item_id", "idx"])
        si, lo, hi = _index(m["sentiment"]) if len(m) else (math.nan,) * 3
        stages.append({"id": st["id"], "name": st["name"] if lang == "es" else st["name_en"],
                       "volume": len(m), "sentiment_index": si, "sentiment_low": lo,
                       "sentiment_high": hi,
                       "touchpoints": [t for t in tp_out if t["id"] in ids]})
    n_neg = int((merged.drop_duplicates(["item_id", "idx"])["sentiment"] == "negative").sum())
    unassigned = sents.merge(assigned[["item_id", "idx"]].drop_duplicates(), how="left",
                             on=["item_id", "idx"], indicator=True)
    unassigned = unassigned[unassigned["_merge"] == "left_only"]
    return {
        "journey": j["name"], "source": j["source"], "target": target,
        "sentences": len(sents), "assigned_sentences": len(assigned[["item_id", "idx"]]
                                                                   .drop_duplicates()),
        "overall_sentiment_index": overall[0],
        "stages": stages,
        "moments_of_truth": [t["id"] for t in tp_out if t["moment_of_truth"]],
        "most_negative_touchpoint": min(
            (t for t in tp_out if t["sentences"] >= 30), key=lambda t: t["sentiment_index"],
            default={"id": None})["id"],
        "pain_points": [
            {"id": t["id"], "stage": t["stage"], "negative_sentences": t["negative_sentences"],
             "share_of_negative": 100 * t["negative_sentences"] / max(n_neg, 1)}
            for t in sorted(tp_out, key=lambda t: -t["negative_sentences"])[:5]
        ],
        "proposed_touchpoints": propose_touchpoints(unassigned["text"].astype(str).tolist(),
                                                    merged["text"].astype(str).tolist()),
    }


def _index(s: pd.Series) -> tuple[float, float, float]:
    pos, neg = float((s == "positive").sum()), float((s == "negative").sum())
    known = float(s.isin(["positive", "neutral", "negative"]).sum())
    si, _, lo, hi = net_score(pos, neg, known)
    return si, lo, hi


def _touchpoint_stats(tp: dict[str, Any], m: pd.DataFrame, it: pd.DataFrame, weight: float,
                      lang: str) -> dict[str, Any]:
    texts = m["text"].astype(str).tolist()
    folded = [fold(t) for t in texts]
    si, lo, hi = _index(m["sentiment"]) if len(m) else (math.nan,) * 3
    iids = m["item_id"].unique().tolist()
    sub = it.loc[[i for i in iids if i in it.index]]
    emo: Counter[str] = Counter()
    intensity = []
    for e in sub["emotions"]:
        d = json.loads(e) if isinstance(e, str) else (e or {})
        emo.update({k: float(v) for k, v in d.items()})
        intensity.append(max(d.values()) if d else 0.0)
    n_items = max(len(sub), 1)
    effort_hits = [bool(EFFORT.search(t)) for t in folded]
    easy_hits = [bool(EFFORT_EASY.search(t)) for t in folded]
    ces = sub["ces"].dropna().astype(float) if "ces" in sub else pd.Series(dtype=float)
    questions = [t for t, f in zip(texts, folded, strict=True) if "?" in t]
    suggestions = [t for t, f in zip(texts, folded, strict=True) if SUGGESTION.search(f)]
    motives = [t for t, f in zip(texts, folded, strict=True) if MOTIVE.search(f)]
    neg_share = float((m["sentiment"] == "negative").mean()) if len(m) else 0.0
    return {
        "id": tp["id"], "stage": tp["stage"], "name": tp["name"] if lang == "es" else tp["name_en"],
        "sentences": len(m), "items": len(iids),
        "customers": int(sub["customer_id"].nunique()) if len(sub) else 0,
        "sentiment_index": si, "sentiment_low": lo, "sentiment_high": hi,
        "negative_share": 100 * neg_share,
        "negative_sentences": int((m["sentiment"] == "negative").sum()) if len(m) else 0,
        "emotions": [{"emotion": k, "score": v / n_items} for k, v in emo.most_common(3)],
        "emotion_intensity": float(np.mean(intensity)) if intensity else 0.0,
        "effort": {
            "ces": float(ces.mean()) if len(ces) else None, "n_ces": len(ces),
            "effort_word_share": 100 * (sum(effort_hits) - sum(easy_hits)) / max(len(m), 1),
            "hard_mentions": int(sum(effort_hits) - sum(easy_hits)),
            "easy_mentions": int(sum(easy_hits)),
        },
        "importance": weight,
        "doubts": top_phrases(questions, 5),
        "motivations": top_phrases(suggestions + motives, 5),
        "how": {k: int(v) for k, v in m["how"].value_counts().items()} if len(m) else {},
        "examples": _examples(m),
    }


def _examples(m: pd.DataFrame, n: int = 3) -> list[dict[str, Any]]:
    if m.empty:
        return []
    m = m.drop_duplicates("text").sort_values("sentiment_score")
    picks = pd.concat([m.head(2), m.tail(1)]).drop_duplicates("text").head(n)
    return [{"item_id": r.item_id, "text": str(r.text), "sentiment": r.sentiment}
            for r in picks.itertuples()]


def _flag_moments(tps: list[dict[str, Any]]) -> None:
    """Moments of truth: important touchpoints (driver weight ≥ median) with strong emotion or
    negativity; ``moment_score`` = normalised importance × intensity."""
    live = [t for t in tps if t["sentences"] >= 20]
    imp = [t["importance"] for t in live]
    max_imp = max(imp) if imp and max(imp) > 0 else 1.0
    cut = float(np.median(imp)) if imp else 0.0
    for t in tps:
        strength = max(t["negative_share"] / 100, t["emotion_intensity"] * 0.8)
        t["moment_score"] = 100 * (t["importance"] / max_imp) * strength
        t["moment_of_truth"] = bool(
            t in live and t["importance"] > 0 and t["importance"] >= cut
            and (t["negative_share"] >= 35 or t["emotion_intensity"] >= 0.6)
        )


# ------------------------------------------------------------------------ the insight
@register_insight
class Journey(Insight):
    """The customer journey map: per stage and touchpoint, volume, feeling, effort, moments of truth."""

    name = "journey"
    nav_title = titles(en="Journey", es="Recorrido")
    title = titles(en="Customer journey", es="Recorrido del cliente")
    order = 30
    page = "/journey"

    def compute(self, ctx: InsightContext, journey: Any = None, lang: str = "es",
                **params: Any) -> InsightResult[dict[str, Any]]:  # fmt: skip
        return InsightResult(journey_map(ctx, journey=journey, lang=lang))

    def section(self, ctx: InsightContext) -> dict[str, Any] | None:
        j = journey_map(ctx)
        if not j.get("stages") or not j.get("assigned_sentences"):
            return None
        moments = []
        for st in j["stages"]:
            for t in st["touchpoints"]:
                if t.get("moment_of_truth"):
                    neg = [e for e in t.get("examples") or [] if e.get("sentiment") == "negative"]
                    moments.append({
                        "id": t["id"], "name": t.get("name"), "stage": st.get("name"), "sentences": t.get("sentences"),
                        "sentiment_index": t.get("sentiment_index"), "negative_pct": t.get("negative_share"),
                        "importance": t.get("importance"), "moment_score": t.get("moment_score"),
                        "emotions": [e.get("emotion") for e in t.get("emotions") or []][:2],
                        "quote": (neg or t.get("examples") or [{}])[0].get("text"),
                    })  # fmt: skip
        moments.sort(key=lambda m: -(m["moment_score"] or 0.0))
        return {**j, "moments": moments}

    def table(self, section: Any) -> TableView:
        rows = []
        for st in section["stages"]:
            tps = ", ".join(f"{tp['name']}{'★' if tp.get('moment_of_truth') else ''} ({fmt(tp['sentiment_index'], 0)}, "
                            f"{tp['sentences']})" for tp in st["touchpoints"])  # fmt: skip
            rows.append([st["name"], fmt(st["sentiment_index"], 0), tps])
        return TableView(f"Customer journey ({section['assigned_sentences']:,} of {section['sentences']:,} sentences "
                         "placed; ★ moment of truth)",
                         [("stage", False), ("sentiment", True), ("touchpoints (sentiment, volume)", False)], rows)  # fmt: skip
