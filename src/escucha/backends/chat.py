"""One request to an OpenAI-compatible chat endpoint (``POST {url}/chat/completions``).

Used where an LLM may help but is never required (agent assist's reply drafts, theme names): one
attempt, a timeout, the API key from ``ESCUCHA_LLM_API_KEY`` when set. Needs ``httpx`` (the
``server`` or ``llm`` extra). Message text is never logged; failures raise :class:`ChatError`
with a reason that is safe to log.
"""

from __future__ import annotations

import os

API_KEY_ENV = "ESCUCHA_LLM_API_KEY"


class ChatError(Exception):
    """The endpoint gave no usable answer; ``reason`` names why (never message text)."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def complete(url: str, model: str, system: str, user: str, *, timeout: float, temperature: float = 0.3,
             max_chars: int = 4000) -> str:  # fmt: skip
    """The assistant's answer (stripped) to one system + user message."""
    try:
        import httpx
    except ImportError as exc:
        raise ChatError("httpx is not installed") from exc
    headers = {"content-type": "application/json"}
    if os.environ.get(API_KEY_ENV):
        headers["authorization"] = f"Bearer {os.environ[API_KEY_ENV]}"
    body = {"model": model, "temperature": temperature,
            "messages": [{"role": "system", "content": system}, {"role": "user", "content": user[:max_chars]}]}  # fmt: skip
    try:
        r = httpx.post(url.rstrip("/") + "/chat/completions", json=body, headers=headers, timeout=timeout)
        r.raise_for_status()
        answer = str(r.json()["choices"][0]["message"]["content"]).strip()
    except httpx.TimeoutException as exc:
        raise ChatError("timeout") from exc
    except (httpx.HTTPError, ValueError, KeyError, IndexError, TypeError) as exc:
        raise ChatError(type(exc).__name__) from exc
    if not answer:
        raise ChatError("empty answer")
    return answer
