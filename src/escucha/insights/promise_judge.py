"""Judging customer sentences against brand promises: kept, broken or neutral.

Every customer sentence is matched to promises by *strong* keys (the claim itself, the campaign
name, the promised duration in its ES/EN variants, multi-word keywords) or by a single-word
keyword together with evidence (a contradiction cue such as "prometían", "supposedly", a break
phrase, or a duration beyond the promised one). Each mention is kept, broken or neutral.
"""

from __future__ import annotations

import math
import re
from typing import TYPE_CHECKING, Any, cast

import pandas as pd

from escucha.insights.journey import fold

if TYPE_CHECKING:
    pass

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


def judge(text: str, score: float, c: dict[str, Any], folded: str | None = None) -> tuple[str, list[str]] | None:
    """None when the sentence is not about the promise; else (status, reasons). ``folded``: the
    text already folded (one fold per sentence for every promise)."""
    f = fold(text) if folded is None else folded
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
        text = str(r.text)
        folded = fold(text)
        for pid, c in comp.items():
            res = judge(text, score, c, folded)
            if res is None:
                continue
            status, reasons = res
            rows.append((pid, r.item_id, r.idx, str(r.text), status, score,
                         min(max(-score, 0.0), 1.0), "; ".join(reasons), r.timestamp,
                         r.customer_id, r.channel))
    cols = ["promise", "item_id", "idx", "text", "status", "sentiment_score", "negativity",
            "reasons", "timestamp", "customer_id", "channel"]
    return pd.DataFrame(rows, columns=cols)
