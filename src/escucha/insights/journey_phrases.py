"""Words and phrases for the journey: folding, content words, frequent phrases, and phrases of
sentences no touchpoint took (proposed touchpoints)."""

from __future__ import annotations

import re
from collections import Counter
from itertools import islice
from typing import Any

from escucha.nlp.textnorm import strip_accents

STOPWORDS: frozenset[str] = frozenset(
    ["a", "al", "algo", "algun", "alguna", "algunas", "alguno", "algunos", "ante", "antes", "aqui", "asi", "aun", "como", "con", "contra", "cual", "cuando", "de", "del", "desde", "donde", "dos", "el", "ella", "ellas", "ellos", "en", "entre", "era", "es", "esa", "ese", "eso", "esta", "estaba", "estan", "estar", "este", "esto", "estos", "fue", "fueron", "ha", "habia", "han", "hasta", "hay", "he", "la", "las", "le", "les", "lo", "los", "mas", "me", "mi", "mis", "mucho", "muy", "nada", "ni", "no", "nos", "nosotros", "o", "os", "otra", "otro", "para", "pero", "poco", "por", "porque", "que", "quien", "se", "sea", "ser", "si", "sin", "sobre", "solo", "son", "su", "sus", "tambien", "te", "tengo", "tiene", "todo", "todos", "tu", "tus", "un", "una", "uno", "unos", "y", "ya", "yo", "vez", "voy", "va", "van", "hace", "hizo", "puede", "pues", "mismo", "vuestro", "vuestra", "vuestros", "ahora", "luego", "the", "an", "and", "or", "but", "if", "of", "to", "in", "on", "at", "for", "with", "from", "by", "is", "are", "was", "were", "be", "been", "being", "it", "its", "this", "that", "these", "those", "i", "my", "we", "our", "you", "your", "she", "they", "them", "their", "not", "so", "very", "just", "have", "has", "had", "do", "does", "did", "will", "would", "can", "could", "should", "there", "here", "than", "then", "too", "also", "about", "again", "all", "any", "what", "when", "where", "which", "who", "why", "how", "out", "up", "down", "over", "after", "before", "into", "once", "only", "own", "same", "some", "such", "more", "most", "other", "am", "im", "ive", "dont", "didnt", "cant", "wont", "get", "got", "one", "two", "gracias", "muchas", "mil", "amable", "vale", "genial", "perfecto", "hola", "buenas", "buenos", "saludo", "estupendo", "thanks", "thank", "great", "perfect", "okay", "lot", "hello", "hi", "bien"]
)
_WORD = re.compile(r"[a-zñ0-9]+")


def fold(text: str) -> str:
    """Lower-case without accents (for keyword rules)."""
    return strip_accents(str(text).lower())


def content_words(text: str) -> list[str]:
    return folded_words(fold(text))


def folded_words(folded: str) -> list[str]:
    """:func:`content_words` of a text already folded."""
    return [w for w in _WORD.findall(folded) if w not in STOPWORDS and len(w) > 2 and not w.isdigit()]


def top_phrases(texts: list[str], n: int = 5, min_count: int = 2,
                words: list[list[str]] | None = None) -> list[dict[str, Any]]:
    """Most frequent content n-grams (1–3 words), longer phrases first when equally frequent
    (``words``: the texts' content words when already known)."""
    c: Counter[str] = Counter()
    for ws_ in words if words is not None else map(content_words, texts):
        grams = set()
        for size in (1, 2, 3):
            for i in range(len(ws_) - size + 1):
                grams.add(" ".join(ws_[i:i + size]))
        c.update(grams)
    items = [(g, k) for g, k in c.items() if k >= min_count]
    items.sort(key=lambda x: (-x[1] * (1 + 0.5 * (len(x[0].split()) - 1)), x[0]))
    out: list[dict[str, Any]] = []
    for g, k in items:
        if any(g in o["phrase"] or o["phrase"] in g for o in out):
            continue
        out.append({"phrase": g, "count": k})
        if len(out) >= n:
            break
    return out


def propose_touchpoints(unassigned: list[str], assigned: list[str], n: int = 8
                        ) -> list[dict[str, Any]]:
    """Frequent phrases in sentences no touchpoint took, over-represented versus assigned ones."""
    words = list(map(content_words, unassigned))
    keep = [len(w) >= 2 for w in words]
    docs = [t for t, k in zip(unassigned, keep, strict=True) if k]
    words = [w for w, k in zip(words, keep, strict=True) if k]
    if not docs:
        return []
    min_count = max(8, int(0.003 * len(docs)))
    cand = top_phrases(docs, n * 4, min_count, words=words)
    joined = [" ".join(w) for w in words]
    base: Counter[str] = Counter()
    phrases = [c["phrase"] for c in cand]
    for t in assigned:
        f = " ".join(content_words(t))
        base.update(p for p in phrases if p in f)
    out = []
    for c in cand:
        rate_u = c["count"] / len(docs)
        rate_a = (base[c["phrase"]] + 1) / (len(assigned) + 1)
        lift = rate_u / rate_a
        if lift < 2:
            continue
        ex = list(islice((t for t, w in zip(docs, joined, strict=True) if c["phrase"] in w), 2))
        out.append({"phrase": c["phrase"], "sentences": c["count"], "lift": round(lift, 2),
                    "examples": ex})
        if len(out) >= n:
            break
    return out
