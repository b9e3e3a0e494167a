"""Imports the built-in analysers so that they register themselves."""

import escucha.backends
import escucha.nlp.training  # noqa: F401  (registers "custom_labels")
from escucha.pipeline import (  # noqa: F401
    aspects,
    emotion,
    intent,
    language,
    sentences,
    sentiment,
    urgency,
)
