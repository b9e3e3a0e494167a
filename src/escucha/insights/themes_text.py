"""Text representation for theme discovery: normalisation, es/en stop words, TF-IDF → LSA.

Offline and scalable: the vocabulary and the SVD are fitted on a seeded sample (at most
``fit_sample`` sentences), then every sentence is transformed in chunks to ``float32`` unit
vectors. Sentences' aspects (from the analysis) can be appended as a weighted one-hot block,
which guides clusters towards the CX taxonomy while still letting new topics form.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sp
from sklearn.decomposition import TruncatedSVD
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS, TfidfVectorizer

from escucha.nlp.lexicons import fold

STOP_ES: frozenset[str] = frozenset(
    ["a", "al", "algo", "algun", "alguna", "algunas", "alguno", "algunos", "ante", "antes", "aqui", "asi", "aun", "aunque", "bajo", "bien", "cada", "casi", "como", "con", "contra", "cual", "cuales", "cuando", "de", "del", "desde", "donde", "dos", "el", "ella", "ellas", "ello", "ellos", "en", "entre", "era", "eran", "eres", "es", "esa", "esas", "ese", "eso", "esos", "esta", "estaba", "estaban", "estado", "estais", "estamos", "estan", "estar", "estas", "este", "esto", "estos", "estoy", "fue", "fueron", "fui", "ha", "habeis", "haber", "habia", "habian", "han", "has", "hasta", "hay", "he", "hemos", "la", "las", "le", "les", "lo", "los", "mas", "me", "mi", "mis", "mucho", "muchos", "muy", "nada", "ni", "no", "nos", "nosotros", "nuestra", "nuestro", "o", "os", "otra", "otro", "otros", "para", "pero", "poco", "por", "porque", "que", "quien", "se", "sea", "ser", "si", "sido", "siempre", "sin", "sobre", "solo", "son", "soy", "su", "sus", "tambien", "tan", "tanto", "te", "tenemos", "tener", "tengo", "ti", "tiene", "tienen", "toda", "todas", "todo", "todos", "tu", "tus", "un", "una", "uno", "unos", "usted", "ustedes", "vosotros", "ya", "yo", "vez", "hace", "hizo", "sois", "seria", "estaria", "tenia", "tuve", "tuvo", "va", "vais", "vamos", "van", "voy", "e", "u", "y", "ha", "he", "os", "del", "al", "ese", "esa", "muchas", "mucha", "hola", "buenas", "gracias", "vale", "pues", "entonces", "ahi", "alli", "ahora", "hoy", "ayer", "muchisimas", "muchisimo", "favor", "porfa", "porfavor", "saludo", "saludos",
     "cordial", "cordiales", "atentamente"]
)
STOP_EN: frozenset[str] = frozenset(ENGLISH_STOP_WORDS) | frozenset(
    ["im", "ive", "dont", "didnt", "doesnt", "cant", "wont", "isnt", "wasnt", "arent", "youre", "theyre", "thats", "theres", "ill", "id", "u", "ur", "just", "get", "got", "really", "still", "amp", "rt", "hi", "hello", "thanks", "thank", "pls", "please", "yes", "thx", "ty", "cheers", "regards", "sincerely", "kindly",
     # what is left of a contraction once its apostrophe is gone ("don't" -> "don t")
     "don", "didn", "doesn", "isn", "wasn", "aren", "weren", "won", "couldn", "wouldn", "shouldn",
     "haven", "hasn", "hadn", "ain", "let"]
)
STOP_WORDS: frozenset[str] = STOP_ES | STOP_EN

_CODE = re.compile(r"\b[^\W\d_]{0,6}[-_#/]?\d[\w/-]*")  # order/booking codes: LH-355354, UA123
_URL = re.compile(r"https?://\S+|www\.\S+")
_MENTION = re.compile(r"@\w+")
_NUM = re.compile(r"\d+(?:[.,:]\d+)*")
_NONWORD = re.compile(r"[^\w\s]+")
_SPACE = re.compile(r"\s+")
TOKEN = re.compile(r"(?u)\b[^\W\d_]{3,}\b")


def normalize(text: str) -> str:
    """Folded text without URLs, @handles, codes, numbers or punctuation (hashtags keep their word)."""
    t = fold(_MENTION.sub(" ", _URL.sub(" ", text or "")))
    t = _CODE.sub(" 0 ", t)
    t = _NUM.sub(" 0 ", t)
    t = _NONWORD.sub(" ", t.replace("_", " "))
    return _SPACE.sub(" ", t).strip()


def content_tokens(norm: str) -> list[str]:
    return [w for w in TOKEN.findall(norm) if w not in STOP_WORDS]


def _content(norm: str) -> str:
    return " ".join(content_tokens(norm))


@dataclass
class Representation:
    """TF-IDF (word 1–2-grams + character 3–5-grams) → TruncatedSVD → unit vectors."""

    n_components: int = 128
    fit_sample: int = 60_000
    char_weight: float = 0.6
    aspect_weight: float = 0.55
    seed: int = 0
    aspects: list[str] = field(default_factory=list)
    word: TfidfVectorizer | None = None
    char: TfidfVectorizer | None = None
    svd: TruncatedSVD | None = None

    def fit(self, norm_texts: Sequence[str], aspect_lists: Sequence[Sequence[str]] | None = None) -> Representation:
        n = len(norm_texts)
        rng = np.random.default_rng(self.seed)
        idx = np.sort(rng.choice(n, self.fit_sample, replace=False)) if n > self.fit_sample else np.arange(n)
        sample = [norm_texts[i] for i in idx]
        min_df = 2 if len(sample) >= 200 else 1
        self.word = TfidfVectorizer(
            token_pattern=TOKEN.pattern, stop_words=sorted(STOP_WORDS), ngram_range=(1, 2),
            min_df=min_df, max_features=40_000, sublinear_tf=True, dtype=np.float32,
        )
        self.char = TfidfVectorizer(
            analyzer="char_wb", ngram_range=(3, 5), min_df=min_df, max_features=60_000,
            sublinear_tf=True, dtype=np.float32,
        )
        m = self._sparse(sample, fit=True)
        k = max(2, min(self.n_components, m.shape[1] - 1, len(sample) - 1))
        self.svd = TruncatedSVD(n_components=k, algorithm="randomized", n_iter=4, random_state=self.seed)
        with warnings.catch_warnings():  # near-identical texts: zero variance ratio, harmless
            warnings.simplefilter("ignore", RuntimeWarning)
            self.svd.fit(m)
        if aspect_lists is not None:
            counts: dict[str, int] = {}
            for lst in aspect_lists:
                for a in lst:
                    counts[a] = counts.get(a, 0) + 1
            self.aspects = sorted(counts)
        return self

    def _sparse(self, texts: Sequence[str], fit: bool = False) -> sp.csr_matrix:
        assert self.word is not None and self.char is not None
        if fit:
            w = self._safe_fit(self.word, texts)
            c = self.char.fit_transform([_content(t) for t in texts])
        else:
            w = self.word.transform(texts)
            c = self.char.transform([_content(t) for t in texts])
        return sp.hstack([w, c * self.char_weight], format="csr", dtype=np.float32)

    @staticmethod
    def _safe_fit(vec: TfidfVectorizer, texts: Sequence[str]) -> sp.csr_matrix:
        try:
            return vec.fit_transform(texts)
        except ValueError:  # nothing but stop words
            vec.set_params(stop_words=None, min_df=1)
            return vec.fit_transform(texts)

    def transform(
        self,
        norm_texts: Sequence[str],
        aspect_lists: Sequence[Sequence[str]] | None = None,
        chunk: int = 50_000,
    ) -> np.ndarray:
        """Unit ``float32`` vectors, chunk by chunk (rows with no usable text are all zeros)."""
        assert self.svd is not None
        n = len(norm_texts)
        a_index = {a: i for i, a in enumerate(self.aspects)}
        dim = self.svd.n_components + (len(self.aspects) if aspect_lists is not None else 0)
        out = np.zeros((n, dim), dtype=np.float32)
        for s in range(0, n, chunk):
            e = min(n, s + chunk)
            z = self.svd.transform(self._sparse(norm_texts[s:e])).astype(np.float32)
            norms = np.linalg.norm(z, axis=1, keepdims=True)
            z /= np.maximum(norms, 1e-9)
            out[s:e, : z.shape[1]] = z
            if aspect_lists is not None and self.aspects:
                base = z.shape[1]
                for r, lst in enumerate(aspect_lists[s:e]):
                    hits = [a_index[a] for a in lst if a in a_index]
                    if hits:
                        out[s + r, [base + h for h in hits]] = self.aspect_weight / np.sqrt(len(hits))
            block = out[s:e]
            norms = np.linalg.norm(block, axis=1, keepdims=True)
            block /= np.maximum(norms, 1e-9)
        return out
