"""The report's text in Spanish and English (its HTML page, its section fragments, its charts)."""

from __future__ import annotations

from escucha.i18n import add_messages

add_messages({
    "report.title": ("Informe de escucha", "escucha report"),
    "report.heading": ("escucha — la voz del cliente", "escucha — voice of the customer"),
    "report.counts": ("{items} voces · {analysed} analizadas · {quarantined} en cuarentena · generado {at}",
                      "{items} voices · {analysed} analysed · {quarantined} quarantined · generated {at}"),
    "report.csat": ("CSAT (% top-2)", "CSAT (% top-2)"),
    "report.ces": ("CES (1–7)", "CES (1–7)"),
    "report.rating": ("Valoración (1–5)", "Rating (1–5)"),
    "report.si_def": ("% positivo − % negativo", "% positive − % negative"),
    "report.over_time": ("Volumen y sentimiento en el tiempo", "Volume and sentiment over time"),
    "report.by_channel": ("Por canal", "By channel"),
    "report.aspects": ("Principales aspectos, en palabras de los clientes", "Top aspects, in the customers' words"),
    "report.intents": ("Intenciones", "Intents"),
    "report.urgent": ("Voces más urgentes", "Most urgent voices"),
    "report.h.channel": ("canal", "channel"),
    "report.h.volume": ("volumen", "volume"),
    "report.h.si": ("índice de sentimiento", "sentiment index"),
    "report.h.aspect": ("aspecto", "aspect"),
    "report.h.mentions": ("menciones", "mentions"),
    "report.h.neg": ("% negativas", "% negative"),
    "report.h.quotes": ("citas", "quotes"),
    "report.h.urgency": ("urgencia", "urgency"),
    "report.h.reach": ("alcance", "reach"),
    "report.h.intents": ("intenciones", "intents"),
    "report.h.text": ("texto", "text"),
    "report.h.words": ("en sus palabras", "in their words"),
    "report.anonymous": ("anónimo", "anonymous"),
    "report.voices_n": ("{n} voces", "{n} voices"),
    "report.significant": ("significativo", "significant"),
    "report.not_significant": ("no significativo", "not significant"),
    "report.drivers.intro": (
        "Qué mueve el {target} (n={n}). Importancia: efecto de una mención en la puntuación (% de la escala, IC 95%); "
        "rendimiento: {target} entre quienes lo mencionan.",
        "What moves {target} (n={n}). Importance: effect of a mention on the score (% of scale, 95% CI); "
        "performance: {target} among those who mention it."),
    "report.drivers.delta_nps": ("ΔNPS: puntos que ganaría el NPS si los detractores de la palanca pasaran a pasivos.",
                                 "ΔNPS: points NPS would gain if the driver's detractors became passives."),
    "report.drivers.delta": ("Δ: puntos de insatisfechos que desaparecerían.", "Δ: points of unhappy respondents removed."),
    "report.drivers.chart": ("Palancas clave: importancia frente a rendimiento", "Key drivers: importance vs performance"),
    "report.h.driver": ("palanca", "driver"),
    "report.h.performance": ("rendimiento", "performance"),
    "report.h.importance": ("importancia (IC 95%)", "importance (95% CI)"),
    "report.h.priority": ("prioridad", "priority"),
    "report.theme_tag": ("(tema)", "(theme)"),
    "quadrant.fix now": ("arreglar ya", "fix now"),
    "quadrant.keep up": ("mantener el nivel", "keep up"),
    "quadrant.maintain": ("vigilar", "maintain"),
    "quadrant.low priority": ("prioridad baja", "low priority"),
    "report.ideas.intro": ("Sugerencias de los clientes agrupadas en ideas, por apoyos distintos; se reconoce a quien la propuso primero.",
                           "Customers' suggestions grouped into ideas, by distinct supporters; the first proposer is credited."),
    "report.h.idea": ("idea", "idea"),
    "report.h.supporters": ("apoyos", "supporters"),
    "report.h.first_proposer": ("la propuso primero", "first proposed by"),
    "report.journey.intro": (
        "{assigned} de {total} frases de clientes situadas en un punto de contacto. Etapas de izquierda a derecha; la línea es el "
        "índice de sentimiento; el tamaño, el volumen; un anillo marca un momento de la verdad.",
        "{assigned} of {total} customer sentences placed on a touchpoint. Stages left to right; the line is the sentiment "
        "index; bubble size is volume; a ring marks a moment of truth."),
    "report.h.touchpoint": ("punto de contacto", "touchpoint"),
    "report.h.stage": ("etapa", "stage"),
    "report.h.sentences": ("frases", "sentences"),
    "report.h.sentiment": ("sentimiento", "sentiment"),
    "report.h.emotions": ("emociones", "emotions"),
    "report.plan.intro": (
        "Problemas ordenados por impacto (0–100) = volumen + negatividad + peso como palanca + tendencia + clientes valiosos "
        "afectados. Las vistas de una misma causa (aspecto, tema, promesa) forman un solo punto. La evidencia está en palabras "
        "de los clientes; se reconoce a los primeros que lo plantearon.",
        "Problems ranked by an impact score (0–100) = volume + negativity + key-driver weight + trend + valuable customers "
        "affected. Views of one cause (aspect, theme, promise) make one item. Evidence is in the customers' words; the first "
        "customers who raised each problem are credited."),
    "report.impact": ("Impacto", "Impact"),
    "report.trend_pts": ("tendencia {change} pts", "trend {change} pts"),
    "report.valuable": ("{n} clientes valiosos", "{n} valuable customers"),
    "report.located": ("{share}% de su evidencia situada", "{share}% of its located evidence"),
    "report.watch": ("Métrica a vigilar", "Metric to watch"),
    "report.baseline": ("base {value}% en las últimas {weeks} semanas", "baseline {value}% over the last {weeks} weeks"),
    "report.raised": ("Lo plantearon {n} clientes; primeros:", "Raised by {n} customers; first:"),
    "report.promises.intro": (
        "Lo que la marca promete frente a lo que cuentan los clientes. Brecha = proporción de voces en la ventana de la promesa "
        "que la ven rota, ponderada por su negatividad (por 100 voces, IC 95%). Antes/después compara esa proporción antes y "
        "después del inicio de la campaña.",
        "What the brand promises against what customers report. Gap = share of voices in the promise's window reporting it "
        "broken, weighted by how negative they are (per 100 voices, 95% CI). Before/after compares the share of voices "
        "reporting it broken before and after the campaign started."),
    "report.h.promise": ("promesa", "promise"),
    "report.h.broken": ("% rota", "% broken"),
    "report.h.gap": ("brecha (IC 95%)", "gap (95% CI)"),
    "report.h.before_after": ("antes → después de la campaña", "before → after campaign"),
    "report.campaign": ("campaña «{name}»", "campaign “{name}”"),
    "report.from": ("desde {date}", "from {date}"),
    "report.customers_n": ("{n} clientes", "{n} customers"),
    "report.trend_since": ("tendencia desde el inicio: {trend}", "trend since start: {trend}"),
    "report.segments.intro": ("{n} clientes agrupados por lo que cuentan (k={k}, silueta {sil}).",
                              "{n} customers clustered by what they talk about (k={k}, silhouette {sil})."),
    "report.h.segment": ("segmento", "segment"),
    "report.h.customers": ("clientes", "customers"),
    "report.h.voices": ("voces", "voices"),
    "report.h.churn": ("% amenazas de baja", "% churn threats"),
    "report.themes.intro": ("Temas descubiertos en las frases de los clientes, más allá de los aspectos fijos ({n} temas; se muestran los mayores).",
                            "Topics discovered in the customers' sentences, beyond the fixed aspects ({n} themes; the largest shown)."),
    "report.h.theme": ("tema", "theme"),
    "report.h.trend": ("tendencia", "trend"),
    "report.h.quote": ("una cita", "a quote"),
    "report.h.first_raised": ("lo planteó primero", "first raised by"),
    "report.pdf_footer": ("Página", "Page"),
})  # fmt: skip
