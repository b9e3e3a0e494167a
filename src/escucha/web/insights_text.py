"""Interface text of the insight pages added for readable insights (plan parts and checks, the
snapshot's labels, guidance where configuration is missing), in Spanish and English."""

from __future__ import annotations

from escucha.i18n import add_messages

add_messages({
    "part.volume": ("volumen", "volume"),
    "part.negativity": ("negatividad", "negativity"),
    "part.driver": ("palanca", "driver"),
    "part.trend": ("tendencia", "trend"),
    "part.value": ("valor", "value"),
    "plan.merged": ("Incluye", "Includes"),
    "plan.voices": ("{n} voces", "{n} voices"),
    "plan.peak": ("Semana pico: {week} ({voices} voces, ×{ratio} la semana típica)",
                  "Peak week: {week} ({voices} voices, ×{ratio} a typical week)"),
    "plan.check": ("Verificación antes / después", "Before / after check"),
    "plan.check_line": ("Desde {since}: {before}% → {after}% ({change} pts, p={p}, {n} voces después)",
                        "Since {since}: {before}% → {after}% ({change} pts, p={p}, {n} voices after)"),
    "plan.check_pending": ("Se medirá cuando el punto se marque como hecho.",
                           "Measured once the item is marked done."),
    "verdict.improved": ("mejoró", "improved"),
    "verdict.worse": ("empeoró", "worse"),
    "verdict.no significant change": ("sin cambio significativo", "no significant change"),
    "verdict.not enough data": ("aún no hay datos suficientes", "not enough data yet"),
    "kind.aspect": ("aspecto", "aspect"),
    "kind.theme": ("tema", "theme"),
    "kind.promise": ("promesa", "promise"),
    "kind.touchpoint": ("punto de contacto", "touchpoint"),
    "channel.review": ("reseña", "review"),
    "channel.survey": ("encuesta", "survey"),
    "channel.chat": ("chat", "chat"),
    "channel.call": ("llamada", "call"),
    "channel.social": ("redes sociales", "social"),
    "channel.email": ("correo", "e-mail"),
    "channel.employee": ("empleados", "employees"),
    "channel.tweet": ("tuit", "tweet"),
    "channel.other": ("otro", "other"),
    "promises.howto": (
        "Declara las promesas de tu marca en el archivo «{path}» del espacio de trabajo "
        "(una lista «promises» con id, promise, claim_terms y, si quieres, campaign y start) "
        "o en «company.yaml»; la próxima vez que abras esta página se medirán.",
        "Declare your brand promises in the workspace file “{path}” (a “promises” list with id, "
        "promise, claim_terms and optionally campaign and start) or in “company.yaml”; they are "
        "measured the next time this page opens.",
    ),
    "snapshot.undated": ("{n} voces sin fecha no cuentan en la semana.",
                         "{n} undated voices are not counted in the week."),
})  # fmt: skip
