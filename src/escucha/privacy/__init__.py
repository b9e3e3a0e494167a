"""PII redaction: e-mails, phone numbers, card numbers (Luhn-checked), Spanish DNI/NIE, IBANs, people's
names and street addresses (:mod:`escucha.privacy.people`).

Each match is replaced by a tag such as ``[EMAIL]`` so the text stays readable and analysable.
Checksums (Luhn, IBAN mod 97, DNI letter) keep card, account and ID numbers precise; phone numbers
are told from order, invoice and tracking numbers by the words before them and by their shape
(``phonenumbers`` says whether a bare number is a valid Spanish, Mexican, US or UK number).
``redact_value`` applies the same to nested metadata and replaces fields named like personal data.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

from escucha.privacy.people import addresses
from escucha.privacy.people import names as person_names

if TYPE_CHECKING:
    from escucha.models import Feedback

    F = TypeVar("F", bound=Feedback)

_DNI_LETTERS = "TRWAGMYFPDXBNJZSQVHLCKE"

# IBAN length by country (ISO 13616 registry; the SEPA countries and a few more).
IBAN_LENGTHS = {
    "AD": 24, "AE": 23, "AT": 20, "BE": 16, "BG": 22, "BR": 29, "CH": 21, "CY": 28, "CZ": 24,
    "DE": 22, "DK": 18, "EE": 20, "ES": 24, "FI": 18, "FO": 18, "FR": 27, "GB": 22, "GI": 23,
    "GL": 18, "GR": 27, "HR": 21, "HU": 28, "IE": 22, "IL": 23, "IS": 26, "IT": 27, "LI": 21,
    "LT": 20, "LU": 20, "LV": 21, "MC": 27, "MT": 31, "NL": 18, "NO": 15, "PL": 28, "PT": 25,
    "RO": 24, "SA": 24, "SE": 24, "SI": 19, "SK": 24, "SM": 27, "TR": 26, "VA": 22,
}  # fmt: skip

EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)+\b")
_AT = r"(?:\s*[(\[{]\s*(?:at|arroba)\s*[)\]}]\s*|\s+(?:at|arroba)\s+|\s*@\s*)"
_DOT = r"(?:\s*[(\[{]\s*(?:dot|punto)\s*[)\]}]\s*|\s+(?:dot|punto)\s+|\.)"
_TLD = r"(?:com|es|net|org|mx|co|io|edu|gov|uk|de|fr|it|pt|eu|info|me|cat|ar|cl|pe|us|biz)"
EMAIL_SPELT = re.compile(
    rf"(?<![\w.+-])([\w.+-]+)({_AT})([\w-]+(?:{_DOT}[\w-]+)*)({_DOT})({_TLD})\b", re.I
)
IBAN = re.compile(r"(?<![A-Za-z0-9])[A-Za-z]{2}[ .-]?\d{2}(?:[ .-]?[A-Za-z0-9]){11,30}")
CARD = re.compile(r"(?:(?<![\w.,-])|(?<=[^\d],))\d+(?:[ .-]\d+)*")
DNI = re.compile(r"(?<![\w.-])(\d{2})([ .]?)(\d{3})\2(\d{3})([ .-]?)([A-Za-z])(?!\w)")
NIE = re.compile(r"(?<![\w.-])([XYZxyz])[ .-]?(\d{7}|\d\.\d{3}\.\d{3})[ .-]?([A-Za-z])(?!\w)")
DNI_BARE = re.compile(r"(?<![\w.-])\d{2}\.?\d{3}\.?\d{3}(?![\w]|[.,-]\d)")
PHONE = re.compile(
    r"(?:(?<=:)(?=\+)|(?<![\w+/.,:#-])|(?<=[^\d],))(?:\+|00)?(?:\(\+?\d{1,4}\)|\d)(?:[ .-]{0,2}(?:\(\d{1,4}\)|\d)){6,17}(?![\w/]|[.,-]\d)"
)

_SPELT_HINT = re.compile(r"\bat\b|arroba", re.I)
_SPELT_PROVIDERS = {"gmail", "hotmail", "yahoo", "outlook", "icloud", "live", "protonmail", "aol",
                    "msn", "me", "proton", "gmx", "telefonica", "movistar", "orange", "vodafone"}  # fmt: skip

_NUMBER_WORD = r"(?:\s*(?:(?:numbers?|n[úu]meros?|n[úu]m|n\.?\s?[º°o]|no|de|es|is|el)\b\.?|#|:))*"
_NOT_PHONE = re.compile(
    r"(?:pedidos?|orders?|[oó]rden|ref(?:erencia|erence)?\.?|tracking|seguimiento|localizador|factura|"
    r"invoice|albar[aá]n|tickets?|incidencia|expediente|caso|case|c[oó]digo|code|cliente|customer|"
    r"account|cuenta|socio|member(?:ship)?|productos?|products?|sku|ean|isbn|serial|serie|modelo|model|"
    r"imei|(?:bag(?:gage)?\s+)?tags?|equipaje|maleta|paquete|package|parcel|env[ií]o|shipment|vuelo|flight|reserva|booking|confirmaci[oó]n|"
    r"confirmation|presupuesto|quote|p[oó]liza|policy|contrato|contract|transacci[oó]n|transaction|"
    r"operaci[oó]n|lote|batch|#)" + _NUMBER_WORD,
    re.I,
)
_PHONE_WORD = re.compile(
    r"(?:tel[eé]fonos?|tel[fs]?\.?|tlfn?o?\.?|m[oó]vil(?:es)?|celular|cel\.?|fijo|whats\s?app|wasap|"
    r"ll[aá]m\w*|marc\w*|contact\w*|phone\w*|call\w*|ring|cell(?:phone)?|mobile|text(?:\s+me)?|sms|fax|"
    r"n[úu]mero|number|hotline|landline)" + _NUMBER_WORD,
    re.I,
)
_ID_WORD = re.compile(
    r"(?:dni|nif|nie|d\.n\.i\.?|documento(?:\s+de\s+identidad)?|id\s+card)" + _NUMBER_WORD, re.I
)
_IBAN_WORD = re.compile(r"\b(?:iban|cuenta|account|bank)\b", re.I)
_AFTER_AMOUNT = re.compile(
    r"\s*(?:€|eur\b|euros?\b|\$|usd\b|d[oó]lares\b|dollars\b|pesos\b|mxn\b|cop\b|puntos\b|points\b|"
    r"km\b|kg\b|mah\b|%|min\b|minut\w*|h\b|horas\b|hours\b)",
    re.I,
)
_DATE = re.compile(r"\d{1,2}[.-]\d{1,2}[.-]\d{2,4}|\d{4}[.-]\d{1,2}[.-]\d{1,2}")
_IP = re.compile(r"\d{1,3}(?:\.\d{1,3}){3}")
_THOUSANDS = re.compile(r"\d{1,3}(?:\.\d{3})+")
_REGIONS = ("ES", "MX", "US", "GB")
_CONTEXT = 40


@dataclass(frozen=True, slots=True)
class Span:
    """Personal data found in a text: ``text[start:end]`` is a ``tag`` (EMAIL, PHONE, CARD, IBAN, DNI,
    NAME, ADDRESS)."""

    start: int
    end: int
    tag: str


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
    s = re.sub(r"[ .-]", "", iban).upper()
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


def _digits(s: str) -> str:
    return re.sub(r"\D", "", s)


def _cue(text: str, start: int) -> str | None:
    """``"phone"``, ``"other"`` (order, invoice, tracking… number) or ``"id"``: the cue word nearest
    before ``start`` within a few words (a neutral word in between is fine), else ``None``."""
    window = text[max(0, start - _CONTEXT) : start]
    best: tuple[int, int, str] | None = None
    for kind, rx in (("other", _NOT_PHONE), ("phone", _PHONE_WORD), ("id", _ID_WORD)):
        for m in rx.finditer(window):
            if m.start() > 0 and window[m.start() - 1].isalnum() and m.group(0)[0].isalnum():
                continue  # the cue starts inside a word
            rank = (m.end(), -len(m.group(0)) if kind == "phone" else 0, kind)
            if best is None or rank[:2] > best[:2]:
                best = rank
    return best[2] if best is not None else None


# -- detectors: each yields candidate spans over the original text ----------------------------------
def _emails(text: str) -> Iterator[Span]:
    for m in EMAIL.finditer(text):
        yield Span(m.start(), m.end(), "EMAIL")
    if _SPELT_HINT.search(text):
        for m in EMAIL_SPELT.finditer(text):
            if _spelt_email_ok(m):
                yield Span(m.start(), m.end(), "EMAIL")


def _spelt_email_ok(m: re.Match[str]) -> bool:
    local, at, domain, dot, _ = m.groups()
    if at.strip() == "@" and dot == ".":
        return False
    if at.strip().lower() in ("at",) and not any(c in "[({" for c in at + dot):
        first = re.split(r"\W", domain.lower())[0]
        return first in _SPELT_PROVIDERS or bool(re.search(r"[\d._]", local))
    return True


def _iban_end(s: str, want: int) -> int | None:
    """Where the ``want``-th letter or digit of ``s`` ends, when a group ends there."""
    n = 0
    for i, ch in enumerate(s):
        n += ch.isalnum()
        if n == want:
            return i + 1 if i + 1 == len(s) or not s[i + 1].isalnum() else None
    return None


def _ibans(text: str) -> Iterator[Span]:
    for m in IBAN.finditer(text):
        s = m.group(0)
        want = IBAN_LENGTHS.get(s[:2].upper())
        if want is None:
            continue
        end = _iban_end(s, want)
        if end is not None and iban_ok(s[:end]):
            yield Span(m.start(), m.start() + end, "IBAN")
        elif _IBAN_WORD.search(text, max(0, m.start() - 25), m.start()):
            end = _typo_iban_end(s)  # a mistyped IBAN after "IBAN"/"cuenta"/"account"
            if end is not None:
                yield Span(m.start(), m.start() + end, "IBAN")


def _typo_iban_end(s: str) -> int | None:
    """End of the IBAN-looking groups at the start of ``s`` (digits, or the 4 letters of a bank code)."""
    end, size = None, 0
    for i, tok in enumerate(re.finditer(r"[A-Za-z0-9]+", s)):
        t = tok.group(0)
        if i and not any(c.isdigit() for c in t) and not (i == 1 and len(t) == 4):
            break
        end, size = tok.end(), size + len(t)
    return end if 15 <= size <= 34 else None


def _iin_ok(digits: str) -> bool:
    """Whether the card number's issuer prefix fits its length (Visa, Mastercard, Amex, Diners,
    Discover, JCB, UnionPay, Maestro)."""
    n, p2, p4 = len(digits), int(digits[:2]), int(digits[:4])
    if digits[0] == "4":
        return n in (13, 16, 19)
    if 51 <= p2 <= 55 or 2221 <= p4 <= 2720:
        return n == 16
    if p2 in (34, 37):
        return n == 15
    if p2 in (36, 38) or 300 <= p4 // 10 <= 305:
        return n in (14, 16)
    return (p2 in (35, 62, 64, 65) or p4 == 6011 or p2 == 50 or 56 <= p2 <= 69) and 16 <= n <= 19


def _card_shape(groups: list[str], seps: set[str]) -> bool:
    sizes = [len(g) for g in groups]
    if len(seps) > 1:
        return False
    if len(groups) == 1:
        return True
    return (sizes[:4] == [4, 4, 4, 4] and len(sizes) <= 5) or sizes in ([4, 6, 5], [4, 6, 4])


def _cards(text: str) -> Iterator[Span]:
    for m in CARD.finditer(text):
        parts = re.split(r"([ .-])", m.group(0))
        groups, seps = parts[::2], parts[1::2]
        for k in range(len(groups), 0, -1):  # the card may be followed by another number
            digits = "".join(groups[:k])
            if not 13 <= len(digits) <= 19:
                continue
            if _iin_ok(digits) and _card_shape(groups[:k], set(seps[: k - 1])) and luhn_ok(digits):
                end = m.start() + sum(map(len, groups[:k])) + k - 1
                if _cue(text, m.start()) != "other":
                    yield Span(m.start(), end, "CARD")
                break


def _dnis(text: str) -> Iterator[Span]:
    for m in DNI.finditer(text):
        a, _, b, c, sep, letter = m.groups()
        if not dni_ok("", a + b + c, letter):
            continue
        if sep == " " and letter.islower() and _cue(text, m.start()) != "id":
            continue  # "12345678 a…": a word, not a DNI letter, unless the text says DNI
        yield Span(m.start(), m.end(), "DNI")
    for m in NIE.finditer(text):
        if dni_ok(m.group(1), m.group(2).replace(".", ""), m.group(3)):
            yield Span(m.start(), m.end(), "DNI")
    for m in DNI_BARE.finditer(text):
        if _cue(text, m.start()) == "id":
            yield Span(m.start(), m.end(), "DNI")


def _phone_valid(s: str) -> bool:
    """Whether ``s`` is a valid number: international when it starts with + or 00, else in a usual region."""
    import phonenumbers  # imported on first use: 30 ms

    for region in (None,) if s.lstrip("(").startswith("+") else _REGIONS:
        try:
            if phonenumbers.is_valid_number(phonenumbers.parse(s, region)):
                return True
        except phonenumbers.NumberParseException:
            continue
    return False


def _phone_like(s: str, cue: str | None) -> bool:
    digits = _digits(s)
    if not 7 <= len(digits) <= 15 or _DATE.fullmatch(s) or _IP.fullmatch(s):
        return False
    if cue == "phone":
        return len(digits) >= 9 or _phone_valid(s)
    if _THOUSANDS.fullmatch(s):
        return False
    international = s.lstrip("(").startswith(("+", "00"))
    if not international and not re.search(r"[ .()-]", s):
        return len(digits) == 9 and digits[0] in "67" and _phone_valid(s)  # a bare Spanish mobile
    return _phone_valid(s)


def _phones(text: str) -> Iterator[Span]:
    for m in PHONE.finditer(text):
        cue = _cue(text, m.start())
        if cue in ("other", "id"):
            continue
        s = m.group(0)
        while s:
            s = s.rstrip(" .-")
            if _phone_like(s, cue) and not _AFTER_AMOUNT.match(text, m.start() + len(s)):
                yield Span(m.start(), m.start() + len(s), "PHONE")
                break
            cut = max(s.rfind(" "), s.rfind("-"), s.rfind("."))  # try without the last group
            if cut <= 0:
                break
            s = s[:cut]


def _people(text: str) -> Iterator[Span]:
    for start, end, tag in (*addresses(text), *person_names(text)):
        yield Span(start, end, tag)


_DETECTORS: tuple[Callable[[str], Iterator[Span]], ...] = (_emails, _ibans, _cards, _dnis, _phones, _people)


def find_pii(text: str) -> list[Span]:
    """The personal data in ``text``, in order; earlier detectors win where candidates overlap."""
    if not text:
        return []
    found: list[Span] = []
    for detect in _DETECTORS:
        for span in detect(text):
            if not any(span.start < f.end and f.start < span.end for f in found):
                found.append(span)
    return sorted(found, key=lambda s: s.start)


def redact(text: str) -> str:
    """Replace personal data in ``text`` with tags; other text is left untouched."""
    if not text:
        return text
    out, pos = [], 0
    for span in find_pii(text):
        out += [text[pos : span.start], f"[{span.tag}]"]
        pos = span.end
    return "".join(out) + text[pos:] if out else text


# -- structured values: metadata, raw rows, whole voices ---------------------------------------------
_KEY_KINDS = (
    ("EMAIL", {"email", "emails", "mail", "correo"}),
    ("PHONE", {"phone", "phones", "telephone", "tel", "telefono", "teléfono", "movil", "móvil", "mobile",
               "cell", "celular", "whatsapp", "fax", "msisdn"}),
    ("IBAN", {"iban", "bic", "swift", "cuenta", "bank"}),
    ("CARD", {"card", "tarjeta", "pan", "cvv", "cvc"}),
    ("DNI", {"dni", "nie", "nif", "ssn", "passport", "pasaporte", "curp", "rfc", "cpf"}),
    ("ADDRESS", {"address", "addr", "direccion", "dirección", "domicilio", "street", "calle"}),
    ("NAME", {"name", "nombre", "apellido", "apellidos", "surname", "firstname", "lastname", "fullname",
              "username", "displayname"}),
    ("BIRTHDATE", {"birthdate", "birthday", "dob", "nacimiento"}),
    ("IP", {"ip", "ipaddress"}),
)  # fmt: skip
# a "name" key about something other than a person (product_name, store_name…) is not personal
_NOT_PERSON = {"product", "producto", "store", "shop", "tienda", "company", "empresa", "brand", "marca",
               "airline", "hotel", "file", "source", "channel", "campaign", "app", "plan", "city", "ciudad",
               "country", "pais", "país", "event", "item", "category", "team", "branch", "sucursal", "site"}  # fmt: skip
_MAX_DEPTH = 100


def personal_key(key: str) -> str | None:
    """The tag for a field whose name says it holds personal data (``customer_email`` → ``EMAIL``)."""
    words = [
        w for w in re.split(r"[^a-záéíóúñ]+", re.sub(r"([a-z])([A-Z])", r"\1_\2", key).lower()) if w
    ]
    joined = "".join(words)
    for tag, names in _KEY_KINDS:
        if any(w in names for w in words) or joined in names:
            if tag == "NAME" and any(w in _NOT_PERSON for w in words):
                return None
            return tag
    return None


def redact_value(value: Any, key: str | None = None, _depth: int = 0) -> Any:
    """``value`` with PII redacted in every string, through dicts and lists (a JSON-like value).

    A value under a key that names personal data (email, phone, name, address, dni…) is replaced
    whole by its tag, whatever its type; keys are redacted as text too. Numbers and booleans
    elsewhere are kept. Past 100 levels of nesting a value is replaced by ``[REDACTED]``."""
    tag = personal_key(key) if key else None
    if tag is not None and value is not None and value != "":
        return f"[{tag}]"
    if isinstance(value, str):
        return redact(value)
    if isinstance(value, dict | list | tuple) and _depth >= _MAX_DEPTH:
        return "[REDACTED]"
    if isinstance(value, dict):
        return {redact(str(k)): redact_value(v, str(k), _depth + 1) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [redact_value(v, key, _depth + 1) for v in value]
    return value


def redact_mapping(mapping: dict[str, Any]) -> dict[str, Any]:
    """A copy of a metadata dict with PII redacted (see ``redact_value``)."""
    out = redact_value(mapping)
    return out if isinstance(out, dict) else {}


def redact_raw(raw: str) -> str:
    """A quarantined row's raw text with PII redacted: as JSON when it parses as an object, else as text."""
    if raw.startswith("{"):
        try:
            loaded = json.loads(raw)
        except (ValueError, RecursionError):
            loaded = None
        if isinstance(loaded, dict):
            return json.dumps(redact_mapping(loaded), ensure_ascii=False, default=str)
    return redact(raw)


def redact_feedback(fb: F) -> F:
    """A copy of a voice with text, title and metadata redacted; an id made from the content hash is
    made again from the redacted content (as ingest does), an id the sender gave is kept."""
    data = fb.model_dump()
    if not fb.source_id and fb.id == fb.derived_id:
        data["id"] = ""
    data["text"] = redact(fb.text)
    data["title"] = redact(fb.title) if fb.title else fb.title
    data["metadata"] = redact_mapping(fb.metadata)
    return type(fb).model_validate(data)
