"""An alert (and an incident) told in the page's language, as HTML: the catalogue and the wording
are :mod:`escucha.watch.text`'s; here data values (a product, a customer id) are marked
``translate="no"``, everything else is escaped, and aspects show by the page's labels. Alerts
stored before facts existed show their English summary, marked ``translate="no"``."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from markupsafe import Markup, escape

from escucha.watch import text
from escucha.watch.text import alert_kind
from escucha.web.render import env, label


def _data(value: Any) -> Markup:
    """A value that is data (a product, a customer id): shown as is, never translated."""
    return Markup('<span translate="no">{}</span>').format(value)


HTML = text.Style(data=_data, esc=escape, done=Markup, aspect=lambda a: label(a, "aspect"))


def alert_scope(scope: Mapping[str, Any], lang: str) -> Markup:
    """``producto Silla Nórdica · aspecto Plazo de entrega`` in the page's language."""
    return text.alert_scope(scope, lang, HTML)  # type: ignore[no-any-return]


def alert_text(alert: Mapping[str, Any], lang: str) -> Markup:
    """The alert's summary in ``lang`` (HTML-safe)."""
    return text.alert_text(alert, lang, HTML)  # type: ignore[no-any-return]


def incident_text(incident: Mapping[str, Any], lang: str) -> Markup:
    """``producto United · aspecto Cancelaciones: 5 alertas (tema, volumen)`` in ``lang``."""
    return text.incident_text(incident, lang, HTML)  # type: ignore[no-any-return]


env.globals["alert_text"] = alert_text
env.globals["incident_text"] = incident_text
env.globals["alert_kind"] = alert_kind
env.globals["alert_scope"] = alert_scope
