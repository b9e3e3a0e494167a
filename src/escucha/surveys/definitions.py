"""Survey definitions: NPS, CSAT, CES and open questions, conditional follow-ups, Spanish and English.

A definition is a small dict (JSON from the API, YAML or flags from the CLI)::

    {"name": "Después de la compra", "questions": [
        {"id": "nps", "kind": "nps"},
        {"id": "why", "kind": "open"},
        {"id": "fix", "kind": "open", "show_if": {"question": "nps", "op": "<=", "value": 6},
         "text": {"es": "¿Qué deberíamos arreglar primero?", "en": "What should we fix first?"}}],
     "quota": {"attribute": "segment", "max": {"premium": 200, "basic": 100}}}

Questions without ``show_if`` are asked first; those with one are asked next when their condition
holds, together with the adaptive follow-up chosen from the open answer (``surveys.adaptive``).
Bad definitions raise ``ValidationError`` naming the survey and the field.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from typing import Any

from escucha.errors import ValidationError

KINDS = ("nps", "csat", "ces", "open")
OPS = ("<=", "<", ">=", ">", "==", "!=")
LANGS = ("es", "en")
SCALES: dict[str, tuple[int, int]] = {"nps": (0, 10), "csat": (1, 5), "ces": (1, 7)}
DEFAULT_TEXT: dict[str, dict[str, str]] = {
    "nps": {"es": "¿Qué probabilidad hay de que nos recomiende a un amigo o colega?",
            "en": "How likely are you to recommend us to a friend or colleague?"},
    "csat": {"es": "¿Cuál es su grado de satisfacción con nosotros?",
             "en": "How satisfied are you with us?"},
    "ces": {"es": "¿Qué facilidad tuvo para resolver lo que necesitaba?",
            "en": "How easy was it to get what you needed done?"},
    "open": {"es": "Cuéntenos con sus palabras: ¿qué ha ido bien y qué podríamos mejorar?",
             "en": "In your own words: what went well and what could we improve?"},
}  # fmt: skip
SCALE_ENDS: dict[str, dict[str, tuple[str, str]]] = {
    "nps": {"es": ("Nada probable", "Muy probable"), "en": ("Not at all likely", "Extremely likely")},
    "csat": {"es": ("Muy insatisfecho", "Muy satisfecho"), "en": ("Very dissatisfied", "Very satisfied")},
    "ces": {"es": ("Muy difícil", "Muy fácil"), "en": ("Very difficult", "Very easy")},
}
_ID = re.compile(r"^[a-z][a-z0-9_]{0,31}$")
MAX_QUESTIONS = 12
MAX_TEXT = 300


@dataclass(frozen=True)
class Condition:
    question: str
    op: str
    value: float

    def holds(self, answers: dict[str, Any]) -> bool:
        v = answers.get(self.question)
        if not isinstance(v, int | float) or isinstance(v, bool):
            return False
        return {"<=": v <= self.value, "<": v < self.value, ">=": v >= self.value, ">": v > self.value,
                "==": v == self.value, "!=": v != self.value}[self.op]  # fmt: skip


@dataclass(frozen=True)
class Question:
    id: str
    kind: str
    text: dict[str, str]
    required: bool = False
    show_if: Condition | None = None

    def label(self, lang: str) -> str:
        return self.text.get(lang) or self.text.get("es") or next(iter(self.text.values()))

    @property
    def scale(self) -> tuple[int, int] | None:
        return SCALES.get(self.kind)

    def ends(self, lang: str) -> tuple[str, str] | None:
        e = SCALE_ENDS.get(self.kind)
        return None if e is None else e["en" if lang == "en" else "es"]


@dataclass(frozen=True)
class Survey:
    id: str
    name: str
    questions: tuple[Question, ...]
    language: str = "es"
    adaptive: bool = True
    quota: dict[str, Any] | None = None
    trigger: str | None = None
    created_at: str = ""
    status: str = "active"
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def first(self) -> list[Question]:
        """The questions of the first step (those without a condition)."""
        return [q for q in self.questions if q.show_if is None]

    def follow_ups(self, answers: dict[str, Any]) -> list[Question]:
        """The conditional questions whose condition holds for ``answers``."""
        return [q for q in self.questions if q.show_if is not None and q.show_if.holds(answers)]

    def question(self, qid: str) -> Question | None:
        return next((q for q in self.questions if q.id == qid), None)

    @property
    def open_question(self) -> Question | None:
        """The first unconditional open question (its answer drives the adaptive follow-up)."""
        return next((q for q in self.first if q.kind == "open"), None)

    def to_doc(self) -> dict[str, Any]:
        d = asdict(self)
        d["questions"] = [{k: v for k, v in asdict(q).items() if v is not None} for q in self.questions]
        return d


def _fail(name: str, fld: str, why: str) -> ValidationError:
    return ValidationError(f"survey {name!r}: {fld}: {why}", field=fld, record=name)


def _text(name: str, fld: str, value: Any, default: dict[str, str] | None) -> dict[str, str]:
    if value is None:
        if default is None:
            raise _fail(name, fld, "a text is required (a string or {es: …, en: …})")
        return dict(default)
    if isinstance(value, str):
        value = {"es": value, "en": value}
    if not isinstance(value, dict) or not value or not set(value) <= set(LANGS):
        raise _fail(name, fld, "expected a string or {es: …, en: …}")
    out = {}
    for lang, v in value.items():
        if not isinstance(v, str) or not v.strip() or len(v) > MAX_TEXT:
            raise _fail(name, f"{fld}.{lang}", f"expected a non-empty text of at most {MAX_TEXT} characters")
        out[lang] = v.strip()
    return out


def _condition(name: str, fld: str, spec: Any, earlier: dict[str, str]) -> Condition:
    if not isinstance(spec, dict) or set(spec) - {"question", "op", "value"}:
        raise _fail(name, fld, "expected {question: ID, op: '<=', value: 6}")
    qid, op, value = spec.get("question"), spec.get("op", "<="), spec.get("value")
    if qid not in earlier:
        raise _fail(name, f"{fld}.question", f"{qid!r} is not an earlier question without a condition")
    if earlier[qid] not in SCALES:
        raise _fail(name, f"{fld}.question", f"{qid!r} is an open question; conditions need a score")
    if op not in OPS:
        raise _fail(name, f"{fld}.op", f"{op!r} is not one of {', '.join(OPS)}")
    if not isinstance(value, int | float) or isinstance(value, bool):
        raise _fail(name, f"{fld}.value", "expected a number")
    return Condition(str(qid), str(op), float(value))


def parse_survey(spec: Any, *, survey_id: str = "", created_at: str = "") -> Survey:
    """A checked :class:`Survey` from a dict; ``ValidationError`` names the survey and field."""
    if not isinstance(spec, dict):
        raise ValidationError("a survey definition must be an object", field="body")
    name = spec.get("name")
    if not isinstance(name, str) or not name.strip() or len(name) > 120:
        raise ValidationError("survey: name: expected a non-empty name of at most 120 characters", field="name")
    name = name.strip()
    known = {"name", "questions", "language", "adaptive", "quota", "trigger", "id", "created_at", "status", "extra"}
    if unknown := sorted(set(spec) - known):
        raise _fail(name, unknown[0], f"unknown field (use {', '.join(sorted(known - {'id', 'created_at'}))})")
    qspecs = spec.get("questions") or [{"id": "nps", "kind": "nps"}, {"id": "comment", "kind": "open"}]
    if not isinstance(qspecs, list) or not 1 <= len(qspecs) <= MAX_QUESTIONS:
        raise _fail(name, "questions", f"expected a list of 1 to {MAX_QUESTIONS} questions")
    questions: list[Question] = []
    seen: dict[str, str] = {}
    for i, q in enumerate(qspecs):
        fld = f"questions[{i}]"
        if not isinstance(q, dict):
            raise _fail(name, fld, "expected an object with kind (nps, csat, ces or open)")
        if unknown := sorted(set(q) - {"id", "kind", "text", "required", "show_if"}):
            raise _fail(name, f"{fld}.{unknown[0]}", "unknown field (use id, kind, text, required, show_if)")
        kind = q.get("kind")
        if kind not in KINDS:
            raise _fail(name, f"{fld}.kind", f"{kind!r} is not one of {', '.join(KINDS)}")
        qid = q.get("id") or (kind if kind not in seen.values() else f"{kind}_{i}")
        if not isinstance(qid, str) or not _ID.match(qid) or qid in seen:
            raise _fail(name, f"{fld}.id", f"{qid!r} must be unique, lower-case letters, digits and _")
        cond = None
        if q.get("show_if") is not None:
            earlier = {k: v for k, v in seen.items() if (qq := _find(questions, k)) and qq.show_if is None}
            cond = _condition(name, f"{fld}.show_if", q["show_if"], earlier)
        text = _text(name, f"{fld}.text", q.get("text"), DEFAULT_TEXT[kind])
        questions.append(Question(qid, kind, text, bool(q.get("required", False)), cond))
        seen[qid] = kind
    scored = [q.kind for q in questions if q.kind in SCALES]
    if len(scored) != len(set(scored)):
        raise _fail(name, "questions", "at most one question of each score kind (nps, csat, ces)")
    if not any(q.show_if is None for q in questions):
        raise _fail(name, "questions", "at least one question must be asked without a condition")
    lang = spec.get("language", "es")
    if lang not in LANGS:
        raise _fail(name, "language", f"{lang!r} is not es or en")
    quota = spec.get("quota")
    if quota is not None:
        quota = _quota(name, quota)
    trigger = spec.get("trigger")
    if trigger is not None and (not isinstance(trigger, str) or len(trigger) > 60):
        raise _fail(name, "trigger", "expected a short name such as 'purchase' or 'case_closed'")
    return Survey(
        id=survey_id or str(spec.get("id") or ""), name=name, questions=tuple(questions), language=lang,
        adaptive=bool(spec.get("adaptive", True)), quota=quota, trigger=trigger,
        created_at=created_at or str(spec.get("created_at") or ""), status=str(spec.get("status") or "active"),
        extra=dict(spec.get("extra") or {}),
    )  # fmt: skip


def _find(questions: list[Question], qid: str) -> Question | None:
    return next((q for q in questions if q.id == qid), None)


def _quota(name: str, quota: Any) -> dict[str, Any]:
    if not isinstance(quota, dict) or set(quota) != {"attribute", "max"}:
        raise _fail(name, "quota", "expected {attribute: segment, max: {value: count, …}}")
    attr, caps = quota["attribute"], quota["max"]
    if not isinstance(attr, str) or not attr:
        raise _fail(name, "quota.attribute", "expected a customer attribute name")
    if not isinstance(caps, dict) or not caps:
        raise _fail(name, "quota.max", "expected {segment value: most invitations}")
    for k, v in caps.items():
        if not isinstance(v, int) or isinstance(v, bool) or v < 0:
            raise _fail(name, f"quota.max.{k}", "expected a whole number ≥ 0")
    return {"attribute": attr, "max": {str(k): int(v) for k, v in caps.items()}}


def survey_from_doc(doc: dict[str, Any]) -> Survey:
    """A stored survey document back into a :class:`Survey`."""
    return parse_survey(doc, survey_id=str(doc.get("id", "")), created_at=str(doc.get("created_at", "")))
