"""PII redaction: e-mails, phone numbers, card numbers (Luhn-checked), Spanish DNI/NIE and IBANs.

Each match is replaced by a tag such as ``[EMAIL]`` so the text stays readable and analysable.
"""

from __future__ import annotations

import re
from collections.abc import Callable

_DNI_LETTERS = "TRWAGMYFPDXBNJZSQVHLCKE"

EMAIL = re.compile(r"\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+\b")
IBAN = re.compile(r"\b[A-Z]{2}\d{2}(?:[ ]?[A-Z0-9]{4}){2,7}(?:[ ]?[A-Z0-9]{1,4})?\b")
CARD = re.compile(r"\b(?:\d[ -]?){12,18}\d\b")
DNI = re.compile(r"\b([XYZxyz]?)(\d{7,8})[- ]?([A-Za-z])\b")
PHONE = re.compile(r"(?<![\w+])(?:\+\d{1,3}[ .-]?)?(?:\(?\d{2,4}\)?[ .-]?){2,4}\d{2,4}\b")


def luhn_ok(digits: str) -> bool:
    total, alt = 0, False
    for ch in reversed(digits):
        d = int(ch)
        if alt:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
        alt = not alt
    return total % 10 == 0


def iban_ok(iban: str) -> bool:
    s = iban.replace(" ", "").upper()
    if not 15 <= len(s) <= 34:
        return False
    moved = s[4:] + s[:4]
    try:
        return int("".join(str(int(c, 36)) for c in moved)) % 97 == 1
    except ValueError:
        return False


def dni_ok(prefix: str, number: str, letter: str) -> bool:
    lead = {"": "", "X": "0", "Y": "1", "Z": "2"}[prefix.upper()]
    if not prefix and len(number) != 8:
        return False
    return _DNI_LETTERS[int(lead + number) % 23] == letter.upper()


def _sub(pattern: re.Pattern[str], tag: str, check: Callable[[re.Match[str]], bool]) -> Callable[[str], str]:
    return lambda text: pattern.sub(lambda m: tag if check(m) else m.group(0), text)


_STEPS: list[Callable[[str], str]] = [
    _sub(EMAIL, "[EMAIL]", lambda m: True),
    _sub(IBAN, "[IBAN]", lambda m: iban_ok(m.group(0))),
    _sub(CARD, "[CARD]", lambda m: luhn_ok(re.sub(r"\D", "", m.group(0)))),
    _sub(DNI, "[DNI]", lambda m: dni_ok(*m.groups())),
    _sub(PHONE, "[PHONE]", lambda m: 9 <= len(re.sub(r"\D", "", m.group(0))) <= 15),
]


def redact(text: str) -> str:
    """Replace personal data in ``text`` with tags; other text is left untouched."""
    if not text:
        return text
    for step in _STEPS:
        text = step(text)
    return text
