"""Answering a survey: resolve a link, record partial and complete answers, land them through
the workspace's ingest and analyse them at once, choose the follow-up, open a case on request.

A response goes through two steps. The first (questions without a condition) is stored as a
*partial* response and as a voice right away (channel ``survey``, id ``survey:<response id>``),
analysed at once; its analysis picks the adaptive follow-up. The second step (conditional
questions, the follow-up, the call-back offer) completes the response and updates the voice.
"""

from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass
from typing import Any

from escucha.errors import ConflictError, NotFoundError, ValidationError
from escucha.models import Analysis
from escucha.surveys import tokens
from escucha.surveys.adaptive import aspect_labels, follow_up
from escucha.surveys.context import LOCK, SurveyContext
from escucha.surveys.definitions import LANGS, Question, Survey
from escucha.surveys.invitations import get_survey, invitation, now_utc, update_invitation

log = logging.getLogger(__name__)

RESPONSES = "survey_responses"
MAX_ANSWER = 5000
NO_COMMENT = ("—", "—")
"""The text of a scores-only answer (a voice needs text): a dash, which the analysers read as no
sentiment at all ("Sin comentario." / "No comment." read as negative and would skew the index)."""


@dataclass
class Link:
    """What a survey link opens: the survey, the invitation (None for the widget's open link)."""

    survey: Survey
    invitation: dict[str, Any] | None
    language: str

    @property
    def customer_id(self) -> str | None:
        return None if self.invitation is None else self.invitation.get("customer_id")


def resolve(ctx: SurveyContext, token: str, lang: str | None = None) -> Link:
    """The survey behind ``token``; ``NotFoundError`` for a bad or unknown link (one message for
    every case, so links cannot be probed), ``ConflictError`` when it was already answered."""
    value = tokens.unsign(ctx.secret(), token)
    missing = NotFoundError("this survey link is not valid", field="token")
    if value is None:
        raise missing
    inv = None
    if value.startswith("w-"):
        survey_id = value[2:]
    else:
        inv = invitation(ctx, value)
        if inv is None:
            raise missing
        survey_id = str(inv["survey_id"])
    try:
        survey = get_survey(ctx, survey_id)
    except NotFoundError:
        raise missing from None
    if survey.status != "active":
        raise missing
    if inv is not None and inv.get("status") == "completed":
        raise ConflictError("this survey has already been answered: thank you", field="token")
    language = lang if lang in LANGS else (inv or {}).get("language") or survey.language
    return Link(survey, inv, str(language))


def mark_opened(ctx: SurveyContext, link: Link) -> None:
    inv = link.invitation
    if inv is not None and inv.get("status") == "invited":
        update_invitation(ctx, inv, status="opened", opened_at=now_utc().isoformat())


def new_response_id(link: Link) -> str:
    """Invitations answer once (the response id is the invitation's); the open link makes a new one."""
    return str(link.invitation["id"]) if link.invitation is not None else "w" + secrets.token_urlsafe(12)


def parse_answers(questions: list[Question], form: dict[str, Any], lang: str) -> dict[str, Any]:
    """Scores as whole numbers in their scale, texts trimmed; ``ValidationError`` names the question."""
    out: dict[str, Any] = {}
    for q in questions:
        raw = form.get(q.id)
        raw = raw.strip() if isinstance(raw, str) else raw
        if raw in (None, ""):
            if q.required:
                raise ValidationError(f"question {q.id!r}: an answer is required", field=q.id)
            continue
        if q.scale is not None:
            lo, hi = q.scale
            try:
                v = int(str(raw))
            except ValueError:
                raise ValidationError(f"question {q.id!r}: {str(raw)[:20]!r} is not a whole number", field=q.id) from None
            if not lo <= v <= hi:
                raise ValidationError(f"question {q.id!r}: {v} is outside {lo}-{hi}", field=q.id)
            out[q.id] = v
        else:
            text = str(raw)
            if len(text) > MAX_ANSWER:
                raise ValidationError(f"question {q.id!r}: at most {MAX_ANSWER} characters", field=q.id)
            out[q.id] = text
    return out


def _text(survey: Survey, answers: dict[str, Any], lang: str) -> str:
    parts = [str(answers[q.id]) for q in survey.questions if q.kind == "open" and answers.get(q.id)]
    if answers.get("follow_up"):
        parts.append(str(answers["follow_up"]))
    return "\n\n".join(parts) or NO_COMMENT[1 if lang == "en" else 0]


def _record(link: Link, response_id: str, answers: dict[str, Any], started: str) -> dict[str, Any]:
    s = link.survey
    rec: dict[str, Any] = {
        "id": response_id, "channel": "survey", "text": _text(s, answers, link.language),
        "timestamp": started, "customer_id": link.customer_id, "language": link.language,
        "metadata": {"survey_id": s.id, "survey": s.name, "response_id": response_id,
                     "trigger": (link.invitation or {}).get("trigger") or s.trigger},
    }  # fmt: skip
    for q in s.questions:
        if q.scale is not None and q.id in answers:
            rec[q.kind] = answers[q.id]
    return rec


def land(ctx: SurveyContext, record: dict[str, Any]) -> Analysis | None:
    """Store ``record`` through the workspace's ingest (validation, quarantine, redaction) and
    analyse it at once with the workspace's pipeline; returns its analysis."""
    from escucha.analysis import analyse_batch
    from escucha.store import PendingItem

    stored: list[Any] = []
    summary = ctx.ingest([record], source_name="survey", on_stored=stored.extend)  # id: survey:<response id>
    item_id = f"survey:{record['id']}"
    if summary.quarantined:
        p = summary.problems[0] if summary.problems else None
        raise ValidationError(f"the answer could not be stored: {p.reason if p else 'invalid'}",
                              field=getattr(p, "field", None) or "text", record=item_id)  # fmt: skip
    # the voice as stored (redacted) comes back from the ingest: no need to read it again
    fb = next((f for f in stored if f.id == item_id), None) or ctx.store.get_item(item_id)[0]
    pending = PendingItem(id=fb.id, content_hash=fb.hash, text=fb.text, title=fb.title, language=fb.language,
                          reach=fb.reach)  # fmt: skip
    analyses, _ = analyse_batch(ctx.pipeline(), [pending])
    ctx.store.save_analyses([pending], analyses)
    return analyses[0] if analyses else None


def first_step(ctx: SurveyContext, link: Link, response_id: str, form: dict[str, Any]) -> dict[str, Any]:
    """Record the first step's answers (a partial response and its voice, analysed now) and
    return the response with its ``follow_ups`` (conditional questions) and ``adaptive`` question."""
    s = link.survey
    answers = parse_answers(s.first, form, link.language)
    if not answers:
        raise ValidationError("answer at least one question", field=s.first[0].id)
    inv = link.invitation
    if inv is not None:  # read when the link was resolved: its status says if it was answered
        old = {"started_at": inv.get("started_at")}
    else:
        with LOCK:
            old = ctx.read_doc(RESPONSES, response_id) or {}
    if old.get("status") == "completed":
        raise ConflictError("this survey has already been answered: thank you", field="token")
    started = old.get("started_at") or now_utc().isoformat()
    analysis = land(ctx, _record(link, response_id, answers, started))
    open_q = s.open_question
    adaptive = None
    if s.adaptive and open_q is not None and answers.get(open_q.id):
        adaptive = follow_up(analysis, link.language, aspect_labels(ctx.layout.root, link.language))
    doc = {
        "id": response_id, "survey_id": s.id, "invitation_id": (link.invitation or {}).get("id"),
        "customer_id": link.customer_id, "language": link.language, "answers": answers, "status": "partial",
        "started_at": started, "updated_at": now_utc().isoformat(), "item_id": f"survey:{response_id}",
        "adaptive": adaptive, "follow_ups": [q.id for q in s.follow_ups(answers)],
        "sentiment": analysis.sentiment if analysis else None,
        "intents": list(analysis.intents) if analysis else [],
    }  # fmt: skip
    with LOCK:
        ctx.store.put_docs(RESPONSES, {response_id: doc})
    if link.invitation is not None:
        update_invitation(ctx, link.invitation, status="partial", response_id=response_id, started_at=started)
    return doc


def second_step(ctx: SurveyContext, link: Link, response_id: str, form: dict[str, Any]) -> dict[str, Any]:
    """Complete a response: the conditional questions, the follow-up answer and the call-back
    choice; the voice is updated and analysed again; a case opens when a call back is wanted."""
    with LOCK:
        doc = ctx.read_doc(RESPONSES, response_id)
    if doc is None or doc.get("survey_id") != link.survey.id:
        raise NotFoundError("answer the first questions first", field="step")
    if doc.get("status") == "completed":
        raise ConflictError("this survey has already been answered: thank you", field="token")
    s = link.survey
    asked = [q for q in s.questions if q.id in doc.get("follow_ups", [])]
    answers = dict(doc["answers"])
    answers.update(parse_answers(asked, form, link.language))
    extra = form.get("follow_up")
    if isinstance(extra, str) and extra.strip():
        if len(extra) > MAX_ANSWER:
            raise ValidationError(f"question 'follow_up': at most {MAX_ANSWER} characters", field="follow_up")
        answers["follow_up"] = extra.strip()
    callback = bool((doc.get("adaptive") or {}).get("callback")) and str(form.get("callback", "")) in ("1", "yes", "on")
    analysis = land(ctx, _record(link, response_id, answers, str(doc["started_at"])))
    doc.update(answers=answers, status="completed", completed_at=now_utc().isoformat(), callback=callback,
               sentiment=analysis.sentiment if analysis else doc.get("sentiment"),
               intents=list(analysis.intents) if analysis else doc.get("intents", []))  # fmt: skip
    if callback:
        doc["case_id"] = open_case(ctx, doc)
    with LOCK:
        ctx.store.put_docs(RESPONSES, {response_id: doc})
    if link.invitation is not None:
        update_invitation(ctx, link.invitation, status="completed", completed_at=doc["completed_at"])
    return doc


def open_case(ctx: SurveyContext, response: dict[str, Any]) -> str | None:
    """Open a high-priority call-back case when the ``escucha.cases`` package is installed
    (``cases.workflow.create_case``); None otherwise or when it cannot be opened."""
    try:
        from escucha.cases.workflow import create_case  # type: ignore[import-not-found,unused-ignore]
    except ImportError:
        return None
    try:
        case = create_case(ctx.store, ctx.layout, customer_id=response.get("customer_id"),
                           reason="Encuesta: amenaza de baja, pide que le llamen / survey: churn threat, call back",
                           priority="high", topic="churn", item_ids=[response["item_id"]],
                           language=response.get("language"), channel="survey", actor="surveys")  # fmt: skip
    except Exception as exc:  # the customer's answer is stored whatever happens to the case
        log.warning("could not open a case for survey response %s: %s", response["id"], type(exc).__name__)
        return None
    return str(getattr(case, "id", case))


def responses(ctx: SurveyContext, survey_id: str | None = None) -> list[dict[str, Any]]:
    docs = ctx.store.get_docs(RESPONSES).values()
    return [d for d in docs if survey_id is None or d.get("survey_id") == survey_id]
