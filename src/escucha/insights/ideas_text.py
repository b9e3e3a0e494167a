"""Which sentences propose something: wish and suggestion markers, typo-tolerant, with look-alikes
kept out.

A sentence is an idea when it carries a suggestion marker — the intent lexicon's suggestion
patterns (``nlp/lexicons/intents.yaml``) plus a few more wishes ("ojalá", "sería top poder",
"hope you add"…) — that is not negated ("no deberíais cambiar nada") and the sentence is not a
look-alike: a reproach ("you should have", "deberíais haber"), a regret ("ojalá no hubiera"), a
demand about one's own case ("refund me", "contestad a mi correo"), a complaint dressed as a
question ("why don't you answer") or sarcasm ("would be nice if someone actually answered",
"para variar"). Markers are read typo-tolerantly: letter repetitions are squeezed and a wish word
one typing slip away ("serría", "wold", "realy", "sugerencai") is read as that word.
"""

from __future__ import annotations

import re
from functools import lru_cache

from escucha.nlp.lexicons import TermMatcher, fold, load_lexicon, negated_intent

_EXTRA = re.compile(
    r"\b(?:ojala|me\s+encantaria|echo\s+de\s+menos|haria\s+falta|pediria|os\s+lo\s+pido|"
    r"(?:seria|estaria)\s+(?:\w+\s+){0,3}?(?:poder|tener|contar\s+con)\b|"
    r"lo\s+(?:suyo|ideal|propio|logico)\s+seria|"
    r"(?:seria|estaria|vendria)\s+(?:muy\s+|mas\s+|super\s+)?(?:genial|bien|guay|top|ideal|util|practico|"
    r"comodo|estupendo|perfecto|interesante|un\s+puntazo|la\s+leche|de\s+lujo|de\s+agradecer|buenisimo|lo\s+suyo)\s+"
    r"(?:un|una|unos|unas|el|la|los|las|que|si|poder|tener|contar|añadir|poner|ofrecer)\b|"
    r"(?:una|otra|mi)\s+mejora\s*:|(?:una|otra)\s+mejora\s+(?:seria|podria|para)|permitid|dejad|deberiais|"
    r"podriais|por\s+que\s+no\s+(?:\w+\s+)?(?:dejais|dejan|poneis|ponen|ofreceis|ofrecen|añadis|añaden|abris|"
    r"abren|habilitais|habilitan|incluis|incluyen|permitis|permiten|haceis|hacen|teneis|tienen|creais|crean|"
    r"sacais|sacan|traeis|traen|vendeis|venden|poner|ofrecer|añadir|abrir|dejar|permitir|hacer|tener|crear)|"
    r"(?:mi|una|otra|como)\s+sugerencia|sugerencia\s*:|una\s+idea\s*:|una\s+idea\s+para|os\s+doy\s+una\s+idea|"
    r"would\s+love\s+(?:to\s+(?:see|have|get|be\s+able)|it\s+if|if|an?\b|more|the\s+option|some)|"
    r"let\s+customers\s+\w+|please\s+(?:let|allow|add)|it\s+would\s+be\s+(?:great|nice)|"
    r"(?:my|a|one|another|small)\s+suggestion|suggestions?\s*(?::|for\b)|idea:|wish\s+i\s+could|"
    r"you\s+should\s+(?!say|said|see|hear|know|visit|go|come|expect|ask|check|call|read|change\s+your\s+name)|"
    r"(?:i'?d|i\s+would|we'?d|we\s+would)\s+(?:really\s+)?like\s+(?:to\s+be\s+able|to\s+see|an?\s+option)|"
    r"(?:might|may|would)\s+be\s+worth\s+\w+ing|(?:i'?d|i\s+would)\s+recommend\s+\w+ing|why\s+not|one\s+request|"
    r"why\s+can'?t\s+(?:i|we)\s+(?:choose|pick|select|book|schedule|pay|save|filter|use|add|set|reserve|split|"
    r"edit|change|customi[sz]e|order|get\s+(?:a|an|the)\s+option)|"
    r"it\s+would\s+(?:really\s+)?help\s+to|(?:les|os)\s+lo\s+pido|would\s+be\s+great\s+to|"
    r"how\s+about\s+(?:a|an|some)\s+(?:\w+\s+){0,3}?(?:option|service|feature|way|button|section|filter|version|"
    r"discount|programme|program|card|plan)\b|"
    r"(?:i|we)?\s*hope\s+(?:you|they)\s+(?:will\s+|guys\s+)?(?:add|bring|offer|open|start|introduce|consider|"
    r"make|extend|include|launch))(?:\b|(?<=:))"
)

# wishes and "should"s that propose nothing: reproaches, regrets, own-case demands, sarcasm, thanks
_NOT_IDEA = re.compile(
    r"\b(?:(?:you|they|u)\s+should\s+(?:know|be\s+(?:ashamed|embarrassed))|thought\s+you\s+should\s+know|"
    r"should\s+(?:have\s+(?:been|had|\w+(?:ed|en|wn|ld|nt|ot|ept|ade|aid|ent|old))\b|of\b|'?ve)|shoulda|"
    r"i\s+wish\s+i\s*(?:would|had|'d|d|was|were|could\s*'?ve|would\s*'?ve|knew|never)\b|avergonza\w*|"
    r"(?:gustaria|encantaria)\s+saber|(?:love|like)\s+to\s+know|(?:love|like|want)\s+(?:a|my)\s+(?:refund|reembolso)|"
    r"(?:if|si|que)\s+(?:my|mi)\s+(?:order|package|parcel|refund|money|delivery|pedido|paquete|dinero|reembolso)|"
    r"at\s+some\s+point|para\s+empezar|get\s+an?\s+(?:answer|reply|response)|"
    r"(?:would\s+love\s+to|please|pls)\s+(?:dm|follow)|(?:need|want)\s+to\s+(?:dm|follow)|follow\s+(?:me|back|us)|"
    r"dm\s+(?:me|us)|deberia\w*\s+(?:de\s+)?haber|ojala\s+(?:no|nunca|jamas|me|nos|le|les|te)\s+(?:\w+\s+)?hubiera|"
    r"tendria\w*\s+que\s+haber|"
    # own-case demands: refund me, call me, answer my e-mail
    r"(?:refund|reimburse|compensate|call|ring|contact|email|e-mail|answer|reply\s+to|get\s+back\s+to|get|put|"
    r"rebook|book|send|fly|take|give|allow)\s+(?:me|us|my)\b|let\s+(?:me|us|the|your|him|her|them)\s+(?:\w+\s+)?know|"
    r"(?:speak|talk)\s+(?:to|with)\s+(?:someone|somebody|a\s+(?:human|person|manager|supervisor|real))|"
    r"(?:hear|get|receive)\s+an?\s+apolog\w*|(?:she|he|my\s+\w+)\s+would\s+love|do\s+you\s+(?:perhaps|maybe)\s|"
    r"(?:to|at)\s+this\s+gate|"
    r"(?:devolved|llamad|contestad|responded|escribid|reembolsad|ayudad)(?:me|nos)?\s+"
    r"(?:a\s+)?(?:ya|mi|el\s+dinero|cuanto\s+antes)|"
    # complaints dressed as questions or wishes
    r"why\s+(?:don'?t|dont)\s+(?:you|u|they)\s+(?:\w+\s+)?(?:answer|reply|respond|call|pick\s+up|deliver|"
    r"refund|pay|care|listen|read|get\s+back|do\s+your|show)|why\s+(?:can'?t|cant|won'?t|wont)\s+(?:you|u|they)\s+"
    r"(?!(?:just\s+)?(?:offer|add|let|allow|have|make|provide|give|put|open|bring|start|use|include|introduce|"
    r"extend|sell|fly)\b)|"
    # reproaches: "you should" + a verb that asks for better behaviour, not for something to exist
    r"(?:you|u|ya|you\s+guys|y'?all|they|we)\s+(?:should|need\s+to|needs\s+to|ought\s+to|have\s+to)\s+"
    r"(?:really\s+|probably\s+|just\s+|seriously\s+|definitely\s+|all\s+)?(?:be\s+(?!able\b)|do\s+(?:something|better|your)|"
    r"help\b|know\b|learn|listen|think|anticipate|apply|figure|honou?r|explain|take\s+care|try\b|care\b|treat|"
    r"apologi[sz]e|step\s+up|fire\b|feel\b|reconsider|stick|start\s+(?:listening|caring|acting)|get\s+(?:it|your)\s+"
    r"(?:together|act)|say\b|see\b|hear\b|visit\b)|funny\s+you\s+should|(?:^|[^\w\s]\s*)i\s+should\b|"
    r"(?:aprended|aprender|espabilar|espabilad|poneros\s+las\s+pilas|ponerse\s+las\s+pilas|tener\s+verguenza)|"
    # reported speech: what someone was told is not a proposal
    r"(?:told|said|says|saying)\s+(?:me\s+|us\s+)?(?:that\s+)?(?:they|you|we|i)\s+(?:need|should|have\s+to)|"
    r"por\s+que\s+no\s+(?:me|nos|le|les)\s|por\s+que\s+no\s+(?:contesta|responde|atiende|llega|funciona|cumpl)\w*|"
    # sarcasm
    r"for\s+once|para\s+variar|por\s+una\s+vez|de\s+una\s+vez|(?:could|did)\s+actually|"
    r"if\s+(?:someone|anyone|somebody|you|they|u|it|i|we|your\s+\w+(?:\s+(?:was|were|is|would))?)\s+"
    r"(?:actually|just|at\s*least|ever|even|bothered|answered|responded|replied|called|cared|listened|read|worked)|"
    # regrets, praise of a person, someone else's words
    r"wish\s+(?:\w+\s+){0,5}?had\s+(?:been|told|known|said|given|done|made|sent|kept|taken|gone|got|gotten|\w+ed)\b|"
    r"(?:employees?|people|staff|agents?|crew|folks)\s+like\s+(?:her|him|them|this\s+one|that)\b|"
    r"(?:(?<=[\x22\u201c])|(?<=[\x22\u201c]\s))you\s+should|"
    r"(?:que|si)\s+alguien\s+\w+(?:ara|iera)\b|si\s+funcionara|love\s+to\s+never|"
    # thanks for a suggestion, or a thing that is already an improvement
    r"(?:gracias|thanks?|thank\s+you)\s+(?:por|for)\s+(?:la|el|the|your|tu|su|vuestra)\s+"
    r"(?:sugerencia|suggestion|idea|consejo|tip|recomendacion|recommendation))"
)

# words markers are made of, read through typing slips ("serría" -> "seria", "wold" -> "would")
_WISH_WORDS = frozenset(
    [
        "seria",
        "estaria",
        "ojala",
        "sugerencia",
        "sugiero",
        "sugeriria",
        "propuesta",
        "propongo",
        "puntazo",
        "genial",
        "encantaria",
        "gustaria",
        "deberiais",
        "deberian",
        "deberia",
        "podriais",
        "podrian",
        "pediria",
        "permitid",
        "mejora",
        "suggestion",
        "suggest",
        "would",
        "could",
        "should",
        "please",
        "really",
        "great",
        "helpful",
        "consider",
        "request",
        "recommend",
        "recommendation",
    ]
)
# real words one slip away from a wish word: left as they are
_REAL_WORDS = frozenset(
    [
        "world",
        "cold",
        "wound",
        "mould",
        "treat",
        "greet",
        "pleased",
        "serie",
        "series",
        "feria",
        "genital",
        "shout",
        "wouldn",
        "shoulda",
        "woulda",
        "coulda",
        "couldn",
        "shouldn",
    ]
)
_WORD = re.compile(r"[a-zñ]+")
_RUNS = re.compile(r"([a-zñ])\1+")


def _squash(word: str) -> str:
    return _RUNS.sub(r"\1", word)


def _one_slip(a: str, b: str) -> bool:
    """Whether ``a`` becomes ``b`` by one insertion, deletion, substitution or swap of neighbours."""
    if abs(len(a) - len(b)) > 1 or a == b:
        return False
    if len(a) == len(b):
        diff = [i for i in range(len(a)) if a[i] != b[i]]
        return len(diff) == 1 or (len(diff) == 2 and diff[1] == diff[0] + 1
                                  and a[diff[0]] == b[diff[1]] and a[diff[1]] == b[diff[0]])  # fmt: skip
    short, long_ = (a, b) if len(a) < len(b) else (b, a)
    i = next((k for k in range(len(short)) if short[k] != long_[k]), len(short))
    return short[i:] == long_[i + 1 :]


_SQUASHED = {_squash(w): w for w in _WISH_WORDS}
_BY_LENGTH: dict[int, list[str]] = {}
for _w in sorted(_WISH_WORDS):
    if len(_w) >= 5:
        _BY_LENGTH.setdefault(len(_w), []).append(_w)


def _read_word(word: str) -> str:
    """``word`` or the wish word it was meant to be."""
    if word in _WISH_WORDS or word in _REAL_WORDS or len(word) < 4:
        return word
    sq = _squash(word)
    if sq in _SQUASHED:
        return _SQUASHED[sq]
    for form in dict.fromkeys((word, sq)):  # short words only by a dropped letter: "wold", never "cold"
        for n in (len(form), len(form) + 1, len(form) - 1):
            for w in _BY_LENGTH.get(n, ()):
                if (len(word) >= 5 or len(word) < len(w)) and _one_slip(form, w):
                    return w
    return word


_READ_AS_IS: set[str] = set()  # words seen that need no reading (a set difference skips them fast)
_READ_AS: dict[str, str] = {}  # words seen that are a wish word misspelt


def tolerant(folded: str) -> str:
    """Folded text with elongations squeezed and misspelt wish words read as meant."""
    new = set(_WORD.findall(folded)) - _READ_AS_IS
    if not new:
        return folded
    if len(_READ_AS_IS) > 500_000:  # bound the memory on endless vocabularies
        _READ_AS_IS.clear()
    for w in new - _READ_AS.keys():
        r = _read_word(w)
        if r == w:
            _READ_AS_IS.add(w)
        else:
            _READ_AS[w] = r
    if new.isdisjoint(_READ_AS):
        return folded
    return _WORD.sub(lambda m: _READ_AS.get(m.group(), m.group()), folded)


@lru_cache(maxsize=1)
def _markers() -> TermMatcher[str]:
    data = load_lexicon("intents").get("suggestion", {})
    terms = [str(t) for grp in ("strong", "weak") for t in data.get(grp) or []]
    return TermMatcher([(t, "suggestion") for t in terms])


def is_suggestion(text: str) -> bool:
    """Whether a sentence proposes something (Spanish or English): a marker that is not negated,
    in a sentence that is not a reproach, regret, own-case demand or sarcasm."""
    f = tolerant(fold(text or ""))
    if _NOT_IDEA.search(f):
        return False
    hits = [m.start() for m in _EXTRA.finditer(f)] + [h.start for h in _markers().finditer(f)]
    return any(not negated_intent(f, h) for h in hits)
