"""Text composition for the demo: template expansion and human noise (typos, emojis, slang)."""

from __future__ import annotations

import random
import re
from collections.abc import Mapping

from escucha.demo import bank_en, bank_es

_BRACE = re.compile(r"\{([^{}]*)\}")
_SPACES = re.compile(r"[ \t]{2,}")
_SPACE_PUNCT = re.compile(r" +([,.;:!?])")
_DEL = re.compile(r"\b([Dd])e el\b")
_AL = re.compile(r"\b([Aa]) el\b")
_DOTS = re.compile(r"([.!?])\.")

BANKS: dict[str, dict[str, list[str]]] = {"es": bank_es.BANK, "en": bank_en.BANK}

POS_EMOJI = ("😍", "👍", "🙌", "😊", "❤️", "👏", "💯", "✨", "🥰", "🔝")
NEG_EMOJI = ("😡", "🤬", "😤", "👎", "🙄", "😒", "😩", "😭", "🤦‍♀️", "💀")
MIX_EMOJI = ("🤔", "😐", "🤷‍♀️", "🤷‍♂️", "😅")

_ACCENTS = str.maketrans("áéíóúÁÉÍÓÚ", "aeiouAEIOU")

_SLANG_ES: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"\bque\b"), "q"),
    (re.compile(r"\bporque\b"), "xq"),
    (re.compile(r"\btambién\b"), "tb"),
    (re.compile(r"\bpor favor\b"), "porfa"),
    (re.compile(r"\bde verdad\b"), "de vdd"),
    (re.compile(r"\bfin de semana\b"), "finde"),
    (re.compile(r"\bmuy\b"), "mu"),
    (re.compile(r"\bpara\b"), "pa"),
)

_MX: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(rf"\b{a}\b"), b)
    for a, b in (
        ("Deberíais", "Deberían"),
        ("deberíais", "deberían"),
        ("Podríais", "Podrían"),
        ("podríais", "podrían"),
        ("Tenéis", "Tienen"),
        ("tenéis", "tienen"),
        ("podéis", "pueden"),
        ("sois", "son"),
        ("dejáis", "dejan"),
        ("Dejad", "Dejen"),
        ("dejad", "dejen"),
        ("Poned", "Pongan"),
        ("poned", "pongan"),
        ("permitid", "permitan"),
        ("Prometéis", "Prometen"),
        ("prometáis", "prometan"),
        ("Anunciáis", "Anuncian"),
        ("anunciéis", "anuncien"),
        ("pongáis", "pongan"),
        ("tardasteis", "tardaron"),
        ("Tardasteis", "Tardaron"),
        ("tratáis", "tratan"),
        ("dais", "dan"),
        ("vuestros", "sus"),
        ("vuestro", "su"),
        ("vuestra", "su"),
        ("vosotros", "ustedes"),
        ("solucionáis", "solucionan"),
        ("solucionéis", "solucionen"),
        ("os", "les"),
        ("Os", "Les"),
        ("erais", "eran"),
        ("trabajáis", "trabajan"),
        ("móvil", "celular"),
        ("coche", "carro"),
        ("Vaya timo", "Qué fraude"),
        ("cogerme", "tomarme"),
        ("coger", "tomar"),
        ("Me voy a IKEA", "Me voy a Liverpool"),
        ("IKEA", "Liverpool"),
        ("genial", "padrísimo"),
        ("Genial", "Padrísimo"),
        ("majo", "buena onda"),
        ("mola mucho", "está bien padre"),
        ("Molaría", "Estaría padre"),
        ("chollo", "ofertón"),
        ("Harta", "Hasta el gorro"),
        ("la OCU", "Profeco"),
        ("consumo", "Profeco"),
        ("la oficina del consumidor", "Profeco"),
        ("euros", "pesos"),
    )
)

_MX_EXTRA = ("Neta, ", "La neta, ", "Órale, ", "Oigan, ", "")


def expand(template: str, ctx: Mapping[str, object], rng: random.Random) -> str:
    """Expand ``{a|b}`` alternatives and ``{slot}`` names, innermost first."""
    t = template
    while True:
        m = _BRACE.search(t)
        if m is None:
            return t
        inner = m.group(1)
        if "|" in inner:
            rep = rng.choice(inner.split("|"))
        elif inner in ctx:
            rep = str(ctx[inner])
        else:
            raise KeyError(f"demo template slot {inner!r} has no value (template {template!r})")
        t = t[: m.start()] + rep + t[m.end() :]


def tidy(text: str) -> str:
    """Fix spacing, contractions (de el → del) and capitalise sentence starts."""
    t = _DEL.sub(lambda m: m.group(1) + "el", text)
    t = _AL.sub(lambda m: m.group(1) + "l", t)
    t = _SPACE_PUNCT.sub(r"\1", _SPACES.sub(" ", t)).strip()
    t = _DOTS.sub(r"\1", t)
    if t and t[0].islower():
        t = t[0].upper() + t[1:]
    return t


def sentence(lang: str, key: str, ctx: Mapping[str, object], rng: random.Random) -> str:
    """One sentence from the bank (``""`` for an empty alternative)."""
    return tidy(expand(rng.choice(BANKS[lang][key]), ctx, rng))


def mexicanise(text: str, rng: random.Random, *, opener: bool = True) -> str:
    """Mexican Spanish: ustedes instead of vosotros, local words, a colloquial opener sometimes."""
    for pat, rep in _MX:
        text = pat.sub(rep, text)
    if opener and rng.random() < 0.15:
        text = rng.choice(_MX_EXTRA) + text[:1].lower() + text[1:]
    return text


def typo(text: str, rng: random.Random) -> str:
    """One keyboard slip in a longer word: swapped, dropped or doubled letter."""
    words = text.split(" ")
    idx = [i for i, w in enumerate(words) if len(w) > 4 and w.isalpha()]
    if not idx:
        return text
    i = rng.choice(idx)
    w = words[i]
    j = rng.randrange(1, len(w) - 2)
    kind = rng.random()
    if kind < 0.4:
        w = w[:j] + w[j + 1] + w[j] + w[j + 2 :]
    elif kind < 0.75:
        w = w[:j] + w[j + 1 :]
    else:
        w = w[:j] + w[j] + w[j:]
    words[i] = w
    return " ".join(words)


def add_noise(
    text: str, lang: str, valence: float, rng: random.Random, *, informal: float
) -> str:
    """Make text look typed by a person; ``informal`` (0-1) scales how casual it gets."""
    r = rng.random
    if r() < 0.35 * informal:
        text = text.translate(_ACCENTS)
    if lang == "es" and r() < 0.3 * informal:
        for pat, rep in _SLANG_ES:
            if r() < 0.5:
                text = pat.sub(rep, text)
    if r() < 0.12 + 0.15 * informal:
        text = typo(text, rng)
        if r() < 0.3:
            text = typo(text, rng)
    if valence < -0.6 and r() < 0.25 * informal + 0.05:
        parts = text.split(". ")
        k = rng.randrange(len(parts))
        parts[k] = parts[k].upper()
        text = ". ".join(parts)
    if valence < -0.5 and r() < 0.3:
        text = text.rstrip(".") + rng.choice(("!!", "!!!", "...", " 😡", "!"))
    if r() < 0.12 + 0.5 * informal:
        pool = POS_EMOJI if valence > 0.25 else NEG_EMOJI if valence < -0.25 else MIX_EMOJI
        e = rng.choice(pool)
        text = f"{text} {e * rng.choice((1, 1, 1, 2, 3))}"
    if r() < 0.3 * informal:
        text = text.lower()
    return text
