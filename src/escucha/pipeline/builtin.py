"""Imports the built-in analysers so that they register themselves."""

from escucha.pipeline import (  # noqa: F401
    aspects,
    emotion,
    intent,
    language,
    sentences,
    sentiment,
    urgency,
)
