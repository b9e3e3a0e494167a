"""Incidents: the alerts that belong to one underlying event, grouped (one storm, one incident).

Grouping rule. Two alerts are *linked* when both hold:

- **time**: their windows overlap or touch within ``gap`` (default 24 h): ``start_b <= end_a + gap``
  and ``start_a <= end_b + gap`` (daily windows of consecutive days touch; a day in between is
  within the default gap);
- **scope**: their scopes are related, i.e. they share a value of a volume dimension (the same
  product, location or channel), or the same aspect, theme or touchpoint (across scopes: the
  aspect alone and the aspect within a product), or one scope contains the other (``{}``, all
  voices, contains every scope; ``{product: X}`` contains ``{product: X, aspect: Y}``).

Incidents are the connected components of that relation (transitive, union-find): a storm's
cancellations, waiting time, service-line and chat-volume alerts of one airline and day become
one incident even when no two of them share everything.

Ids are deterministic: ``in-`` + the hex of the first alert's id (earliest ``detected_at``, then
id). Stable when late alerts join: a group that contains the alerts of incidents already known
keeps the id of the earliest of them (a group joining two known incidents keeps the earlier id;
the other is removed and its id is kept in ``merged``).

An incident has: ``id``, ``title`` (its strongest alert's scope, as text) and ``title_scope``,
``lead_alert``, ``kinds``, ``scopes``, ``window_start``/``window_end``, ``detected_at`` (the first
alert's detection: lead time counts from it), ``score`` (the max), ``alert_ids``, ``evidence`` (the
union, strongest alert first, capped), ``summary``; stored ones add ``state`` (open →
acknowledged → resolved, who and when; acknowledging an incident acknowledges its alerts).
Stored as documents of kind ``watch_incidents`` through ``Store.update_docs``.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from escucha.errors import ConfigError, NotFoundError, ValidationError
from escucha.i18n import t
from escucha.watch.alerts import AlertBook, StatefulBook
from escucha.watch.text import Style, incident_text, span

if TYPE_CHECKING:
    from escucha.notify import Notifier

DOCS = "watch_incidents"
GAP = pd.Timedelta(hours=24)
EVIDENCE = 50
SEPARATE = ("product", "location")
"""Dimensions whose different values are different events: two airlines' storms stay two incidents."""
MIN_SHARED = 3
"""Alerts whose evidence shares this many voices are linked whatever their scopes."""
VOLUME = ("product", "location", "channel")
SHARED = ("aspect", "theme", "touchpoint")
_KEEP = ("state", "created_at", "acknowledged_by", "acknowledged_at", "resolved_by", "resolved_at", "notes",
         "merged")  # fmt: skip
_LOCK = threading.Lock()


def _now() -> str:
    return datetime.now(UTC).replace(microsecond=0).isoformat()


def _ts(value: Any) -> pd.Timestamp:
    ts = pd.Timestamp(value)
    return ts.tz_convert(None) if ts.tzinfo else ts


def related(a: Mapping[str, Any], b: Mapping[str, Any]) -> bool:
    """Whether two scopes are related: a shared value of a dimension, or one contains the other."""
    if any(d in a and d in b and a[d] == b[d] for d in (*VOLUME, *SHARED)):
        return True
    ia, ib = set(map(str, a.items())), set(map(str, b.items()))
    return ia <= ib or ib <= ia


def scope_title(scope: Mapping[str, Any]) -> str:
    return " · ".join(f"{k}={v}" for k, v in scope.items()) or "all voices"


def _find(parent: list[int], i: int) -> int:
    while parent[i] != i:
        parent[i] = parent[parent[i]]
        i = parent[i]
    return i


def _tier(a: Mapping[str, Any], b: Mapping[str, Any], shared: int, min_shared: int) -> int | None:
    """How strong the link between two alerts is (lower is stronger; None: not linked)."""
    sa, sb = a["scope"], b["scope"]
    if any(d in sa and d in sb and sa[d] == sb[d] for d in ("product", "location")):
        return 0  # the same product or location
    if min_shared and shared >= min_shared:
        return 1  # the same customers' voices behind both
    return 2 if related(sa, sb) else None


def components(alerts: Sequence[Mapping[str, Any]], gap: pd.Timedelta = GAP, separate: Sequence[str] = SEPARATE,
               min_shared: int = MIN_SHARED) -> list[list[int]]:  # fmt: skip
    """The groups of linked alerts (indexes into ``alerts``). Links are taken strongest first
    (same product or location, then shared evidence, then related scopes; then more shared
    evidence, closer in time); a link that would put two values of a ``separate`` dimension
    (two airlines) in one incident is not taken."""
    n = len(alerts)
    span = [(_ts(a["window_start"]), _ts(a["window_end"])) for a in alerts]
    ev = [set(a.get("evidence") or ()) for a in alerts]
    order = sorted(range(n), key=lambda i: (span[i][0], str(alerts[i]["id"])))
    links: list[tuple[int, int, float, str, str, int, int]] = []
    active: list[int] = []  # alerts whose window (plus the gap) may still reach later ones
    for i in order:
        active = [j for j in active if span[j][1] + gap >= span[i][0]]
        for j in active:
            shared = len(ev[i] & ev[j])
            tier = _tier(alerts[i], alerts[j], shared, min_shared)
            if tier is not None:
                dt = abs((span[i][0] - span[j][0]).total_seconds())
                a, b = sorted((str(alerts[i]["id"]), str(alerts[j]["id"])))
                links.append((tier, -shared, dt, a, b, i, j))
        active.append(i)
    parent = list(range(n))
    keys: list[dict[str, Any]] = [{d: a["scope"][d] for d in separate if d in a["scope"]} for a in alerts]
    for *_, i, j in sorted(links):
        ri, rj = _find(parent, i), _find(parent, j)
        if ri == rj or any(d in keys[rj] and keys[rj][d] != v for d, v in keys[ri].items()):
            continue
        parent[ri] = rj
        keys[rj] = {**keys[ri], **keys[rj]}
    groups: dict[int, list[int]] = {}
    for i in range(n):
        groups.setdefault(_find(parent, i), []).append(i)
    return list(groups.values())


def _first(alerts: Iterable[Mapping[str, Any]]) -> Mapping[str, Any]:
    return min(alerts, key=lambda a: (str(a["detected_at"]), str(a["id"])))


def incident_id(first_alert_id: str) -> str:
    return "in-" + first_alert_id.removeprefix("al-")


def build(members: Sequence[Mapping[str, Any]], iid: str | None = None, evidence: int = EVIDENCE) -> dict[str, Any]:
    """One incident from its alerts (``iid``: an id it already has)."""
    first = _first(members)
    lead = max(members, key=lambda a: (float(a.get("score") or 0), str(a["id"])))
    ordered = sorted(members, key=lambda a: (str(a["detected_at"]), str(a["id"])))
    ev: list[str] = []
    for a in [lead, *ordered]:
        for item in a.get("evidence") or []:
            if item not in ev:
                ev.append(item)
    scopes: list[dict[str, Any]] = []
    for a in ordered:
        if a["scope"] not in scopes:
            scopes.append(dict(a["scope"]))
    kinds = sorted({str(a["kind"]) for a in members})
    start = min(str(a["window_start"]) for a in members)
    end = max(str(a["window_end"]) for a in members)
    title = scope_title(lead["scope"])
    n = len(members)
    return {
        "id": iid or incident_id(str(first["id"])),
        "title": title,
        "title_scope": dict(lead["scope"]),
        "lead_alert": lead["id"],
        "kinds": kinds,
        "scopes": scopes,
        "window_start": start,
        "window_end": end,
        "detected_at": str(first["detected_at"]),
        "score": max(float(a.get("score") or 0) for a in members),
        "alert_ids": [str(a["id"]) for a in ordered],
        "evidence": ev[:evidence],
        "severity": max((a.get("severity", "high") for a in members), key=_severity_rank),
        "summary": f"{title}: {n} alert{'s' if n != 1 else ''} ({', '.join(kinds)}) {span(start, end)}",
        "links": {"page": f"/incidents/{iid or incident_id(str(first['id']))}"},
    }  # fmt: skip


def _severity_rank(s: str) -> int:
    from escucha.notify import SEVERITIES

    return SEVERITIES.index(s) if s in SEVERITIES else 0


@dataclass(frozen=True)
class IncidentParams:
    """The grouping's settings (``incidents:`` in alerts.yaml; ``gap`` as 24h, 2d…)."""

    gap: pd.Timedelta = GAP
    separate: tuple[str, ...] = SEPARATE
    min_shared: int = MIN_SHARED
    evidence: int = EVIDENCE

    @classmethod
    def from_config(cls, section: Any) -> IncidentParams:
        if section is None:
            return cls()
        if not isinstance(section, dict):
            raise ConfigError("alerts.yaml: incidents must be a mapping", field="incidents")
        bad = sorted(set(section) - set(cls.__dataclass_fields__))
        if bad:
            raise ConfigError(f"alerts.yaml: unknown incidents setting {bad[0]!r}", field="incidents")
        try:
            gap = pd.Timedelta(str(section.get("gap", "24h")))
            out = cls(gap=gap, separate=tuple(section.get("separate", SEPARATE)),
                      min_shared=int(section.get("min_shared", MIN_SHARED)),
                      evidence=int(section.get("evidence", EVIDENCE)))  # fmt: skip
        except (TypeError, ValueError):
            raise ConfigError("alerts.yaml: incidents: gap must be a duration (24h, 2d), min_shared and evidence "
                              "numbers", field="incidents") from None  # fmt: skip
        if gap < pd.Timedelta(0) or any(d not in (*VOLUME, *SHARED) for d in out.separate):
            raise ConfigError("alerts.yaml: incidents: gap must be >= 0 and separate a list of scope dimensions",
                              field="incidents")  # fmt: skip
        return out


def group(alerts: Sequence[Mapping[str, Any]], params: IncidentParams | None = None,
          known: Sequence[Mapping[str, Any]] = ()) -> list[dict[str, Any]]:
    """The incidents of ``alerts``, newest first. ``known``: incidents stored before, whose ids a
    group keeps (the earliest known one it contains); ``merged`` lists the known ids it absorbed."""
    owner = {aid: k for k in known for aid in k.get("alert_ids", [])}
    rank = {k["id"]: (str(k.get("detected_at") or ""), k["id"]) for k in known}
    out: list[dict[str, Any]] = []
    used: set[str] = set()
    p = params or IncidentParams()
    comps = [[alerts[i] for i in comp] for comp in components(alerts, p.gap, p.separate, p.min_shared)]
    for members in sorted(comps, key=lambda m: (str(_first(m)["detected_at"]), str(_first(m)["id"]))):
        mine = sorted({owner[a["id"]]["id"] for a in members if a["id"] in owner} - used, key=lambda i: rank[i])
        inc = build(members, mine[0] if mine else None, p.evidence)
        used.add(inc["id"])
        if len(mine) > 1:
            inc["merged"] = mine[1:]
        out.append(inc)
    return sorted(out, key=lambda d: (d["detected_at"], d["id"]), reverse=True)


class IncidentBook(StatefulBook):
    """The incidents of one workspace, kept in step with its alerts."""

    kind = DOCS
    noun = "incident"

    @property
    def alerts(self) -> AlertBook:
        return AlertBook(self.store)

    def sync(self, params: IncidentParams | None = None, recent: Sequence[Mapping[str, Any]] | None = None,
             ) -> list[dict[str, Any]]:  # fmt: skip
        """Regroup the stored alerts and store the incidents (state kept; an incident absorbed by
        another is removed). Returns the incidents that are new.

        ``recent`` (a live evaluation's alerts): regroup only what they can change, i.e. these
        alerts, the incidents whose window ends within ``gap`` before the earliest of them starts
        (the only ones they can link to) and the incidents that already hold them; every other
        incident stays as stored. None: every stored alert (a replay, the first use)."""
        with _LOCK:
            return self._sync(params or IncidentParams(), recent)

    def _sync(self, p: IncidentParams, recent: Sequence[Mapping[str, Any]] | None) -> list[dict[str, Any]]:
        touched: list[str] | None = None
        if recent is None:
            alerts = self.alerts.all()
        else:
            mine = {str(a["id"]) for a in recent}
            cut = min(_ts(a["window_start"]) for a in recent) - p.gap if recent else None
            known = self.store.get_docs(DOCS)
            near = [k for k, d in known.items()
                    if (cut is not None and _ts(d["window_end"]) >= cut) or mine & set(d["alert_ids"])]  # fmt: skip
            ids = mine.union(*(known[k]["alert_ids"] for k in near))
            alerts = list(self.store.get_docs(self.alerts.kind, keys=sorted(ids)).values())
            touched = sorted({*near, *map(incident_id, mine)})  # and the ids new incidents would take
        states = {a["id"]: a for a in alerts}
        new: list[dict[str, Any]] = []

        def change(docs: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any] | None]:
            new.clear()
            fresh = group(alerts, p, list(docs.values()))
            changed: dict[str, dict[str, Any] | None] = {}
            for inc in fresh:
                old = docs.get(inc["id"])
                if old is None:
                    doc = {**inc, "state": "open", "created_at": _now()}
                    new.append(doc)
                else:
                    keep = {k: old[k] for k in _KEEP if k in old}
                    if inc.get("merged"):
                        keep["merged"] = sorted({*old.get("merged", []), *inc["merged"]})
                    doc = {**inc, **keep}
                _follow_alerts(doc, [states[a] for a in doc["alert_ids"]])
                if old is None or any(doc.get(k) != old.get(k) for k in doc if k != "updated_at"):
                    if old is not None:
                        doc["updated_at"] = _now()
                    changed[inc["id"]] = doc
            live = {inc["id"] for inc in fresh}
            for k in docs:
                if k not in live:
                    changed[k] = None  # absorbed by another incident (or its alerts are gone)
            return changed

        self.store.update_docs(DOCS, change, keys=touched)  # only the touched incidents may change or go
        return new

    def _set(self, incident_id: str, state: str, user: str, note: str | None) -> dict[str, Any]:
        inc = self.get(incident_id)
        if state == "acknowledged" and inc.get("state") == "resolved":
            raise ValidationError(f"incident {incident_id} is already resolved", field="state", record=incident_id)
        book = self.alerts
        for aid in inc.get("alert_ids", []):  # its alerts first: the incident's own record last
            try:
                cur = book.get(aid)
            except NotFoundError:
                continue
            if state == "acknowledged" and cur.get("state") == "open":
                book.ack(aid, user, None, follow=False)
            elif state == "resolved" and cur.get("state") != "resolved":
                book.resolve(aid, user, None, follow=False)
        return self._move(incident_id, state, user, note, _LOCK)

    def follow(self, alert_id: str) -> None:
        """An open incident of ``alert_id`` whose alerts are all handled now takes their state."""
        alerts = {a["id"]: a for a in self.alerts.all()}

        def change(docs: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any] | None]:
            out: dict[str, dict[str, Any] | None] = {}
            for k, d in docs.items():
                if alert_id in d.get("alert_ids", ()) and d.get("state") == "open":
                    doc = dict(d)
                    _follow_alerts(doc, [alerts[a] for a in doc["alert_ids"] if a in alerts], alert_id)
                    if doc["state"] != "open":
                        out[k] = doc
            return out

        with _LOCK:
            self.store.update_docs(DOCS, change)

    def ack(self, incident_id: str, user: str, note: str | None = None) -> dict[str, Any]:
        """Acknowledge the incident and each of its open alerts (``user``, now)."""
        return self._set(incident_id, "acknowledged", user, note)

    def resolve(self, incident_id: str, user: str, note: str | None = None) -> dict[str, Any]:
        """Resolve the incident and each of its alerts."""
        return self._set(incident_id, "resolved", user, note)

    def clear(self) -> None:
        self.store.delete_docs(DOCS)


def _follow_alerts(doc: dict[str, Any], alerts: list[dict[str, Any]], last: str | None = None) -> None:
    """An open incident whose alerts were all handled one by one takes their state (and who
    handled the last of them: ``last`` when given)."""
    if doc.get("state") != "open" or not alerts:
        return
    if all(a.get("state") == "resolved" for a in alerts):
        end = max(alerts, key=lambda a: (str(a.get("resolved_at") or ""), a["id"] == last))
        doc.update({"state": "resolved", "resolved_by": end.get("resolved_by"), "resolved_at": end.get("resolved_at")})
    elif all(a.get("state") in ("acknowledged", "resolved") for a in alerts):
        end = max(alerts, key=lambda a: (str(a.get("acknowledged_at") or ""), a["id"] == last))
        doc.update({"state": "acknowledged", "acknowledged_by": end.get("acknowledged_by"),
                    "acknowledged_at": end.get("acknowledged_at")})  # fmt: skip


def deliver_incidents(notifier: Notifier, incidents: list[dict[str, Any]], channels: list[str] | None,
                      lang: str = "en", root: Path | None = None) -> int:  # fmt: skip
    """Send each incident once (dedup key ``incident:<id>``: its later alerts update it, they do
    not page anyone again) to ``channels`` (None: every channel taking the ``alerts`` topic), told
    in ``lang`` (aspects by the labels of the workspace at ``root``)."""
    from escucha.notify import Message
    from escucha.taxonomy import aspect_labels

    if not notifier.channel_names():
        return 0
    style = Style.plain(aspect_labels(root, lang) if root else None)
    for inc in incidents:
        said = str(incident_text(inc, lang, style, days=True))
        facts = {"alerts": str(len(inc["alert_ids"])), "kinds": ", ".join(inc["kinds"]),
                 "window": inc["window_start"][:10], "score": f"{inc['score']:.1f}",
                 "evidence": str(len(inc.get("evidence", [])))}  # fmt: skip
        msg = Message(key=f"incident:{inc['id']}", subject=f"[escucha] {t('watch.notify.incident', lang)}: {said[:120]}",
                      text=said, url=f"/incidents/{inc['id']}", facts=facts,
                      severity=inc.get("severity", "high"), topic="alerts", group=f"incident:{inc['id']}")  # fmt: skip
        notifier.send(msg, channels=channels)
    return len(incidents)
