"""Optional stronger back-ends, never required.

Importing this package is cheap: it registers the analysers below by name, and each factory
imports its heavy module (httpx, torch, transformers) only when the analyser is created.

============== ============================== ============================ =================
analyser       what it does                   writes                       extra to install
============== ============================== ============================ =================
llm_labels     zero-shot labels from an       ``extras["llm_labels"]``     ``escucha[llm]``
               OpenAI-compatible endpoint
               (Ollama, vLLM, hosted)
hf_classifier  a local transformers text-     ``extras["hf_labels"]``      ``escucha[transformers]``
               classification model folder    (+ sentiment, optionally)
============== ============================== ============================ =================

Sentence embeddings (:func:`escucha.backends.embeddings.embed`, the same as
:func:`escucha.nlp.embeddings.embed`) need ``escucha[embeddings]``.
"""

from __future__ import annotations

from typing import Any

from escucha.extras import require
from escucha.pipeline.base import Analyzer, register

__all__ = ["require"]


@register("llm_labels")
def _llm_labels(**config: Any) -> Analyzer:
    from escucha.backends.llm import LLMLabelsAnalyzer

    return LLMLabelsAnalyzer(**config)


@register("hf_classifier")
def _hf_classifier(**config: Any) -> Analyzer:
    from escucha.backends.transformers_dir import hf_classifier

    return hf_classifier(**config)
