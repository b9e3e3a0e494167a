"""Promise vs experience: does what customers live match what the brand promises?

Promises come from the ``promises:`` block of the workspace's ``company.yaml`` or from its
``promises.yaml`` (a list, or a mapping with ``promises:``). Each promise has an ``id``, the
``promise`` (short claim, e.g. "Entrega en 24 horas"), optional ``claim``/``claim_en``,
``campaign``, ``channels``, ``start``/``end`` dates, ``keywords``, ``breaks`` (phrases that show
it broken) and ``keeps`` (phrases that show it kept).

Every customer sentence is matched to promises by *strong* keys (the claim itself, the campaign
name, the promised duration in its ES/EN variants, multi-word keywords) or by a single-word
keyword together with evidence (a contradiction cue such as "prometían", "supposedly", a break
phrase, or a duration beyond the promised one). Each mention is kept, broken or neutral; per
promise: mentions, kept/broken shares, a gap score (broken share weighted by negativity, 95% CI),
a weekly trend, a before/after-campaign test and evidence quotes.

The gap score is the share of customer voices in the promise's window (start..end) that report
it broken, each weighted by how negative the breaking sentence is (0.5 + 0.5 · negativity), in
points per 100 voices with a 95% CI. It is read against the whole customer base because people
mostly mention a promise when it fails: ``broken_share`` (among mentions, Wilson CI) and
``gap_among_mentions`` are given too, but they are biased upwards.
"""

from __future__ import annotations

import math
import re
from datetime import date, datetime
from pathlib import Path
from typing import Any, cast

import numpy as np
import pandas as pd
import yaml
from scipy import stats as st

from escucha.errors import ConfigError
from escucha.insights.base import (
    Insight,
    InsightContext,
    InsightResult,
    TableView,
    cut,
    fmt,
    register_insight,
    titles,
)
from escucha.insights.inputs import customer_items, load_company
from escucha.insights.journey import fold
from escucha.insights.metrics import Z95, wilson

STATUSES = ("kept", "broken", "neutral")

_NUMS = {
    "un": 1, "una": 1, "uno": 1, "a": 1, "an": 1, "one": 1, "dos": 2, "two": 2, "tres": 3,
    "three": 3, "cuatro": 4, "four": 4, "cinco": 5, "five": 5, "seis": 6, "six": 6, "siete": 7,
    "seven": 7, "ocho": 8, "eight": 8, "nueve": 9, "nine": 9, "diez": 10, "ten": 10, "once": 11,
    "doce": 12, "twelve": 12, "quince": 15, "fifteen": 15, "veinte": 20, "twenty": 20,
    "treinta": 30, "thirty": 30, "cuarenta": 40, "forty": 40, "48": 48, "medio": 0.5, "media": 0.5,
}
_UNIT_H = {"h": 1, "hora": 1, "horas": 1, "hour": 1, "hours": 1, "hr": 1, "hrs": 1,
           "dia": 24, "dias": 24, "day": 24, "days": 24, "semana": 168, "semanas": 168,
           "week": 168, "weeks": 168, "mes": 720, "meses": 720, "month": 720, "months": 720,
           "minuto": 1 / 60, "minutos": 1 / 60, "minute": 1 / 60, "minutes": 1 / 60, "min": 1 / 60}
_NUM_RX = r"\d+(?:[.,]\d+)?|" + "|".join(sorted((k for k in _NUMS if not k.isdigit()),
                                                 key=len, reverse=True))
DURATION = re.compile(
    r"(?<![\w])(?P<q>menos de|less than|within|en menos de|antes de|under|hasta|up to|mas de|"
    r"more than|over|casi|almost)?\s*(?P<n>" + _NUM_RX + r")\s*-?\s*(?P<u>horas|hora|hours|hour|hrs|"
    r"hr|h|dias|dia|days|day|semanas|semana|weeks|week|meses|mes|months|month|minutos|minuto|"
    r"minutes|minute|min)(?!\w)"
)
_WEEKDAYS = {
    "lunes": 0, "martes": 1, "miercoles": 2, "jueves": 3, "viernes": 4, "sabado": 5, "domingo": 6,
    "monday": 0, "tuesday": 1, "wednesday": 2, "thursday": 3, "friday": 4, "saturday": 5,
    "sunday": 6,
}
_WEEKDAY_RX = re.compile(r"(?<!\w)(" + "|".join(_WEEKDAYS) + r")(?!\w)")
_LONG_WAIT = re.compile(r"(?<!\w)(semana que viene|next week|la otra semana|a la semana|"
                        r"semanas despues|weeks later)(?!\w)")

CONTRADICTION = re.compile(
    r"(?<!\w)(prometian|prometeis|prometieron|prometio|prometen|promete|prometido|prometida|"
    r"anunciais|anuncian|anunciaban|decian que|dicen que|dijeron que|dicen en|dice en|pone en|"
    r"ponia|segun el anuncio|segun la web|segun la publicidad|en el anuncio|en la publicidad|"
    r"supuestamente|se supone|se suponia|teoricamente|en teoria|mentira|engan\w*|cuento|timo|"
    r"no se cumpl\w*|no cumpl\w*|incumpl\w*|brilla por su ausencia|de \S+ nada|ni de lejos|"
    r"supposedly|allegedly|they said|you said|they promised|you promise\w*|promised|"
    r"advertised|advertise|the ad says|your ad|so much for|my foot|is a lie|lie|lies|"
    r"misleading|false advertising|is fiction|isn't a thing|is not a thing|not as advertised|"
    r"yeah right|was supposed to|were supposed to|is supposed to|no era|no eran|wasn't it|"
    r"weren't you|what happened to)(?!\w)"
)
KEEP = re.compile(
    r"(?<!\w)(como prometian|como prometieron|tal como|tal y como|lo prometido|cumplen|cumplieron|"
    r"cumplido|cumple lo que promete|cumplis|a tiempo|puntual\w*|en la fecha indicada|"
    r"como dijeron|as promised|as advertised|kept (?:their|your) promise|delivered on|on time|"
    r"as expected|exactly when)(?!\w)"
)
_NEG_BEFORE_KEEP = re.compile(r"(?<!\w)(no|nunca|ni|not|never|isn't|wasn't|didn't)\s+(\w+\s+)?$")

KIND_CUES: dict[str, re.Pattern[str]] = {
    "time": re.compile(r"(entrega|envio|llega|recib|reparto|respuesta|respond|contest|deliver|"
                       r"shipping|arriv|reply|response|dispatch)"),
    "fees": re.compile(r"(coste|costo|oculto|sorpresa|precio (?:final|claro)|lo que pagas|"
                       r"hidden|fee|surprise|price you see|transparent)"),
    "returns": re.compile(r"(devoluc|devolver|reembolso|recogida|return|refund)"),
    "ease": re.compile(r"(clic|click|tap|facil|sencill|easy|simple|app)"),
    "attention": re.compile(r"(atencion|asesor|personaliz|experto|trato|personal|advice|expert|"
                            r"attention|care)"),
}
KIND_BREAKS: dict[str, list[str]] = {
    "time": ["sigue sin llegar", "sin llegar", "no ha llegado", "todavia no ha llegado",
             "sigo esperando", "llego tarde", "tarde", "retraso", "se retraso", "still waiting",
             "still hasn't arrived", "never arrived", "hasn't arrived", "late", "delayed"],
    "fees": ["cargo extra", "cargos extra", "cargo adicional", "cobro extra", "cobros extra",
             "me cobraron", "me cobran", "aparte", "no aparecia", "no ponia", "sin avisar",
             "que no esperaba", "sorpresa", "extra charge", "extra fee", "hidden fee",
             "hidden charge", "charged me", "charged extra", "wasn't shown", "not shown",
             "surprise fee", "on top"],
    "returns": ["no me han devuelto", "no me devuelven", "sigo esperando el reembolso",
                "nadie ha venido", "no vinieron a recoger", "me cobraron la devolucion", "odisea",
                "infierno", "imposible devolver", "mil tramites", "still waiting for my refund",
                "no refund", "refund never", "charged for the return", "nightmare"],
    "ease": ["se cierra", "se cuelga", "colgada", "se queda colgada", "peta", "da error", "error",
             "no funciona", "no me deja", "lenta", "lentisima", "crash", "crashes", "freezes",
             "bug", "doesn't work", "won't let me", "slow", "broken app"],
    "attention": ["te pasan de uno a otro", "nadie sabe nada", "copian y pegan", "copiar y pegar",
                  "respuesta automatica", "respuestas automaticas", "un robot", "como un numero",
                  "nadie me soluciona", "nadie me ha contestado", "no me atendieron",
                  "passed around", "copy paste", "copy-paste", "scripted", "like a number",
                  "nobody knows", "no one helped", "bot"],
}

KIND_KEEPS: dict[str, list[str]] = {
    "time": ["rapidisimo", "rapidisima", "super rapido", "muy rapido", "volando", "enseguida",
             "antes de lo previsto", "antes de lo esperado", "lightning fast", "super fast",
             "really fast", "very fast", "earlier than expected", "arrived early"],
    "fees": ["sin sorpresas", "incluido", "incluida", "incluidos", "envio gratis",
             "precio final", "lo que ves", "no surprises", "included", "free delivery",
             "free shipping", "no extra"],
    "returns": ["devolucion fue", "me devolvieron el dinero", "reembolso llego", "sin preguntas",
                "vinieron a recogerlo", "cero problemas", "easy return", "refund came",
                "refunded", "no questions asked", "picked it up"],
    "ease": ["facilisimo", "muy facil", "super sencillo", "sencillo", "intuitiva", "intuitivo",
             "comoda", "funciona muy bien", "va fina", "en un momento", "easy", "smooth",
             "intuitive", "seamless", "works great", "super easy"],
    "attention": ["me asesoro", "me asesoraron", "me aconsejo", "muy amable", "me ayudo",
                  "me ayudaron", "atenta", "atento", "encantadora", "encantador", "de diez",
                  "resolutivo", "me atendio genial", "me atendieron genial", "helpful",
                  "so kind", "very kind", "friendly", "great advice", "knowledgeable"],
}


# ------------------------------------------------------------------------ configuration
def _date(v: Any, where: str) -> date | None:
    if v in (None, ""):
        return None
    if isinstance(v, datetime):
        return v.date()
    if isinstance(v, date):
        return v
    try:
        return date.fromisoformat(str(v))
    except ValueError as exc:
        raise ConfigError(f"{where}: not a date (YYYY-MM-DD): {v!r}", field=where) from exc


def _list(v: Any) -> list[str]:
    if v is None:
        return []
    if isinstance(v, str):
        return [v]
    if isinstance(v, dict):
        return [str(x) for vals in v.values() for x in _list(vals)]
    return [str(x) for x in v]


def normalize_promises(data: Any, source: str = "promises") -> list[dict[str, Any]]:
    """Check and normalise promise definitions; errors name the file and the field."""
    if isinstance(data, dict):
        data = data.get("promises")
    if not isinstance(data, list):
        raise ConfigError(f"{source}: expected a list of promises", field="promises")
    out, seen = [], set()
    for i, p in enumerate(data):
        where = f"{source}: promises[{i}]"
        if not isinstance(p, dict):
            raise ConfigError(f"{where}: each promise is a mapping", field=f"promises[{i}]")
        text = p.get("promise") or p.get("claim") or p.get("name")
        if not text:
            raise ConfigError(f"{where}: needs 'promise' (the claim text)", field=f"promises[{i}].promise")
        pid = str(p.get("id") or re.sub(r"\W+", "_", fold(str(text))).strip("_"))
        if pid in seen:
            raise ConfigError(f"{where}: duplicate id '{pid}'", field=f"promises[{i}].id")
        seen.add(pid)
        start = _date(p.get("start"), f"promises[{i}].start")
        end = _date(p.get("end"), f"promises[{i}].end")
        if start and end and end < start:
            raise ConfigError(f"{where}: end {end} is before start {start}", field=f"promises[{i}].end")
        out.append({
            "id": pid, "promise": str(text), "claim": str(p.get("claim") or ""),
            "claim_en": str(p.get("claim_en") or ""), "campaign": str(p.get("campaign") or ""),
            "channels": _list(p.get("channels")), "markets": _list(p.get("markets")),
            "start": start, "end": end, "journey_stage": p.get("journey_stage"),
            "keywords": _list(p.get("keywords")), "breaks": _list(p.get("breaks")),
            "keeps": _list(p.get("keeps")), "expectation": p.get("expectation"),
        })
    return out


def load_promises(ctx: InsightContext | None = None, promises: Any = None) -> list[dict[str, Any]]:
    """Promises from the argument (list, mapping or YAML path), the workspace's promises.yaml or
    the ``promises:`` of its company.yaml."""
    if promises is not None:
        if isinstance(promises, str | Path):
            p = Path(promises)
            if not p.exists():
                raise ConfigError(f"no promises file at {p}", field="promises")
            return normalize_promises(yaml.safe_load(p.read_text(encoding="utf-8")), str(p))
        return normalize_promises(promises)
    if ctx is None:
        return []
    p = ctx.layout.promises
    if p.exists():
        return normalize_promises(yaml.safe_load(p.read_text(encoding="utf-8")), str(p))
    company = load_company(ctx)
    if company.get("promises"):
        return normalize_promises(company["promises"], str(ctx.layout.company))
    return []


# ------------------------------------------------------------------------ matching
def durations(text: str) -> list[tuple[float, str]]:
    """Durations in hours found in folded text, with their qualifier ('' | 'less' | 'more')."""
    out = []
    for m in DURATION.finditer(text):
        n_raw, u = m.group("n"), m.group("u")
        if u == "h" and not n_raw[0].isdigit():
            continue
        n = float(n_raw.replace(",", ".")) if n_raw[0].isdigit() else float(_NUMS.get(n_raw, 0))
        if not n:
            continue
        q = m.group("q") or ""
        qual = "less" if q in ("menos de", "less than", "within", "en menos de", "antes de",
                               "under", "hasta", "up to") else ("more" if q else "")
        out.append((n * _UNIT_H[u], qual))
    return out


def promised_hours(p: dict[str, Any]) -> float | None:
    """The duration a promise commits to (``expectation`` or parsed from its text), in hours."""
    exp = p.get("expectation")
    if isinstance(exp, dict) and exp.get("hours"):
        return float(exp["hours"])
    if isinstance(exp, int | float):
        return float(exp)
    text = fold(" ".join([p["promise"], str(exp or "")]))
    ds = durations(text)
    if ds:
        return ds[0][0]
    if re.search(r"(next day|next-day|al dia siguiente|manana en casa|manana lo tienes)", text):
        return 24.0
    return None


def promise_kind(p: dict[str, Any]) -> str:
    text = fold(" ".join([p["promise"], p["claim"], p["claim_en"]]))
    hours = promised_hours(p)
    for kind in ("returns", "fees", "time", "ease", "attention"):
        if KIND_CUES[kind].search(text):
            if kind == "time" and hours is None:
                continue
            return kind
    return "time" if hours is not None else "generic"


def _duration_variants(hours: float) -> list[str]:
    n = int(hours) if float(hours).is_integer() else hours
    out = [f"{n} horas", f"{n}h", f"{n} h", f"{n} hours", f"{n}-hour", f"{n} hour", f"{n}hrs"]
    if hours % 24 == 0:
        d = int(hours // 24)
        out += [f"{d} dias", f"{d} days", f"{d}-day", f"{d} day"] if d > 1 else []
    if hours == 24:
        out += ["next day", "next-day", "al dia siguiente", "de un dia para otro", "en un dia",
                "manana en casa", "entrega en 24", "24 horas"]
    return out


def compile_promise(p: dict[str, Any]) -> dict[str, Any]:
    """Regexes and parameters used to match and judge one promise."""
    from escucha.insights.journey import keyword_regex

    kind = promise_kind(p)
    hours = promised_hours(p)
    strong = [p["promise"]]
    if p["campaign"]:
        strong.append(p["campaign"])
    strong += [k for k in p["keywords"] if len(k.split()) > 1 or any(c.isdigit() for c in k)]
    if hours is not None and kind == "time":
        strong += _duration_variants(hours)
    weak = [k for k in p["keywords"] if k not in strong]
    duration_keys = _duration_variants(hours) if hours is not None and kind != "time" else []
    return {
        "kind": kind, "hours": hours, "strong": keyword_regex(strong),
        "weak": keyword_regex(weak), "duration_keys": keyword_regex(duration_keys),
        "breaks": keyword_regex(KIND_BREAKS.get(kind, []) + p["breaks"]),
        "keeps": keyword_regex(KIND_KEEPS.get(kind, []) + p["keeps"]),
        "quoted": re.compile(r"[\"“«']\s*(?:" + "|".join(
            re.escape(fold(s)) for s in [p["promise"], p["campaign"]] if s) + r")\s*[\"”»']|(?:"
            + "|".join(re.escape(fold(s)) for s in [p["promise"], p["campaign"]] if s)
            + r")\s*(?:dicen|decian|they say|they said|my foot|\.\.)"),
    }


def _weekday_gap(text: str) -> int:
    days = [_WEEKDAYS[m] for m in _WEEKDAY_RX.findall(text)]
    if len(days) < 2:
        return 0
    return (days[-1] - days[0]) % 7


def judge(text: str, score: float, c: dict[str, Any]) -> tuple[str, list[str]] | None:
    """None when the sentence is not about the promise; else (status, reasons)."""
    f = fold(text)
    strong = bool(c["strong"] and c["strong"].search(f))
    weak = bool(c["weak"] and c["weak"].search(f))
    if c["duration_keys"] is not None and c["duration_keys"].search(f) and weak:
        strong = True
    if not (strong or weak):
        return None
    reasons: list[str] = []
    hours = c["hours"]
    exceeded = within = False
    if hours is not None and c["kind"] in ("time", "returns"):
        for h, qual in durations(f):
            if qual == "less" and h <= hours * 1.01:
                within = True
            elif h > hours * 1.01 and qual != "less":
                exceeded = True
            elif qual == "" and h <= hours * 1.01 and c["kind"] == "time" and h != hours:
                within = True
        if c["kind"] == "time" and hours <= 48 and (_weekday_gap(f) >= 2 or _LONG_WAIT.search(f)):
            exceeded = True
    breaks = bool(c["breaks"] and c["breaks"].search(f))
    contra = CONTRADICTION.search(f)
    if contra is None and c.get("quoted") is not None:
        contra = c["quoted"].search(f)
    keep_m = KEEP.search(f) or (c["keeps"].search(f) if c["keeps"] else None)
    keep = bool(keep_m) and not _NEG_BEFORE_KEEP.search(f[: keep_m.start()] if keep_m else "")
    if not strong and not (contra or breaks or exceeded or keep):
        return None
    if exceeded:
        reasons.append("duration beyond the promise")
    if breaks:
        reasons.append("break phrase")
    if contra:
        reasons.append(f"contradiction cue '{contra.group(0).strip()}'")
    if exceeded or breaks:
        return "broken", reasons
    question = "?" in text or "¿" in text
    if question and not contra:
        return "neutral", ["question"]
    if (within or keep) and score > -0.25:
        return "kept", ["within the promise" if within else "kept cue"]
    if contra:
        return "broken", reasons
    if score <= -0.25:
        return "broken", ["negative sentence"]
    if score >= 0.25:
        return "kept", ["positive sentence"]
    return "neutral", []


def promise_mentions(sentences: pd.DataFrame, promises: list[dict[str, Any]]) -> pd.DataFrame:
    """One row per (promise, sentence) mention: item_id, idx, text, status, negativity, reasons."""
    rows = []
    comp = {p["id"]: compile_promise(p) for p in promises}
    for r in sentences[["item_id", "idx", "text", "sentiment_score", "timestamp", "customer_id",
                        "channel"]].itertuples(index=False):
        raw_score = cast(float | None, r.sentiment_score)
        score = 0.0 if raw_score is None or math.isnan(raw_score) else float(raw_score)
        for pid, c in comp.items():
            res = judge(str(r.text), score, c)
            if res is None:
                continue
            status, reasons = res
            rows.append((pid, r.item_id, r.idx, str(r.text), status, score,
                         min(max(-score, 0.0), 1.0), "; ".join(reasons), r.timestamp,
                         r.customer_id, r.channel))
    cols = ["promise", "item_id", "idx", "text", "status", "sentiment_score", "negativity",
            "reasons", "timestamp", "customer_id", "channel"]
    return pd.DataFrame(rows, columns=cols)


# ------------------------------------------------------------------------ statistics
def gap_score(broken: np.ndarray, negativity: np.ndarray) -> tuple[float, float, float]:
    """Gap (0–100): mean of broken × (0.5 + 0.5 · negativity), with a 95% CI (normal)."""
    x = np.asarray(broken, dtype=float) * (0.5 + 0.5 * np.asarray(negativity, dtype=float))
    n = len(x)
    if n == 0:
        return math.nan, math.nan, math.nan
    mean = float(x.mean())
    if n < 2:
        return 100 * mean, math.nan, math.nan
    se = float(x.std(ddof=1) / math.sqrt(n))
    return 100 * mean, 100 * max(0.0, mean - Z95 * se), 100 * min(1.0, mean + Z95 * se)


def two_proportions(k1: int, n1: int, k2: int, n2: int) -> dict[str, Any]:
    """Compare two rates (k/n): difference in points, z-test p-value (Fisher's exact test when
    counts are small)."""
    if n1 == 0 or n2 == 0:
        return {"before": None, "after": None, "change": None, "p_value": None, "test": None}
    p1, p2 = k1 / n1, k2 / n2
    if min(k1, k2, n1 - k1, n2 - k2) < 5:
        p = float(st.fisher_exact([[k1, n1 - k1], [k2, n2 - k2]])[1])
        test = "fisher"
    else:
        pool = (k1 + k2) / (n1 + n2)
        se = math.sqrt(pool * (1 - pool) * (1 / n1 + 1 / n2))
        p = float(2 * st.norm.sf(abs(p2 - p1) / se)) if se > 0 else 1.0
        test = "z"
    return {"before": 100 * p1, "after": 100 * p2, "change": 100 * (p2 - p1), "p_value": p,
            "test": test}


def before_after(voices: pd.Series, flagged: set[str], ids: pd.Series, cut: pd.Timestamp,
                 alpha: float = 0.05, min_before: int = 30) -> dict[str, Any] | None:
    """Share of voices with a broken mention before vs from ``cut`` on, with a significance test."""
    before = ids[voices < cut]
    after = ids[voices >= cut]
    if len(before) < min_before or len(after) < min_before:
        return None
    k1 = int(before.isin(flagged).sum())
    k2 = int(after.isin(flagged).sum())
    res = two_proportions(k1, len(before), k2, len(after))
    res.update(n_before=len(before), n_after=len(after), broken_before=k1,
               broken_after=k2, cut=cut.date().isoformat(),
               worsened=bool(res["change"] is not None and res["change"] > 0
                             and res["p_value"] is not None and res["p_value"] < alpha),
               improved=bool(res["change"] is not None and res["change"] < 0
                             and res["p_value"] is not None and res["p_value"] < alpha))
    return res


def _weekly(items: pd.DataFrame, m: pd.DataFrame) -> list[dict[str, Any]]:
    if items.empty:
        return []
    wk = items["timestamp"].dt.to_period("W-SUN").dt.start_time
    voices = wk.value_counts().sort_index()
    mw = m.assign(week=m["timestamp"].dt.to_period("W-SUN").dt.start_time)
    out = []
    for w, n in voices.items():
        g = mw[mw["week"] == w]
        b = g[g["status"] == "broken"]
        out.append({"week": w.date().isoformat(), "voices": int(n), "mentions": len(g),
                    "broken": len(b), "kept": int((g["status"] == "kept").sum()),
                    "broken_per_1000_voices": 1000 * b["item_id"].nunique() / n,
                    "gap": gap_score((g["status"] == "broken").to_numpy(),
                                     g["negativity"].to_numpy())[0] if len(g) else None})
    return out


def _quotes(m: pd.DataFrame, status: str, n: int) -> list[dict[str, Any]]:
    g = m[m["status"] == status].drop_duplicates("text")
    g = g.sort_values("sentiment_score", ascending=status == "broken")
    if len(g) > n:  # spread over time: best per period slice
        g = g.head(n * 4).sort_values("timestamp")
        g = g.iloc[np.linspace(0, len(g) - 1, n).round().astype(int)]
    return [{"item_id": r.item_id, "text": r.text,
             "date": cast(pd.Timestamp, r.timestamp).date().isoformat()
             if pd.notna(r.timestamp) else None, "channel": r.channel, "reasons": r.reasons}
            for r in g.itertuples()]


def promise_report(ctx: InsightContext, promises: Any = None, items: pd.DataFrame | None = None
                   ) -> list[dict[str, Any]]:
    """Per promise: mentions, kept/broken shares, gap score with CI, weekly trend, before/after
    campaign test, evidence quotes; sorted by gap (largest first)."""
    ps = load_promises(ctx, promises)
    if not ps:
        return []
    items = customer_items(ctx) if items is None else items
    all_sents = ctx.store.sentences()
    if all_sents.empty:
        return []
    said = all_sents[all_sents["speaker"].fillna("customer") != "agent"]
    sents = said[said["item_id"].isin(set(items["id"]))]
    staff = said[said["channel"] == "employee"]
    mentions = promise_mentions(sents, ps)
    staff_m = promise_mentions(staff, ps) if len(staff) else mentions.iloc[:0]
    return build_report(ps, items, mentions, staff_m)


def build_report(ps: list[dict[str, Any]], items: pd.DataFrame, mentions: pd.DataFrame,
                 staff_mentions: pd.DataFrame | None = None) -> list[dict[str, Any]]:
    out = []
    ts = items["timestamp"]
    for p in ps:
        m = mentions[mentions["promise"] == p["id"]]
        start = pd.Timestamp(p["start"]) if p["start"] else None
        end = pd.Timestamp(p["end"]) + pd.Timedelta(days=1) if p["end"] else None
        active = m
        if start is not None:
            active = active[active["timestamp"] >= start]
        if end is not None:
            active = active[active["timestamp"] < end]
        n = len(active)
        broken = (active["status"] == "broken").to_numpy()
        window = items
        if start is not None:
            window = window[window["timestamp"] >= start]
        if end is not None:
            window = window[window["timestamp"] < end]
        # per voice in the promise's window: the worst broken mention (0 when none)
        worst = (active[active["status"] == "broken"].groupby("item_id")["negativity"].max())
        per_voice = window["id"].map(worst)
        gap, lo, hi = gap_score(per_voice.notna().to_numpy(), per_voice.fillna(0).to_numpy())
        gm = gap_score(broken, active["negativity"].to_numpy())[0]
        bs, bs_lo, bs_hi = wilson(float(broken.sum()), float(n))
        flagged = set(m.loc[m["status"] == "broken", "item_id"])
        ba = None
        if start is not None and len(ts) and ts.min() < start:
            ba = before_after(ts, flagged, items["id"], start)
        trend = _trend(items, m, start)
        c = compile_promise(p)
        out.append({
            "id": p["id"], "promise": p["promise"], "campaign": p["campaign"], "kind": c["kind"],
            "promised_hours": c["hours"],
            "start": p["start"].isoformat() if p["start"] else None,
            "end": p["end"].isoformat() if p["end"] else None, "channels": p["channels"],
            "journey_stage": p["journey_stage"],
            "mentions": int(n), "mentions_all_time": len(m),
            "customers": int(active["customer_id"].nunique()),
            "kept": int((active["status"] == "kept").sum()), "broken": int(broken.sum()),
            "neutral": int((active["status"] == "neutral").sum()),
            "kept_share": 100 * float((active["status"] == "kept").mean()) if n else None,
            "broken_share": bs if n else None, "broken_share_low": bs_lo if n else None,
            "broken_share_high": bs_hi if n else None,
            "voices_in_window": len(window),
            "gap": gap, "gap_low": lo, "gap_high": hi, "gap_among_mentions": gm,
            "before_after": ba, "trend": trend, "weekly": _weekly(items, m),
            "evidence_broken": _quotes(active, "broken", 5),
            "evidence_kept": _quotes(active, "kept", 2),
            "staff_mentions": len(staff_mentions[staff_mentions["promise"] == p["id"]])
            if staff_mentions is not None else 0,
            "item_ids": sorted(flagged),
        })
    out.sort(key=lambda r: -(r["gap"] if r["gap"] is not None and not math.isnan(r["gap"]) else -1))
    return out


def _trend(items: pd.DataFrame, m: pd.DataFrame, start: pd.Timestamp | None) -> dict[str, Any]:
    """Slope of weekly broken mentions per 1000 voices since the campaign start (or the data
    start), with its p-value."""
    w = pd.DataFrame(_weekly(items, m))
    if start is not None and not w.empty:
        w = w[pd.to_datetime(w["week"]) >= start - pd.Timedelta(days=6)]
    if len(w) < 4:
        return {"weeks": len(w), "slope_per_week": None, "p_value": None}
    res = st.linregress(np.arange(len(w)), w["broken_per_1000_voices"].to_numpy(dtype=float))
    return {"weeks": len(w), "slope_per_week": float(res.slope),
            "p_value": float(res.pvalue) if not math.isnan(res.pvalue) else None,
            "direction": "worse" if res.slope > 0 and res.pvalue < 0.05
            else "better" if res.slope < 0 and res.pvalue < 0.05 else "flat"}


SUMMARY_DOCS = "promise_summary"


def store_summary(ctx: InsightContext, report: list[dict[str, Any]]) -> None:
    """Keep a small summary of the last promise report (for the snapshot; no customer text)."""
    keep = ("id", "promise", "campaign", "mentions", "broken", "broken_share", "gap", "gap_low",
            "gap_high")
    rows = [{k: r.get(k) for k in keep} for r in report]
    ctx.store.put_docs(SUMMARY_DOCS, {"last": {"promises": rows}})


def snapshot_section(ctx: InsightContext, limit: int = 5) -> list[dict[str, Any]]:
    """Broken promises by gap (largest first) from the stored summary only (fast)."""
    rows = ctx.store.get_docs(SUMMARY_DOCS).get("last", {}).get("promises", [])
    rows = [r for r in rows if r.get("broken") and isinstance(r.get("gap"), int | float)
            and r["gap"] == r["gap"] and r["gap"] > 0]
    rows.sort(key=lambda r: -float(r["gap"]))
    out = []
    for r in rows[:limit]:
        share = r.get("broken_share")
        detail = f"gap {float(r['gap']):.1f} · {int(r['broken'])} of {int(r.get('mentions') or 0)} mentions broken"
        if isinstance(share, int | float) and share == share:
            detail += f" ({float(share):.0f}%)"
        out.append({"title": str(r.get("promise") or r.get("id")), "detail": detail, "href": "/promises"})
    return out


# ------------------------------------------------------------------------ the insight
@register_insight
class Promises(Insight):
    """Promise vs experience: per brand promise, kept vs broken, gap score, trend, quotes."""

    name = "promises"
    nav_title = titles(en="Promises", es="Promesas")
    title = titles(en="Promise vs experience", es="Promesa frente a experiencia")
    snapshot_title = titles(en="Broken promises", es="Promesas rotas")
    order = 20
    page = "/promises"

    def compute(self, ctx: InsightContext, promises: Any = None, items: pd.DataFrame | None = None,
                **params: Any) -> InsightResult[list[dict[str, Any]]]:  # fmt: skip
        report = promise_report(ctx, promises=promises, items=items)
        if promises is None and items is None:
            store_summary(ctx, report)  # the snapshot's box reads it
        return InsightResult(report)

    def section(self, ctx: InsightContext) -> list[dict[str, Any]] | None:
        out = []
        for p in promise_report(ctx, items=customer_items(ctx)):
            ba = p.get("before_after") or None
            if ba and ba.get("change") is not None:
                pv = ba.get("p_value")
                ba = {k: ba.get(k) for k in ("cut", "before", "after", "change", "p_value", "test", "n_before", "n_after")}
                ba["significant"] = pv is not None and pv < 0.05
            else:
                ba = None
            out.append({
                "id": p.get("id"), "promise": p.get("promise"), "campaign": p.get("campaign"),
                "start": p.get("start"), "end": p.get("end"), "channels": p.get("channels"),
                "mentions": p.get("mentions"), "customers": p.get("customers"),
                "kept": p.get("kept"), "broken": p.get("broken"),
                "broken_pct": p.get("broken_share"), "broken_pct_low": p.get("broken_share_low"),
                "broken_pct_high": p.get("broken_share_high"),
                "gap": p.get("gap"), "gap_low": p.get("gap_low"), "gap_high": p.get("gap_high"),
                "voices_in_window": p.get("voices_in_window"), "before_after": ba,
                "trend": (p.get("trend") or {}).get("direction"),
                "quotes_broken": [{"text": q.get("text"), "date": q.get("date"), "channel": q.get("channel")}
                                  for q in (p.get("evidence_broken") or [])[:3]],
                "quotes_kept": [{"text": q.get("text"), "date": q.get("date"), "channel": q.get("channel")}
                                for q in (p.get("evidence_kept") or [])[:1]],
            })  # fmt: skip
        return out if any(p["mentions"] for p in out) else None

    def table(self, section: Any) -> TableView:
        rows = []
        for p in section:
            ba = p.get("before_after")
            bas = (f"{fmt(ba['before'])}% → {fmt(ba['after'])}% ({ba['change']:+.1f}{', sig.' if ba['significant'] else ''})"
                   if ba else "–")  # fmt: skip
            q = (p["quotes_broken"] or p["quotes_kept"] or [{}])[0].get("text")
            rows.append([p["promise"] or "", str(p["mentions"]), fmt(p["broken_pct"], 0),
                         f"{fmt(p['gap'])} ({fmt(p['gap_low'])}–{fmt(p['gap_high'])})", bas, cut(q, 70)])
        return TableView("Promise vs experience", [("promise", False), ("mentions", True), ("% broken", True),
                         ("gap (95% CI)", True), ("before → after", False), ("quote", False)], rows)  # fmt: skip

    def snapshot(self, ctx: InsightContext, limit: int = 5) -> list[dict[str, Any]]:
        return snapshot_section(ctx, limit)
