"""Agent assist: for one incoming message (and a customer id), what the agent needs right now.

Emotion, urgency and intents from the workspace's own pipeline (kept warm); what the customer told
us before and their open cases (``history.CustomerIndex``, kept warm); the playbook step that fits,
the compensation the agent may offer without approval; and a suggested reply in the customer's
language and register (tú / usted) from the playbook's templates. When ``assist_llm_url`` is set,
an OpenAI-compatible endpoint may draft the reply instead; it is never required: on a timeout, an
error or a draft offering more than the playbook allows, the template is used.
"""

from __future__ import annotations

import logging
import re
import threading
import time
from typing import TYPE_CHECKING, Any

from escucha.cases import store as case_store
from escucha.cases.history import CustomerIndex, orders_in, register_of
from escucha.cases.playbooks import (
    Playbook,
    Playbooks,
    compensation,
    load_playbooks,
    offer_sentence,
    within_limits,
)  # fmt: skip
from escucha.errors import ValidationError

if TYPE_CHECKING:
    from escucha.config import Settings
    from escucha.layout import WorkspaceLayout
    from escucha.pipeline import Pipeline
    from escucha.store import Store

log = logging.getLogger(__name__)
MAX_TEXT = 10_000
def first_name(name: Any) -> str:
    return str(name).split()[0] if isinstance(name, str) and name.strip() else ""


class AssistService:
    """Assist for one workspace, with the pipeline and the customer history kept warm."""

    def __init__(self, store: Store, layout: WorkspaceLayout | None, settings: Settings, pipeline: Pipeline):
        self.store, self.layout, self.settings, self.pipeline = store, layout, settings, pipeline
        self.playbooks: Playbooks = load_playbooks(layout)
        self._index: CustomerIndex | None = None
        self._built = 0.0
        self._lock = threading.Lock()
        self._refreshing = False

    # -- warm state ---------------------------------------------------------------------------
    def warm(self) -> None:
        """Build the customer history and run the pipeline once (the first request pays nothing)."""
        self.index()
        self.pipeline.analyze(["hola, gracias"])

    def index(self) -> CustomerIndex:
        with self._lock:
            if self._index is None:
                self._index, self._built = CustomerIndex.build(self.store), time.monotonic()
            index = self._index
        if index.cases_generation != case_store.generation():
            index.reload_cases(self.store)
        if time.monotonic() - self._built > self.settings.assist_history_ttl_s and not self._refreshing:
            self._refreshing = True
            threading.Thread(target=self._refresh, name="assist-history", daemon=True).start()
        return index

    def _refresh(self) -> None:
        try:
            fresh = CustomerIndex.build(self.store)
            with self._lock:
                self._index, self._built = fresh, time.monotonic()
        except Exception:
            log.exception("assist: refreshing the customer history failed")
        finally:
            self._refreshing = False

    def refresh(self) -> None:
        """Rebuild the customer history now (after an ingest in this process, in tests)."""
        with self._lock:
            self._index, self._built = CustomerIndex.build(self.store), time.monotonic()

    # -- one message --------------------------------------------------------------------------
    def assist(self, text: str, customer_id: str | None = None, language: str | None = None,
               case_id: str | None = None) -> dict[str, Any]:
        t0 = time.perf_counter()
        if not isinstance(text, str) or not text.strip():
            raise ValidationError("text is empty", field="text")
        if len(text) > MAX_TEXT:
            raise ValidationError(f"text is longer than {MAX_TEXT} characters", field="text")
        if language is not None and language not in ("es", "en"):
            raise ValidationError(f"language {language!r}: use es or en", field="language")
        [an] = self.pipeline.analyze([text])
        index = self.index()
        customer = index.summary(customer_id) if customer_id else None
        case = None
        if case_id:
            case = next((c for cs in index.cases.values() for c in cs if c.id == case_id), None)
            case = case or case_store.load(self.store, case_id)  # a case without a customer id
        lang = language or (an.language if an.language in ("es", "en") else None)
        lang = lang or (customer or {}).get("language") or (case.language if case else None) or "es"
        register = register_of(text, lang, default=(customer or {}).get("register") or "usted") or "usted"
        aspects = [m.aspect for m in an.aspects]
        neg = [m.aspect for m in an.aspects if m.sentiment == "negative"]
        pb = (self.playbooks.get(case.playbook) if case and case.playbook in self.playbooks.items
              else self.playbooks.choose(an.intents, case.topic if case else (neg[0] if neg else None), neg or aspects))  # fmt: skip
        comp = compensation(pb, index.attributes.get(customer_id or "") or customer)
        orders = orders_in(text) or [f.removeprefix("order ") for f in (customer or {}).get("facts", [])
                                     if f.startswith("order ")][:1]  # fmt: skip
        reply = self.template_reply(pb, lang, register, comp, (customer or {}).get("name"), orders[:1])
        source, llm_error = "template", None
        if self.settings.assist_llm_url and self.settings.assist_llm_model:
            drafted, llm_error = self.llm_reply(text, pb, lang, register, comp, reply)
            if drafted:
                reply, source = drafted, "llm"
        return {
            "language": lang,
            "register": register,
            "sentiment": an.sentiment,
            "emotion": an.dominant_emotion,
            "emotions": {k: round(v, 3) for k, v in an.emotions.items()},
            "urgency": round(an.urgency, 3),
            "intents": list(an.intents),
            "aspects": aspects,
            "playbook": pb.to_json(lang, step=1 if case and case.first_response_at else 0),
            "compensation": None if comp is None else {"kind": comp["kind"], "amount": comp["amount"],
                                                       "max": comp["max"], "currency": self.playbooks.currency},
            "suggested_reply": reply,
            "reply_source": source,
            "llm_error": llm_error,
            "customer": customer,
            "case_id": case.id if case else None,
            "took_ms": round((time.perf_counter() - t0) * 1000, 2),
        }  # fmt: skip

    def template_reply(self, pb: Playbook, lang: str, register: str, comp: dict[str, Any] | None,
                       name: Any, orders: list[str]) -> str:
        fn = first_name(name)
        text = pb.template(lang, register).format(
            name=f" {fn}" if fn else "", order=f" ({orders[0]})" if orders else "",
            offer=offer_sentence(self.playbooks, comp, lang, register),
        )
        return " ".join(text.split())

    def llm_reply(self, text: str, pb: Playbook, lang: str, register: str, comp: dict[str, Any] | None,
                  template: str) -> tuple[str | None, str | None]:
        """A draft from the configured endpoint, or (None, why not). Message text is never logged."""
        from escucha.backends.chat import ChatError, complete

        limit = f"{comp['amount']:g} {self.playbooks.currency} ({comp['kind']})" if comp else "none"
        tone = {"tu": "informal Spanish (tú)", "usted": "formal Spanish (usted)"}.get(register, "English")
        system = (f"You draft a customer-service reply in {tone}. Follow this step: {pb.step('en')}. "
                  f"Offer at most this compensation: {limit}; never offer more or anything else. "
                  f"Keep it under 90 words. Example reply: {template}")  # fmt: skip
        try:
            draft = complete(str(self.settings.assist_llm_url), str(self.settings.assist_llm_model), system, text,
                             timeout=self.settings.assist_llm_timeout_s)  # fmt: skip
        except ChatError as exc:
            log.warning("assist: the reply endpoint failed (%s); using the template", exc.reason)
            return None, "empty draft" if exc.reason == "empty answer" else exc.reason
        if not within_limits(pb, draft) or (comp is None and re.search(r"\d+\s*(?:€|\$|eur)", draft, re.I)):
            log.warning("assist: the drafted reply offered more than playbook %s allows; using the template", pb.name)
            return None, "over the playbook's limit"
        return draft, None
