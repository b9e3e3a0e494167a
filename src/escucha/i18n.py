"""Interface text in Spanish and English (``t(key, lang)``); features may ``add_messages``."""

from __future__ import annotations

import math
from typing import Any

LANGUAGES: tuple[str, ...] = ("es", "en")

MESSAGES: dict[str, tuple[str, str]] = {  # key: (es, en)
    "channel.review": ("reseña", "review"),
    "channel.survey": ("encuesta", "survey"),
    "channel.chat": ("chat", "chat"),
    "channel.call": ("llamada", "call"),
    "channel.social": ("redes sociales", "social"),
    "channel.email": ("correo", "e-mail"),
    "channel.employee": ("empleados", "employees"),
    "channel.tweet": ("tuit", "tweet"),
    "channel.other": ("otro", "other"),
    "app.tagline": ("Escucha a cada cliente", "Listen to every customer"),
    "login.title": ("Iniciar sesión", "Sign in"),
    "login.username": ("Usuario", "User name"),
    "login.password": ("Contraseña", "Password"),
    "login.submit": ("Entrar", "Sign in"),
    "login.failed": ("Usuario o contraseña incorrectos.", "Wrong user name or password."),
    "login.limited": ("Demasiados intentos. Espera un minuto.", "Too many attempts. Wait a minute."),
    "login.expired": ("El formulario caducó; vuelve a intentarlo.", "The form expired; try again."),
    "logout": ("Salir", "Sign out"),
    "language": ("Idioma", "Language"),
    "lang.switch": ("English", "Español"),
    "snapshot.title": ("Resumen de la mañana", "Morning snapshot"),
    "snapshot.empty": ("Aún no hay voces analizadas en este espacio.", "No analysed voices in this workspace yet."),
    "snapshot.latest": ("Última semana", "Latest week"),
    "snapshot.window": ("Últimos {days} días hasta {end}", "Last {days} days to {end}"),
    "snapshot.vs_prev": ("vs. semana anterior", "vs previous week"),
    "snapshot.significant": ("cambio significativo", "significant change"),
    "snapshot.not_significant": ("sin cambio significativo", "no significant change"),
    "snapshot.trend": ("Tendencia semanal", "Weekly trend"),
    "snapshot.by_channel": ("Volumen por canal", "Volume by channel"),
    "snapshot.neg_aspects": ("Aspectos más negativos", "Top negative aspects"),
    "snapshot.urgent": ("Voces urgentes", "Urgent voices"),
    "snapshot.no_urgent": ("Ninguna amenaza de baja o pública en el periodo.", "No churn or public threats in the period."),
    "metric.nps": ("NPS de clientes", "Customer NPS"),
    "metric.enps": ("eNPS (empleados)", "eNPS (employees)"),
    "metric.csat": ("CSAT", "CSAT"),
    "metric.sentiment_index": ("Índice de sentimiento", "Sentiment index"),
    "metric.volume": ("Volumen", "Volume"),
    "metric.mentions": ("Menciones", "Mentions"),
    "metric.negative": ("Negativas", "Negative"),
    "metric.ci": ("IC 95%", "95% CI"),
    "col.channel": ("Canal", "Channel"),
    "col.aspect": ("Aspecto", "Aspect"),
    "col.quote": ("Lo que dicen", "What customers say"),
    "col.date": ("Fecha", "Date"),
    "col.customer": ("Cliente", "Customer"),
    "col.urgency": ("Urgencia", "Urgency"),
    "col.text": ("Texto", "Text"),
    "col.sentiment": ("Sentimiento", "Sentiment"),
    "col.score": ("Puntuación", "Score"),
    "col.evidence": ("Evidencia", "Evidence"),
    "col.intents": ("Intenciones", "Intents"),
    "col.emotions": ("Emociones", "Emotions"),
    "col.language": ("Idioma", "Language"),
    "col.sentences": ("Frases", "Sentences"),
    "explore.title": ("Explorar voces", "Explore voices"),
    "explore.search": ("Buscar en el texto", "Search the text"),
    "explore.apply": ("Filtrar", "Filter"),
    "explore.clear": ("Limpiar", "Clear"),
    "explore.any": ("Todos", "Any"),
    "explore.since": ("Desde", "From"),
    "explore.until": ("Hasta", "To"),
    "explore.results": ("{total} voces", "{total} voices"),
    "explore.none": ("Ninguna voz coincide con los filtros.", "No voice matches the filters."),
    "explore.prev": ("Anterior", "Previous"),
    "explore.next": ("Siguiente", "Next"),
    "explore.page": ("Página {page} de {pages}", "Page {page} of {pages}"),
    "explore.export": ("Exportar CSV", "Export CSV"),
    "voice.title": ("Voz", "Voice"),
    "voice.analysis": ("Análisis", "Analysis"),
    "voice.not_analysed": ("Esta voz aún no está analizada.", "This voice is not analysed yet."),
    "voice.open": ("Ver detalle", "Details"),
    "voice.back": ("Volver a explorar", "Back to explore"),
    "customer.title": ("Cliente", "Customer"),
    "customer.search": ("Buscar cliente por id", "Find a customer by id"),
    "customer.go": ("Abrir", "Open"),
    "customer.voices": ("Sus voces ({n})", "Their voices ({n})"),
    "customer.latest": ("Último sentimiento", "Latest sentiment"),
    "customer.threats": ("Amenazas abiertas", "Open threats"),
    "customer.no_threats": ("Sin amenazas abiertas.", "No open threats."),
    "customer.attributes": ("Atributos", "Attributes"),
    "customer.channels": ("Canales", "Channels"),
    "sentiment.positive": ("positivo", "positive"),
    "sentiment.negative": ("negativo", "negative"),
    "sentiment.neutral": ("neutro", "neutral"),
    "sentiment.unknown": ("sin analizar", "not analysed"),
    "intent.complaint": ("queja", "complaint"),
    "intent.praise": ("elogio", "praise"),
    "intent.suggestion": ("sugerencia", "suggestion"),
    "intent.question": ("pregunta", "question"),
    "intent.churn_threat": ("amenaza de baja", "churn threat"),
    "intent.public_threat": ("amenaza pública", "public threat"),
    "error.title": ("Algo no ha ido bien", "Something went wrong"),
    "error.403": ("No tienes permiso para ver esto.", "You are not allowed to see this."),
    "error.404": ("No encontrado.", "Not found."),
    "error.back": ("Volver al resumen", "Back to the snapshot"),
    "nav.menu": ("Menú", "Menu"),
}


def add_messages(messages: dict[str, tuple[str, str]]) -> None:
    """Add interface text for a feature's pages (key: (Spanish, English))."""
    MESSAGES.update(messages)


def fnum(v: Any, digits: int = 1, signed: bool = False) -> str:
    """A number as interface text: ``1,234.5`` (``signed``: ``+1.5``); ``–`` when missing."""
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return "–"
    if isinstance(v, int | float):
        return f"{v:+.{digits}f}" if signed else f"{v:,.{digits}f}"
    return str(v)


def t(key: str, lang: str = "es", **kwargs: object) -> str:
    """The text for ``key`` in ``lang`` (falls back to the key itself), formatted with ``kwargs``."""
    pair = MESSAGES.get(key)
    text = key if pair is None else pair[1 if lang == "en" else 0]
    return text.format(**kwargs) if kwargs else text
