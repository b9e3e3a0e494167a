"""Dashboard pages of the reputation watch: alerts (open, acknowledged, resolved; who
acknowledged), one alert with its evidence, the viral-risk watch list and influencers."""

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
})  # fmt: skip


@router.get("/alerts")
def alerts_page(request: Request, state: StateDep, principal: ReadDep, status: str | None = None) -> HTMLResponse:
    status = status if status in ("open", "acknowledged", "resolved") else None
    rows = state.ws.watch.alerts(status)[:500]
    return render(request, "alerts.html", alerts=rows, status=status,
                  can_ack=principal.can(FEEDBACK_WRITE))  # fmt: skip


@router.get("/alerts/{alert_id}")
def alert_page(request: Request, state: StateDep, principal: ReadDep, alert_id: str) -> HTMLResponse:
    alert = state.ws.watch.book.get(alert_id)
    found = get_many(state.ws, [str(i) for i in alert.get("evidence", [])][:20])
    voices = []
    for item_id in alert.get("evidence", [])[:20]:
        if item_id in found:
            fb, an = found[item_id]
            voices.append({"id": item_id, "channel": fb.channel.value, "text": state.redact(fb.text)[:400],
                           "sentiment": an.sentiment if an else None,
                           "timestamp": fb.timestamp.isoformat() if fb.timestamp else None})  # fmt: skip
    return render(request, "alert.html", a=alert, voices=voices, can_ack=principal.can(FEEDBACK_WRITE))


@router.post("/alerts/{alert_id}/{action}")
def alert_action(
    request: Request, state: StateDep, alert_id: str, action: str,
    principal: Annotated[Principal, Depends(require(FEEDBACK_WRITE))],
    note: Annotated[str | None, Form(max_length=1000)] = None,
) -> Response:  # fmt: skip
    book = state.ws.watch.book
    if action == "ack":
        book.ack(alert_id, principal.username, note)
    elif action == "resolve":
        book.resolve(alert_id, principal.username, note)
    else:
        return Response(status_code=404)
    audit.record(state.ws, f"alert_{action}", principal.username, target=alert_id)
    return RedirectResponse(f"/alerts/{alert_id}", status_code=303)


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


