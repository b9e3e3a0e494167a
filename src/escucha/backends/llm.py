"""Analyser ``llm_labels``: zero-shot labels from an OpenAI-compatible chat endpoint.

Works with anything that serves ``POST {base_url}/chat/completions`` (Ollama at
``http://localhost:11434/v1``, vLLM, hosted APIs). Install with ``pip install 'escucha[llm]'``
(``httpx``; the ``server`` extra brings it too). The API key, if the endpoint needs one, is read
from the environment variable ``ESCUCHA_LLM_API_KEY``; it is never stored in a configuration.

Config (pipeline ``config: {llm_labels: {...}}``):

- ``base_url`` (required), ``model`` (required), ``labels`` (required, list of names);
- ``multilabel`` (default false: exactly one label per voice);
- ``timeout`` seconds per request (30), ``concurrency`` requests at a time (4, at most 16),
  ``max_retries`` on 5xx / 408 / 429 / timeouts / connection errors (2, at most 6), with
  exponential ``backoff`` seconds (0.5); ``max_chars`` of text sent per voice (4000).

Writes ``Doc.extras["llm_labels"]`` (a list, possibly empty). Labels the model invents are
dropped; an answer that is not the JSON asked for gives ``[]`` and a warning naming the item id
(never the text). A voice whose request still fails after the retries gets ``[]`` and
``extras["llm_labels_error"]``; after ``max_consecutive_failures`` (5) such voices in a row the
analyser stops with :class:`~escucha.errors.ModelError` (the endpoint is down or misconfigured),
and a 4xx answer (bad model name, bad key) stops it at once. Message bodies are never logged.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Any, ClassVar

from escucha.backends import require
from escucha.errors import ConfigError, ModelError
from escucha.pipeline.base import Doc

if TYPE_CHECKING:
    import httpx

log = logging.getLogger(__name__)

API_KEY_ENV = "ESCUCHA_LLM_API_KEY"
PROMPT_VERSION = "1"
_RETRY_STATUS = frozenset({408, 429})
_MAX_BACKOFF = 8.0


class _Failed(Exception):
    """A request that failed after its retries (``reason`` is safe to log: no message text)."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def _bad(field: str, why: str) -> ConfigError:
    return ConfigError(f"llm_labels: '{field}' {why}", field=field)


def _number(field: str, value: Any, lo: float, hi: float, integer: bool = False) -> Any:
    kind = int if integer else (int, float)
    if isinstance(value, bool) or not isinstance(value, kind) or not lo <= value <= hi:
        raise _bad(field, f"must be a{'n integer' if integer else ' number'} in [{lo}, {hi}]")
    return value


class LLMLabelsAnalyzer:
    """Zero-shot labels from an LLM; writes ``extras["llm_labels"]``. Needs ``escucha[llm]``."""

    name = "llm_labels"
    requires: ClassVar[tuple[str, ...]] = ()
    assigns: ClassVar[tuple[str, ...]] = ("extras.llm_labels",)

    def __init__(
        self,
        base_url: str | None = None,
        model: str | None = None,
        labels: Sequence[str] | None = None,
        multilabel: bool = False,
        timeout: float = 30.0,
        concurrency: int = 4,
        max_retries: int = 2,
        backoff: float = 0.5,
        max_chars: int = 4000,
        max_consecutive_failures: int = 5,
        **unknown: Any,
    ):
        if unknown:
            field = sorted(unknown)[0]
            raise _bad(field, "is not a setting of llm_labels")
        if not isinstance(base_url, str) or not re.match(r"^https?://\S+$", base_url):
            raise _bad("base_url", "must be an http(s) URL, e.g. http://localhost:11434/v1")
        if not isinstance(model, str) or not model.strip():
            raise _bad("model", "must name the model to ask, e.g. llama3.1:8b")
        if (
            isinstance(labels, str)
            or not isinstance(labels, Sequence)
            or not labels
            or not all(isinstance(x, str) and x.strip() for x in labels)
        ):
            raise _bad("labels", "must be a non-empty list of label names")
        clean = [x.strip() for x in labels]
        if len({x.casefold() for x in clean}) != len(clean):
            raise _bad("labels", "has the same label twice")
        if not isinstance(multilabel, bool):
            raise _bad("multilabel", "must be true or false")
        self.base_url = base_url.rstrip("/")
        self.model = model.strip()
        self.labels = clean
        self.multilabel = multilabel
        self.timeout = float(_number("timeout", timeout, 0.01, 600))
        self.concurrency = _number("concurrency", concurrency, 1, 16, integer=True)
        self.max_retries = _number("max_retries", max_retries, 0, 6, integer=True)
        self.backoff = float(_number("backoff", backoff, 0, 30))
        self.max_chars = _number("max_chars", max_chars, 100, 100_000, integer=True)
        self.max_consecutive_failures = _number(
            "max_consecutive_failures", max_consecutive_failures, 1, 1000, integer=True
        )
        require("httpx", "httpx", "llm", "The llm_labels analyser")
        self._by_key = {x.casefold(): x for x in self.labels}
        sig = json.dumps([PROMPT_VERSION, self.model, self.labels, self.multilabel])
        self.version = "1:" + hashlib.sha1(sig.encode(), usedforsecurity=False).hexdigest()[:10]

    # -- prompt and parsing ------------------------------------------------------------------
    def messages(self, text: str) -> list[dict[str, str]]:
        """The chat messages sent for one voice (a strict prompt asking for JSON only)."""
        allowed = json.dumps(self.labels, ensure_ascii=False)
        how = (
            "Choose every label that applies (zero or more)."
            if self.multilabel
            else "Choose exactly one label: the one that fits best."
        )
        system = (
            "You classify customer feedback. Allowed labels: "
            f"{allowed}. {how} Use only labels from that list, spelled exactly as given. "
            'Answer with JSON only, no other text: {"labels": ["<label>", ...]}'
        )
        return [
            {"role": "system", "content": system},
            {"role": "user", "content": text[: self.max_chars]},
        ]

    def parse(self, answer: str) -> list[str] | None:
        """Allowed labels in the model's ``answer``; ``None`` when it is not the JSON asked for.

        Accepts ``{"labels": [...]}``, ``{"label": "..."}`` or a bare list, also inside a code
        fence or after some prose. Labels outside the list are dropped (case is forgiven)."""
        value = _first_json(answer)
        if isinstance(value, dict):
            value = value.get("labels", value.get("label"))
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list):
            return None
        out: list[str] = []
        for v in value:
            lab = self._by_key.get(v.strip().casefold()) if isinstance(v, str) else None
            if lab is not None and lab not in out:
                out.append(lab)
        return out if self.multilabel else out[:1]

    # -- HTTP --------------------------------------------------------------------------------
    def _headers(self) -> dict[str, str]:
        headers = {"Content-Type": "application/json"}
        key = os.environ.get(API_KEY_ENV, "").strip()
        if key:
            headers["Authorization"] = f"Bearer {key}"
        return headers

    def _ask(self, client: httpx.Client, text: str) -> str:
        """The model's answer for one text, retrying transient failures (bounded)."""
        import httpx

        payload = {"model": self.model, "messages": self.messages(text), "temperature": 0}
        reason = ""
        for attempt in range(self.max_retries + 1):
            if attempt:
                time.sleep(min(self.backoff * 2 ** (attempt - 1), _MAX_BACKOFF))
            try:
                r = client.post(f"{self.base_url}/chat/completions", json=payload)
            except httpx.TimeoutException:
                reason = "timeout"
                continue
            except httpx.TransportError as e:
                reason = f"connection error ({type(e).__name__})"
                continue
            if r.status_code >= 500 or r.status_code in _RETRY_STATUS:
                reason = f"HTTP {r.status_code}"
                continue
            if r.status_code >= 400:
                raise ModelError(
                    f"llm_labels: {self.base_url} answered HTTP {r.status_code} for model "
                    f"'{self.model}' (check base_url, model and {API_KEY_ENV})",
                    field="base_url",
                )
            try:
                content = r.json()["choices"][0]["message"]["content"]
            except (ValueError, KeyError, IndexError, TypeError):
                return ""
            return content if isinstance(content, str) else ""
        raise _Failed(reason)

    def __call__(self, docs: list[Doc]) -> None:
        import httpx

        todo: list[tuple[Doc, str]] = []
        for d in docs:
            text = (d.customer_text() if d.is_transcript else d.full_text).strip()
            d.extras.pop("llm_labels_error", None)
            d.extras["llm_labels"] = []
            if text:
                todo.append((d, text))
        if not todo:
            return
        failures = 0
        with (
            httpx.Client(timeout=self.timeout, headers=self._headers()) as client,
            ThreadPoolExecutor(max_workers=min(self.concurrency, len(todo))) as pool,
        ):
            futures = [(d, pool.submit(self._ask, client, t)) for d, t in todo]
            try:
                for d, fut in futures:
                    try:
                        answer = fut.result()
                    except _Failed as e:
                        failures += 1
                        d.extras["llm_labels_error"] = e.reason
                        log.warning("llm_labels: item %s got no answer (%s)", d.id, e.reason)
                        if failures >= self.max_consecutive_failures:
                            raise ModelError(
                                f"llm_labels: {failures} voices in a row got no answer from "
                                f"{self.base_url} (last: {e.reason}, item {d.id})",
                                field="base_url",
                                record=d.id,
                            ) from None
                        continue
                    failures = 0
                    labels = self.parse(answer)
                    if labels is None:
                        log.warning("llm_labels: malformed answer for item %s; no labels", d.id)
                        d.extras["llm_labels_error"] = "malformed answer"
                        labels = []
                    d.extras["llm_labels"] = labels
            finally:
                for _, fut in futures:
                    fut.cancel()


_FENCE = re.compile(r"```(?:json)?\s*(.*?)```", re.S)


def _first_json(answer: str) -> Any:
    """The first JSON object or array in ``answer`` (a fenced block first), else ``None``."""
    if not isinstance(answer, str):
        return None
    m = _FENCE.search(answer)
    candidates = [m.group(1), answer] if m else [answer]
    decoder = json.JSONDecoder()
    for text in candidates:
        for i, ch in enumerate(text):
            if ch in "{[":
                try:
                    return decoder.raw_decode(text, i)[0]
                except ValueError:
                    continue
    return None
