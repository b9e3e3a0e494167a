"""Dashboard pages for the insights: themes, ideas board, customer journey, brand promises,
improvement plan (with status changes through the API) and needs-based segments."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse

from escucha.errors import NotFoundError
from escucha.http import insight_cache as D
from escucha.http.auth import ANALYSIS_RUN, CUSTOMERS, READ, Principal
from escucha.http.deps import StateDep, require
from escucha.i18n import add_messages
from escucha.insights.base import all_insights, find_insight
from escucha.report import text as _text  # noqa: F401  (interface text shared with the report)
from escucha.report.html import REPORT_TEMPLATES, section_templates
from escucha.report.journey_chart import journey_title
from escucha.web.nav import NavItem, register_nav
from escucha.web.render import add_template_dir, page_lang, render

router = APIRouter(include_in_schema=False)
ReadDep = Annotated[Principal, Depends(require(READ))]
add_template_dir(Path(__file__).parent / "insights_templates")
add_template_dir(REPORT_TEMPLATES)  # the report's section fragments (the generic one)

NAV_ORDER = {"themes": 40, "ideas": 45, "journey": 50, "promises": 60, "plan": 70, "segments": 80}


def register_insight_pages() -> None:
    """A navigation entry per registered insight (plugins too), titled in each language, and the
    template folder of each plugin (its fragment serves its page and its report section)."""
    for insight in all_insights():
        if insight.templates is not None:
            add_template_dir(insight.templates)
        labels = dict(insight.nav_title or insight.title)
        register_nav(NavItem(insight.name, insight.path, labels, order=NAV_ORDER.get(insight.name, 90 + insight.order)))

add_messages({
    "insight.none": ("Aún no hay datos para esta vista.", "No data for this view yet."),
    "themes.title": ("Temas que surgen", "Emerging themes"),
    "themes.none": ("Aún no hay temas guardados. Un analista puede descubrirlos con «escucha themes».",
                    "No themes stored yet. An analyst can discover them with `escucha themes`."),
    "themes.label": ("Tema", "Theme"),
    "themes.size": ("Frases", "Sentences"),
    "themes.negative": ("% negativo", "% negative"),
    "themes.trend": ("Tendencia", "Trend"),
    "themes.first": ("Lo planteó primero", "First raised by"),
    "trend.emerging": ("emergente", "emerging"),
    "trend.growing": ("en alza", "growing"),
    "trend.declining": ("a la baja", "declining"),
    "trend.stable": ("estable", "stable"),
    "journey.title": ("Recorrido del cliente", "Customer journey"),
    "journey.summary": ("{assigned} de {total} frases de clientes asignadas a un punto de contacto.",
                        "{assigned} of {total} customer sentences assigned to a touchpoint."),
    "journey.moments": ("Momentos de la verdad", "Moments of truth"),
    "journey.touchpoints": ("Puntos de contacto", "Touchpoints"),
    "journey.stage": ("Etapa", "Stage"),
    "journey.touchpoint": ("Punto de contacto", "Touchpoint"),
    "journey.importance": ("Importancia", "Importance"),
    "journey.effort": ("CES / palabras de esfuerzo", "CES / effort words"),
    "journey.no_chart": ("Gráfico no disponible.", "Chart not available."),
    "journey.none": ("No hay recorrido definido o no hay frases.", "No journey defined or no sentences."),
    "promises.title": ("Promesa frente a experiencia", "Promise vs experience"),
    "promises.none": ("No hay promesas de marca configuradas.", "No brand promises configured."),
    "promises.mentions": ("Menciones", "Mentions"),
    "promises.broken": ("% rota", "% broken"),
    "promises.gap": ("Brecha", "Gap"),
    "promises.before_after": ("Antes / después del {cut}", "Before / after {cut}"),
    "promises.significant": ("significativo", "significant"),
    "promises.not_significant": ("no significativo", "not significant"),
    "promises.campaign": ("Campaña", "Campaign"),
    "promises.evidence": ("Voces que la ven rota", "Voices that see it broken"),
    "plan.title": ("Plan de mejora", "Improvement plan"),
    "plan.none": ("No hay problemas que priorizar.", "No problems to prioritise."),
    "plan.problem": ("Problema", "Problem"),
    "plan.impact": ("Impacto", "Impact"),
    "plan.parts": ("Componentes", "Parts"),
    "plan.owner": ("Responsable", "Owner"),
    "plan.touchpoint": ("Punto de contacto", "Touchpoint"),
    "plan.metric": ("Métrica", "Metric"),
    "plan.status": ("Estado", "Status"),
    "plan.credits": ("Clientes que lo plantearon ({n})", "Customers who raised it ({n})"),
    "plan.set_status": ("Cambiar estado", "Change status"),
    "plan.save": ("Guardar", "Save"),
    "plan.saved": ("Guardado", "Saved"),
    "plan.failed": ("No se pudo guardar", "Could not save"),
    "status.open": ("abierto", "open"),
    "status.in_progress": ("en curso", "in progress"),
    "status.done": ("hecho", "done"),
    "status.dismissed": ("descartado", "dismissed"),
    "ideas.title": ("Tablón de ideas", "Ideas board"),
    "ideas.none": ("Aún no hay ideas con al menos dos clientes que las apoyen.",
                   "No ideas backed by at least two customers yet."),
    "ideas.supporters": ("Apoyos", "Supporters"),
    "ideas.mentions": ("Menciones", "Mentions"),
    "ideas.first": ("La propuso primero", "First proposed by"),
    "ideas.employee": ("un empleado (anónimo)", "an employee (anonymous)"),
    "segments.title": ("Segmentos por necesidades", "Segments by needs"),
    "segments.none": ("No hay clientes suficientes para segmentar (mínimo 10).",
                      "Not enough customers to segment (at least 10)."),
    "segments.summary": ("{customers} clientes en {k} segmentos (silueta {sil}).",
                         "{customers} customers in {k} segments (silhouette {sil})."),
    "segments.segment": ("Segmento", "Segment"),
    "segments.size": ("Clientes", "Customers"),
    "segments.share": ("% de clientes", "% of customers"),
    "segments.voices": ("Voces", "Voices"),
    "segments.churn": ("% con amenaza de baja", "% with a churn threat"),
})  # fmt: skip

def _texts(state: Any, rows: list[dict[str, Any]] | None) -> list[dict[str, Any]]:
    return [{**r, "text": state.redact(r.get("text"))} for r in rows or []]


@router.get("/insights/{name}")
def insight_page(request: Request, state: StateDep, principal: ReadDep, name: str) -> HTMLResponse:
    """Any registered insight, through its own template (the fragment the report shows too)."""
    insight = find_insight(name)
    if insight is None:
        raise NotFoundError(f"no insight {name!r}", field="name", record=name)
    data = D.jsonable(D.insight_section(state.ws, state.cache, name), state.redact)
    return render(request, "insight.html", insight=insight, data=data, fragment=section_templates()[name])


@router.get("/themes")
def themes_page(request: Request, state: StateDep, principal: ReadDep) -> HTMLResponse:
    rows = []
    for th in D.stored_themes(state.ws):
        quote = next((q.get("text") for q in th.get("quotes") or [] if q.get("text")), None)
        rows.append({**th, "quote": state.redact(quote), "first": th.get("first_raised") or {}})
    done = request.query_params.get("done")
    done = done if done in ("rename", "pin", "unpin", "split", "merge") else None
    return render(request, "themes.html", themes=rows, can_customers=principal.can(CUSTOMERS),
                  can_curate=principal.can(ANALYSIS_RUN), done=done,
                  failed=(request.query_params.get("failed") or "")[:200] or None)  # fmt: skip


@router.get("/journey")
def journey_page(request: Request, state: StateDep, principal: ReadDep) -> HTMLResponse:
    data = D.journey_data(state.ws, state.cache)
    stages = data.get("stages") or []
    lang = page_lang(request)
    chart = D.journey_chart(state.ws, state.cache, lang) if stages and data.get("assigned_sentences") else None
    tps = [{**tp, "stage_name": st.get("name"), "examples": _texts(state, tp.get("examples"))}
           for st in stages for tp in st.get("touchpoints") or []]  # fmt: skip
    moments = [tp for tp in tps if tp.get("moment_of_truth")]
    return render(request, "journey.html", d=data, chart=chart, title=journey_title(data, lang), touchpoints=tps, moments=moments)


@router.get("/promises")
def promises_page(request: Request, state: StateDep, principal: ReadDep) -> HTMLResponse:
    rows = [{**p, "evidence_broken": _texts(state, p.get("evidence_broken"))}
            for p in D.promises_data(state.ws, state.cache)]  # fmt: skip
    return render(request, "promises.html", promises=rows)


@router.get("/plan")
def plan_page(request: Request, state: StateDep, principal: ReadDep) -> HTMLResponse:
    from escucha.insights.plan import STATUSES

    journey = D.journey_data(state.ws, state.cache)
    names = {st.get("id"): st.get("name") for st in journey.get("stages") or []}
    names.update({tp.get("id"): tp.get("name") for st in journey.get("stages") or [] for tp in st.get("touchpoints") or []})
    rows = [
        {**p, "evidence": _texts(state, p.get("evidence")), "touchpoint_name": names.get((p.get("touchpoint") or {}).get("id")),
         "stage_name": names.get((p.get("touchpoint") or {}).get("stage"))}
        for p in D.plan_data(state.ws, state.cache)
    ]  # fmt: skip
    return render(request, "plan.html", plan=rows, can_customers=principal.can(CUSTOMERS),
                  can_edit=principal.can(ANALYSIS_RUN), statuses=STATUSES)  # fmt: skip


@router.get("/ideas")
def ideas_page(request: Request, state: StateDep, principal: ReadDep) -> HTMLResponse:
    rows = []
    for idea in D.ideas_data(state.ws, state.cache):
        first = idea.get("first_proposer") or {}
        rows.append({**idea, "quotes": _texts(state, idea.get("quotes")),
                     "first": {**first, "text": state.redact(first.get("text"))}})  # fmt: skip
    return render(request, "ideas.html", ideas=rows, can_customers=principal.can(CUSTOMERS))


@router.get("/segments")
def segments_page(request: Request, state: StateDep, principal: ReadDep) -> HTMLResponse:
    return render(request, "segments.html", d=D.segments_data(state.ws, state.cache))
