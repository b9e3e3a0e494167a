"""The analysis pipeline: an ordered list of named analysers over batches of ``Doc``.

Each analyser declares the ``Doc`` attributes it ``requires`` and those it ``assigns``; the
pipeline checks the order once, at build time. Analysers are registered by name with
:func:`register` so a configuration is just a list of names, and a better model drops in by
registering a new factory under a new name (or replacing one). Other packages add analysers
through the entry points of group ``escucha.analyzers`` (see :mod:`escucha.plugins`); ``requires``
and ``assigns`` name ``Doc`` fields, or keys of ``Doc.extras`` written ``extras.<key>``, and are
checked against ``Doc`` when the pipeline is built.
"""

from __future__ import annotations

import hashlib
from bisect import bisect_right
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, fields
from typing import Any, ClassVar, Protocol, runtime_checkable

from escucha.errors import PipelineError
from escucha.models import Analysis, AspectMention, SentenceAnalysis
from escucha.nlp.sentences import Sentence
from escucha.plugins import Registry

__all__ = [
    "AGENT", "ANALYZERS", "Analyzer", "Doc", "Factory", "Pipeline", "Sentence", "create", "register",
    "registered",
]  # fmt: skip

AGENT = "agent"
"""The speaker label of an agent's turn (the sentence splitter normalises speakers to agent/customer)."""


@dataclass(slots=True)
class Doc:
    """The working state of one voice while the pipeline reads it."""

    text: str
    title: str | None = None
    id: str = ""
    language_hint: str | None = None
    language: str = "unknown"
    language_confidence: float = 0.0
    sentences: list[Sentence] = field(default_factory=list)
    sentiment: str = "unknown"
    sentiment_score: float = 0.0
    sentiment_proba: dict[str, float] = field(default_factory=dict)
    emotions: dict[str, float] = field(default_factory=dict)
    aspects: list[AspectMention] = field(default_factory=list)
    intents: list[str] = field(default_factory=list)
    intent_scores: dict[str, float] = field(default_factory=dict)
    urgency: float = 0.0
    reach: int | None = None
    extras: dict[str, Any] = field(default_factory=dict)

    @property
    def is_transcript(self) -> bool:
        """True when the sentences carry agent turns (a chat or call transcript)."""
        return any(s.speaker == AGENT for s in self.sentences)

    def agent_at(self, starts: list[int], pos: int) -> bool:
        """Whether character ``pos`` of a transcript is not the customer's words: an agent's turn, or
        a speaker label or timestamp between turns (``starts``: the sentences' starts).

        Analysers read the customer's words only: the agent's courtesy is not the customer's
        feeling, intent or topic."""
        if not self.sentences:
            return False
        i = bisect_right(starts, pos) - 1
        if i < 0:
            return True
        s = self.sentences[i]
        return s.speaker == AGENT or pos >= s.end

    def customer_text(self) -> str:
        """The customer's words: the whole text, or the customer's turns of a transcript."""
        if not self.is_transcript:
            return self.text
        return " ".join(s.text for s in self.sentences if s.speaker != AGENT)

    @property
    def full_text(self) -> str:
        """Title and body together, as a reader sees them."""
        if self.title and self.title.strip() and self.title.strip() not in self.text:
            return f"{self.title.strip()}. {self.text}"
        return self.text

    def to_analysis(self, pipeline_version: str = "") -> Analysis:
        return Analysis(
            item_id=self.id,
            language=self.language,
            sentiment=self.sentiment,  # type: ignore[arg-type]
            sentiment_score=round(self.sentiment_score, 4),
            emotions={k: round(v, 4) for k, v in self.emotions.items()},
            aspects=self.aspects,
            intents=self.intents,
            urgency=round(self.urgency, 4),
            sentences=[
                SentenceAnalysis(
                    index=i,
                    text=s.text,
                    start=s.start,
                    end=s.end,
                    sentiment=s.sentiment,  # type: ignore[arg-type]
                    sentiment_score=round(s.sentiment_score, 4),
                    aspects=s.aspects,
                    speaker=s.speaker,
                )
                for i, s in enumerate(self.sentences)
            ],
            extras=self.extras,
            pipeline_version=pipeline_version,
        )


@runtime_checkable
class Analyzer(Protocol):
    """A pipeline component. ``__call__`` reads and writes ``Doc`` attributes in place."""

    name: str
    version: str
    requires: ClassVar[tuple[str, ...]]
    assigns: ClassVar[tuple[str, ...]]

    def __call__(self, docs: list[Doc]) -> None: ...


Factory = Callable[..., Analyzer]


def _load_builtins() -> None:
    from escucha.pipeline import builtin  # noqa: F401  (registers on import)


ANALYZERS: Registry[Factory] = Registry(
    "analyser", "escucha.analyzers", error=PipelineError, field="pipeline", builtins=_load_builtins
)
"""Analyser factories by name: the built-ins, then the entry points of group ``escucha.analyzers``."""


def register(name: str) -> Callable[[Factory], Factory]:
    """Register an analyser factory under ``name`` (a later registration replaces an earlier one)."""

    def deco(factory: Factory) -> Factory:
        return ANALYZERS.register(name, factory, replace=True)

    return deco


def registered() -> list[str]:
    return ANALYZERS.names()


def create(name: str, **config: Any) -> Analyzer:
    return ANALYZERS.get(name)(**config)


DOC_FIELDS: frozenset[str] = frozenset(f.name for f in fields(Doc))
EXTRAS_PREFIX = "extras."
"""``requires``/``assigns`` name ``Doc`` fields, or one key of ``Doc.extras`` as ``extras.<key>``."""


def _unknown_field(name: str) -> bool:
    if name.startswith(EXTRAS_PREFIX):
        return not name[len(EXTRAS_PREFIX) :]
    return name not in DOC_FIELDS


class Pipeline:
    """Runs analysers in order over batches of docs."""

    def __init__(self, analyzers: Sequence[Analyzer], salt: str = ""):
        """``salt`` names what else shapes the results (a workspace's taxonomy, rules, models)."""
        self.analyzers = list(analyzers)
        self.salt = salt
        self._check_order()

    @classmethod
    def from_names(
        cls, names: Iterable[str], config: dict[str, dict[str, Any]] | None = None, salt: str = ""
    ) -> Pipeline:
        config = config or {}
        return cls([create(n, **config.get(n, {})) for n in names], salt=salt)

    @property
    def names(self) -> list[str]:
        return [a.name for a in self.analyzers]

    @property
    def version(self) -> str:
        """Changes whenever an analyser or its version changes: analyses of another version are redone."""
        sig = "|".join(f"{a.name}={a.version}" for a in self.analyzers) + "|" + self.salt
        return hashlib.sha1(sig.encode(), usedforsecurity=False).hexdigest()[:12]

    def _check_order(self) -> None:
        available = {"text", "title", "id", "language_hint", "reach"}
        for a in self.analyzers:
            for kind, names in (("requires", a.requires), ("assigns", a.assigns)):
                unknown = [n for n in names if _unknown_field(n)]
                if unknown:
                    raise PipelineError(
                        f"analyser '{a.name}' {kind} {unknown}, which are not fields of Doc; "
                        f"use a field ({', '.join(sorted(DOC_FIELDS))}) or '{EXTRAS_PREFIX}<key>'",
                        field="pipeline",
                    )
            missing = [r for r in a.requires if r not in available]
            if missing:
                raise PipelineError(
                    f"analyser '{a.name}' needs {missing}, which no earlier analyser assigns; "
                    f"order is {self.names}",
                    field="pipeline",
                )
            available.update(a.assigns)

    def run(self, docs: list[Doc]) -> list[Doc]:
        for a in self.analyzers:
            a(docs)
        return docs

    def analyze(self, texts: Sequence[str]) -> list[Analysis]:
        docs = [Doc(text=t if isinstance(t, str) else "", id=str(i)) for i, t in enumerate(texts)]
        version = self.version
        return [d.to_analysis(version) for d in self.run(docs)]
