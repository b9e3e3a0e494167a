"""The detector run in event-time order: each step sees only the voices up to its end.

:func:`detect` works on aggregated counts (one array per scope and day, one per scope and step of
the current day), so a replay of months of voices takes seconds. A live watcher calls the same
function on the windows that new (or late) voices touched, so live and replay raise the same
alerts, with ids made from kind + scope + window (:func:`alert_id`).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import numpy as np
import pandas as pd

from escucha.watch.anomaly import (
    ModelParams,
    benjamini_hochberg,
    cumulative_profile,
    dispersion,
    ewma_weight,
    nb_sf,
    weekday_factors,
)
from escucha.watch.frame import ALL, SHARE_DIMS, scope_key, scope_label, scope_of

DAY = pd.Timedelta(days=1)
KINDS = ("volume", "topic", "negativity")


def alert_id(kind: str, scope: dict[str, Any] | str, window_start: str) -> str:
    """Deterministic: the same kind, scope and window always give the same id (no duplicates when
    late voices make a window be evaluated again)."""
    key = scope if isinstance(scope, str) else scope_key(scope)
    return "al-" + hashlib.sha1(f"{kind}|{key}|{window_start}".encode(), usedforsecurity=False).hexdigest()[:16]


def parse_step(step: str | timedelta | pd.Timedelta) -> pd.Timedelta:
    """``1h``, ``15min``, ``30m``, ``1d`` → a step that divides a day."""
    if isinstance(step, str) and step.strip().endswith("m") and not step.strip().endswith("min"):
        step = step.strip() + "in"
    try:
        td = pd.Timedelta(step)
    except (ValueError, TypeError):
        from escucha.errors import ValidationError

        raise ValidationError(f"step {step!r}: expected a duration such as 1h, 30min or 1d", field="step") from None
    if td <= pd.Timedelta(0) or td > DAY or DAY % td != pd.Timedelta(0):
        from escucha.errors import ValidationError

        raise ValidationError(f"step {step!r}: must divide a day (e.g. 15min, 1h, 6h, 1d)", field="step")
    return td


@dataclass
class _State:
    """EWMA state per scope (arrays over every scope), updated after each day."""

    n: int
    m: np.ndarray = field(init=False)  # EWMA daily count (weekday-adjusted)
    v: np.ndarray = field(init=False)  # EWMA squared deviation
    w: np.ndarray = field(init=False)  # EWMA weight sum (bias correction)
    neg: np.ndarray = field(init=False)  # EWMA daily negatives
    days: np.ndarray = field(init=False)  # days with data since the scope was first seen

    def __post_init__(self) -> None:
        self.m, self.v, self.w, self.neg = (np.zeros(self.n) for _ in range(4))
        self.run = np.zeros(self.n)  # days in a row above the winsorising cap
        self.raw = np.zeros(self.n)  # EWMA daily count, not winsorised (shares: numerator and denominator alike)
        self.days = np.zeros(self.n)

    def mean(self) -> np.ndarray:
        return np.where(self.w > 0, self.m / np.maximum(self.w, 1e-12), 0.0)  # type: ignore[no-any-return]

    def var(self) -> np.ndarray:
        return np.where(self.w > 0, self.v / np.maximum(self.w, 1e-12), 0.0)  # type: ignore[no-any-return]

    def raw_mean(self) -> np.ndarray:
        return np.where(self.w > 0, self.raw / np.maximum(self.w, 1e-12), 0.0)  # type: ignore[no-any-return]

    def neg_mean(self) -> np.ndarray:
        return np.where(self.w > 0, self.neg / np.maximum(self.w, 1e-12), 0.0)  # type: ignore[no-any-return]

    def update(self, x: np.ndarray, neg: np.ndarray, seen: np.ndarray, a: float) -> None:
        mean = self.mean()
        live = np.ones_like(seen)  # every scope learns from every day with data (zeros before it appears)
        self.raw = (1 - a) * self.raw + a * x
        # winsorised: an incident day must not become tomorrow's normal (robust to runs of bad days)
        cap = np.where(self.days >= 3, np.maximum(1.5 * mean, mean + 2.0 * np.sqrt(self.var()) + 2.0), np.inf)
        cap = np.where(self.run >= 2, np.inf, cap)  # a third high day in a row is a new level, not an incident
        self.run = np.where(x > cap, self.run + 1, 0.0)
        x = np.minimum(x, cap)
        neg = np.minimum(neg, x)
        dev = (x - mean) ** 2
        self.m = np.where(live, (1 - a) * self.m + a * x, self.m)
        self.v = np.where(live & (self.days > 0), (1 - a) * self.v + a * dev, self.v)
        self.neg = np.where(live, (1 - a) * self.neg + a * neg, self.neg)
        self.w = np.where(live, (1 - a) * self.w + a, self.w)
        self.days = np.where(seen | (self.days > 0), self.days + 1, self.days)  # days since first seen


def detect(
    obs: pd.DataFrame,
    step: str | pd.Timedelta = "1h",
    params: ModelParams | None = None,
    *,
    report_days: Iterable[pd.Timestamp] | None = None,
    until: pd.Timestamp | None = None,
    kinds: Iterable[str] = KINDS,
    trace: dict[str, list[Any]] | None = None,
) -> list[dict[str, Any]]:
    """Alerts raised by a watcher stepping through ``obs`` (see :func:`escucha.watch.frame.observations`).

    ``report_days`` limits the windows evaluated (a live watcher's new and late windows; the
    baselines still learn from every earlier day); ``until`` ends the replay (voices after it are
    not seen). Each alert is raised at the first step its window's evidence is significant."""
    params = params or ModelParams()
    step_td = parse_step(step)
    kinds = set(kinds)
    if until is not None:
        obs = obs[obs["ts"] <= until]
    if obs.empty:
        return []
    ts = pd.to_datetime(obs["ts"])
    origin = ts.min().floor("D")
    # one voice per author, scope and day: a customer posting ten times is one voice, not a crisis
    day_of = ((ts - origin) // DAY).to_numpy()
    repeat = obs.assign(_d=day_of).duplicated(["author", "scope", "_d"]).to_numpy() & (obs["author"] != "").to_numpy()
    obs, ts = obs[~repeat], ts[~repeat]
    rel = (ts - origin).to_numpy().astype("timedelta64[ns]").astype(np.int64)
    day_ns, step_ns = DAY.value, step_td.value
    n_steps = int(day_ns // step_ns)
    d_idx = rel // day_ns
    k_idx = (rel % day_ns) // step_ns
    n_days = int(d_idx.max()) + 1
    codes, uniques = pd.factorize(obs["scope"])
    keys = np.asarray(uniques, dtype=object)
    n_scopes = len(keys)
    first = obs.drop_duplicates("scope").set_index("scope")
    family = first.loc[keys, "family"].to_numpy(dtype=str)
    parent_key = first.loc[keys, "parent"].to_numpy(dtype=str)
    index = {k: i for i, k in enumerate(keys)}
    all_i = index.get(ALL, -1)
    parent = np.array([index.get(p, -1) for p in parent_key])
    kid_single = np.array([index.get(_kid_of(k), -1) if family[i] == "share" else -1 for i, k in enumerate(keys)])
    negative = obs["negative"].to_numpy(dtype=bool)
    flat = codes * n_days + d_idx
    daily = np.bincount(flat, minlength=n_scopes * n_days).reshape(n_scopes, n_days).astype(float)
    daily_neg = np.bincount(flat[negative], minlength=n_scopes * n_days).reshape(n_scopes, n_days).astype(float)
    totals = daily[all_i] if all_i >= 0 else daily.sum(axis=0)
    all_rows = codes == all_i
    step_of_day = np.bincount(d_idx[all_rows] * n_steps + k_idx[all_rows],
                              minlength=n_days * n_steps).reshape(n_days, n_steps).astype(float)  # fmt: skip
    weekdays = np.array([(origin + d * DAY).dayofweek for d in range(n_days)])
    wanted = None if report_days is None else {int((pd.Timestamp(d).floor("D") - origin) / DAY) for d in report_days}

    state = _State(n_scopes)
    hist = np.zeros((n_scopes, n_steps))  # voices per scope and step of day, over past days
    a = ewma_weight(params.half_life_days)
    alerts: list[dict[str, Any]] = []
    day_rows = np.argsort(d_idx, kind="stable")
    bounds = np.searchsorted(d_idx[day_rows], np.arange(n_days + 1))
    for d in range(n_days):
        has_data = totals[d] > 0
        if has_data and (wanted is None or d in wanted):
            rows = day_rows[bounds[d]:bounds[d + 1]]
            wf = weekday_factors(totals[:d], weekdays[:d])
            prof = _profiles(hist, step_of_day[:d].sum(axis=0))
            alerts += _evaluate_day(
                d, rows, codes, k_idx, negative, n_steps, state, wf[weekdays[d]], prof, params,
                family, parent, kid_single, keys, all_i, kinds, origin, step_td, trace,
            )  # fmt: skip
        if has_data:
            rows = day_rows[bounds[d]:bounds[d + 1]]
            np.add.at(hist, (codes[rows], k_idx[rows]), 1.0)
            wf_now = weekday_factors(totals[:d], weekdays[:d])[weekdays[d]]
            state.update(daily[:, d] / wf_now, daily_neg[:, d] / wf_now, daily[:, d] > 0, a)
    return alerts


def _profiles(hist: np.ndarray, overall: np.ndarray, prior: float = 200.0) -> np.ndarray:
    """Per scope, the share of a day's voices that have arrived by each step: its own pattern
    (reviews dated at midnight, chats in office hours) shrunk towards everyone's with ``prior`` voices."""
    base = cumulative_profile(overall)
    n = hist.sum(axis=1, keepdims=True)
    own = np.cumsum(hist, axis=1) / np.maximum(n, 1.0)
    return (n * own + prior * base[None, :]) / (n + prior)  # type: ignore[no-any-return]


def _kid_of(key: str) -> str:
    """The single share scope inside a pair key (``product=X·aspect=Y`` → ``aspect=Y``)."""
    scope = scope_of(key)
    return scope_key({d: v for d, v in scope.items() if d in SHARE_DIMS})


def _evaluate_day(
    d: int, rows: np.ndarray, codes: np.ndarray, k_idx: np.ndarray, negative: np.ndarray, n_steps: int,
    state: _State, wf: float, prof: np.ndarray, params: ModelParams, family: np.ndarray,
    parent: np.ndarray, kid_single: np.ndarray, keys: np.ndarray, all_i: int, kinds: set[str],
    origin: pd.Timestamp, step: pd.Timedelta, trace: dict[str, list[Any]] | None = None,
) -> list[dict[str, Any]]:  # fmt: skip
    present = np.unique(codes[rows])
    local = {int(s): i for i, s in enumerate(present)}
    li = np.array([local[int(c)] for c in codes[rows]])
    shape = (len(present), n_steps)
    cum = np.zeros(shape)
    np.add.at(cum, (li, k_idx[rows]), 1.0)
    cum_neg = np.zeros(shape)
    sel = negative[rows]
    np.add.at(cum_neg, (li[sel], k_idx[rows][sel]), 1.0)
    cum, cum_neg = np.cumsum(cum, axis=1), np.cumsum(cum_neg, axis=1)

    mean, var, days = state.mean()[present], state.var()[present], state.days[present]
    fam = family[present]
    tests: list[tuple[str, np.ndarray, np.ndarray, np.ndarray, np.ndarray]] = []  # kind, mask, x, mu, alpha
    volume_effect = np.ones(shape, dtype=bool)
    if "volume" in kinds:
        ok = (fam == "volume") & (present != all_i) & (days >= params.min_history_days)
        mu = (mean * wf)[:, None] * prof[present]
        alpha = dispersion(var, mean, days, params)[:, None] * np.ones((1, n_steps))
        tests.append(("volume", ok, cum, mu, alpha))
        # it must also outgrow everyone: a day when all voices double is no spike of each place
        raw = state.raw_mean()
        share = raw[present] / max(raw[all_i], 1e-9) if all_i >= 0 else np.zeros(len(present))
        n_all = cum[local[all_i]] if all_i in local else np.zeros(n_steps)
        volume_effect = cum >= params.share_ratio * share[:, None] * n_all[None, :]
    mean_all = state.mean()
    topic_effect = np.ones(shape, dtype=bool)
    if "topic" in kinds:
        *test, topic_effect = _topic_test(present, local, cum, mean, var, days, wf, prof, state, params, family, parent,
                                          kid_single, all_i)  # fmt: skip
        tests.append(tuple(test))  # type: ignore[arg-type]
    if "negativity" in kinds:
        neg_all = state.neg_mean()[all_i] / max(mean_all[all_i], 1e-9) if all_i >= 0 else 0.5
        r = (state.neg_mean()[present] + params.prior_voices * neg_all) / (mean + params.prior_voices)
        ok = (present != all_i) & (days >= params.min_history_days)
        tests.append(("negativity", ok, cum_neg, np.clip(r, 1e-6, 1)[:, None] * cum, np.full(shape, params.alpha0)))
    if not tests:
        return []
    pvals = np.full((len(tests), *shape), np.nan)
    for t, (_, ok, x, mu, alpha) in enumerate(tests):
        effect = ok[:, None] & (x >= params.min_count) & (x >= params.min_ratio * mu)
        if tests[t][0] == "topic":
            effect &= topic_effect
        if tests[t][0] == "volume":
            effect &= volume_effect
        idx = np.nonzero(effect)
        if idx[0].size:
            pvals[t][idx] = nb_sf(x[idx], mu[idx], alpha[idx])
        pvals[t][~effect] = np.nan  # screened out: not counted among the hypotheses
    day_start = origin + d * DAY
    if trace is not None:  # for debugging and the benchmark: the numbers behind chosen scopes
        for t, (kind, ok, x, mu, _) in enumerate(tests):
            for s_, g in enumerate(present):
                if str(keys[g]) in trace:
                    trace[str(keys[g])].append((kind, day_start.date().isoformat(), bool(ok[s_]),
                                                x[s_].tolist(), np.round(mu[s_], 1).tolist(), pvals[t, s_].tolist()))
    raised: dict[tuple[int, int], dict[str, Any]] = {}
    out: list[dict[str, Any]] = []
    for k in range(n_steps):
        found = benjamini_hochberg(pvals[:, :, k], params.fdr)
        fresh = [(t, s) for t, s in zip(*np.nonzero(found), strict=True) if (t, s) not in raised]
        pair_kids = {int(kid_single[present[s]]) for t, s in raised} | {
            int(kid_single[present[s]]) for t, s in fresh if tests[t][0] == "topic" and parent[present[s]] != all_i}
        for t, s in fresh:
            kind, _, x, mu, _ = tests[t]
            g = int(present[s])
            if kind == "topic" and parent[g] == all_i and g in pair_kids:
                continue  # a product's (location's, channel's) own spike already says it
            raised[(t, s)] = rec = _record(kind, str(keys[g]), day_start, step, k, x[s, k], mu[s, k],
                                           pvals[t, s, k])  # fmt: skip
            out.append(rec)
    return out


def _topic_test(
    present: np.ndarray, local: dict[int, int], cum: np.ndarray, mean: np.ndarray, var: np.ndarray,
    days: np.ndarray, wf: float, prof: np.ndarray, state: _State, params: ModelParams, family: np.ndarray,
    parent: np.ndarray, kid_single: np.ndarray, all_i: int,
) -> tuple[str, np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:  # fmt: skip
    """An aspect (theme, touchpoint) rising, alone or within a product (location, channel).

    With its own history: its count against its own seasonal EWMA, and it must also outgrow its
    parent (share at least ``share_ratio`` times the usual), so a product whose every topic doubles
    with its volume raises one volume alert, not one per topic. New: its share of the parent's
    voices against the pooled share of that topic (the emergence of a topic in a new place)."""
    mean_all = state.raw_mean()
    par = parent[present]
    par_local = np.array([local.get(int(p), -1) for p in par])
    n_par = np.where(par_local[:, None] >= 0, cum[np.maximum(par_local, 0)], 0.0)
    par_mean = np.where(par >= 0, mean_all[np.maximum(par, 0)], 0.0)
    kid = kid_single[present]
    pooled = np.where(kid >= 0, mean_all[np.maximum(kid, 0)], 0.0) / max(mean_all[all_i], 1e-9)
    prior = params.prior_voices
    r = (mean_all[present] + prior * pooled) / np.maximum(par_mean + prior, 1e-9)
    mu_share = r[:, None] * n_par
    own = (days >= params.min_history_days) & (par_mean >= params.min_parent_daily)
    par_history = state.days[np.maximum(par, 0)] >= params.min_history_days
    mu_count = (mean * wf)[:, None] * prof[present]
    mu = np.where(own[:, None], mu_count, mu_share)
    alpha = np.where(own, dispersion(var, mean, days, params), params.alpha0)[:, None] * np.ones_like(cum)
    ok = (family[present] == "share") & par_history & (r > 0)
    effect = ~own[:, None] | (cum >= params.share_ratio * mu_share)
    return "topic", ok, cum, mu, alpha, effect


def _record(kind: str, key: str, day_start: pd.Timestamp, step: pd.Timedelta, k: int, x: float, mu: float,
            p: float) -> dict[str, Any]:  # fmt: skip
    scope = scope_of(key)
    start = day_start.isoformat()
    score = float(min(-np.log10(max(p, 1e-300)), 300.0))
    what = {"volume": "voices", "topic": "mentions", "negativity": "negative voices"}[kind]
    return {
        "id": alert_id(kind, key, start),
        "kind": kind,
        "scope": scope,
        "window_start": start,
        "window_end": (day_start + DAY).isoformat(),
        "detected_at": (day_start + (k + 1) * step).isoformat(),
        "score": round(score, 2),
        "p_value": float(p),
        "count": int(x),
        "expected": round(float(mu), 2),
        "summary": f"{scope_label(scope)}: {int(x)} {what} by {(day_start + (k + 1) * step):%H:%M} "
                   f"(expected {mu:.1f}; x{x / max(mu, 1e-9):.1f})",
        "facts": {"by": f"{(day_start + (k + 1) * step):%H:%M}", "ratio": round(x / max(mu, 1e-9), 1)},
        "evidence": [],
    }
