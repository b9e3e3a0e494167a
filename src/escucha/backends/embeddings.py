"""Sentence embeddings with all-MiniLM-L6-v2 (English only), fully offline: the encoder lives in
:mod:`escucha.nlp.embeddings` (the classifiers use it); this module keeps the documented name
``escucha.backends.embeddings.embed``.

Install with ``pip install torch --index-url https://download.pytorch.org/whl/cpu`` (the CPU build,
or your own) and then ``pip install 'escucha[embeddings]'``.
"""

from escucha.nlp.embeddings import FEATURE, available, embed, load_model

__all__ = ["FEATURE", "available", "embed", "load_model"]
