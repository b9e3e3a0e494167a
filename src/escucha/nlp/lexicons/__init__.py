"""Hand-written lexicons (YAML, in this folder) and a fast multi-term matcher.

Text is *folded* before matching: lower case, accents removed (``ñ`` kept), curly quotes made
straight. Folding keeps the length, so match offsets are offsets into the original text.

Term syntax, in every lexicon, taxonomy and rules file:

* ``word`` or ``a phrase``: a whole-word literal (case and accents do not matter);
* ``stem*``: any word that starts with ``stem`` (``decepcion*`` matches ``decepcionado``);
* ``re:<pattern>``: a Python regular expression over the folded text;
* anything that is not a word (emoji, ``:(``) matches wherever it appears.

All literal and stem terms of a matcher are compiled into a single trie-shaped regular
expression, so finding every term in a sentence is one C-level pass, whatever the lexicon size.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Generic, TypeVar

import yaml

from escucha.errors import ConfigError

LEXICON_DIR = Path(__file__).parent
T = TypeVar("T")

_FOLD_SRC = "áàâäãåéèêëíìîïóòôöõúùûüçÁÀÂÄÃÅÉÈÊËÍÌÎÏÓÒÔÖÕÚÙÛÜÇÑ’‘´`“”«»"
_FOLD_DST = "aaaaaaeeeeiiiiooooouuuucaaaaaaeeeeiiiiooooouuuucñ''''\"\"\"\""
_FOLD = str.maketrans(_FOLD_SRC, _FOLD_DST)


def fold(text: str) -> str:
    """Lower-case, accent-free copy of ``text`` with the same length (offsets stay valid)."""
    low = text.translate(_FOLD).lower()
    if len(low) != len(text):  # rare characters whose lower case is longer (e.g. "İ")
        low = "".join(c if len(c.lower()) != 1 else c.lower() for c in text.translate(_FOLD))
    return low


def _is_wordy(term: str) -> bool:
    return bool(term) and (term[0].isalnum() or term[0] == "_") and (term[-1].isalnum() or term[-1] in "*_")


def _trie_regex_raw(literals: Iterable[str]) -> str:
    """A trie regex over exact literal strings (spaces are literal here)."""
    return _trie_regex(lit.replace(" ", "\x00") for lit in literals).replace("\\\x00", " ").replace("\x00", " ")


GATE_CHARS = 6
"""How many opening characters of a regex term the gate looks for (whitespace read as one space)."""


def _prefixes(pattern: str, n: int = GATE_CHARS) -> set[str] | None:
    """Every literal text of up to ``n`` characters a match of ``pattern`` must start with.

    None when the pattern may start with something that is not a literal (a class like ``\\w``);
    such patterns are always searched.
    """
    try:
        from re import _constants as sc  # type: ignore[attr-defined]
        from re import _parser as sp  # type: ignore[attr-defined]
    except ImportError:  # pragma: no cover
        return None
    try:
        tree = sp.parse(pattern)
    except Exception:  # pragma: no cover
        return None

    def seq(items: Any) -> set[str]:
        out = {""}
        for op, av in items:
            if all(len(r) >= n for r in out):
                break
            if op is sc.AT:
                continue
            nxt = elem(op, av)
            if nxt is None:  # cannot tell what comes next: the prefixes end here
                return {r + "\x01" if len(r) < n else r for r in out}
            out = {(r + x)[:n] if len(r) < n else r for r in out for x in nxt}
            if len(out) > 1500:
                return {"\x01"}
        return out

    def elem(op: Any, av: Any) -> set[str] | None:
        if op is sc.LITERAL:
            return {chr(av)}
        if op is sc.IN:
            chars = set()
            for iop, iav in av:
                if iop is sc.LITERAL:
                    chars.add(chr(iav))
                elif iop is sc.CATEGORY and iav is sc.CATEGORY_SPACE:
                    chars.add(" ")  # the gate reads the text with each run of whitespace as one space
                else:
                    return None
            return chars
        if op is sc.SUBPATTERN:
            return seq(av[-1])
        if op is sc.BRANCH:
            res: set[str] = set()
            for alt in av[1]:
                res |= seq(alt)
            return res
        if op in (sc.MAX_REPEAT, sc.MIN_REPEAT):
            lo, _hi, item = av
            body = seq(item)
            if any("\x01" in b for b in body):
                return None  # a repeated part that is not all literal: what follows is unknown
            return body | {""} if lo == 0 else body
        return None

    result = seq(tree)
    clean = set()
    for r in result:
        lit = r.split("\x01")[0]
        if not lit:
            return None
        clean.add(lit)
    return clean


class _Node:
    __slots__ = ("children", "end", "stem")

    def __init__(self) -> None:
        self.children: dict[str, _Node] = {}
        self.end = False
        self.stem = False


def _trie_regex(terms: Iterable[str]) -> str:
    root = _Node()
    for term in terms:
        stem = term.endswith("*")
        node = root
        for ch in term.rstrip("*"):
            node = node.children.setdefault(ch, _Node())
        if stem:
            node.stem = True
        else:
            node.end = True

    def build(node: _Node) -> str:
        alts = []
        for ch in sorted(node.children):
            piece = r"\s+" if ch == " " else re.escape(ch)
            alts.append(piece + build(node.children[ch]))
        if node.stem:
            alts.append(r"\w*")
        elif node.end:
            alts.append("")
        if not alts:
            return ""
        if len(alts) == 1:
            return alts[0] if not alts[0] or len(node.children) <= 1 else f"(?:{alts[0]})"
        return "(?:" + "|".join(alts) + ")"

    return build(root)


_SPACES = re.compile(r"\s+")


def normalize_term(term: str) -> str:
    """Fold a lexicon term the way text is folded (regex terms are kept as written)."""
    term = term.strip()
    if term.startswith("re:"):
        return term
    term = _SPACES.sub(" ", fold(term)).replace("\ufe0f", "")
    return term


def plural_variants(term: str) -> list[str]:
    """The term plus simple Spanish/English plurals of its first and last words."""
    if term.startswith("re:") or term.endswith("*") or not _is_wordy(term):
        return [term]
    words = term.split(" ")
    out = {term}

    def plurals(w: str) -> list[str]:
        if len(w) < 3 or not w.isalpha():
            return []
        res = [w + "s", w + "es"]
        if w.endswith("z"):
            res.append(w[:-1] + "ces")
        if w.endswith("y"):
            res.append(w[:-1] + "ies")
        if w.endswith(("s", "x")):
            res = [w + "es"]
        return res

    for p in plurals(words[-1]):
        out.add(" ".join([*words[:-1], p]))
    if len(words) > 1:
        for p in plurals(words[0]):
            out.add(" ".join([p, *words[1:]]))
    return sorted(out)


@dataclass(frozen=True, slots=True)
class Hit(Generic[T]):
    start: int
    end: int
    term: str
    payloads: tuple[T, ...]


class TermMatcher(Generic[T]):
    """Finds every lexicon term in folded text in one regex pass (plus one for ``re:`` terms)."""

    def __init__(self, entries: Iterable[tuple[str, T]], *, plurals: bool = False):
        exact: dict[str, list[T]] = {}
        stems: dict[str, list[T]] = {}
        regexes: list[tuple[str, T]] = []
        for raw, payload in entries:
            term = normalize_term(raw)
            if not term or term == "*":
                continue
            if term.startswith("re:"):
                regexes.append((term[3:], payload))
                continue
            variants = plural_variants(term) if plurals else [term]
            for v in variants:
                table = stems if v.endswith("*") else exact
                key = v.rstrip("*")
                lst = table.setdefault(key, [])
                if payload not in lst:
                    lst.append(payload)
        self._exact = {k: tuple(v) for k, v in exact.items()}
        self._stems = {k: tuple(v) for k, v in stems.items()}
        self._max_stem = max((len(k) for k in self._stems), default=0)
        wordy = [k for k in exact if _is_wordy(k)] + [k + "*" for k in stems if _is_wordy(k + "*")]
        other = [k for k in exact if not _is_wordy(k)] + [k + "*" for k in stems if not _is_wordy(k + "*")]
        parts = []
        if wordy:
            parts.append(r"(?<!\w)" + _trie_regex(wordy) + r"(?!\w)")
        if other:
            parts.append(_trie_regex(other))
        self._literal = re.compile("|".join(parts)) if parts else None
        # Regex terms: each is searched only when the text holds one of its possible opening
        # letters (found for all of them at once by one lookahead pass over a literal trie).
        self._regexes: list[tuple[re.Pattern[str], T]] = []
        self._always: list[int] = []
        gate_of: dict[str, list[int]] = {}
        for i, (pat, payload) in enumerate(regexes):
            try:
                compiled = re.compile(pat)
            except re.error as exc:
                raise ConfigError(f"bad regular expression {pat!r}: {exc}", field="re:") from None
            self._regexes.append((compiled, payload))
            firsts = _prefixes(pat)
            if not firsts:
                self._always.append(i)
            else:
                for f in firsts:
                    gate_of.setdefault(f, []).append(i)
        self._gate_of = gate_of
        self._gate = re.compile("(?=(" + _trie_regex_raw(gate_of) + "))") if gate_of else None
        self.size = len(exact) + len(stems) + len(regexes)

    def _lookup(self, matched: str) -> tuple[T, ...]:
        key = _SPACES.sub(" ", matched)
        got = self._exact.get(key)
        if got is not None:
            return got
        for n in range(min(len(key), self._max_stem), 0, -1):
            got = self._stems.get(key[:n])
            if got is not None:
                return got
        return ()

    def finditer(self, folded: str) -> Iterator[Hit[T]]:
        """Yield every term found in ``folded`` (text already passed through :func:`fold`)."""
        if self._literal is not None:
            for m in self._literal.finditer(folded):
                payloads = self._lookup(m.group())
                if payloads:
                    yield Hit(m.start(), m.end(), m.group(), payloads)
        if not self._regexes:
            return
        todo = set(self._always)
        if self._gate is not None:
            gate_of = self._gate_of
            for g in {m.group(1) for m in self._gate.finditer(_SPACES.sub(" ", folded))}:
                for k in range(1, len(g) + 1):  # the trie reports the longest prefix only
                    todo.update(gate_of.get(g[:k], ()))
        for i in sorted(todo):
            pattern, payload = self._regexes[i]
            for m in pattern.finditer(folded):
                if m.end() > m.start():
                    yield Hit(m.start(), m.end(), m.group(), (payload,))


_NEGATORS = re.compile(
    r"(?<!\w)(?:no|nunca|jamas|ni|sin|tampoco|nada|ningun|ninguna|ninguno|nadie|not|never|no one|"
    r"nobody|nothing|without|nor|neither|hardly|cannot|can't|cant|dont|don't|doesn't|doesnt|didn't|"
    r"didnt|won't|wont|isn't|isnt|wasn't|wasnt|aren't|arent|weren't|werent|wouldn't|wouldnt|"
    r"shouldn't|haven't|havent|hasn't|n't)(?!\w)"
)
_CLAUSE_BREAK = re.compile(r"[,;:.!?()]|(?<!\w)(?:pero|but|aunque|although|though|however|sin embargo|y|and)(?!\w)")


def negated(folded: str, start: int, window: int = 3) -> bool:
    """True when a negator stands within ``window`` words before ``start`` in the same clause."""
    left = folded[max(0, start - 40) : start]
    cuts = [m.end() for m in _CLAUSE_BREAK.finditer(left)]
    if cuts:
        left = left[cuts[-1] :]
    words = left.split()[-window:]
    if not words:
        return False
    return _NEGATORS.search(" ".join(words)) is not None


def load_yaml(path: Path) -> Any:
    """Load a YAML file, naming the file in the error when it is broken."""
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"{path}: file not found", field=str(path)) from None
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path}: invalid YAML: {exc}", field=str(path)) from None


@lru_cache(maxsize=32)
def load_lexicon(name: str) -> Any:
    """A lexicon shipped in this folder, by file name without ``.yaml``."""
    return load_yaml(LEXICON_DIR / f"{name}.yaml")


_NEG_INTENT = re.compile(
    r"(?:(?<!\w)(?:no|not|never|nunca|jamas|tampoco|won't|wont|don't|dont|didn't|didnt|wouldn't|"
    r"will not|do not|would not|am not|i'm not|im not|no longer)\s+)"
    r"(?:(?:me|nos|te|lo|la|le|voy|vamos|a|pienso|pensamos|quiero|queremos|tengo|tenemos|"
    r"intencion|de|going|gonna|to|want|wanna|plan|planning|intend|be|i|we|will|would|ever|actually|"
    r"really|que|para|nada|por|ahora|now|yet|todavia|aun|el|la|mi|my|planeo|pretendo|pretendemos)\s+){0,4}$"
)


def negated_intent(folded: str, start: int) -> bool:
    """True when the words just before ``start`` negate an intention ("no me voy a …", "I won't …")."""
    return _NEG_INTENT.search(folded[max(0, start - 60) : start]) is not None


def sentence_index(starts: list[int], pos: int) -> int:
    """Index of the sentence containing character ``pos`` given sorted sentence start offsets."""
    import bisect

    return max(0, bisect.bisect_right(starts, pos) - 1)
