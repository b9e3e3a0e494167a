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
    """E-mail each invitation that has an address; returns ``{"sent", "retrying", "skipped"}`` counts
    (a delivery that failed stays in the notifier's outbox and is retried)."""
    from escucha.errors import ConfigError
    from escucha.notify import Notifier

    docs = ctx.store.get_docs(INVITATIONS)
    notifier = Notifier.from_layout(ctx.store, ctx.layout)
    if notifier.config.email_channel not in notifier.channel_names():
        raise ConfigError(f"no e-mail channel {notifier.config.email_channel!r} in notify.yaml: the invitations "
                          "were made (their links are in the answer) but not e-mailed", field="send_email")  # fmt: skip
    sent, failed, skipped = 0, 0, 0
    for inv in invited:
        doc = docs.get(inv["invitation_id"]) or {}
        to = doc.get("email")
        if not to:
            skipped += 1
            continue
        i = 1 if inv.get("language") == "en" else 0
        deliveries = notifier.email(to=[to], subject=SUBJECT[i].format(name=survey.name),
                                    text=BODY[i].format(link=inv["link"]), key=f"survey-invite:{inv['invitation_id']}",
                                    topic="survey")  # fmt: skip
        if all(d.get("status") == "sent" for d in deliveries):
            sent += 1
        else:  # queued for retry by the notifier (escucha notify flush / the server's retry loop)
            failed += 1
            log.warning("survey invitation %s: e-mail not delivered yet", inv["invitation_id"])
    return {"sent": sent, "retrying": failed, "skipped": skipped}
