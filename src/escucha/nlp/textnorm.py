"""Text normalisation shared by the classifiers and the lexicon: one place for the rules.

``normalize`` lower-cases, replaces URLs, @mentions and numbers by placeholders, squeezes
elongations ("maravillosooo" -> "maravillosoo"; the lexicon also tries one letter) and keeps
emojis. ``tokens`` splits into words, emojis and ``!``/``?``; ``mark_negation`` prefixes ``NEG_`` to the few words after a negator.
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from functools import lru_cache

_URL = re.compile(r"(?:https?://|www\.)\S+", re.IGNORECASE)
_MENTION = re.compile(r"(?<!\w)@\w+")
_HASHTAG = re.compile(r"(?<!\w)#(\w+)")
_NUM = re.compile(r"\d+(?:[.,:]\d+)*")
_ELONG = re.compile(r"(\w)\1{2,}")
_SPACE = re.compile(r"\s+")
_TOKEN = re.compile(
    r"[^\W\d_]+(?:'[^\W\d_]+)?|_\w+_|\d+|[!?]|"
    r"[\u2600-\u27BF\U0001F000-\U0001FAFF]|[:;=][\-']?[)(DPp/\\|]"
)

NEGATORS: frozenset[str] = frozenset(
    {
        "no", "not", "never", "nunca", "jamas", "jamás", "ni", "sin", "tampoco", "nadie",
        "nothing", "nobody", "none", "neither", "nor", "cannot", "without", "hardly",
        "isn't", "wasn't", "don't", "doesn't", "didn't", "won't", "can't", "couldn't",
        "aren't", "weren't", "shouldn't", "wouldn't", "haven't", "hasn't", "hadn't",
        "isnt", "wasnt", "dont", "doesnt", "didnt", "wont", "cant", "couldnt", "arent",
        "n't", "nao", "não", "non", "pas", "nicht", "kein",
    }
)
_NEG_SCOPE = 3
_CLAUSE_BREAK = frozenset({"!", "?", "but", "pero", "aunque", "although", "however", "sino"})


@lru_cache(maxsize=8192)
def strip_accents(text: str) -> str:
    """``"está"`` -> ``"esta"``; keeps ``ñ`` as ``n`` (typed that way often enough)."""
    nfkd = unicodedata.normalize("NFKD", text)
    return "".join(c for c in nfkd if not unicodedata.combining(c))


def squeeze(word: str) -> str:
    """Squeeze letters repeated three or more times to two ("goooood" -> "good")."""
    return _ELONG.sub(r"\1\1", word)


def normalize(text: str) -> str:
    """Lower-case and replace noise by placeholders; emojis and punctuation stay."""
    t = text.lower()
    t = _URL.sub(" _url_ ", t)
    t = _MENTION.sub(" _user_ ", t)
    t = _HASHTAG.sub(r" \1 ", t)
    t = _NUM.sub(" _num_ ", t)
    t = _ELONG.sub(r"\1\1", t)
    t = t.replace("’", "'")
    return _SPACE.sub(" ", t).strip()


def tokens(normalized: str) -> list[str]:
    """Words (with their apostrophe), placeholders, numbers, ``!``/``?``, emojis, emoticons."""
    return _TOKEN.findall(normalized)


def mark_negation(toks: list[str], scope: int = _NEG_SCOPE) -> list[str]:
    """Prefix ``NEG_`` to up to ``scope`` words after a negator, stopping at a clause break."""
    out: list[str] = []
    left = 0
    for tok in toks:
        if tok in _CLAUSE_BREAK or tok in {".", ",", ";"}:
            left = 0
            out.append(tok)
        elif tok in NEGATORS or tok.endswith("n't"):
            left = scope
            out.append(tok)
        elif left > 0:
            out.append("NEG_" + tok)
            left -= 1
        else:
            out.append(tok)
    return out


_CLAUSE_TOKEN = re.compile(r"[.,;]|" + _TOKEN.pattern)


def clause_tokens(text: str, normalized: bool = False) -> list[str]:
    """Tokens of ``normalize(text)`` with commas/periods kept, so negation stops at them."""
    return _CLAUSE_TOKEN.findall(text if normalized else normalize(text))


def word_analyzer(text: str) -> list[str]:
    """Unigrams and bigrams of unaccented, negation-marked tokens of a raw text."""
    return word_analyzer_normalized(normalize(text))


def word_analyzer_normalized(text: str) -> list[str]:
    """:func:`word_analyzer` for a text already passed through :func:`normalize`."""
    return word_grams(unaccented_tokens(text))


def unaccented_tokens(normalized: str) -> list[str]:
    """:func:`clause_tokens` of a normalised text without accents (shared by model and lexicon)."""
    return [strip_accents(t) for t in clause_tokens(normalized, normalized=True)]


_CLAUSE_PUNCT = frozenset({".", ",", ";"})


def word_grams(lows: list[str]) -> list[str]:
    """Unigrams and bigrams of negation-marked :func:`unaccented_tokens` (punctuation dropped).

    Marking negation after removing accents gives the same tokens: every accented negator
    also appears unaccented in :data:`NEGATORS`.
    """
    toks = [t for t in mark_negation(lows) if t not in _CLAUSE_PUNCT]
    grams = list(toks)
    grams.extend([f"{a} {b}" for a, b in itertools.pairwise(toks)])
    return grams


@lru_cache(maxsize=262_144)
def _word_char_grams(word: str, min_n: int, max_n: int) -> tuple[str, ...]:
    w = f" {word} "
    size = len(w)
    out: list[str] = []
    for n in range(min_n, max_n + 1):
        if size < n:
            if n == min_n:
                out.append(w)  # a short word is counted once, as sklearn's char_wb does
            break
        out.extend(w[i : i + n] for i in range(size - n + 1))
    return tuple(out)


class CharGrams:
    """sklearn's ``char_wb`` n-grams, cached per word (words repeat, so this is much faster)."""

    def __init__(self, min_n: int = 3, max_n: int = 5):
        self.min_n = min_n
        self.max_n = max_n

    def __call__(self, text: str) -> list[str]:
        out: list[str] = []
        for word in text.split():
            out.extend(_word_char_grams(word, self.min_n, self.max_n))
        return out
