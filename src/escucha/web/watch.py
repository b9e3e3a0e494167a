"""Dashboard pages of the reputation watch: alerts (incidents first, each with its alerts folded;
open, acknowledged, resolved; who acknowledged), one incident, one alert with its evidence, the
viral-risk watch list and influencers."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from escucha.http import audit
from escucha.http.auth import FEEDBACK_WRITE, READ, Principal
from escucha.http.bulk import get_many
from escucha.http.deps import StateDep, require
from escucha.i18n import add_messages
from escucha.web import alert_text  # noqa: F401  (the alert text the templates use)
from escucha.web.nav import NavItem, register_nav
from escucha.web.render import add_template_dir, render

router = APIRouter(include_in_schema=False)
ReadDep = Annotated[Principal, Depends(require(READ))]
add_template_dir(Path(__file__).parent / "watch_templates")
register_nav(NavItem("alerts", "/alerts", {"es": "Alertas", "en": "Alerts"}, order=35))
register_nav(NavItem("watchlist", "/watchlist", {"es": "Vigilancia", "en": "Watch list"}, order=36))
register_nav(NavItem("influencers", "/influencers", {"es": "Influyentes", "en": "Influencers"}, order=37))

add_messages({
    "watch.alerts": ("Alertas", "Alerts"),
    "watch.alert": ("Alerta", "Alert"),
    "watch.none": ("No hay alertas.", "No alerts."),
    "watch.state.all": ("Todas", "All"),
    "watch.state.open": ("Abiertas", "Open"),
    "watch.state.acknowledged": ("Atendidas", "Acknowledged"),
    "watch.state.resolved": ("Resueltas", "Resolved"),
    "watch.kind": ("Tipo", "Kind"),
    "watch.scope": ("Ámbito", "Scope"),
    "watch.window": ("Ventana", "Window"),
    "watch.detected": ("Detectada", "Detected"),
    "watch.score": ("Puntuación", "Score"),
    "watch.state": ("Estado", "State"),
    "watch.by": ("Atendida por", "Acknowledged by"),
    "watch.ack": ("Atender", "Acknowledge"),
    "watch.resolve": ("Resolver", "Resolve"),
    "watch.evidence": ("Evidencia", "Evidence"),
    "watch.chart": ("Ver en el explorador (gráfico y voces)", "Open in the explorer (chart and voices)"),
    "watch.count": ("Observado", "Observed"),
    "watch.expected": ("Esperado", "Expected"),
    "watch.watchlist": ("Vigilancia: riesgo viral", "Watch list: viral risk"),
    "watch.watchlist.help": ("Voces ordenadas por riesgo viral = intensidad × amenaza × alcance × velocidad × tiempo sin resolver.",
                             "Voices ranked by viral risk = intensity × threat × reach × velocity × time unresolved."),
    "watch.risk": ("Riesgo", "Risk"),
    "watch.intensity": ("Intensidad", "Intensity"),
    "watch.threat": ("Amenaza", "Threat"),
    "watch.reach": ("Alcance", "Reach"),
    "watch.velocity": ("Velocidad", "Velocity"),
    "watch.unresolved": ("Sin resolver", "Unresolved"),
    "watch.influencers": ("Influyentes y primeras opiniones", "Influencers and first opinions"),
    "watch.author": ("Autor", "Author"),
    "watch.influence": ("Influencia", "Influence"),
    "watch.voices": ("Voces", "Voices"),
    "watch.replies": ("Respuestas", "Replies"),
    "watch.echoes": ("Ecos", "Echoes"),
    "watch.first": ("Primeras opiniones", "First opinions"),
    "watch.snapshot_box": ("Alertas abiertas", "Open alerts"),
    "watch.snapshot_none": ("Ninguna alerta abierta.", "No open alerts."),
    "watch.all_alerts": ("Todas las alertas", "All alerts"),
    "watch.incidents": ("Incidentes", "Incidents"),
    "watch.incident": ("Incidente", "Incident"),
    "watch.incidents.help": ("Las alertas de un mismo suceso (ventanas cercanas, ámbitos relacionados) agrupadas en un incidente.",
                             "The alerts of one event (close windows, related scopes) grouped into one incident."),
    "watch.incidents.none": ("No hay incidentes.", "No incidents."),
    "watch.incident.alerts": ("Alertas del incidente", "The incident's alerts"),
    "watch.incident.ack_help": ("Atender el incidente atiende también sus alertas.",
                                "Acknowledging the incident acknowledges its alerts too."),
    "watch.kinds": ("Tipos", "Kinds"),
    "watch.n_alerts": ("Alertas", "Alerts"),
    "watch.snapshot_incidents": ("Incidentes abiertos", "Open incidents"),
    "watch.snapshot_incidents_none": ("Ningún incidente abierto.", "No open incidents."),
})  # fmt: skip


@router.get("/alerts")
def alerts_page(request: Request, state: StateDep, principal: ReadDep, status: str | None = None) -> HTMLResponse:
    status = status if status in ("open", "acknowledged", "resolved") else None
    watch = state.ws.watch
    rows = watch.alerts(status)[:500]
    incidents = watch.with_alerts(watch.incidents(status)[:200], None if status else rows)
    return render(request, "alerts.html", alerts=rows, incidents=incidents, status=status,
                  can_ack=principal.can(FEEDBACK_WRITE))  # fmt: skip


@router.get("/incidents/{incident_id}")
def incident_page(request: Request, state: StateDep, principal: ReadDep, incident_id: str) -> HTMLResponse:
    inc = state.ws.watch.incident(incident_id)
    return render(request, "incident.html", i=inc, alerts=inc["alerts"], voices=_voices(state, inc.get("evidence", [])),
                  can_ack=principal.can(FEEDBACK_WRITE))  # fmt: skip


def _state_action(noun: str, book: str) -> None:
    """``POST /{noun}s/{id}/ack|resolve`` from an alert's or an incident's page (audited), back to the page."""

    def action_route(
        state: StateDep, doc_id: str, action: str, principal: Annotated[Principal, Depends(require(FEEDBACK_WRITE))],
        note: Annotated[str | None, Form(max_length=1000)] = None,
    ) -> Response:  # fmt: skip
        if action not in ("ack", "resolve"):
            return Response(status_code=404)
        getattr(getattr(state.ws.watch, book), action)(doc_id, principal.username, note)
        audit.record(state.ws, f"{noun}_{action}", principal.username, target=doc_id)
        return RedirectResponse(f"/{noun}s/{doc_id}", status_code=303)

    router.add_api_route(f"/{noun}s/{{doc_id}}/{{action}}", action_route, methods=["POST"], name=f"{noun}_action")


_state_action("incident", "incident_book")
_state_action("alert", "book")


def _voices(state: Any, evidence: list[Any], limit: int = 20) -> list[dict[str, Any]]:
    """The evidence voices as the pages show them (redacted, first ``limit``)."""
    ids = [str(i) for i in evidence][:limit]
    found = get_many(state.ws, ids)
    voices = []
    for item_id in ids:
        if item_id in found:
            fb, an = found[item_id]
            voices.append({"id": item_id, "channel": fb.channel.value, "text": state.redact(fb.text)[:400],
                           "sentiment": an.sentiment if an else None,
                           "timestamp": fb.timestamp.isoformat() if fb.timestamp else None})  # fmt: skip
    return voices


@router.get("/alerts/{alert_id}")
def alert_page(request: Request, state: StateDep, principal: ReadDep, alert_id: str) -> HTMLResponse:
    alert = state.ws.watch.book.get(alert_id)
    return render(request, "alert.html", a=alert, voices=_voices(state, alert.get("evidence", [])),
                  can_ack=principal.can(FEEDBACK_WRITE))  # fmt: skip


@router.get("/watchlist")
def watchlist_page(request: Request, state: StateDep, principal: ReadDep) -> HTMLResponse:
    rows = state.ws.watch.watchlist(30)
    for r in rows:
        r["text"] = state.redact(r["text"])
    return render(request, "watchlist.html", rows=rows)


@router.get("/influencers")
def influencers_page(request: Request, state: StateDep, principal: ReadDep) -> HTMLResponse:
    firsts: list[dict[str, Any]] = state.ws.watch.first_opinions(by="product", top=8)
    for row in firsts:
        for f in row["first"]:
            f["text"] = state.redact(f["text"])
    return render(request, "influencers.html", authors=state.ws.watch.influencers(30), firsts=firsts)


