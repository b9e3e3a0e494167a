"""An alert (and an incident) told in the page's language: its kind, its scope (dimension names translated, aspect and
channel values by their labels, other values marked as data) and its summary, from the ``facts``
the watch stores with each alert. Alerts stored before facts existed show their English summary,
marked ``translate="no"``."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from markupsafe import Markup, escape

from escucha.i18n import MESSAGES, add_messages, t
from escucha.report import text as _text  # noqa: F401  (channel names in both languages)
from escucha.web.render import env, fnum, label

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
})  # fmt: skip


def _data(value: Any) -> Markup:
    """A value that is data (a product, a customer id): shown as is, never translated."""
    return Markup('<span translate="no">{}</span>').format(value)


def _value(dim: str, value: Any, lang: str) -> Markup:
    """A scope value: an aspect by its taxonomy label, a channel or touchpoint by its interface
    name when it has one, anything else as data."""
    if dim == "aspect":
        return _data(label(value, "aspect"))
    key = f"{dim}.{value}"
    return escape(t(key, lang)) if dim in ("channel", "touchpoint") and key in MESSAGES else _data(value)


def alert_kind(kind: str, lang: str) -> str:
    key = f"watch.kind.{kind}"
    return t(key, lang) if key in MESSAGES else kind


def alert_scope(scope: Mapping[str, Any], lang: str) -> Markup:
    """``producto Silla Nórdica · aspecto Plazo de entrega`` in the page's language."""
    parts = []
    for dim, value in scope.items():
        name = t(f"watch.dim.{dim}", lang) if f"watch.dim.{dim}" in MESSAGES else dim
        parts.append(Markup("{} {}").format(name, _value(dim, value, lang)))
    return Markup(" · ").join(parts) if parts else Markup(escape(t("watch.scope_all", lang)))


def alert_text(alert: Mapping[str, Any], lang: str) -> Markup:
    """The alert's summary in ``lang`` (HTML-safe)."""
    kind, facts = str(alert.get("kind", "")), alert.get("facts")
    if not isinstance(facts, Mapping):
        return _data(alert.get("summary", ""))
    scope = alert_scope(alert.get("scope") or {}, lang)
    num = {k: escape(fnum(v, 0) if isinstance(v, int) else v) for k, v in facts.items()}
    count = escape(alert.get("count", 0))
    if kind in ("volume", "topic", "negativity"):
        text = t("watch.sum.anomaly", lang, scope=scope, count=count, by=num.get("by", ""),
                 what=t(f"watch.what.{kind}", lang), expected=escape(fnum(alert.get("expected"), 1)),
                 ratio=escape(fnum(facts.get("ratio"), 1)))  # fmt: skip
    elif kind == "viral":
        text = t("watch.sum.viral", lang, risk=escape(fnum(alert.get("viral_risk", alert.get("score")), 2)),
                 channel=_value("channel", facts.get("channel"), lang), audience=num.get("audience", ""),
                 engagements=num.get("engagements", ""))  # fmt: skip
    elif kind == "vip":
        text = t("watch.sum.vip", lang, customer=_data(facts.get("customer") or (alert.get("scope") or {}).get("customer", "")),
                 attribute=_data(facts.get("attribute", "")), n=num.get("n", 0))  # fmt: skip
    elif kind == "threshold":
        text = t("watch.sum.threshold", lang, scope=scope, count=count,
                 what=t("watch.what.negative" if facts.get("metric") == "negative" else "watch.what.voices", lang),
                 min=num.get("min", ""))  # fmt: skip
    elif kind == "broken_promise":
        text = t("watch.sum.broken_promise", lang, promise=Markup("«{}»").format(_data(facts.get("promise", ""))),
                 share=num.get("share", ""), mentions=num.get("mentions", ""), broken=num.get("broken", ""),
                 kept=num.get("kept", ""))  # fmt: skip
    else:
        return _data(alert.get("summary", ""))
    return Markup(text)  # every value above is escaped or is interface text


def incident_text(incident: Mapping[str, Any], lang: str) -> Markup:
    """``producto United · aspecto Cancelaciones: 5 alertas (tema, volumen)`` in ``lang``."""
    n = len(incident.get("alert_ids") or ())
    kinds = ", ".join(alert_kind(str(k), lang) for k in incident.get("kinds") or ())
    scope = alert_scope(incident.get("title_scope") or {}, lang)
    key = "watch.sum.incident_one" if n == 1 else "watch.sum.incident"
    return Markup(t(key, lang, scope=scope, n=escape(n), kinds=escape(kinds)))  # values escaped or interface text


env.globals["alert_text"] = alert_text
env.globals["incident_text"] = incident_text
env.globals["alert_kind"] = alert_kind
env.globals["alert_scope"] = alert_scope
