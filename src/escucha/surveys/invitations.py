"""Invitations with fatigue rules and quotas, and the link each invited customer gets.

No customer is invited more than once per ``survey_fatigue_days`` across all surveys (the
``survey_contacts`` documents keep each customer's last invitation); a survey's quota caps the
invitations per segment (a customer attribute; the counts are the ``quota:<survey id>`` contacts
document). Both are decided in one store transaction, so processes inviting at once never exceed
either. Refusals say why and from when it is allowed.
E-mail addresses are kept only to send the invitation and are never shown on public pages.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from datetime import UTC, datetime, timedelta
from typing import Any

import pandas as pd

from escucha.errors import NotFoundError, ValidationError
from escucha.surveys import tokens
from escucha.surveys.context import LOCK, SurveyContext
from escucha.surveys.definitions import LANGS, Survey

SURVEYS = "surveys"
INVITATIONS = "survey_invitations"
CONTACTS = "survey_contacts"
MAX_RECIPIENTS = 1000
EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]{1,255}\.[^@\s]{2,}$")


def now_utc() -> datetime:
    return datetime.now(UTC)


def customer_key(customer_id: str | None, email: str | None) -> str:
    """The fatigue key of a customer: their id, else a hash of the e-mail (never the address)."""
    if customer_id:
        return f"id:{customer_id}"
    return "email:" + hashlib.sha256((email or "").strip().lower().encode()).hexdigest()[:32]


def get_survey(ctx: SurveyContext, survey_id: str) -> Survey:
    from escucha.surveys.definitions import survey_from_doc

    doc = ctx.survey_doc(survey_id, SURVEYS)
    if doc is None:
        raise NotFoundError(f"no survey {survey_id!r}", field="id", record=survey_id)
    return survey_from_doc(doc)


def link(ctx: SurveyContext, invitation_id: str) -> str:
    return f"{ctx.base_url}/s/{tokens.sign(ctx.secret(), invitation_id)}"


def widget_token(ctx: SurveyContext, survey_id: str) -> str:
    return tokens.sign(ctx.secret(), f"w-{survey_id}")


def _recipient(i: int, r: Any) -> dict[str, Any]:
    """``"c1"``, ``"ana@example.com"`` or ``{customer_id, email, language}`` → a checked dict."""
    if isinstance(r, str):
        r = {"email": r} if "@" in r else {"customer_id": r}
    if not isinstance(r, dict) or not (r.get("customer_id") or r.get("email")):
        raise ValidationError(f"recipients[{i}]: expected a customer id, an e-mail or {{customer_id, email}}",
                              field=f"recipients[{i}]")  # fmt: skip
    if unknown := sorted(set(r) - {"customer_id", "email", "language"}):
        raise ValidationError(f"recipients[{i}]: unknown field {unknown[0]!r}", field=f"recipients[{i}].{unknown[0]}")
    cid, email, lang = r.get("customer_id"), r.get("email"), r.get("language")
    if cid is not None and (not isinstance(cid, str) or not 0 < len(cid) <= 200):
        raise ValidationError(f"recipients[{i}].customer_id: expected text of 1-200 characters",
                              field=f"recipients[{i}].customer_id")  # fmt: skip
    if email is not None and (not isinstance(email, str) or not EMAIL.match(email.strip())):
        raise ValidationError(f"recipients[{i}].email: {str(email)[:80]!r} is not an e-mail address",
                              field=f"recipients[{i}].email")  # fmt: skip
    if lang is not None and lang not in LANGS:
        raise ValidationError(f"recipients[{i}].language: {lang!r} is not es or en", field=f"recipients[{i}].language")
    return {"customer_id": cid, "email": email.strip() if email else None, "language": lang}


def _customers(ctx: SurveyContext) -> dict[str, dict[str, Any]]:
    df = ctx.store.customers()
    out: dict[str, dict[str, Any]] = {}
    if df is None or df.empty:
        return out
    for rec in df.to_dict("records"):
        attrs = rec.get("attributes")
        if isinstance(attrs, str):
            import json

            try:
                attrs = json.loads(attrs)
            except ValueError:
                attrs = {}
        out[str(rec.get("id") or rec.get("customer_id"))] = attrs if isinstance(attrs, dict) else {}
    return out


def invite(
    ctx: SurveyContext,
    survey_id: str,
    recipients: list[Any],
    *,
    trigger: str | None = None,
    language: str | None = None,
    at: datetime | None = None,
) -> dict[str, list[dict[str, Any]]]:
    """Invite ``recipients`` (customer ids, e-mails or dicts) to the survey. Returns ``invited``
    (with each ``link``) and ``refused`` (with the ``reason``: fatigue, quota or duplicate)."""
    survey = get_survey(ctx, survey_id)
    if survey.status != "active":
        raise ValidationError(f"survey {survey_id!r} is {survey.status}; it takes no invitations", field="status",
                              record=survey_id)  # fmt: skip
    if not isinstance(recipients, list) or not 1 <= len(recipients) <= MAX_RECIPIENTS:
        raise ValidationError(f"send 1 to {MAX_RECIPIENTS} recipients", field="recipients")
    wanted = [_recipient(i, r) for i, r in enumerate(recipients)]
    when = at or now_utc()
    window = timedelta(days=ctx.settings.survey_fatigue_days)
    customers = _customers(ctx)
    by_email = {str(a.get("email")).lower(): cid for cid, a in customers.items() if a.get("email")}
    ctx.secret()  # read (and cached) now: links are signed inside the contacts transaction below
    people = []
    for r in wanted:
        cid = r["customer_id"] or (by_email.get(r["email"].lower()) if r["email"] else None)
        attrs = customers.get(cid or "", {})
        email = r["email"] or (str(attrs["email"]) if attrs.get("email") else None)
        people.append((r, cid, attrs, email, customer_key(cid, email)))
    invited: list[dict[str, Any]] = []
    refused: list[dict[str, Any]] = []
    new_docs: dict[str, dict[str, Any]] = {}
    qkey = f"quota:{survey_id}"  # the survey's invitations per segment, kept beside the contacts
    with LOCK:  # fatigue and quotas: atomic across processes (one update_docs transaction)
        per_segment: dict[str, int] = {}
        if survey.quota and ctx.read_doc(CONTACTS, qkey) is None:  # first time: count what was sent
            for d in ctx.store.get_docs(INVITATIONS).values():
                if d.get("survey_id") == survey_id:
                    per_segment[str(d.get("segment"))] = per_segment.get(str(d.get("segment")), 0) + 1

        def decide(contacts: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any] | None]:
            invited.clear()
            refused.clear()
            new_docs.clear()
            stored = contacts.get(qkey)
            counts: dict[str, int] = dict(stored["counts"]) if stored else dict(per_segment)
            new_contacts: dict[str, dict[str, Any] | None] = {}
            for r, cid, attrs, email, key in people:
                shown = r["customer_id"] or _masked(r["email"])
                last = new_contacts.get(key) or contacts.get(key)
                if last is not None:
                    last_at = pd.Timestamp(last["last_invited_at"]).to_pydatetime()
                    if when - last_at < window:
                        refused.append({"recipient": shown, "reason": "fatigue",
                                        "message": f"already invited on {last_at.date().isoformat()}; "
                                                   f"no new invitation before {(last_at + window).date().isoformat()}",
                                        "next_allowed": (last_at + window).isoformat()})  # fmt: skip
                        continue
                segment = None
                if survey.quota:
                    segment = str(attrs.get(survey.quota["attribute"]))
                    cap = survey.quota["max"].get(segment)
                    if cap is not None and counts.get(segment, 0) >= cap:
                        refused.append({"recipient": shown, "reason": "quota", "message":
                                        f"the quota for {survey.quota['attribute']}={segment} ({cap}) is full"})  # fmt: skip
                        continue
                    counts[segment] = counts.get(segment, 0) + 1
                lang = r["language"] or language or attrs.get("language") or survey.language
                lang = lang if lang in LANGS else survey.language
                inv_id = secrets.token_urlsafe(12)
                new_docs[inv_id] = {"id": inv_id, "survey_id": survey_id, "customer_id": cid, "customer_key": key,
                                    "email": email, "segment": segment, "language": lang,
                                    "trigger": trigger or survey.trigger, "created_at": when.isoformat(),
                                    "status": "invited"}  # fmt: skip
                new_contacts[key] = {"last_invited_at": when.isoformat(), "survey_id": survey_id, "invitation_id": inv_id}
                invited.append({"recipient": shown, "invitation_id": inv_id, "customer_id": cid, "language": lang,
                                "link": link(ctx, inv_id), "has_email": bool(email)})  # fmt: skip
            if survey.quota and invited:
                new_contacts[qkey] = {"survey_id": survey_id, "counts": counts}
            return new_contacts

        keys = {p[4] for p in people} | ({qkey} if survey.quota else set())
        ctx.store.update_docs(CONTACTS, decide, keys=sorted(keys))
        if new_docs:
            ctx.store.put_docs(INVITATIONS, new_docs)
    return {"invited": invited, "refused": refused}


def _masked(email: str | None) -> str:
    """``ana@example.com`` → ``a…@example.com`` (what staff lists show of an address)."""
    if not email:
        return ""
    user, _, domain = email.partition("@")
    return f"{user[:1]}…@{domain}"


def invitation(ctx: SurveyContext, invitation_id: str) -> dict[str, Any] | None:
    return ctx.read_doc(INVITATIONS, invitation_id)


def update_invitation(ctx: SurveyContext, doc: dict[str, Any], **changes: Any) -> None:
    """Change an invitation in the store (atomically: what is stored now, plus ``changes``);
    ``doc`` (as read when its link was opened) gets the changes too."""
    doc.update(changes)
    key = str(doc["id"])
    ctx.store.update_docs(INVITATIONS, lambda docs: {key: {**docs.get(key, doc), **changes}}, keys=[key])
