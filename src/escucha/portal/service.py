"""The portal of one workspace as one object (the Workspace facade, CLI, API and pages use it),
and the e-mails to proposers and supporters when their idea ships."""

from __future__ import annotations

import logging
from typing import Any

from escucha.portal import ideas
from escucha.portal.context import PortalContext
from escucha.portal.similar import similar

log = logging.getLogger(__name__)

SHIPPED_SUBJECT = ("¡Su idea ya es una realidad!: {title}", "Your idea has shipped: {title}")
SHIPPED_BODY = (
    "Hola:\n\nUna idea que usted propuso o apoyó ya está en marcha:\n\n  «{title}»\n\n"
    "Gracias: se hizo gracias a usted y a {n} clientes más. Puede verla aquí: {url}\n",
    "Hello,\n\nAn idea you proposed or supported has shipped:\n\n  \"{title}\"\n\n"
    "Thank you: it happened thanks to you and {n} other customers. See it here: {url}\n",
)


class Portal:
    """Propose, find near-duplicates, vote, moderate, merge, link, change status, credit, notify."""

    def __init__(self, ctx: PortalContext):
        self.ctx = ctx

    def public(self, sort: str = "votes") -> list[dict[str, Any]]:
        return ideas.public_ideas(self.ctx, sort)

    def get(self, idea_id: str) -> dict[str, Any]:
        return ideas.get(self.ctx, idea_id)

    def similar(self, text: str, top: int = 3) -> list[dict[str, Any]]:
        pub = [d for d in self.public() if d.get("status") not in ("shipped", "declined")]
        return [{k: d[k] for k in ("id", "title", "votes", "status", "similarity", "duplicate")}
                for d in similar(text, pub, top=top)]  # fmt: skip

    def propose(self, **kw: Any) -> dict[str, Any]:
        return ideas.propose(self.ctx, **kw)

    def vote(self, idea_id: str, **kw: Any) -> dict[str, Any]:
        return ideas.vote(self.ctx, idea_id, **kw)

    def queue(self) -> list[dict[str, Any]]:
        return ideas.moderation_queue(self.ctx)

    def moderate(self, idea_id: str, decision: str, note: str | None = None, by: str = "") -> dict[str, Any]:
        return ideas.moderate(self.ctx, idea_id, decision, note, by)

    def merge(self, duplicate_id: str, into_id: str, by: str = "") -> dict[str, Any]:
        return ideas.merge(self.ctx, duplicate_id, into_id, by)

    def link(self, idea_id: str, **kw: Any) -> dict[str, Any]:
        return ideas.link(self.ctx, idea_id, **kw)

    def set_status(self, idea_id: str, status: str, reason: str | None = None, by: str = "") -> dict[str, Any]:
        """Change the status; when an idea ships, every proposer and supporter with an address is
        e-mailed (``notified`` in the result says how many)."""
        doc, to_notify = ideas.set_status(self.ctx, idea_id, status, reason, by)
        if to_notify:
            doc = {**doc, "notified": self._notify_shipped(doc, to_notify)}
        return doc

    def _notify_shipped(self, doc: dict[str, Any], to_notify: list[dict[str, Any]]) -> int:
        from escucha.notify import Notifier

        notifier = Notifier.from_layout(self.ctx.store, self.ctx.layout)
        if notifier.config.email_channel not in notifier.channel_names():
            log.warning("idea %s shipped: no e-mail channel in notify.yaml, nobody e-mailed", doc["id"])
            return 0
        total = len(ideas.people(self.ctx, doc["id"]))
        url = f"{self.ctx.base_url}/ideas/portal/{doc['id']}"
        sent = 0
        for p in to_notify:
            i = 0  # Spanish first, English below it: the portal does not know each person's language
            text = SHIPPED_BODY[i].format(title=doc["title"], n=max(total - 1, 0), url=url)
            text += "\n---\n" + SHIPPED_BODY[1].format(title=doc["title"], n=max(total - 1, 0), url=url)
            notifier.email(to=[p["email"]], subject=SHIPPED_SUBJECT[i].format(title=doc["title"]), text=text,
                           key=f"portal-shipped:{doc['id']}:{p['key']}", topic="portal")  # fmt: skip
            sent += 1  # queued and tried now; a failed delivery is retried by the notifier
        return sent


def idea_status(idea_key: str, source: Any) -> dict[str, Any] | None:
    """The portal status of the ideas-board idea ``idea_key`` (its label), for the ideas board:
    ``{"status", "portal_id", "title", "votes", "reason"}`` of the portal idea linked to it (the
    most voted when several are), or None. ``source``: a Store, or anything with ``.store`` (an
    InsightContext, a Workspace). The portal's ``portal_ideas`` documents are the one source."""
    store = getattr(source, "store", source)
    linked = [d for d in store.get_docs("portal_ideas").values()
              if (d.get("links") or {}).get("board") == idea_key and ideas.is_public(d)]  # fmt: skip
    if not linked:
        return None
    d = max(linked, key=lambda d: int(d.get("votes") or 0))
    return {"status": d.get("status"), "portal_id": d["id"], "title": d.get("title"), "votes": d.get("votes"),
            "reason": d.get("reason")}  # fmt: skip
