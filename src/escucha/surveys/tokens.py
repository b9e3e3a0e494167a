"""Signed survey links: ``/s/<token>`` where the token is an invitation id (single use, one
customer) or ``w-<survey id>`` (the open link the embeddable widget uses), signed with HMAC so a
link cannot be guessed or altered."""

from __future__ import annotations

import re

from itsdangerous import BadSignature, Signer

SALT = "escucha-survey-link"
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{1,80}\.[A-Za-z0-9_-]{10,100}$")


def sign(secret: str, value: str) -> str:
    """``value`` (an invitation id or ``w-<survey id>``) with its signature: ``value.sig``."""
    return Signer(secret, salt=SALT, sep=".").sign(value).decode("ascii")


def unsign(secret: str, token: str) -> str | None:
    """The signed value of ``token``, or None when it is malformed or the signature is wrong."""
    if not isinstance(token, str) or not _TOKEN.match(token):
        return None
    try:
        return Signer(secret, salt=SALT, sep=".").unsign(token).decode("ascii")
    except BadSignature:
        return None
