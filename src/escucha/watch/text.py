"""Alerts and incidents told in a language (es, en) from the ``facts`` the watch stores with each
alert: one catalogue for the dashboard (``escucha.web.alert_text`` renders it as HTML), the API
(``?lang=``) and notifications (the workspace's ``ui_language``, or a rule's ``language``).

A :class:`Style` says how values enter the text: plain text by default; the dashboard marks data
(products, customers) ``translate="no"`` and escapes everything else. Alerts stored before facts
existed keep their English ``summary``."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import pandas as pd

from escucha.i18n import MESSAGES, add_messages, fnum, t

add_messages({
    "watch.kind.volume": ("volumen", "volume"),
    "watch.kind.topic": ("tema", "topic"),
    "watch.kind.negativity": ("negatividad", "negativity"),
    "watch.kind.viral": ("riesgo viral", "viral risk"),
    "watch.kind.vip": ("cliente VIP", "VIP customer"),
    "watch.kind.threshold": ("umbral", "threshold"),
    "watch.kind.broken_promise": ("promesa rota", "broken promise"),
    "watch.dim.product": ("producto", "product"),
    "watch.dim.location": ("ubicación", "location"),
    "watch.dim.channel": ("canal", "channel"),
    "watch.dim.aspect": ("aspecto", "aspect"),
    "watch.dim.theme": ("tema", "theme"),
    "watch.dim.touchpoint": ("punto de contacto", "touchpoint"),
    "watch.dim.voice": ("voz", "voice"),
    "watch.dim.customer": ("cliente", "customer"),
    "watch.dim.promise": ("promesa", "promise"),
    "watch.scope_all": ("todas las voces", "all voices"),
    "watch.what.volume": ("voces", "voices"),
    "watch.what.topic": ("menciones", "mentions"),
    "watch.what.negativity": ("voces negativas", "negative voices"),
    "watch.what.voices": ("voces", "voices"),
    "watch.what.negative": ("voces negativas", "negative voices"),
    "watch.sum.anomaly": ("{scope}: {count} {what} hasta las {by} (se esperaban {expected}; ×{ratio})",
                          "{scope}: {count} {what} by {by} (expected {expected}; x{ratio})"),
    "watch.sum.viral": ("riesgo viral {risk}: voz en {channel} con una audiencia de {audience} y {engagements} interacciones",
                        "viral risk {risk}: {channel} voice with an audience of {audience} and {engagements} engagements"),
    "watch.sum.vip": ("el cliente VIP {customer} ({attribute}) está descontento: {n} voces negativas",
                      "VIP customer {customer} ({attribute}) is unhappy: {n} negative voices"),
    "watch.sum.threshold": ("{scope}: {count} {what} (umbral {min})", "{scope}: {count} {what} (threshold {min})"),
    "watch.sum.broken_promise": ("la promesa {promise} se rompe en el {share}% de {mentions} menciones ({broken} rotas, {kept} cumplidas)",
                                 "promise {promise} broken in {share}% of {mentions} mentions ({broken} broken, {kept} kept)"),
    "watch.sum.incident": ("{scope}: {n} alertas ({kinds})", "{scope}: {n} alerts ({kinds})"),
    "watch.sum.incident_one": ("{scope}: 1 alerta ({kinds})", "{scope}: 1 alert ({kinds})"),
    "watch.notify.incident": ("incidente", "incident"),
})  # fmt: skip


@dataclass(frozen=True)
class Style:
    """How values enter the text: ``data`` (a product, a customer id: never translated), ``esc``
    (interface text and numbers), ``done`` (the finished text), ``aspect`` (an aspect id's label)."""

    data: Callable[[Any], Any] = str
    esc: Callable[[Any], Any] = str
    done: Callable[[str], Any] = str
    aspect: Callable[[str], str] = str

    @classmethod
    def plain(cls, aspects: Mapping[str, str] | None = None) -> Style:
        """Plain text, aspects by their labels in ``aspects`` (else their ids)."""
        names = dict(aspects or {})
        return cls(aspect=lambda a: names.get(a, a))


PLAIN = Style()


def _value(dim: str, value: Any, lang: str, style: Style) -> Any:
    """A scope value: an aspect by its label, a channel or touchpoint by its interface name when it
    has one, anything else as data."""
    if dim == "aspect":
        return style.data(style.aspect(str(value)))
    key = f"{dim}.{value}"
    return style.esc(t(key, lang)) if dim in ("channel", "touchpoint") and key in MESSAGES else style.data(value)


def alert_kind(kind: str, lang: str) -> str:
    key = f"watch.kind.{kind}"
    return t(key, lang) if key in MESSAGES else kind


def alert_scope(scope: Mapping[str, Any], lang: str, style: Style = PLAIN) -> Any:
    """``producto Silla Nórdica · aspecto Plazo de entrega`` in ``lang``."""
    parts = []
    for dim, value in scope.items():
        name = t(f"watch.dim.{dim}", lang) if f"watch.dim.{dim}" in MESSAGES else dim
        parts.append(f"{style.esc(name)} {_value(dim, value, lang, style)}")
    return style.done(" · ".join(parts) if parts else str(style.esc(t("watch.scope_all", lang))))


def alert_text(alert: Mapping[str, Any], lang: str, style: Style = PLAIN) -> Any:
    """The alert's summary in ``lang``."""
    kind, facts = str(alert.get("kind", "")), alert.get("facts")
    if not isinstance(facts, Mapping):
        return style.done(str(style.data(alert.get("summary", ""))))
    scope = alert_scope(alert.get("scope") or {}, lang, style)
    num = {k: style.esc(fnum(v, 0) if isinstance(v, int) else v) for k, v in facts.items()}
    count = style.esc(alert.get("count", 0))
    if kind in ("volume", "topic", "negativity"):
        text = t("watch.sum.anomaly", lang, scope=scope, count=count, by=num.get("by", ""),
                 what=t(f"watch.what.{kind}", lang), expected=style.esc(fnum(alert.get("expected"), 1)),
                 ratio=style.esc(fnum(facts.get("ratio"), 1)))  # fmt: skip
    elif kind == "viral":
        text = t("watch.sum.viral", lang, risk=style.esc(fnum(alert.get("viral_risk", alert.get("score")), 2)),
                 channel=_value("channel", facts.get("channel"), lang, style), audience=num.get("audience", ""),
                 engagements=num.get("engagements", ""))  # fmt: skip
    elif kind == "vip":
        customer = facts.get("customer") or (alert.get("scope") or {}).get("customer", "")
        text = t("watch.sum.vip", lang, customer=style.data(customer), attribute=style.data(facts.get("attribute", "")),
                 n=num.get("n", 0))  # fmt: skip
    elif kind == "threshold":
        text = t("watch.sum.threshold", lang, scope=scope, count=count,
                 what=t("watch.what.negative" if facts.get("metric") == "negative" else "watch.what.voices", lang),
                 min=num.get("min", ""))  # fmt: skip
    elif kind == "broken_promise":
        text = t("watch.sum.broken_promise", lang, promise=f"«{style.data(facts.get('promise', ''))}»",
                 share=num.get("share", ""), mentions=num.get("mentions", ""), broken=num.get("broken", ""),
                 kept=num.get("kept", ""))  # fmt: skip
    else:
        return style.done(str(style.data(alert.get("summary", ""))))
    return style.done(text)  # every value above went through the style or is interface text


def span(start: Any, end: Any) -> str:
    """``2024-04-22`` or ``2024-04-22…2024-04-28``: the days a window ``[start, end)`` covers."""
    s, e = pd.Timestamp(start), pd.Timestamp(end)
    return f"{s:%Y-%m-%d}" + (f"…{e - pd.Timedelta(seconds=1):%Y-%m-%d}" if e - s > pd.Timedelta(days=1) else "")


def incident_text(incident: Mapping[str, Any], lang: str, style: Style = PLAIN, days: bool = False) -> Any:
    """``producto United · aspecto Cancelaciones: 5 alertas (tema, volumen)`` in ``lang`` (``days``:
    followed by the days its window covers)."""
    n = len(incident.get("alert_ids") or ())
    kinds = ", ".join(alert_kind(str(k), lang) for k in incident.get("kinds") or ())
    scope = alert_scope(incident.get("title_scope") or {}, lang, style)
    key = "watch.sum.incident_one" if n == 1 else "watch.sum.incident"
    text = t(key, lang, scope=scope, n=style.esc(n), kinds=style.esc(kinds))
    if days and incident.get("window_start") and incident.get("window_end"):
        text += f" {style.esc(span(incident['window_start'], incident['window_end']))}"
    return style.done(text)  # values went through the style or are interface text


def told(rows: Iterable[Mapping[str, Any]], lang: str, style: Style = PLAIN) -> list[dict[str, Any]]:
    """Alert and incident records with their ``summary`` in ``lang`` (an incident's ``alerts`` too);
    every other key as stored."""
    out = []
    for r in rows:
        if "alert_ids" in r:
            doc = {**r, "summary": incident_text(r, lang, style, days=True)}
            if isinstance(r.get("alerts"), list):
                doc["alerts"] = told(r["alerts"], lang, style)
        else:
            doc = {**r, "summary": alert_text(r, lang, style)}
        out.append(doc)
    return out
