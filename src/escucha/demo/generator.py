"""Seeded generator of a fictional company's customer feedback, with hidden stories.

``generate(out_dir)`` writes reviews, an NPS survey, contact-centre chats and calls, social
posts, an employee pulse survey, a customer table, ``company.yaml`` (brand promises and journey)
and ``mappings/*.yaml`` for the ingest layer. Nothing in the files labels the stories: the
analysis has to find them. :func:`stories` is the ground truth, for tests only.
"""

from __future__ import annotations

import csv
import json
import math
import random
from bisect import bisect
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from itertools import accumulate
from pathlib import Path
from typing import Any

import yaml

from escucha.demo import bank_en, bank_es, company
from escucha.demo import bank_people as people
from escucha.demo.chatgen import INTENT_OF_OUTCOME, build_conversation
from escucha.demo.company import PRODUCTS, STORE_CITIES, Product
from escucha.demo.textgen import add_noise, expand, mexicanise, sentence, tidy

DEFAULT_START = date(2024, 1, 1)
IDEA_FIRST_CUSTOMER = "C00042"
INFLUENCER_CUSTOMER = "C00077"
INFLUENCER_HANDLE = "@carlamontes.home"
INFLUENCER_FOLLOWERS = 128_400
IDEA_CUSTOMERS = 80
VIRAL_REPLIES = 74
VIRAL_QUOTES = 26

FILES = ("reviews", "nps_survey", "chats", "social", "employees", "customers")

VALENCE: dict[str, float] = {
    "delivery.fast": 0.9, "delivery.ok": 0.45, "delivery.late": -0.6, "delivery.late24": -0.75,
    "delivery.damaged": -0.85, "delivery.noshow": -0.85, "delivery.rude": -0.6,
    "delivery.collapse": -0.95, "product.good": 0.8, "product.bad": -0.6,
    "product.defect": -0.8, "staff.good": 0.9, "staff.bad": -0.7, "store.dirty": -0.6,
    "store.clean": 0.5, "price.high": -0.45, "price.good": 0.6, "price.hidden": -0.65,
    "app.good": 0.6, "app.crash": -0.65, "app.slow": -0.4, "support.good": 0.75,
    "support.bad": -0.85, "returns.good": 0.6, "returns.bad": -0.8, "assembly.good": 0.7,
    "assembly.bad": -0.6, "plus.renew": 0.6, "plus.cancel": -0.7, "awareness.ad": 0.3,
    "awareness.friend": 0.4, "idea.other": 0.1,
}  # fmt: skip

CITY_WEIGHTS: tuple[tuple[str, float], ...] = (
    ("Madrid", 0.27), ("Barcelona", 0.19), ("Valencia", 0.12), ("Sevilla", 0.10),
    ("Ciudad de México", 0.15), ("Málaga", 0.04), ("Bilbao", 0.03), ("Zaragoza", 0.03),
    ("Guadalajara", 0.04), ("Monterrey", 0.03),
)  # fmt: skip
MX_CITIES = ("Ciudad de México", "Guadalajara", "Monterrey")
MONTH_SEASON = {1: 1.3, 2: 0.9, 3: 1.0, 4: 0.95, 5: 1.1, 6: 1.05, 7: 1.2, 8: 0.8, 9: 1.0,
                10: 1.0, 11: 1.4, 12: 1.3}  # fmt: skip
WEEKDAY = (1.2, 1.1, 1.0, 1.0, 0.95, 0.85, 0.9)
HOURS = tuple(range(24))
LEAD_DAYS = 10
HOUR_W = (0.3, 0.15, 0.1, 0.05, 0.05, 0.1, 0.3, 0.8, 1.2, 1.6, 1.9, 2.0, 1.9, 1.7, 1.5, 1.5,
          1.6, 1.8, 2.0, 2.2, 2.3, 2.2, 1.7, 0.9)  # fmt: skip


# --------------------------------------------------------------------------------- model
@dataclass(slots=True)
class Cust:
    id: str
    name: str
    gender: str
    segment: str
    tier: str
    ltv: float
    city: str
    since: date
    lang: str
    mx: bool
    store: str | None
    handle: str | None
    followers: int
    mood: float
    activity: float
    products: list[Product]


@dataclass(slots=True)
class Voice:
    channel: str  # review | nps | chat | call | social
    when: datetime  # local wall time of the customer
    cust: Cust | None
    text: str
    valence: float
    title: str = ""
    stars: int | None = None
    nps: int | None = None
    csat: int | None = None
    ces: int | None = None
    product: str = ""
    location: str = ""
    extra: dict[str, Any] = field(default_factory=dict)
    neg_delivery: bool = False


@dataclass(slots=True)
class Plan:
    """Where the stories sit in time (derived from ``start`` and ``weeks`` only)."""

    start: date
    weeks: int
    campaign_week: int
    collapse_week: int
    viral_week: int
    idea_first_day: int

    @property
    def days(self) -> int:
        return 7 * self.weeks

    def day(self, i: int) -> date:
        return self.start + timedelta(days=i)

    def week_of(self, i: int) -> int:
        return i // 7 + 1

    @property
    def campaign_day(self) -> int:
        return 7 * (self.campaign_week - 1)

    @property
    def collapse_days(self) -> range:
        return range(7 * (self.collapse_week - 1), 7 * self.collapse_week)

    @property
    def viral_day(self) -> int:
        return 7 * (self.viral_week - 1) + 3  # a Thursday when start is a Monday


def _plan(start: date, weeks: int) -> Plan:
    if weeks < 12:
        raise ValueError(f"weeks: {weeks} is too short for the demo stories (need >= 12)")
    cw = company.campaign_week(weeks)
    collapse = max(cw + 2, round(17 * weeks / 26))
    viral = min(weeks - 1, max(collapse + 2, round(21 * weeks / 26)))
    return Plan(start, weeks, cw, collapse, viral, idea_first_day=16)


def stories(start: date = DEFAULT_START, weeks: int = 26) -> list[dict[str, Any]]:
    """Ground truth of the hidden stories (for tests; never written to the data)."""
    p = _plan(start, weeks)
    cw0 = p.day(7 * (p.collapse_week - 1))
    return [
        {
            "id": "courier_collapse",
            "kind": "service_failure",
            "description": f"The parcel partner {company.COURIER} collapses in week "
            f"{p.collapse_week}: negative delivery complaints x4 that week (Spain), anger, "
            "churn threats.",
            "week": p.collapse_week,
            "start": cw0.isoformat(),
            "end": (cw0 + timedelta(days=6)).isoformat(),
            "keywords": [company.COURIER, "pedido", "seguimiento", "entrega"],
            "multiplier": 4,
        },
        {
            "id": "broken_promise_24h",
            "kind": "broken_promise",
            "promise_id": "entrega_24h",
            "description": "From the 'Entrega en 24 horas' campaign on, many Spanish customers "
            "say delivery took 3-5 days or a week ('prometían 24 horas y tardó una semana').",
            "start": p.day(p.campaign_day).isoformat(),
            "week": p.campaign_week,
        },
        {
            "id": "idea_delivery_slot",
            "kind": "idea",
            "description": "Customers ask to choose a delivery time slot (franja horaria), in "
            "many wordings, in Spanish and English.",
            "first_customer": IDEA_FIRST_CUSTOMER,
            "first_date": p.day(p.idea_first_day).isoformat(),
            "min_customers": 60,
            "customers": IDEA_CUSTOMERS + 1,
            "keywords": ["franja", "horario de entrega", "hora de entrega", "time slot",
                         "delivery window"],
        },
        {
            "id": "viral_influencer",
            "kind": "viral_threat",
            "description": "A home-decor creator with a large audience posts an angry thread "
            "about three missed sofa deliveries, threatening to go public and leave; it draws "
            "dozens of replies and quotes within hours.",
            "handle": INFLUENCER_HANDLE,
            "customer_id": INFLUENCER_CUSTOMER,
            "followers": INFLUENCER_FOLLOWERS,
            "date": p.day(p.viral_day).isoformat(),
            "replies": VIRAL_REPLIES,
            "quotes": VIRAL_QUOTES,
        },
        {
            "id": "sevilla_cleanliness",
            "kind": "background",
            "description": "The Sevilla store is often described as dirty (dust, toilets).",
            "location": "Sevilla",
        },
        {
            "id": "staff_praise",
            "kind": "background",
            "description": "Staff in Valencia, Madrid and Ciudad de México stores get praise, "
            "often by name (Lucía, Javier, Fernanda).",
            "locations": ["Valencia", "Madrid", "Ciudad de México"],
        },
        {
            "id": "price_complaints",
            "kind": "background",
            "description": "Steady complaints about high prices and hidden charges.",
        },
        {
            "id": "employee_scheduling",
            "kind": "employee",
            "description": "The small Logística team in Valencia complains about shift "
            "schedules (cuadrantes) in every pulse wave; too few people per wave to report "
            "the group alone.",
            "department": "Logística",
            "location": "Valencia",
        },
    ]


# ---------------------------------------------------------------------------- helpers
def _pick(rng: random.Random, weighted: Sequence[tuple[str, float]]) -> str:
    x = rng.random() * sum(w for _, w in weighted)
    for k, w in weighted:
        x -= w
        if x < 0:
            return k
    return weighted[-1][0]


def _local_tz_offset(d: date, mx: bool) -> int:
    """Hours from UTC: Mexico City -6; Spain +1, +2 between the last Sundays of March and October."""
    if mx:
        return -6

    def last_sunday(month: int) -> date:
        x = date(d.year, month, 31)
        return x - timedelta(days=(x.weekday() + 1) % 7)

    return 2 if last_sunday(3) <= d < last_sunday(10) else 1


def _iso(dt: datetime, mx: bool) -> str:
    off = _local_tz_offset(dt.date(), mx)
    return dt.isoformat(timespec="seconds") + (f"{off:+03d}:00")


def _utc(dt: datetime, mx: bool) -> datetime:
    return dt - timedelta(hours=_local_tz_offset(dt.date(), mx))


def _at(p: Plan, day: int, rng: random.Random, hours: Sequence[float] = HOUR_W) -> datetime:
    h = rng.choices(HOURS, weights=hours)[0]
    return datetime.combine(p.day(day), time(h, rng.randrange(60), rng.randrange(60)))


def _order(rng: random.Random) -> str:
    return f"LH-{rng.randrange(100000, 999999)}"


def _days_text(lang: str, rng: random.Random, long: bool = False) -> str:
    if lang == "es":
        opts = ["tres días", "4 días", "cinco días", "una semana", "casi una semana", "6 días"]
        if long:
            opts += ["diez días", "dos semanas", "12 días"]
    else:
        opts = ["three days", "4 days", "five days", "a week", "nearly a week"]
        if long:
            opts += ["ten days", "two weeks"]
    return rng.choice(opts)


# -------------------------------------------------------------------------- customers
def _make_customers(rng: random.Random, count: int, p: Plan) -> list[Cust]:
    out: list[Cust] = []
    for i in range(count):
        city = _pick(rng, CITY_WEIGHTS)
        mx = city in MX_CITIES
        en_share = 0.0 if mx else 0.3 if city in ("Barcelona", "Málaga", "Valencia") else 0.18
        lang = "en" if rng.random() < en_share else "es"
        g = "a" if rng.random() < 0.56 else "o"
        if lang == "en":
            first = rng.choice(people.FIRST_EN_F if g == "a" else people.FIRST_EN_M)
            last = rng.choice(people.LAST_EN)
        elif mx:
            first = rng.choice(people.FIRST_MX_F if g == "a" else people.FIRST_MX_M)
            last = f"{rng.choice(people.LAST_MX)} {rng.choice(people.LAST_MX)}"
        else:
            first = rng.choice(people.FIRST_ES_F if g == "a" else people.FIRST_ES_M)
            last = f"{rng.choice(people.LAST_ES)} {rng.choice(people.LAST_ES)}"
        tier = _pick(rng, (("gold", 0.1), ("silver", 0.3), ("bronze", 0.6)))
        base = {"gold": 2600.0, "silver": 900.0, "bronze": 240.0}[tier]
        ltv = round(base * rng.lognormvariate(0, 0.45), 2)
        segment = _pick(rng, (("particular", 0.78), ("profesional", 0.12), ("empresa", 0.1)))
        since = p.start - timedelta(days=rng.randrange(30, 365 * 8))
        handle = None
        followers = 0
        if rng.random() < 0.4:
            base_h = (first.split()[0] + rng.choice(("", ".", "_"))
                      + last.split()[0][: rng.randrange(1, 6)]).lower()
            base_h = tidy(base_h).lower().translate(str.maketrans("áéíóúñü ", "aeiounu_"))
            suffix = rng.choice((str(rng.randrange(70, 100)), rng.choice(people.HANDLE_WORDS), ""))
            handle = "@" + base_h + suffix
            followers = int(rng.lognormvariate(5.5, 1.3))
        store = city if city in STORE_CITIES else None
        act = rng.paretovariate(1.6) * {"gold": 2.0, "silver": 1.3, "bronze": 1.0}[tier]
        out.append(Cust(
            id=f"C{i + 1:05d}", name=f"{first} {last}", gender=g, segment=segment, tier=tier,
            ltv=ltv, city=city, since=since, lang=lang, mx=mx, store=store, handle=handle,
            followers=followers, mood=rng.gauss(0.05, 0.2), activity=act,
            products=rng.sample(PRODUCTS, rng.randrange(1, 4)),
        ))  # fmt: skip
    # Story actors, fixed whatever the seed.
    proposer = out[int(IDEA_FIRST_CUSTOMER[1:]) - 1]
    proposer.name, proposer.gender, proposer.city, proposer.store = "Elena Ferrer Soler", "a", "Valencia", "Valencia"
    proposer.lang, proposer.mx, proposer.handle, proposer.followers = "es", False, None, 0
    proposer.products = [PRODUCTS[0]]
    infl = out[int(INFLUENCER_CUSTOMER[1:]) - 1]
    infl.name, infl.gender, infl.city, infl.store = "Carla Montes Ruiz", "a", "Madrid", "Madrid"
    infl.lang, infl.mx, infl.handle = "es", False, INFLUENCER_HANDLE
    infl.followers, infl.tier, infl.ltv, infl.segment = INFLUENCER_FOLLOWERS, "gold", 4870.0, "particular"
    infl.products = [PRODUCTS[0], PRODUCTS[7]]
    return out


# ---------------------------------------------------------------------- composition
class Writer:
    """Composes texts for one generation run."""

    def __init__(self, rng: random.Random, p: Plan):
        self.rng = rng
        self.p = p

    def ctx(self, c: Cust, product: Product, **kw: Any) -> dict[str, Any]:
        r = self.rng
        store = c.store or r.choice(STORE_CITIES[:4])
        staff = company.STAFF[store]
        # the stores with praised staff have one star employee named most of the time
        star = staff[0] if r.random() < 0.85 else r.choice(staff)
        agents = (company.AGENTS_EN if c.lang == "en"
                  else company.AGENTS_MX if c.mx else company.AGENTS_ES)  # fmt: skip
        d = {
            "product": product.noun_en if c.lang == "en" else product.noun_es,
            "Product": product.name,
            "o": product.gender,
            "g": c.gender,
            "store": store,
            "staff": star,
            "courier": company.COURIER_MX if c.mx else company.COURIER,
            "days": _days_text(c.lang, r),
            "order": _order(r),
            "plus": company.MEMBERSHIP,
            "price": product.price,
            "agent": r.choice(agents),
            "name": c.name.split()[0],
        }
        d.update(kw)
        return d

    def say(self, c: Cust, key: str, ctx: dict[str, Any]) -> str:
        s = sentence(c.lang, key, ctx, self.rng)
        return mexicanise(s, self.rng) if c.mx and s else s

    def idea(self, c: Cust) -> str:
        r = self.rng
        b = bank_en if c.lang == "en" else bank_es
        ask, obj, why = r.choice(b.IDEA_ASK), r.choice(b.IDEA_OBJ), r.choice(b.IDEA_WHY)
        s = f"{ask} {obj}" + (f", {why}" if why else "")
        s += "?" if ask.startswith("¿") or ask.startswith("Why") else "."
        s = tidy(s)
        return mexicanise(s, r) if c.mx else s


def _frame(v: float) -> str:
    return "pos" if v > 0.25 else "neg" if v < -0.2 else "mixed"


def _valence(topics: Sequence[str], c: Cust, rng: random.Random) -> float:
    if not topics:
        return max(-1.0, min(1.0, c.mood + rng.gauss(0, 0.2)))
    vals = [VALENCE[t] for t in topics]
    w = [1.6 if x < 0 else 1.0 for x in vals]
    v = sum(a * b for a, b in zip(vals, w, strict=True)) / sum(w)
    return max(-1.0, min(1.0, v + 0.15 * c.mood + rng.gauss(0, 0.1)))


def _stars(v: float, rng: random.Random) -> int:
    s = 1 if v < -0.55 else 2 if v < -0.2 else 3 if v < 0.2 else 4 if v < 0.6 else 5
    if rng.random() < 0.12:
        s += rng.choice((-1, 1))
    if rng.random() < 0.025:  # the odd mis-click: text and stars disagree
        s = 6 - s
    return max(1, min(5, s))


def _nps(v: float, rng: random.Random) -> int:
    return max(0, min(10, round(6.2 + 4.6 * v + rng.gauss(0, 1.0))))


# ------------------------------------------------------------------------ generation
class Gen:
    def __init__(self, seed: int, n: int, start: date, weeks: int):
        self.rng = random.Random(seed)
        self.p = _plan(start, weeks)
        self.n = n
        n_cust = max(400, n // 3)
        self.customers = _make_customers(self.rng, n_cust, self.p)
        self.cum_act = list(accumulate(c.activity for c in self.customers))
        dw = []
        for i in range(-LEAD_DAYS, self.p.days):
            d = self.p.day(i)
            dw.append(MONTH_SEASON[d.month] * WEEKDAY[d.weekday()])
        self.cum_days = list(accumulate(dw))
        self.w = Writer(self.rng, self.p)
        self.voices: list[Voice] = []
        self.social_seq = 0

    # -- sampling
    def rand_customer(self, *, spain: bool | None = None) -> Cust:
        r = self.rng
        while True:
            c = self.customers[bisect(self.cum_act, r.random() * self.cum_act[-1])]
            if c.id in (IDEA_FIRST_CUSTOMER, INFLUENCER_CUSTOMER):
                continue
            if spain is None or spain != c.mx:
                return c

    def rand_day(self) -> int:
        """A purchase day; purchases start before ``start`` so week 1 gets its later voices."""
        return bisect(self.cum_days, self.rng.random() * self.cum_days[-1]) - LEAD_DAYS

    # -- outcomes
    def outcomes(self, c: Cust, day: int, buy: str, product: Product) -> list[str]:
        r = self.rng
        p = self.p
        out: list[str] = []
        delivered = buy != "store" or (product.bulky and r.random() < 0.6)
        dist: tuple[tuple[str, float], ...]
        if delivered:
            if not c.mx and day + 1 in p.collapse_days:
                dist = (("delivery.collapse", 0.7), ("delivery.late", 0.15),
                        ("delivery.noshow", 0.1), ("delivery.ok", 0.05))  # fmt: skip
            elif not c.mx and day >= p.campaign_day:
                dist = (("delivery.fast", 0.16), ("delivery.ok", 0.18), ("delivery.late", 0.09),
                        ("delivery.late24", 0.41), ("delivery.damaged", 0.07),
                        ("delivery.noshow", 0.06), ("delivery.rude", 0.03))  # fmt: skip
            else:
                dist = (("delivery.fast", 0.33), ("delivery.ok", 0.37), ("delivery.late", 0.15),
                        ("delivery.damaged", 0.07), ("delivery.noshow", 0.05),
                        ("delivery.rude", 0.03))  # fmt: skip
            out.append(_pick(r, dist))
            if product.bulky and r.random() < 0.35:
                out.append("assembly.good" if r.random() < 0.72 else "assembly.bad")
        if buy == "store":
            good = 0.85 if c.store in ("Valencia", "Madrid", "Ciudad de México") else 0.55
            x = r.random()
            out.append("staff.good" if x < good else "staff.bad" if x < good + 0.18 else "")
            dirty = 0.6 if c.store == "Sevilla" else 0.03
            x = r.random()
            if x < dirty:
                out.append("store.dirty")
            elif x < dirty + 0.07:
                out.append("store.clean")
        if buy == "app":
            out.append(_pick(r, (("app.good", 0.5), ("app.crash", 0.2), ("app.slow", 0.12),
                                 ("", 0.18))))  # fmt: skip
        out.append(_pick(r, (("product.good", 0.68), ("product.bad", 0.15),
                             ("product.defect", 0.06), ("", 0.11))))  # fmt: skip
        out.append(_pick(r, (("price.high", 0.17), ("price.good", 0.13), ("price.hidden", 0.04),
                             ("", 0.66))))  # fmt: skip
        bad = [t for t in out if t and VALENCE[t] < -0.5]
        if bad and ("product.defect" in out or "delivery.damaged" in out) and r.random() < 0.35:
            out.append("returns.good" if r.random() < 0.5 else "returns.bad")
        if c.tier == "gold" and bad and r.random() < 0.2:
            out.append("plus.cancel")
        elif c.tier == "gold" and not bad and r.random() < 0.06:
            out.append("plus.renew")
        if r.random() < 0.05:
            out.append(r.choice(("awareness.ad", "awareness.friend")))
        if r.random() < 0.02:
            out.append("idea.other")
        return [t for t in out if t]

    def mentioned(self, topics: list[str], k_max: int) -> list[str]:
        """The topics a voice talks about: the most intense first, a few more at random."""
        r = self.rng
        if not topics:
            return []
        ranked = sorted(topics, key=lambda t: -abs(VALENCE[t]) - r.random() * 0.6)
        k = min(len(ranked), max(1, min(k_max, int(r.triangular(1, k_max + 1, 1.6)))))
        chosen = ranked[:k]
        return [t for t in topics if t in chosen]

    # -- text per channel
    def body(self, c: Cust, topics: list[str], v: float, ctx: dict[str, Any], *,
             opener: float, closer: float, threats: bool) -> str:
        r = self.rng
        f = _frame(v)
        parts: list[str] = []
        if r.random() < opener:
            parts.append(self.w.say(c, f"open.{f}", ctx))
        parts += [self.w.say(c, t, ctx) for t in topics]
        if threats and v < -0.55:
            if r.random() < 0.3:
                parts.append(self.w.say(c, "churn", ctx))
            if r.random() < 0.06:
                parts.append(self.w.say(c, "public", ctx))
        if r.random() < closer:
            parts.append(self.w.say(c, f"close.{f}", ctx))
        return " ".join(x for x in parts if x)

    def review(self, c: Cust, when: datetime, product: Product, topics: list[str], v: float,
               ctx: dict[str, Any], location: str) -> Voice:
        r = self.rng
        text = self.body(c, topics, v, ctx, opener=0.35, closer=0.45, threats=True)
        if not text:
            text = self.w.say(c, f"title.{_frame(v)}", ctx)
        text = add_noise(text, c.lang, v, r, informal=0.25)
        title = self.w.say(c, f"title.{_frame(v)}", ctx) if r.random() < 0.85 else ""
        return Voice("review", when, c, text, v, title=title, stars=_stars(v, r),
                     product=product.name, location=location)

    def nps(self, c: Cust, when: datetime, product: Product, topics: list[str], v: float,
            ctx: dict[str, Any]) -> Voice:
        r = self.rng
        if r.random() < 0.22 or not topics:
            text = self.w.say(c, f"nps.{_frame(v)}", ctx)
        else:
            text = self.body(c, topics[:2], v, ctx, opener=0.1, closer=0.15, threats=True)
        text = add_noise(text, c.lang, v, r, informal=0.35)
        return Voice("nps", when, c, text, v, nps=_nps(v, r), product=product.name)

    def social(self, c: Cust, when: datetime, topics: list[str], v: float,
               ctx: dict[str, Any], *, threats: bool = True, extra: str = "") -> Voice:
        r = self.rng
        text = self.body(c, topics[:2], v, ctx, opener=0.2, closer=0.1, threats=threats)
        if extra:
            text = f"{text} {extra}".strip()
        if r.random() < 0.6:
            text = (f"{company.BRAND_HANDLE} {text}" if r.random() < 0.5
                    else f"{text} {company.BRAND_HANDLE}")
        if r.random() < 0.45:
            tags = people.HASHTAGS_POS if v > 0.2 else people.HASHTAGS_NEG
            text += " " + " ".join(r.sample(tags, r.randrange(1, 3)))
        text = add_noise(text, c.lang, v, r, informal=0.85)
        return Voice("social", when, c, text, v)

    def conversation(self, c: Cust, when: datetime, product: Product, topics: list[str],
                     v: float, ctx: dict[str, Any], *, resolved_p: float = 0.62,
                     tail: str = "", kind: str | None = None) -> Voice:
        r = self.rng
        v = _valence(topics, c, r)
        kind = kind or ("call" if r.random() < 0.35 else "chat")
        neg = [t for t in topics if VALENCE[t] < 0 and t in INTENT_OF_OUTCOME]
        primary = max(neg, key=lambda t: -VALENCE[t]) if neg else None
        intent = INTENT_OF_OUTCOME[primary] if primary else "question"
        resolved = r.random() < (resolved_p if primary else 0.9)
        detail = [self.w.say(c, primary, ctx)] if primary and r.random() < 0.8 else []
        if primary and r.random() < 0.35:
            others = [t for t in topics if t != primary and VALENCE[t] < 0]
            if others:
                detail.append(self.w.say(c, r.choice(others), ctx))
        angry: list[str] = []
        if not resolved and v < -0.5 and r.random() < 0.55:
            angry.append(self.w.say(c, "churn", ctx))
            if r.random() < 0.12:
                angry.append(self.w.say(c, "public", ctx))
        text = build_conversation(c.lang, kind, intent, resolved, ctx, r, detail=detail,
                                  angry=angry, tail=tail)
        if c.mx:
            text = mexicanise(text, r, opener=False)
        cv = v if primary else abs(v) * 0.5 + 0.2
        cv = min(1.0, cv + 0.5) if resolved else max(-1.0, cv - 0.3)
        csat = max(1, min(5, round(3 + 2 * cv + r.gauss(0, 0.5)))) if r.random() < 0.72 else None
        ces = None
        if r.random() < 0.38:
            ces = max(1, min(7, round(4 + 3 * cv + r.gauss(0, 0.8))))
        dur = timedelta(seconds=int(r.uniform(150, 900) * (1.6 if kind == "call" else 1.0)))
        return Voice(kind, when, c, text, cv, csat=csat, ces=ces, product=product.name,
                     extra={"duration": dur, "resolved": resolved})

    # -- episodes
    def episode(self, c: Cust, day: int) -> None:
        r = self.rng
        p = self.p
        x = r.random()
        buy = ("store" if c.store and x < 0.4 else "app" if x < 0.62 else "online")
        product = r.choice(c.products) if r.random() < 0.8 else r.choice(PRODUCTS)
        topics = self.outcomes(c, day, buy, product)
        ctx = self.w.ctx(c, product)
        bad = any(VALENCE[t] < -0.5 for t in topics)
        collapse = "delivery.collapse" in topics
        if "delivery.late" in topics or "delivery.late24" in topics:
            ctx["days"] = _days_text(c.lang, r, long=r.random() < 0.3)
        location = (c.store if buy == "store" else company.APP if buy == "app"
                    else company.ONLINE) or company.ONLINE  # fmt: skip
        emitted = 0
        neg_del = any(t.startswith("delivery.") and VALENCE[t] < 0 for t in topics)

        def add(vc: Voice) -> None:
            nonlocal emitted
            if p.start <= vc.when.date() < p.day(p.days):
                vc.neg_delivery = neg_del and vc.valence < 0
                self.voices.append(vc)
                emitted += 1

        if bad and r.random() < (0.75 if collapse else 0.5):
            when = _at(p, day + r.randrange(1, 4), r, _OFFICE)
            add(self.conversation(c, when, product, topics, 0.0, ctx,
                                  resolved_p=0.2 if collapse else 0.62))
        elif not bad and r.random() < 0.06:
            when = _at(p, day + r.randrange(0, 3), r, _OFFICE)
            add(self.conversation(c, when, product, topics, 0.3, ctx))
        if r.random() < ((0.3 if collapse else 0.2) if bad else 0.08):
            m = self.mentioned(topics, 2)
            v = _valence(m, c, r)
            sc = c if c.handle else None
            vc = self.social(c, _at(p, day + r.randrange(1, 5), r), m, v, ctx)
            if sc is None:
                vc.extra["anonymous"] = True
            add(vc)
        if r.random() < 0.5:
            m = self.mentioned(topics, 4)
            v = _valence(m, c, r)
            add(self.review(c, _at(p, day + r.randrange(2, 10), r), product, m, v, ctx, location))
        if r.random() < 0.3 or not emitted:
            m = self.mentioned(topics, 2)
            v = _valence(m, c, r)
            add(self.nps(c, _at(p, day + r.randrange(3, 14), r), product, m, v, ctx))
        if bad:
            c.mood = max(-0.8, c.mood - 0.15)
        else:
            c.mood = min(0.6, c.mood + 0.03)

    def background(self, target: int) -> None:
        r = self.rng
        while len(self.voices) < target:
            k = max(50, int((target - len(self.voices)) / 1.45))
            pairs = sorted((self.rand_day(), r.random()) for _ in range(k))
            for day, _ in pairs:
                self.episode(self.rand_customer(), day)
                if len(self.voices) >= target:
                    break

    # -- stories
    def story_collapse(self) -> None:
        """Story 1: extra complaints during the courier collapse week, up to ×4 the usual level."""
        r = self.rng
        p = self.p
        weeks = [0] * (p.weeks + 1)
        for vc in self.voices:
            if vc.neg_delivery:
                weeks[min(p.weeks, (vc.when.date() - p.start).days // 7 + 1)] += 1
        others = [weeks[w] for w in range(1, p.weeks + 1) if w != p.collapse_week]
        target = 4 * sum(others) / len(others)
        extra = max(0, round(target - weeks[p.collapse_week]))
        d0 = p.collapse_days[0]
        for _ in range(extra):
            c = self.rand_customer(spain=True)
            day = d0 + min(6, int(r.triangular(0, 7, 3)))
            product = r.choice(c.products)
            ctx = self.w.ctx(c, product)
            ctx["days"] = _days_text(c.lang, r)
            topics = ["delivery.collapse"]
            if r.random() < 0.3:
                topics.append("support.bad")
            if c.tier == "gold" and r.random() < 0.3:
                topics.append("plus.cancel")
            v = _valence(topics, c, r)
            x = r.random()
            if x < 0.42:
                vc = self.conversation(c, _at(p, day, r, _OFFICE), product, topics, v, ctx,
                                       resolved_p=0.15)
            elif x < 0.72:
                vc = self.social(c, _at(p, day, r), topics, v, ctx)
            elif x < 0.87:
                vc = self.review(c, _at(p, day, r), product, topics, v, ctx, company.ONLINE)
            else:
                vc = self.nps(c, _at(p, day, r), product, topics, v, ctx)
            vc.neg_delivery = True
            self.voices.append(vc)

    def story_idea(self) -> None:
        """Story 3: one first proposer, then >= 60 other customers ask for a delivery slot."""
        r = self.rng
        p = self.p
        first = self.customers[int(IDEA_FIRST_CUSTOMER[1:]) - 1]
        when = datetime.combine(p.day(p.idea_first_day), time(14, 5, 31))
        self.voices.append(Voice("nps", when, first, bank_es.IDEA_FIRST, 0.5, nps=8,
                                 product=first.products[0].name))
        seen = {first.id, INFLUENCER_CUSTOMER}
        chosen: list[Cust] = []
        while len(chosen) < IDEA_CUSTOMERS:
            c = self.rand_customer()
            if c.id not in seen:
                seen.add(c.id)
                chosen.append(c)
        span = p.days - 1 - (p.idea_first_day + 12)
        for c in chosen:
            day = p.idea_first_day + 12 + int(span * math.sqrt(r.random()))
            product = r.choice(c.products)
            ctx = self.w.ctx(c, product)
            ctx_topic = _pick(r, (("delivery.noshow", 0.35), ("delivery.ok", 0.25),
                                  ("delivery.fast", 0.15), ("product.good", 0.15),
                                  ("", 0.10)))  # fmt: skip
            topics = [ctx_topic] if ctx_topic else []
            v = _valence(topics, c, r) * 0.7 + 0.1
            idea = self.w.idea(c)
            x = r.random()
            if x < 0.36:
                ctx_text = self.w.say(c, topics[0], ctx) if topics and r.random() < 0.6 else ""
                text = add_noise(f"{ctx_text} {idea}".strip(), c.lang, v, r, informal=0.3)
                vc = Voice("nps", _at(p, day, r), c, text, v, nps=_nps(v, r),
                           product=product.name)
            elif x < 0.66:
                vc = self.review(c, _at(p, day, r), product, topics, v, ctx, company.ONLINE)
                vc.text = f"{vc.text} {idea}" if r.random() < 0.7 else f"{idea} {vc.text}"
            elif x < 0.82:
                vc = self.social(c, _at(p, day, r), topics, v, ctx, threats=False, extra=idea)
            else:
                vc = self.conversation(c, _at(p, day, r, _OFFICE), product, topics, v, ctx,
                                       tail=idea)
            self.voices.append(vc)

    def story_viral(self) -> None:
        """Story 4: the influencer's history, her angry post and the storm of replies."""
        r = self.rng
        p = self.p
        c = self.customers[int(INFLUENCER_CUSTOMER[1:]) - 1]
        sofa = PRODUCTS[0]
        vd = p.viral_day
        ctx = self.w.ctx(c, sofa, order="LH-734215", agent="Nerea")
        chat1 = build_conversation(
            "es", "chat", "wismo", False, ctx, r,
            detail=["El transportista no vino a la cita de entrega del sofá y nadie me avisó."],
            angry=[],
        )
        self.voices.append(Voice("chat", datetime.combine(p.day(vd - 13), time(10, 12, 40)),
                                 c, chat1, -0.6, csat=2, product=sofa.name,
                                 extra={"duration": timedelta(minutes=9), "resolved": False}))
        ctx2 = dict(ctx, agent="Raúl")
        call = build_conversation(
            "es", "call", "wismo", False, ctx2, r,
            detail=["Es la segunda vez que pido el día libre para recibir el sofá y no aparece "
                    "nadie. Llevo tres semanas sin sofá."],
            angry=["Si la próxima entrega falla, cancelo el pedido y lo cuento en mis redes, "
                   "que tengo mucha gente que me sigue."],
        )
        self.voices.append(Voice("call", datetime.combine(p.day(vd - 4), time(17, 48, 3)), c,
                                 call, -0.85, csat=1, ces=1, product=sofa.name,
                                 extra={"duration": timedelta(minutes=23), "resolved": False}))
        root_when = datetime.combine(p.day(vd), time(19, 42, 10))
        root_text = (
            "Tres semanas esperando mi sofá de @LumenHogar. TRES citas de entrega, tres plantones: "
            "pedí el día libre tres veces y no vino nadie. Atención al cliente solo me dice que "
            "\"es cosa del transportista\". Si mañana no tengo una solución, subo un vídeo "
            "contándolo todo y me voy a la competencia. Vergüenza. #LumenHogar #NuncaMás"
        )
        root = Voice("social", root_when, c, root_text, -0.95,
                     extra={"likes": 5230, "reshares": 1874, "platform": "x"})
        self.voices.append(root)
        root_id = self.social_id()
        root.extra["post_id"] = root_id
        others = [x for x in self.customers if x.handle and not x.mx and x.id != c.id]
        for i in range(VIRAL_REPLIES + VIRAL_QUOTES):
            quote = i >= VIRAL_REPLIES
            offset = timedelta(minutes=int(r.expovariate(1 / 70)) + 2)
            offset = min(offset, timedelta(hours=6))
            who = r.choice(others) if r.random() < 0.3 else None
            bank = people.QUOTE_ES if quote else people.REPLY_ES
            text = tidy(expand(r.choice(bank), {}, r))
            if quote:
                text = f"{text} {root_text[:60]}…"
            v = -0.6 if "nunca he tenido" not in text.lower() else 0.2
            text = add_noise(text, "es", v, r, informal=0.9)
            vc = Voice("social", root_when + offset, who, text, v,
                       extra={"thread_id": root_id, "parent_id": root_id,
                              "kind": "quote" if quote else "reply", "platform": "x"})
            if who is None:
                vc.extra["handle"], vc.extra["followers"] = self.stranger(r)
            self.voices.append(vc)
        brand = Voice("social", root_when + timedelta(minutes=38), None,
                      "Hola, Carla. Sentimos muchísimo lo ocurrido con tu sofá. Te hemos escrito "
                      "por DM para darte una solución hoy mismo.", 0.2,
                      extra={"thread_id": root_id, "parent_id": root_id, "kind": "reply",
                             "handle": company.SUPPORT_HANDLE, "followers": 18_900,
                             "platform": "x"})
        self.voices.append(brand)
        self.voices.append(Voice(
            "social", root_when + timedelta(hours=2, minutes=16), c,
            "Me han escrito por DM ofreciéndome un 10 %. Después de tres plantones. No, gracias: "
            "quiero mi sofá o mi dinero. Mañana sale el vídeo.", -0.8,
            extra={"thread_id": root_id, "parent_id": root_id, "kind": "reply",
                   "platform": "x"}))
        self.voices.append(Voice(
            "nps", datetime.combine(p.day(min(p.days - 1, vd + 9)), time(21, 3, 55)), c,
            "Tres entregas fallidas, nadie responsable y una oferta ridícula. Cancelé el pedido "
            "y me he dado de baja de Lumen Plus.", -0.9, nps=0, product=sofa.name))

    def stranger(self, r: random.Random) -> tuple[str, int]:
        first = r.choice(people.FIRST_ES_F + people.FIRST_ES_M).lower()
        h = first.translate(str.maketrans("áéíóú", "aeiou")) + r.choice(
            ("_", ".", "")) + r.choice(people.HANDLE_WORDS) + str(r.randrange(1, 999))
        return "@" + h.replace(" ", ""), int(r.lognormvariate(5.8, 1.4))

    def social_id(self) -> str:
        self.social_seq += 1
        return f"P{self.social_seq:06d}"

    def background_threads(self) -> None:
        """Brand replies and 'me too' replies under some ordinary negative posts."""
        r = self.rng
        roots = [v for v in self.voices if v.channel == "social" and "parent_id" not in v.extra
                 and "kind" not in v.extra]
        new: list[Voice] = []
        for root in roots:
            if root.valence < -0.3 and r.random() < 0.35:
                name = root.cust.name.split()[0] if root.cust else ""
                lang = root.cust.lang if root.cust else "es"
                bank = people.BRAND_REPLY_EN if lang == "en" else people.BRAND_REPLY_ES[:2]
                t = tidy(expand(r.choice(bank), {"name": name, "g": "o"}, r))
                new.append(Voice("social", root.when + timedelta(minutes=r.randrange(15, 300)),
                                 None, t, 0.2,
                                 extra={"root": root, "kind": "reply",
                                        "handle": company.SUPPORT_HANDLE, "followers": 18_900}))
            if root.valence < -0.3 and r.random() < 0.15:
                lang = root.cust.lang if root.cust else "es"
                bank = people.REPLY_EN if lang == "en" else people.REPLY_ES[:9]
                t = add_noise(tidy(expand(r.choice(bank), {}, r)), lang, -0.5, r, informal=0.9)
                h, f = self.stranger(r)
                new.append(Voice("social", root.when + timedelta(minutes=r.randrange(5, 600)),
                                 None, t, -0.5,
                                 extra={"root": root, "kind": "reply", "handle": h,
                                        "followers": f}))
            if root.valence > 0.4 and r.random() < 0.1:
                t = tidy(expand(people.BRAND_REPLY_ES[2], {"name": root.cust.name.split()[0]
                                if root.cust else "", "g": root.cust.gender if root.cust
                                else "o"}, r))
                new.append(Voice("social", root.when + timedelta(minutes=r.randrange(30, 600)),
                                 None, t, 0.8,
                                 extra={"root": root, "kind": "reply",
                                        "handle": company.SUPPORT_HANDLE, "followers": 18_900}))
        self.voices.extend(new)

    # -- employees
    def employees(self) -> list[dict[str, Any]]:
        r = self.rng
        p = self.p
        rows: list[dict[str, Any]] = []
        wave_weeks = list(range(2, p.weeks + 1, 4))
        for wi, wk in enumerate(wave_weeks):
            for dept, loc, size in company.DEPARTMENTS:
                k = max(1, size + r.choice((-1, 0, 0, 1)))
                if dept == "Logística" and loc == "Valencia":
                    k = r.choice((3, 4))
                for _ in range(k):
                    day = 7 * (wk - 1) + r.randrange(0, 5)
                    topic, v = self.employee_topic(dept, loc, wk, wi)
                    if dept == "Tecnología" and r.random() < 0.35:
                        key = "en.good" if v > 0 else "en.bad"
                    else:
                        key = topic
                    text = tidy(expand(r.choice(people.EMPLOYEE[key]), {}, r))
                    if loc == "Ciudad de México":
                        text = mexicanise(text, r)
                    if r.random() < 0.25 and key not in ("en.good", "en.bad"):
                        extra_t, ev = self.employee_topic(dept, loc, wk, wi)
                        text += " " + tidy(expand(r.choice(people.EMPLOYEE[extra_t]), {}, r))
                        v = (v + ev) / 2
                    text = add_noise(text, "es", v, r, informal=0.1)
                    enps = max(0, min(10, round(6 + 4 * v + r.gauss(0, 1.1))))
                    when = _at(p, day, r, _OFFICE)
                    rows.append({"date": when, "department": dept, "location": loc,
                                 "enps": enps, "text": text})
        rows.sort(key=lambda x: x["date"])
        for i, row in enumerate(rows, 1):
            row["comment_id"] = f"E{i:05d}"
        return rows

    def employee_topic(self, dept: str, loc: str, wk: int, wi: int) -> tuple[str, float]:
        r = self.rng
        if dept == "Logística" and loc == "Valencia":
            return ("schedule", -0.75) if r.random() < 0.85 else ("workload", -0.5)
        opts: list[tuple[str, float]] = [("team.good", 0.55), ("pay", 0.15), ("tools", 0.1),
                                         ("schedule", 0.05), ("workload", 0.1)]  # fmt: skip
        if dept == "Tiendas" and loc == "Sevilla":
            opts.append(("clean", 0.25))
        if dept in ("Atención al cliente", "Logística") and (
            wk >= self.p.campaign_week or abs(wk - self.p.collapse_week) <= 1
        ):
            opts.append(("workload", 0.5))
            opts.append(("tools", 0.15))
        t = _pick(r, opts)
        v = {"team.good": 0.7, "pay": -0.5, "tools": -0.45, "schedule": -0.6, "workload": -0.65,
             "clean": -0.5}[t]  # fmt: skip
        return t, v


_OFFICE = tuple(w if 9 <= h <= 21 else 0.0 for h, w in enumerate(HOUR_W))


# ------------------------------------------------------------------------------ output
def _csv(path: Path, header: Sequence[str], rows: Sequence[dict[str, Any]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as f:
        w = csv.DictWriter(f, fieldnames=list(header), lineterminator="\n")
        w.writeheader()
        for row in rows:
            w.writerow({k: "" if row.get(k) is None else row[k] for k in header})


def _jsonl(path: Path, rows: Sequence[dict[str, Any]]) -> None:
    with path.open("w", encoding="utf-8", newline="\n") as f:
        for row in rows:
            f.write(json.dumps(row, ensure_ascii=False) + "\n")


def _lang(v: Voice) -> str:
    return v.cust.lang if v.cust else "es"


def mappings() -> dict[str, dict[str, Any]]:
    """Ingest mappings (escucha.ingest.Mapping format) for each generated file."""
    return {
        "reviews": {
            "name": "lumen_reviews",
            "description": "Reseñas de Lumen Hogar (web, app y tiendas).",
            "format": "csv",
            "columns": {"id": "review_id", "timestamp": "date", "rating": "stars",
                        "title": "title", "text": "text", "product": "product",
                        "location": "store", "customer_id": "customer_id",
                        "language": "language"},
            "constants": {"channel": "review", "source": "lumen_reviews"},
            "date_formats": ["%Y-%m-%d"],
            "timezone": "UTC",
        },
        "nps_survey": {
            "name": "lumen_nps",
            "description": "Encuesta NPS relacional de Lumen Hogar (fechas en UTC).",
            "format": "csv",
            "columns": {"id": "response_id", "timestamp": "date", "customer_id": "customer_id",
                        "nps": "nps", "text": "comment"},
            "constants": {"channel": "survey", "source": "lumen_nps"},
            "date_formats": ["%Y-%m-%d %H:%M:%S"],
            "timezone": "UTC",
        },
        "chats": {
            "name": "lumen_contact_center",
            "description": "Chats y transcripciones de llamadas del contact center.",
            "format": "jsonl",
            "columns": {"id": "conversation_id", "channel": "type", "timestamp": "started_at",
                        "customer_id": "customer_id", "text": "transcript", "csat": "csat",
                        "ces": "ces", "language": "language", "product": "product"},
            "constants": {"source": "lumen_contact_center"},
            "metadata": ["ended_at", "agent", "queue", "turns"],
        },
        "social": {
            "name": "lumen_social",
            "description": "Menciones en redes sociales, con respuestas y citas.",
            "format": "jsonl",
            "columns": {"id": "post_id", "timestamp": "created_at", "text": "text",
                        "reach": "author_followers", "thread_id": "thread_id",
                        "parent_id": "parent_id", "customer_id": "customer_id",
                        "language": "lang"},
            "constants": {"channel": "social", "source": "lumen_social"},
            "metadata": ["author", "platform", "kind", "likes", "reshares"],
        },
        "employees": {
            "name": "lumen_pulse",
            "description": "Encuesta de pulso interna (eNPS 0-10 y comentario anónimo).",
            "format": "csv",
            "columns": {"id": "comment_id", "timestamp": "date", "text": "text", "nps": "enps",
                        "location": "location"},
            "constants": {"channel": "employee", "source": "lumen_pulse"},
            "metadata": ["department"],
            "date_formats": ["%Y-%m-%d %H:%M:%S"],
            "timezone": "Europe/Madrid",
        },
        "customers": {
            "name": "lumen_customers",
            "description": "Tabla de clientes (sin texto): atributos por customer_id. Se carga "
            "como tabla de clientes, no como voces.",
            "format": "csv",
            "columns": {"customer_id": "customer_id"},
            "customer_name": "name",
            "customer_attributes": ["segment", "tier", "lifetime_value", "city", "since"],
        },
    }


def generate(
    out_dir: Path, seed: int = 7, n: int = 6000, start: date = DEFAULT_START, weeks: int = 26
) -> dict[str, Path]:
    """Write the demo company's data to ``out_dir``; returns {name: path}.

    Names: reviews, nps_survey, chats, social, employees, customers (data files), company
    (company.yaml) and mapping:<name> for each ``mappings/<name>.yaml``. ``n`` is the
    approximate total number of rows over the five voice files.
    """
    if n < 1000:
        raise ValueError(f"n: {n} is too small for the demo stories (need >= 1000)")
    out_dir = Path(out_dir)
    (out_dir / "mappings").mkdir(parents=True, exist_ok=True)
    g = Gen(seed, n, start, weeks)
    emp = g.employees()
    story_fixed = 1 + IDEA_CUSTOMERS + VIRAL_REPLIES + VIRAL_QUOTES + 6
    est_collapse = round(0.075 * n)
    social_replies = round(0.012 * n)
    g.background(n - len(emp) - story_fixed - est_collapse - social_replies)
    g.story_collapse()
    g.story_idea()
    g.story_viral()
    g.background_threads()
    g.background(n - len(emp))  # top up what the estimates missed
    paths = _write(g, emp, out_dir)
    return paths


def _write(g: Gen, emp: list[dict[str, Any]], out: Path) -> dict[str, Path]:
    p = g.p
    end = datetime.combine(p.day(p.days), time(0))
    first = datetime.combine(p.start, time(0))
    voices = [v for v in g.voices
              if first <= v.when and _utc(v.when, bool(v.cust and v.cust.mx)) < end]
    voices.sort(key=lambda v: (v.when, v.channel, v.text))
    paths: dict[str, Path] = {}

    reviews = [v for v in voices if v.channel == "review"]
    rows = []
    for i, v in enumerate(reviews, 1):
        assert v.cust is not None
        rows.append({"review_id": f"R{i:06d}", "date": v.when.date().isoformat(),
                     "stars": v.stars, "title": v.title, "text": v.text, "product": v.product,
                     "store": v.location, "customer_id": v.cust.id, "language": v.cust.lang})
    paths["reviews"] = out / "reviews.csv"
    _csv(paths["reviews"], ["review_id", "date", "stars", "title", "text", "product", "store",
                            "customer_id", "language"], rows)  # fmt: skip

    rows = []
    for i, v in enumerate((v for v in voices if v.channel == "nps"), 1):
        assert v.cust is not None
        ts = _utc(v.when, v.cust.mx)
        rows.append({"response_id": f"S{i:06d}", "date": ts.strftime("%Y-%m-%d %H:%M:%S"),
                     "customer_id": v.cust.id, "nps": v.nps, "comment": v.text})
    paths["nps_survey"] = out / "nps_survey.csv"
    _csv(paths["nps_survey"], ["response_id", "date", "customer_id", "nps", "comment"], rows)

    rows = []
    for i, v in enumerate((v for v in voices if v.channel in ("chat", "call")), 1):
        assert v.cust is not None
        c: Cust | None = v.cust
        assert c is not None
        queue = "mexico" if c.mx else "english" if c.lang == "en" else "espana"
        rows.append({
            "conversation_id": f"{'CH' if v.channel == 'chat' else 'CL'}{i:06d}",
            "type": v.channel, "started_at": _iso(v.when, c.mx),
            "ended_at": _iso(v.when + v.extra["duration"], c.mx), "customer_id": c.id,
            "agent": _agent_of(v), "queue": queue, "language": c.lang,
            "product": v.product, "turns": v.text.count("\n") + 1, "csat": v.csat,
            "ces": v.ces, "transcript": v.text,
        })  # fmt: skip
    paths["chats"] = out / "chats.jsonl"
    _jsonl(paths["chats"], rows)

    rows = []
    ids: dict[int, str] = {}
    social = [v for v in voices if v.channel == "social"]
    rng = random.Random(g.rng.random())
    for v in social:
        if "post_id" in v.extra:
            ids[id(v)] = v.extra["post_id"]
    for v in social:
        if id(v) not in ids:
            ids[id(v)] = g.social_id()
    for v in social:
        c = v.cust  # type: ignore[assignment]  # None for strangers and the brand
        handle = v.extra.get("handle") or (c.handle if c and c.handle else None)
        linked = c is not None and c.handle is not None and "handle" not in v.extra
        if handle is None:
            handle, followers = g.stranger(rng)
        else:
            followers = v.extra.get("followers", c.followers if c else 0)
        root = v.extra.get("root")
        parent = v.extra.get("parent_id") or (ids[id(root)] if root is not None else None)
        thread = v.extra.get("thread_id") or parent or ids[id(v)]
        kind = v.extra.get("kind", "post")
        lang = c.lang if c and linked else (root.cust.lang if root is not None and root.cust
                                            else _lang(v))  # fmt: skip
        likes = v.extra.get("likes")
        if likes is None:
            likes = int(rng.expovariate(1 / 6)) if kind == "post" else int(rng.expovariate(1 / 2))
        rows.append({
            "post_id": ids[id(v)], "created_at": _utc(v.when, bool(c and c.mx)).strftime(
                "%Y-%m-%dT%H:%M:%SZ"), "platform": v.extra.get("platform") or rng.choice(
                ("x", "x", "instagram", "facebook", "tiktok")),
            "author": handle, "author_followers": followers,
            "customer_id": c.id if linked and c else None, "kind": kind,
            "thread_id": thread, "parent_id": parent, "lang": lang, "text": v.text,
            "likes": likes, "reshares": v.extra.get("reshares", int(likes * rng.random() / 3)),
        })  # fmt: skip
    rows.sort(key=lambda x: (x["created_at"], x["post_id"]))
    paths["social"] = out / "social.jsonl"
    _jsonl(paths["social"], rows)

    paths["employees"] = out / "employees.csv"
    _csv(paths["employees"], ["comment_id", "date", "department", "location", "enps", "text"],
         [dict(r, date=r["date"].strftime("%Y-%m-%d %H:%M:%S")) for r in emp])

    rows = [{"customer_id": c.id, "name": c.name, "segment": c.segment, "tier": c.tier,
             "lifetime_value": f"{c.ltv:.2f}", "city": c.city, "since": c.since.isoformat()}
            for c in g.customers]  # fmt: skip
    paths["customers"] = out / "customers.csv"
    _csv(paths["customers"], ["customer_id", "name", "segment", "tier", "lifetime_value",
                              "city", "since"], rows)  # fmt: skip

    paths["company"] = out / "company.yaml"
    _yaml(paths["company"], company.company_config(p.start, p.weeks))
    for name, m in mappings().items():
        path = out / "mappings" / f"{name}.yaml"
        _yaml(path, m)
        paths[f"mapping:{name}"] = path
    return paths


def _agent_of(v: Voice) -> str:
    first = v.text.split("\n", 1)[0]
    for name in (*company.AGENTS_ES, *company.AGENTS_MX, *company.AGENTS_EN):
        if name in first:
            return name
    return ""


def _yaml(path: Path, data: dict[str, Any]) -> None:
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100),
                    encoding="utf-8")


__all__ = ["DEFAULT_START", "FILES", "generate", "mappings", "stories"]
