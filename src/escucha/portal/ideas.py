"""The co-creation portal's ideas: proposals, moderation, votes, merges, statuses and links.

Statuses: ``under_review`` (published, being looked at), ``planned``, ``shipped``, ``declined``
(always with a reason). New proposals wait in the staff moderation queue (``moderation:
pending``) and show publicly only once approved. Every person is a key (a hash of a browser id or
a signed-in e-mail); names shown publicly are the credit names people chose, redacted of PII.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from datetime import UTC, datetime
from typing import Any

from escucha.errors import NotFoundError, ValidationError
from escucha.portal.context import IDEAS, LOCK, PEOPLE, PortalContext

STATUSES = ("under_review", "planned", "shipped", "declined")
MODERATION = ("pending", "approved", "rejected")
EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]{1,255}\.[^@\s]{2,}$")
ANONYMOUS = ("Cliente anónimo", "Anonymous customer")
PUBLIC_FIELDS = ("id", "title", "body", "status", "reason", "votes", "first_proposer_credit", "created_at",
                 "updated_at", "shipped_at", "credits", "links")  # fmt: skip


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def person_key(kind: str, value: str) -> str:
    """A stable, non-reversible key for a browser id (``b``) or an e-mail (``e``)."""
    return f"{kind}:" + hashlib.sha256(f"{kind}|{value.strip().lower()}".encode()).hexdigest()[:24]


def clean_credit(credit: str | None) -> str | None:
    """A public credit name: short, PII redacted (an e-mail or phone never shows)."""
    from escucha.privacy import redact

    if not credit or not credit.strip():
        return None
    c = " ".join(credit.split())[:40]
    c = redact(c)
    return None if "[" in c else c


def _text(value: Any, fld: str, lo: int, hi: int) -> str:
    from escucha.privacy import redact

    if not isinstance(value, str) or not lo <= len(value.strip()) <= hi:
        raise ValidationError(f"{fld}: expected {lo} to {hi} characters", field=fld)
    return redact(" ".join(value.split()) if fld == "title" else value.strip())


def _email(email: str | None) -> str | None:
    if not email or not email.strip():
        return None
    if not EMAIL.match(email.strip()):
        raise ValidationError("email: not an e-mail address", field="email")
    return email.strip()


def all_ideas(ctx: PortalContext) -> dict[str, dict[str, Any]]:
    return ctx.store.get_docs(IDEAS)


def get(ctx: PortalContext, idea_id: str) -> dict[str, Any]:
    doc = all_ideas(ctx).get(idea_id)
    if doc is None:
        raise NotFoundError(f"no idea {idea_id!r}", field="id", record=idea_id)
    return doc


def is_public(doc: dict[str, Any]) -> bool:
    return doc.get("moderation") == "approved" and not doc.get("merged_into")


def public_view(doc: dict[str, Any]) -> dict[str, Any]:
    """What anyone may see of an idea: no e-mails, no person keys, no moderation notes."""
    return {k: doc.get(k) for k in PUBLIC_FIELDS}


def public_ideas(ctx: PortalContext, sort: str = "votes") -> list[dict[str, Any]]:
    ideas = [public_view(d) for d in all_ideas(ctx).values() if is_public(d)]
    if sort == "new":
        ideas.sort(key=lambda d: str(d.get("created_at")), reverse=True)
    else:
        ideas.sort(key=lambda d: (-int(d.get("votes") or 0), str(d.get("created_at"))))
    return ideas


def _add_person(ctx: PortalContext, idea_id: str, key: str, role: str, credit: str | None,
                email: str | None) -> bool:  # fmt: skip
    """Record ``key`` as proposer or supporter of the idea; False when already there."""
    pid = f"{idea_id}:{key}"
    people = ctx.store.get_docs(PEOPLE)
    old = people.get(pid)
    if old is not None:
        if email and not old.get("email"):
            old["email"] = email
            ctx.store.put_docs(PEOPLE, {pid: old})
        return False
    ctx.store.put_docs(PEOPLE, {pid: {"idea_id": idea_id, "key": key, "role": role, "credit": credit,
                                      "email": email, "at": now()}})  # fmt: skip
    return True


def people(ctx: PortalContext, idea_id: str) -> list[dict[str, Any]]:
    return sorted((p for p in ctx.store.get_docs(PEOPLE).values() if p.get("idea_id") == idea_id),
                  key=lambda p: (p.get("role") != "proposer", str(p.get("at"))))  # fmt: skip


def propose(ctx: PortalContext, *, title: str, body: str = "", person: str, credit: str | None = None,
            email: str | None = None, premoderate: bool = True) -> dict[str, Any]:  # fmt: skip
    """A new idea (waiting for moderation unless ``premoderate`` is False); the proposer is its
    first supporter (one vote)."""
    doc: dict[str, Any] = {
        "id": secrets.token_urlsafe(8), "title": _text(title, "title", 5, 140),
        "body": _text(body, "body", 0, 2000) if body else "", "status": "under_review", "reason": None,
        "moderation": "pending" if premoderate else "approved", "votes": 1,
        "first_proposer_credit": clean_credit(credit) or ANONYMOUS[0], "created_at": now(), "updated_at": now(),
        "shipped_at": None, "credits": [], "links": {}, "merged_into": None, "merged": [], "history": [],
    }  # fmt: skip
    with LOCK:
        ctx.store.put_docs(IDEAS, {doc["id"]: doc})
        _add_person(ctx, doc["id"], person, "proposer", clean_credit(credit), _email(email))
    return doc


def vote(ctx: PortalContext, idea_id: str, *, person: str, credit: str | None = None,
         email: str | None = None) -> dict[str, Any]:  # fmt: skip
    """One vote per person and idea (voting again changes nothing); returns the public idea."""
    with LOCK:
        doc = get(ctx, idea_id)
        if not is_public(doc) or doc.get("status") in ("shipped", "declined"):
            raise NotFoundError(f"no open idea {idea_id!r}", field="id", record=idea_id)
        if _add_person(ctx, idea_id, person, "supporter", clean_credit(credit), _email(email)):
            doc["votes"] = int(doc.get("votes") or 0) + 1
            doc["updated_at"] = now()
            ctx.store.put_docs(IDEAS, {idea_id: doc})
    return public_view(doc)


def moderation_queue(ctx: PortalContext) -> list[dict[str, Any]]:
    """Proposals waiting for staff, oldest first, each with the public ideas it may duplicate."""
    from escucha.portal.similar import similar

    docs = all_ideas(ctx)
    published = [public_view(d) for d in docs.values() if is_public(d)]
    out = []
    for d in sorted(docs.values(), key=lambda d: str(d.get("created_at"))):
        if d.get("moderation") == "pending":
            dup = similar(f"{d['title']}. {d.get('body') or ''}", [p for p in published if p["id"] != d["id"]])
            out.append({**public_view(d), "moderation": "pending", "similar": dup})
    return out


def moderate(ctx: PortalContext, idea_id: str, decision: str, note: str | None = None, by: str = "") -> dict[str, Any]:
    """Approve (publish) or reject a pending proposal."""
    if decision not in ("approve", "reject"):
        raise ValidationError(f"decision {decision!r}: use approve or reject", field="decision", record=idea_id)
    with LOCK:
        doc = get(ctx, idea_id)
        doc["moderation"] = "approved" if decision == "approve" else "rejected"
        doc["history"].append({"at": now(), "by": by, "moderation": doc["moderation"], "note": note})
        doc["updated_at"] = now()
        ctx.store.put_docs(IDEAS, {idea_id: doc})
    return doc


def merge(ctx: PortalContext, duplicate_id: str, into_id: str, by: str = "") -> dict[str, Any]:
    """Merge a duplicate into an idea: its proposers and supporters become the idea's supporters
    (each person counted once) and the duplicate stops showing."""
    if duplicate_id == into_id:
        raise ValidationError("an idea cannot be merged into itself", field="into", record=duplicate_id)
    with LOCK:
        dup, target = get(ctx, duplicate_id), get(ctx, into_id)
        if target.get("merged_into"):
            raise ValidationError(f"idea {into_id!r} was itself merged into {target['merged_into']!r}",
                                  field="into", record=into_id)  # fmt: skip
        added = 0
        for p in people(ctx, duplicate_id):
            role = "proposer" if p.get("role") == "proposer" else "supporter"
            if _add_person(ctx, into_id, p["key"], role, p.get("credit"), p.get("email")):
                added += 1
        dup.update(merged_into=into_id, updated_at=now())
        dup["history"].append({"at": now(), "by": by, "merged_into": into_id})
        target["votes"] = int(target.get("votes") or 0) + added
        target["merged"] = [*target.get("merged", []), duplicate_id]
        target["history"].append({"at": now(), "by": by, "merged": duplicate_id, "votes_added": added})
        target["updated_at"] = now()
        ctx.store.put_docs(IDEAS, {duplicate_id: dup, into_id: target})
    return target


def link(ctx: PortalContext, idea_id: str, *, board: str | None = None, plan_item: str | None = None,
         by: str = "") -> dict[str, Any]:  # fmt: skip
    """Link an idea to an ideas-board idea (its label) and/or an improvement-plan item (its id)."""
    with LOCK:
        doc = get(ctx, idea_id)
        if plan_item is not None:
            if plan_item and plan_item not in ctx.store.get_docs("plans"):
                raise NotFoundError(f"no improvement-plan item {plan_item!r}", field="plan_item", record=idea_id)
            doc["links"]["plan_item"] = plan_item or None
        if board is not None:
            doc["links"]["board"] = board.strip()[:200] or None
        doc["history"].append({"at": now(), "by": by, "links": dict(doc["links"])})
        doc["updated_at"] = now()
        ctx.store.put_docs(IDEAS, {idea_id: doc})
    return doc


def set_status(ctx: PortalContext, idea_id: str, status: str, reason: str | None = None,
               by: str = "") -> tuple[dict[str, Any], list[dict[str, Any]]]:  # fmt: skip
    """Change an idea's status; ``declined`` needs a reason; ``shipped`` credits every proposer and
    supporter on the page. Returns the idea and, when it ships, the people to notify."""
    if status not in STATUSES:
        raise ValidationError(f"unknown status {status!r}; use one of {', '.join(STATUSES)}", field="status",
                              record=idea_id)  # fmt: skip
    if status == "declined" and not (reason and reason.strip()):
        raise ValidationError("a declined idea needs a reason the customers will read", field="reason",
                              record=idea_id)  # fmt: skip
    notify: list[dict[str, Any]] = []
    with LOCK:
        doc = get(ctx, idea_id)
        if doc.get("merged_into"):
            raise ValidationError(f"idea {idea_id!r} was merged into {doc['merged_into']!r}; change that one",
                                  field="id", record=idea_id)  # fmt: skip
        first_ship = status == "shipped" and doc.get("status") != "shipped"
        doc["status"] = status
        doc["reason"] = reason.strip()[:500] if reason and reason.strip() else None
        doc["history"].append({"at": now(), "by": by, "status": status, "reason": doc["reason"]})
        doc["updated_at"] = now()
        if first_ship:
            doc["shipped_at"] = now()
            everyone = people(ctx, idea_id)
            doc["credits"] = _credits(everyone)
            notify = [p for p in everyone if p.get("email")]
        ctx.store.put_docs(IDEAS, {idea_id: doc})
    return doc, notify


def _credits(everyone: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Public credits: named proposers and supporters, and how many more chose no name."""
    named = [{"credit": p["credit"], "role": p.get("role")} for p in everyone if p.get("credit")]
    anonymous = {"proposer": 0, "supporter": 0}
    for p in everyone:
        if not p.get("credit"):
            anonymous["proposer" if p.get("role") == "proposer" else "supporter"] += 1
    return [*named, *({"credit": None, "role": r, "count": n} for r, n in anonymous.items() if n)]
