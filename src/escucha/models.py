"""The data objects: a customer's voice (Feedback), a Customer, and what escucha reads in them."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

SentimentLabel = Literal["negative", "neutral", "positive", "unknown"]

EMOTIONS: tuple[str, ...] = ("joy", "trust", "anger", "sadness", "fear", "surprise", "disgust")
"""Emotion labels; ``trust`` covers gratitude and confidence."""

INTENTS: tuple[str, ...] = (
    "complaint",
    "praise",
    "suggestion",
    "question",
    "churn_threat",
    "public_threat",
)


class Channel(StrEnum):
    review = "review"
    survey = "survey"
    chat = "chat"
    call = "call"
    email = "email"
    social = "social"
    employee = "employee"


AGENT_SOURCE = "escucha_cases"
"""The ``source`` of the voices agents write through escucha (a case's reply, stored on the customer's
thread so the conversation reads whole). They are not the customer's voice: every read of the store
leaves them out of figures, listings and insights unless ``Filters(agents=True)`` asks for them."""

Speaker = Literal["customer", "agent"]
AGENT: Literal["agent"] = "agent"
"""``Feedback.speaker`` of the company's own words (an agent, the brand's account, an owner's reply)."""
CUSTOMER: Literal["customer"] = "customer"
SPEAKER_ALIASES: dict[str, Speaker] = {
    **dict.fromkeys(("agent", "owner", "brand", "staff", "response", "company"), AGENT),
    **dict.fromkeys(("customer", "user", "client"), CUSTOMER),
}
"""How sources name who wrote a voice (case-insensitive) → ``agent`` or ``customer``."""


def speaker_of(value: object) -> Speaker:
    """``agent`` or ``customer`` for a source's speaker value; ValueError naming the allowed values."""
    key = str(value).strip().lower()
    if key not in SPEAKER_ALIASES:
        shown = repr(value) if len(repr(value)) <= 40 else repr(value)[:39] + "…"
        raise ValueError(
            f"{shown} is not a speaker; use one of {', '.join(SPEAKER_ALIASES)} "
            "(owner, brand, staff, response and company mean agent; user and client mean customer)"
        )
    return SPEAKER_ALIASES[key]


CHANNEL_ALIASES: dict[str, Channel] = {
    "reviews": Channel.review,
    "surveys": Channel.survey,
    "nps": Channel.survey,
    "csat": Channel.survey,
    "ticket": Channel.chat,
    "tickets": Channel.chat,
    "call_transcript": Channel.call,
    "transcript": Channel.call,
    "phone": Channel.call,
    "mail": Channel.email,
    "e-mail": Channel.email,
    "twitter": Channel.social,
    "tweet": Channel.social,
    "x": Channel.social,
    "facebook": Channel.social,
    "instagram": Channel.social,
    "tiktok": Channel.social,
    "internal": Channel.employee,
    "staff": Channel.employee,
}


def content_hash(*parts: object) -> str:
    """Stable hash of the parts that make a voice what it is (used to dedupe and detect edits)."""
    h = hashlib.sha1(usedforsecurity=False)
    for p in parts:
        h.update(b"\x1f")
        h.update(("" if p is None else str(p)).encode("utf-8", "surrogatepass"))
    return h.hexdigest()


class Feedback(BaseModel):
    """One customer voice: a review, survey answer, chat, call transcript, e-mail, post or employee comment."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    id: str = ""
    channel: Channel = Channel.review
    text: str
    timestamp: datetime | None = None
    title: str | None = None
    nps: int | None = Field(default=None, ge=0, le=10)
    csat: int | None = Field(default=None, ge=1, le=5)
    ces: int | None = Field(default=None, ge=1, le=7)
    rating: float | None = Field(default=None, ge=1, le=5)
    customer_id: str | None = None
    product: str | None = None
    location: str | None = None
    language: str | None = None
    reach: int | None = Field(default=None, ge=0)
    thread_id: str | None = None
    parent_id: str | None = None
    source: str | None = None
    source_id: str | None = None
    metadata: dict[str, Any] = Field(default_factory=dict)
    speaker: Speaker | None = None
    """Whose words these are: None or ``customer`` (the default), ``agent`` when the company's (an
    agent, the brand's account, an owner's reply); agents' voices never count as the customer's."""

    @field_validator("channel", mode="before")
    @classmethod
    def _channel_alias(cls, v: object) -> object:
        if isinstance(v, str):
            key = v.strip().lower()
            return CHANNEL_ALIASES.get(key, key)
        return v

    @field_validator("speaker", mode="before")
    @classmethod
    def _speaker_alias(cls, v: object) -> object:
        return None if v is None or (isinstance(v, str) and not v.strip()) else speaker_of(v)

    @field_validator("text")
    @classmethod
    def _text_present(cls, v: str) -> str:
        if not v or not v.strip():
            raise ValueError("text is empty")
        if "\ufffd" in v:
            raise ValueError("text has invalid characters (bad encoding)")
        return v

    @field_validator("timestamp")
    @classmethod
    def _utc(cls, v: datetime | None) -> datetime | None:
        if v is not None and v.tzinfo is None:
            return v.replace(tzinfo=UTC)
        try:
            return v.astimezone(UTC) if v is not None else None
        except OverflowError:
            raise ValueError("timestamp is outside the calendar (years 1-9999) in UTC") from None

    @model_validator(mode="after")
    def _ids(self) -> Feedback:
        if self.speaker is None and self.source == AGENT_SOURCE:
            self.speaker = AGENT
        if not self.id:
            if self.source_id:
                self.id = f"{self.source or 'src'}:{self.source_id}"
            else:
                self.id = self.derived_id
        return self

    @property
    def by_agent(self) -> bool:
        """The company's words, not the customer's (speaker ``agent`` or written through escucha's cases)."""
        return self.speaker == AGENT or self.source == AGENT_SOURCE

    @property
    def derived_id(self) -> str:
        """The id of a voice without a source id: from its content (not its speaker, so marking a
        voice as an agent's later updates it instead of adding another)."""
        return "h:" + content_hash(*self._content())[:20]

    @property
    def hash(self) -> str:
        """Hash of the content: text, title, channel, time, customer and scores (and the speaker when
        an agent's, so a voice marked later is updated on the next ingest)."""
        parts = self._content()
        return content_hash(*parts, AGENT) if self.speaker == AGENT else content_hash(*parts)

    def _content(self) -> tuple[object, ...]:
        return (
            self.channel.value,
            self.text,
            self.title,
            self.timestamp.isoformat() if self.timestamp else None,
            self.customer_id,
            self.nps,
            self.csat,
            self.ces,
            self.rating,
        )


class Customer(BaseModel):
    """A customer (or employee) with free attributes such as segment, tier or lifetime value."""

    model_config = ConfigDict(extra="forbid")

    id: str
    name: str | None = None
    attributes: dict[str, Any] = Field(default_factory=dict)


class AspectMention(BaseModel):
    """An aspect of the experience a voice talks about, with its own sentiment."""

    aspect: str
    sentiment: SentimentLabel
    score: float = Field(ge=-1, le=1)
    evidence: str = ""
    sentence: int | None = None


class SentenceAnalysis(BaseModel):
    index: int
    text: str
    start: int
    end: int
    sentiment: SentimentLabel
    sentiment_score: float
    aspects: list[str] = Field(default_factory=list)
    speaker: str | None = None


class Analysis(BaseModel):
    """What escucha read in one voice."""

    item_id: str = ""
    language: str = "unknown"
    sentiment: SentimentLabel = "unknown"
    sentiment_score: float = 0.0
    emotions: dict[str, float] = Field(default_factory=dict)
    aspects: list[AspectMention] = Field(default_factory=list)
    intents: list[str] = Field(default_factory=list)
    urgency: float = 0.0
    sentences: list[SentenceAnalysis] = Field(default_factory=list)
    extras: dict[str, Any] = Field(default_factory=dict)
    pipeline_version: str = ""

    @property
    def dominant_emotion(self) -> str | None:
        """The emotion the voice shows most, when it shows one clearly (the emotion analyser's
        ``extras["emotion"]``; for analyses without it, the top score if above 0)."""
        chosen = self.extras.get("emotion")
        if chosen is not None:
            return None if chosen == "none" else str(chosen)
        if not self.emotions:
            return None
        label, score = max(self.emotions.items(), key=lambda kv: kv[1])
        return label if score > 0 else None

    def to_record(self) -> dict[str, Any]:
        """A flat dict for ``analyze_texts`` and the API."""
        rec = self.model_dump()
        rec["dominant_emotion"] = self.dominant_emotion
        return rec
