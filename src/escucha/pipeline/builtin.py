"""Imports the built-in analysers so that they register themselves."""

import escucha.backends  # noqa: F401  (registers the optional analysers: llm_labels, hf_classifier)
from escucha.pipeline import (  # noqa: F401
    aspects,
    custom_labels,
    emotion,
    intent,
    language,
    sentences,
    sentiment,
    urgency,
)
