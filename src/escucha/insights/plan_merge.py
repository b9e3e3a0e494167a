"""One plan item per underlying problem: the aspect, touchpoint, promise and theme views of the
same cause are merged, and the merged item lists them as its parts.

Two candidate problems are the same cause when the voices that raise them overlap far more than
chance: the share of the smaller one's voices that also raise the other (overlap coefficient) is
at least ``SAME_CAUSE`` and that share is at least ``MIN_LIFT`` times the other's share of all
voices. Two taxonomy aspects are distinct categories by design, so they need the stricter
``ASPECTS_SAME_CAUSE``/``ASPECTS_MIN_LIFT``. Candidates are taken best first; each joins the
item (compared with its leader's voices) it overlaps most (overlap × lift), else starts a new one. The item keeps its leader's id, title and score
(the best-scored view), and its voices, customers and evidence become those of all its parts.

Names (:func:`name_causes`): an item holding a taxonomy aspect is called by the aspect's curated name
(the theme's words stay in its parts); a theme on its own is named from its NEGATIVE voices against
the other themes' negative voices, so a problem never reads like praise ("Buen material").
"""

from __future__ import annotations

from typing import Any

SAME_CAUSE, MIN_LIFT = 0.4, 2.0  # a theme or promise and another view
ASPECTS_SAME_CAUSE, ASPECTS_MIN_LIFT = 0.55, 2.5  # two taxonomy aspects


def overlap(a: set[str], b: set[str]) -> float:
    """|a ∩ b| / min(|a|, |b|) (0 when either is empty)."""
    if not a or not b:
        return 0.0
    return len(a & b) / min(len(a), len(b))


def _affinity(x: dict[str, Any], flagged: set[str], g: dict[str, Any], n_voices: int) -> float:
    """overlap × lift when ``x`` is the same cause as group ``g``, else 0."""
    o = overlap(flagged, g["core"])
    small = flagged if len(flagged) <= len(g["core"]) else g["core"]
    large = g["core"] if small is flagged else flagged
    lift = o / (len(large) / n_voices) if n_voices and large else 0.0
    aspects = x["p"]["kind"] == "aspect" and g["p"]["kind"] == "aspect"
    need_o, need_lift = (ASPECTS_SAME_CAUSE, ASPECTS_MIN_LIFT) if aspects else (SAME_CAUSE, MIN_LIFT)
    return o * lift if o >= need_o and lift >= need_lift else 0.0


def merge_causes(scored: list[dict[str, Any]], n_voices: int) -> list[dict[str, Any]]:
    """``scored`` (dicts with ``p`` (the problem), ``score`` and ``flagged`` voice ids), best
    first, merged into one entry per cause; each gains ``members`` (the views merged in, best
    first) and ``flagged`` becomes the union of its members' voices."""
    groups: list[dict[str, Any]] = []
    for x in sorted(scored, key=lambda x: -x["score"]):
        flagged = set(x["flagged"])
        member = {"kind": x["p"]["kind"], "key": x["p"]["key"], "label": x["p"]["label"],
                  "titles": x["p"].get("titles"), "impact": round(x["score"], 2), "voices": len(flagged)}  # fmt: skip
        best = max(((_affinity(x, flagged, g, n_voices), i) for i, g in enumerate(groups)), default=(0.0, -1))
        home = groups[best[1]] if best[0] > 0 else None
        if home is None:
            groups.append({**x, "flagged": flagged, "core": flagged, "members": [member]})
            continue
        home["members"].append(member)
        home["flagged"] = home["flagged"] | flagged
    for g in groups:
        g.pop("core", None)
    name_causes(groups, scored)
    return groups


def name_causes(groups: list[dict[str, Any]], scored: list[dict[str, Any]]) -> None:
    """Set each merged item's name (see the module doc): ``p`` gains ``label``/``titles`` and, when
    an aspect names it, ``owner_aspect`` (whose owner then owns the item)."""
    from escucha.insights.themes_describe import names_for

    themes = {x["p"]["key"]: x["p"]["rows"]["text"].astype(str).tolist() for x in scored
              if x["p"]["kind"] == "theme" and "rows" in x["p"]}  # fmt: skip
    named = names_for(themes) if len(themes) >= 2 else {}
    for g in groups:
        p = g["p"]
        aspect = next((m for m in g["members"] if m["kind"] == "aspect"), None)
        if p["kind"] != "aspect" and aspect is not None:
            g["p"] = {**p, "label": aspect["label"], "titles": aspect["titles"], "owner_aspect": aspect["key"]}
        elif p["kind"] == "theme" and named.get(p["key"]):
            name = named[p["key"]]
            g["p"] = {**p, "label": name, "titles": {"es": name, "en": name}}
