"""E-mail invitations through the shared notifier (``escucha.notify``): one message per invited
customer with an address, in their language, carrying their link."""

from __future__ import annotations

import logging
from typing import Any

from escucha.surveys.context import SurveyContext
from escucha.surveys.definitions import Survey
from escucha.surveys.invitations import INVITATIONS

log = logging.getLogger(__name__)

SUBJECT = ("Su opinión nos importa: {name}", "We would value your opinion: {name}")
BODY = (
    "Hola:\n\nNos gustaría saber qué tal le fue. Son dos minutos:\n\n{link}\n\n"
    "El enlace es personal; no lo comparta. Gracias por ayudarnos a mejorar.\n",
    "Hello,\n\nWe would like to know how it went. It takes two minutes:\n\n{link}\n\n"
    "The link is personal; please do not share it. Thank you for helping us improve.\n",
)


def send_invitations(ctx: SurveyContext, survey: Survey, invited: list[dict[str, Any]]) -> dict[str, Any]:
    """E-mail each invitation that has an address; returns ``{"sent": n, "skipped": n, "error": …}``."""
    try:
        from escucha.notify import Notifier  # type: ignore[attr-defined,unused-ignore]
    except ImportError:
        return {"sent": 0, "skipped": len(invited), "error": "escucha.notify is not installed"}
    docs = ctx.store.get_docs(INVITATIONS)
    notifier = Notifier.from_layout(ctx.store, ctx.layout)
    sent, skipped = 0, 0
    for inv in invited:
        doc = docs.get(inv["invitation_id"]) or {}
        to = doc.get("email")
        if not to:
            skipped += 1
            continue
        i = 1 if inv.get("language") == "en" else 0
        try:
            notifier.email(to=[to], subject=SUBJECT[i].format(name=survey.name), text=BODY[i].format(link=inv["link"]),
                           key=f"survey-invite:{inv['invitation_id']}")  # fmt: skip
            sent += 1
        except Exception as exc:  # the invitation stands; the notifier's log and retries keep track
            log.warning("survey invitation %s: e-mail not sent: %s", inv["invitation_id"], type(exc).__name__)
            skipped += 1
    return {"sent": sent, "skipped": skipped}
