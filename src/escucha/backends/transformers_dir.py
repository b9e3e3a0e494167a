"""Analyser ``hf_classifier``: a local transformers text-classification model folder.

For a model you already have on disk (``save_pretrained`` output: ``config.json``, weights,
tokenizer files). Install ``torch`` first with the build for your machine (for CPU:
``pip install torch --index-url https://download.pytorch.org/whl/cpu``), then
``pip install 'escucha[transformers]'``. Nothing is downloaded: the folder is read offline.

Config: ``model_dir`` (required); ``batch_size`` (16), ``max_length`` tokens (256, longer
texts are truncated), ``threshold`` (0.5, multi-label models only), ``device`` ("cpu");
``as_sentiment`` (false): with a 3-label negative/neutral/positive model, also override
``Doc.sentiment``, ``sentiment_score`` (P(positive) - P(negative)) and ``sentiment_proba``;
the labels are recognised by name (neg*/neu*/pos*, any case) or given by ``sentiment_map``
(``{model label: negative|neutral|positive}``).

Writes ``Doc.extras["hf_labels"]`` (the top label, or every label over ``threshold`` when the
model's ``problem_type`` is ``multi_label_classification``) and ``extras["hf_label_scores"]``.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any, ClassVar

from escucha.backends import require
from escucha.errors import ConfigError, ModelError
from escucha.pipeline.base import Doc

SENTIMENTS = ("negative", "neutral", "positive")
FEATURE = "The hf_classifier analyser"


def _bad(field: str, why: str) -> ConfigError:
    return ConfigError(f"hf_classifier: '{field}' {why}", field=field)


def _read_config(model_dir: Any) -> tuple[Path, dict[str, Any], list[str]]:
    if not isinstance(model_dir, str | Path) or not str(model_dir).strip():
        raise _bad("model_dir", "must be the folder of a transformers classification model")
    path = Path(model_dir).expanduser()
    cfg_file = path / "config.json"
    if not cfg_file.is_file():
        raise _bad("model_dir", f"has no config.json: {path}")
    try:
        cfg = json.loads(cfg_file.read_text(encoding="utf-8"))
        id2label = cfg["id2label"]
        labels = [str(id2label[str(i)]) for i in range(len(id2label))]
    except (ValueError, KeyError, TypeError):
        raise _bad("model_dir", f"config.json lacks a usable id2label: {cfg_file}") from None
    if not labels:
        raise _bad("model_dir", f"config.json has no labels: {cfg_file}")
    return path, cfg, labels


def _sentiment_map(labels: list[str], given: Any) -> dict[str, str]:
    if len(labels) != 3:
        raise _bad("as_sentiment", f"needs a model with 3 labels; this one has {labels}")
    if given is not None:
        if not isinstance(given, dict) or sorted(given) != sorted(labels):
            raise _bad("sentiment_map", f"must map each of the model's labels {labels}")
        mapping = {str(k): str(v) for k, v in given.items()}
    else:
        mapping = {}
        for lab in labels:
            key = lab.strip().casefold()
            for s in SENTIMENTS:
                if key.startswith(s[:3]):
                    mapping[lab] = s
    if sorted(mapping.values()) != sorted(SENTIMENTS) or len(mapping) != 3:
        raise _bad(
            "sentiment_map",
            f"is needed: the labels {labels} do not read as negative/neutral/positive",
        )
    return mapping


class HFClassifierAnalyzer:
    """Runs a local transformers classifier; writes ``extras["hf_labels"]``.
    Needs ``escucha[transformers]`` (and torch)."""

    name = "hf_classifier"
    requires: ClassVar[tuple[str, ...]] = ()
    assigns: ClassVar[tuple[str, ...]] = ("extras.hf_labels", "extras.hf_label_scores")

    def __init__(
        self,
        model_dir: str | Path | None = None,
        batch_size: int = 16,
        max_length: int = 256,
        threshold: float = 0.5,
        device: str = "cpu",
        as_sentiment: bool = False,
        sentiment_map: dict[str, str] | None = None,
        **unknown: Any,
    ):
        if unknown:
            raise _bad(sorted(unknown)[0], "is not a setting of hf_classifier")
        self.model_dir, cfg, self.labels = _read_config(model_dir)
        for field, value, lo, hi in (("batch_size", batch_size, 1, 1024),
                                     ("max_length", max_length, 8, 8192)):  # fmt: skip
            if isinstance(value, bool) or not isinstance(value, int) or not lo <= value <= hi:
                raise _bad(field, f"must be an integer in [{lo}, {hi}]")
        if (
            isinstance(threshold, bool)
            or not isinstance(threshold, int | float)
            or not (0 < threshold < 1)
        ):
            raise _bad("threshold", "must be a number between 0 and 1")
        if not isinstance(as_sentiment, bool):
            raise _bad("as_sentiment", "must be true or false")
        if not isinstance(device, str) or not device:
            raise _bad("device", "must name a torch device, e.g. cpu or cuda")
        self.batch_size = batch_size
        self.max_length = max_length
        self.threshold = float(threshold)
        self.device = device
        self.multilabel = cfg.get("problem_type") == "multi_label_classification"
        self.sentiment_map = _sentiment_map(self.labels, sentiment_map) if as_sentiment else {}
        require("torch", "torch", "transformers", FEATURE)
        require("transformers", "transformers", "transformers", FEATURE)
        self._model: Any = None
        self._tokenizer: Any = None
        self.version = "1:" + self._fingerprint()

    def _fingerprint(self) -> str:
        h = hashlib.sha1(usedforsecurity=False)
        h.update((self.model_dir / "config.json").read_bytes())
        for f in sorted(self.model_dir.iterdir()):
            if f.is_file() and f.suffix in {".bin", ".safetensors"}:
                h.update(f"{f.name}:{f.stat().st_size}".encode())
        h.update(json.dumps([self.max_length, self.threshold, self.sentiment_map]).encode())
        return h.hexdigest()[:10]

    def _load(self) -> tuple[Any, Any]:
        if self._model is None:
            from transformers import AutoModelForSequenceClassification, AutoTokenizer

            try:
                self._tokenizer = AutoTokenizer.from_pretrained(
                    str(self.model_dir), local_files_only=True
                )
                model = AutoModelForSequenceClassification.from_pretrained(
                    str(self.model_dir), local_files_only=True
                )
            except (OSError, ValueError) as e:
                raise ModelError(
                    f"hf_classifier: cannot load the model in {self.model_dir}: {e}",
                    field="model_dir",
                ) from None
            model.eval()
            self._model = model.to(self.device)
        return self._model, self._tokenizer

    def predict(self, texts: list[str]) -> list[list[float]]:
        """Class probabilities (in ``self.labels`` order) for each text."""
        import torch

        model, tokenizer = self._load()
        out: list[list[float]] = []
        with torch.no_grad():
            for i in range(0, len(texts), self.batch_size):
                enc = tokenizer(
                    texts[i : i + self.batch_size],
                    truncation=True,
                    max_length=self.max_length,
                    padding=True,
                    return_tensors="pt",
                ).to(self.device)
                logits = model(**enc).logits.float()
                probs = torch.sigmoid(logits) if self.multilabel else torch.softmax(logits, -1)
                out.extend(probs.cpu().tolist())
        return out

    def __call__(self, docs: list[Doc]) -> None:
        todo: list[tuple[Doc, str]] = []
        for d in docs:
            d.extras["hf_labels"] = []
            text = (d.customer_text() if d.is_transcript else d.full_text).strip()
            if text:
                todo.append((d, text))
        if not todo:
            return
        probs = self.predict([t for _, t in todo])
        for (d, _), p in zip(todo, probs, strict=True):
            scores = {lab: round(float(v), 4) for lab, v in zip(self.labels, p, strict=True)}
            if self.multilabel:
                labels = [lab for lab, v in zip(self.labels, p, strict=True) if v >= self.threshold]
            else:
                labels = [self.labels[max(range(len(p)), key=p.__getitem__)]]
            d.extras["hf_labels"] = labels
            d.extras["hf_label_scores"] = scores
            if self.sentiment_map:
                by_sent = {
                    self.sentiment_map[lab]: float(v) for lab, v in zip(self.labels, p, strict=True)
                }
                d.sentiment = max(SENTIMENTS, key=by_sent.__getitem__)
                d.sentiment_score = by_sent["positive"] - by_sent["negative"]
                d.sentiment_proba = {s: round(by_sent[s], 4) for s in SENTIMENTS}


class HFSentimentAnalyzer(HFClassifierAnalyzer):
    """``hf_classifier`` with ``as_sentiment: true``: also sets the voice's sentiment."""

    assigns: ClassVar[tuple[str, ...]] = (
        "extras.hf_labels", "extras.hf_label_scores", "sentiment", "sentiment_score", "sentiment_proba",
    )  # fmt: skip


def hf_classifier(**config: Any) -> HFClassifierAnalyzer:
    """The registered factory: picks the class whose ``assigns`` match ``as_sentiment``."""
    cls = HFSentimentAnalyzer if config.get("as_sentiment") is True else HFClassifierAnalyzer
    return cls(**config)
