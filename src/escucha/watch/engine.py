"""The reputation watch of one workspace: replay, live evaluation, alerts, watch list.

It takes the workspace's pieces (store, layout, a notifier) rather than the workspace, so the
``Workspace`` facade, the CLI, the API and the dashboard all call the same object::

    watch = Watch(ws.store, ws.layout, ws.notifier)
    watch.replay(step="1h")        # alerts a live watcher would have raised, in event-time order
    watch.evaluate(days)           # live: the windows new (or late) voices touched; deliver new incidents
    watch.incidents()              # the alerts grouped by underlying event (escucha.watch.incidents)
    watch.watchlist()              # voices ranked by viral risk
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import pandas as pd

from escucha.i18n import LANGUAGES
from escucha.store import Filters, Store
from escucha.taxonomy import aspect_labels
from escucha.watch import frame
from escucha.watch.alerts import AlertBook, deliver, evidence_links
from escucha.watch.incidents import IncidentBook, deliver_incidents, group
from escucha.watch.replay import detect, parse_step
from escucha.watch.rules import SEVERITY, Rules
from escucha.watch.rules_eval import promise_alerts, threshold_alerts, vip_alerts, viral_alerts
from escucha.watch.text import Style, told
from escucha.watch.viral import watchlist

if TYPE_CHECKING:
    from escucha.layout import WorkspaceLayout
    from escucha.notify import Notifier

log = logging.getLogger(__name__)
EVIDENCE = 20
DELIVER_MAX_AGE = pd.Timedelta(days=7)
LIVE_HISTORY = pd.Timedelta(days=56)
"""What a live evaluation reads before the windows it evaluates: eight weeks (the EWMA's
half-life is a week, so older days weigh under 0.4 %); a replay reads everything."""


@dataclass
class Watch:
    store: Store
    layout: WorkspaceLayout
    notifier: Notifier | Callable[[], Notifier] | None = None  # or a factory: read notify.yaml only to deliver
    promises: Any = None  # a callable returning the promises insight's rows (broken_promise rules)
    language: str | Callable[[], str] = "es"  # what notifications and told() speak (the workspace's ui_language)
    _cache: dict[str, Any] = field(default_factory=dict, repr=False)

    @property
    def rules(self) -> Rules:
        return Rules(self.layout.alerts)

    def lang(self, lang: str | None = None) -> str:
        """``lang`` when given, else the workspace's language (es or en)."""
        lang = lang or (self.language() if callable(self.language) else self.language)
        return lang if lang in LANGUAGES else "es"

    def told(self, rows: list[dict[str, Any]], lang: str | None = None) -> list[dict[str, Any]]:
        """Alert or incident records with their ``summary`` in ``lang`` (default: the workspace's),
        aspects by the workspace taxonomy's labels."""
        lang = self.lang(lang)
        return told(rows, lang, Style.plain(aspect_labels(self.layout.root, lang)))

    @property
    def book(self) -> AlertBook:
        return AlertBook(self.store)

    @property
    def incident_book(self) -> IncidentBook:
        return IncidentBook(self.store)

    # -- data ----------------------------------------------------------------------------------
    def _frames(self, trust_cache: bool = False, since: pd.Timestamp | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
        """Voices and their observations (from ``since`` when given), cached until the store's data
        changes (``trust_cache``: the caller has just brought the cache up to date)."""
        hit = self._cache.get("frames")
        covers = hit is not None and (self._cache.get("since") is None
                                      or (since is not None and self._cache["since"] <= since))  # fmt: skip
        if trust_cache and hit is not None and covers:
            return hit[1], hit[2]  # type: ignore[no-any-return]
        version = self.store.data_version()
        if hit is not None and hit[0] == version and covers:
            return hit[1], hit[2]  # type: ignore[no-any-return]
        f = Filters(since=since.to_pydatetime()) if since is not None else None
        voices = frame.load_voices(self.store, f)
        obs = frame.observations(voices, frame.load_aspects(self.store, f), frame.load_themes(self.store),
                                 min_support=self.rules.load()["anomaly"].min_support)  # fmt: skip
        self._cache["frames"] = (version, voices, obs)
        self._cache["since"] = since
        self._cache["dims"] = [d for d in frame.VOLUME_DIMS if voices[d].nunique(dropna=True) > 1]
        return voices, obs

    def absorb(self, pairs: Iterable[tuple[Any, Any]], before: Any) -> bool:
        """Add voices that just arrived (``(Feedback, Analysis)``) to the cached frames, when the
        cache was current at data version ``before``: a live watcher then reads only what is new."""
        hit = self._cache.get("frames")
        if hit is None or hit[0] != before:
            return False
        _, voices, obs = hit
        new_v, new_a = frame.voice_rows(pairs)
        if new_v.empty:
            return False
        ids = set(new_v["id"])
        voices = pd.concat([voices[~voices["id"].isin(ids)], new_v.dropna(axis=1, how="all")], ignore_index=True)
        dims = [d for d in frame.VOLUME_DIMS if voices[d].nunique(dropna=True) > 1]
        if dims != self._cache.get("dims"):
            self._cache.pop("frames", None)  # a dimension now varies: read everything again next time
            return False
        new_o = frame.observations(new_v, new_a, None, dims=dims)
        obs = pd.concat([obs[~obs["item_id"].isin(ids)], new_o], ignore_index=True).sort_values("ts", kind="stable")
        voices = voices.sort_values(["ts", "id"], kind="stable").reset_index(drop=True)
        self._cache["frames"] = (self.store.data_version(), voices, obs.reset_index(drop=True))
        return True

    # -- detection -----------------------------------------------------------------------------
    def run(
        self, step: str | None = None, days: Iterable[Any] | None = None, until: Any = None, live: bool = False,
        trust_cache: bool = False,
    ) -> list[dict[str, Any]]:
        """Every rule stepped through the voices (only ``days``' windows when given), oldest first.
        Rules on the present state (broken promises) run only ``live``: a replay cannot see them
        as they were."""
        cfg = self.rules.load()
        step_td = parse_step(step or cfg["step"])
        voices, obs = self._frames(trust_cache)
        until_ts = pd.Timestamp(until).tz_localize(None) if until is not None and pd.Timestamp(until).tzinfo \
            else (pd.Timestamp(until) if until is not None else None)  # fmt: skip
        if until_ts is not None:
            voices, obs = voices[voices["ts"] <= until_ts], obs[obs["ts"] <= until_ts]
        wanted = None if days is None else {pd.Timestamp(d).floor("D") for d in days}
        out: list[dict[str, Any]] = []
        for rule in cfg["rules"]:
            kind = rule["kind"]
            if kind == "anomaly":
                found = detect(obs, step_td, cfg["anomaly"], report_days=wanted, kinds=rule["kinds"])
                self._evidence(found, obs)
            elif kind == "viral":
                found = viral_alerts(voices, step_td, rule["min_risk"], wanted, until_ts)
            elif kind == "vip":
                found = vip_alerts(voices, self.store, rule, step_td, wanted)
            elif kind == "threshold":
                found = threshold_alerts(voices, obs, rule, step_td, wanted)
            elif kind == "broken_promise" and self.promises is not None and live and len(voices):
                found = promise_alerts(self.promises(), pd.Timestamp(voices["ts"].max()), rule)
            else:
                found = []
            for a in found:
                a.setdefault("rule", rule["id"])
                a.setdefault("severity", SEVERITY[kind])
                a["links"] = evidence_links(a)
            out += found
        out.sort(key=lambda a: (a["detected_at"], a["id"]))
        return out

    def _evidence(self, alerts: list[dict[str, Any]], obs: pd.DataFrame) -> None:
        """The voices behind each anomaly: in its scope and window, up to its detection, negative first."""
        if not alerts:
            return
        groups = obs.groupby("scope").indices
        for a in alerts:
            idx = groups.get(frame.scope_key(a["scope"]))
            if idx is None:
                continue
            o = obs.iloc[idx]
            start = pd.Timestamp(a["window_start"])
            at = pd.Timestamp(a["detected_at"])
            o = o[(o["ts"] >= start) & (o["ts"] < at)]
            if a["kind"] == "negativity":
                o = o[o["negative"]]
            o = o.sort_values(["negative", "ts"], ascending=[False, False])
            a["evidence"] = o["item_id"].head(EVIDENCE).tolist()

    def replay(self, step: str | None = None, until: Any = None, save: bool = False) -> list[dict[str, Any]]:
        """The alerts a live watcher would have raised, each step seeing only voices up to its end
        (``save`` also stores them, without delivering)."""
        alerts = self.run(step, until=until)
        if save:
            self.book.merge(alerts)
            self.incident_book.sync(self.rules.load()["incidents"])
        return alerts

    def replay_incidents(self, step: str | None = None, until: Any = None, save: bool = False) -> list[dict[str, Any]]:
        """The incidents of a replay (its alerts grouped; ``save`` stores both, without delivering)."""
        alerts = self.replay(step, until, save)
        if save:
            ids = {i for a in group(alerts, self.rules.load()["incidents"]) for i in a["alert_ids"]}
            return [i for i in self.incident_book.all() if set(i["alert_ids"]) & ids]
        return group(alerts, self.rules.load()["incidents"])

    def evaluate(
        self, days: Iterable[Any] | None = None, deliver_new: bool = True, trust_cache: bool = False
    ) -> list[dict[str, Any]]:
        """Live: evaluate the windows of ``days`` (the days of new or late voices; the newest day
        when None), store what is found (no duplicates: ids come from kind + scope + window) and
        deliver the alerts that are new. Alerts on windows more than :data:`DELIVER_MAX_AGE` older
        than the newest voice (a backlog being imported) are stored, not delivered; ``alerts replay
        --save`` fills in history."""
        if days is None:
            newest = self.newest()
            days = [] if newest is None else [newest.floor("D")]
            if newest is not None and not self.book.all():  # first use: the history from a replay, not delivered
                self.book.merge(self.run())
                self.incident_book.sync(self.rules.load()["incidents"])
        days = [pd.Timestamp(d).floor("D") for d in days]
        since = min(days) - LIVE_HISTORY if days else None
        voices, _ = self._frames(trust_cache, since)
        alerts = self.run(days=days, live=True, trust_cache=True)
        new = self.book.merge(alerts)
        cfg = self.rules.load()
        if alerts:  # new alerts join (or make) incidents; grown ones update their evidence
            self.incident_book.sync(cfg["incidents"], recent=alerts)
        newest = pd.Timestamp(voices["ts"].max()) if len(voices) else None
        fresh = [a for a in new if newest is None
                 or pd.Timestamp(a["window_end"]).tz_localize(None) >= newest - DELIVER_MAX_AGE]  # fmt: skip
        if fresh and deliver_new and self.notifier is not None:
            self._deliver(fresh, {r["id"]: r for r in cfg["rules"]})
        return new

    def _deliver(self, fresh: list[dict[str, Any]], rules: dict[str, dict[str, Any]]) -> None:
        """Alerts of ``deliver: alert`` rules one by one; the others through their incident, once
        per incident (the outbox's dedup key ``incident:<id>``: a later alert joining a known
        incident changes nothing), to the channels of the rules of its fresh alerts."""
        one_by_one = [a for a in fresh if rules.get(a.get("rule", ""), {}).get("deliver") == "alert"]
        grouped = {a["id"]: a for a in fresh if a not in one_by_one}
        targets: list[tuple[dict[str, Any], list[str] | None, str]] = []
        if grouped:
            for inc in self.incident_book.all():
                mine = [rules.get(grouped[i].get("rule", ""), {}) for i in inc["alert_ids"] if i in grouped]
                if not mine:
                    continue
                per_rule: list[list[str] | None] = [r.get("channels") for r in mine]
                names = None if any(c is None for c in per_rule) else sorted({c for cs in per_rule for c in cs or ()})
                told_in = next((r["language"] for r in mine if r.get("language")), self.lang())  # a rule's, else ours
                targets.append((inc, names, told_in))
        try:
            notifier = self.notifier() if callable(self.notifier) else self.notifier
            if notifier is None:
                return
            if one_by_one:
                deliver(notifier, one_by_one, rules, self.lang(), self.layout.root)
            for inc, names, lang in targets:
                deliver_incidents(notifier, [inc], names, lang, self.layout.root)
        except Exception as exc:  # the outbox retries; a channel's failure must not lose the alert
            log.warning("alert delivery failed: %s", type(exc).__name__)

    # -- reading -------------------------------------------------------------------------------
    def alerts(self, state: str | None = None) -> list[dict[str, Any]]:
        return self.book.all(state)

    def incidents(self, state: str | None = None) -> list[dict[str, Any]]:
        """The stored incidents, newest first (brought up to date with the alerts when they were
        never grouped: a workspace whose alerts predate incidents)."""
        rows = self.incident_book.all(state)
        if not rows and self.book.all():
            self.incident_book.sync(self.rules.load()["incidents"])
            rows = self.incident_book.all(state)
        return rows

    def incident(self, incident_id: str) -> dict[str, Any]:
        """One stored incident with its alerts (``alerts``: the alert records, in its order)."""
        self.incidents()  # grouped once when the alerts predate incidents
        return self.with_alerts([self.incident_book.get(incident_id)])[0]

    def with_alerts(self, incidents: list[dict[str, Any]], alerts: list[dict[str, Any]] | None = None,
                    ) -> list[dict[str, Any]]:  # fmt: skip
        """``incidents``, each with an ``alerts`` list (from ``alerts`` when given, else the stored ones)."""
        every = {a["id"]: a for a in (self.alerts() if alerts is None else alerts)}
        return [{**i, "alerts": [every[a] for a in i["alert_ids"] if a in every]} for i in incidents]

    def newest(self) -> pd.Timestamp | None:
        """The event time of the newest customer voice (one small query)."""
        hit = self._cache.get("frames")
        if hit is not None and hit[0] == self.store.data_version() and len(hit[1]):
            return pd.Timestamp(hit[1]["ts"].max())
        df = self.store.items(Filters(exclude_channel=["employee"]), limit=1)
        if df.empty:
            return None
        ts = pd.to_datetime(df["timestamp"].iloc[0]) if pd.notna(df["timestamp"].iloc[0]) else \
            pd.to_datetime(df["ingested_at"].iloc[0])  # fmt: skip
        return pd.Timestamp(ts).tz_localize(None) if pd.Timestamp(ts).tzinfo else pd.Timestamp(ts)

    def watchlist(self, top: int = 20) -> list[dict[str, Any]]:
        """Voices of the last :data:`LIVE_HISTORY` ranked by viral risk."""
        newest = self.newest()
        voices, _ = self._frames(since=None if newest is None else newest.floor("D") - LIVE_HISTORY)
        if newest is not None:
            voices = voices[voices["ts"] >= newest.floor("D") - LIVE_HISTORY]
        return watchlist(voices, top)

    def first_opinions(self, by: str = "product", top: int = 10) -> list[dict[str, Any]]:
        """Per product (theme, aspect…): the first voices and the later voices that echo them."""
        from escucha.watch.influence import first_opinions

        voices, _ = self._frames()
        return first_opinions(voices, by=by, top=top)

    def influencers(self, top: int = 20) -> list[dict[str, Any]]:
        """Authors ranked by influence (reach, replies, echoes of their first opinions)."""
        from escucha.watch.influence import echo_counts, first_opinions, influencers

        voices, _ = self._frames()
        return influencers(voices, top, echo_counts(first_opinions(voices, "product", top=50)))

    def reputation(self, by: str = "location", period: str = "M") -> list[dict[str, Any]]:
        """Reputation 0-100 per ``by`` and period from review channels (ratings, else sentiment)."""
        from escucha.watch.reputation import reputation

        voices, _ = self._frames()
        ratings = None
        if "rating" in voices:
            ratings = pd.to_numeric(voices["rating"], errors="coerce")
        return reputation(voices, by=by, period=period, ratings=ratings)

    def days_ingested_since(self, since: pd.Timestamp) -> list[str]:
        """The event days of the voices stored since ``since`` (a folder watcher's new windows)."""
        voices, _ = self._frames()
        ing = pd.to_datetime(voices["ingested_at"], errors="coerce")
        return sorted({d.date().isoformat() for d in voices.loc[ing >= since, "ts"].dt.floor("D")})
