"""Analysis pipeline: contract, registry and built-in analysers."""

from escucha.pipeline.base import Analyzer, Doc, Pipeline, Sentence, create, register, registered

__all__ = ["Analyzer", "Doc", "Pipeline", "Sentence", "create", "register", "registered"]
