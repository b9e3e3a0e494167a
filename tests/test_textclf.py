"""TextClassifier: fit/predict, multi-label, save/load round trip, CSV training, custom_labels."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pytest

from escucha.errors import ModelError, ValidationError
from escucha.nlp.textclf import ProbaEnsemble, TextClassifier, tune_bias
from escucha.nlp.textnorm import (
    clause_tokens,
    mark_negation,
    normalize,
    strip_accents,
    tokens,
    unaccented_tokens,
    word_analyzer,
    word_grams,
)
from escucha.nlp.training import load_custom_model, read_labelled_csv, train
from escucha.pipeline import Doc, create

POS = ["great service, thank you", "I love this hotel", "excellent staff!!", "muy buena atención",
       "me encanta, volveré", "perfect stay 😍", "fantastic food and view", "todo genial, gracias"]
NEG = ["terrible service", "I hate waiting, awful", "the room was dirty", "pésima atención 😡",
       "nunca más, horrible", "lost my bag, worst airline", "el wifi no funciona", "very rude staff"]


def test_normalisation() -> None:
    t = normalize("Maravillosooo!!! mira https://x.co/a @ana #Top 123 😍")
    assert "maravillosoo" in t and "_url_" in t and "_user_" in t and "_num_" in t and "😍" in t
    assert "top" in tokens(t)
    assert mark_negation(["no", "me", "gusta", "nada", ".", "bien"]) == ["no", "NEG_me", "NEG_gusta", "NEG_nada", ".", "bien"]


def test_fit_predict_save_load(tmp_path: Path) -> None:
    clf = TextClassifier(model="lr_c4").fit(POS * 3 + NEG * 3, ["pos"] * 24 + ["neg"] * 24)
    assert clf.predict(["great, thank you!", "horrible, dirty room"]) == ["pos", "neg"]
    p = clf.predict_proba(["great"])
    assert p.shape == (1, 2) and abs(p.sum() - 1) < 1e-6
    path = clf.save(tmp_path / "m", training_data=["unit test"])
    assert (path / "meta.json").exists()
    again = TextClassifier.load(path)
    assert again.labels == ["neg", "pos"] and again.meta["training_data"] == ["unit test"]
    assert (again.predict_proba(["great"]) == p).all()


def test_auto_selection_records_cv() -> None:
    clf = TextClassifier().fit(POS * 3 + NEG * 3, ["pos"] * 24 + ["neg"] * 24)
    assert clf.meta["model"] in clf.meta["cv_macro_f1"]


def test_auto_ensemble_and_bias(tmp_path: Path) -> None:
    clf = TextClassifier(class_weight="balanced").fit(POS * 3 + NEG * 3, ["pos"] * 24 + ["neg"] * 24)
    assert isinstance(clf._est, ProbaEnsemble) and "lr_c2+nblr_c1" in clf.meta["cv_macro_f1"]
    assert clf.predict(["excellent staff, thank you", "awful, dirty room"]) == ["pos", "neg"]
    again = TextClassifier.load(clf.save(tmp_path / "auto"))
    assert (again.predict_proba(["great"]) == clf.predict_proba(["great"])).all()


def test_tune_bias_lifts_a_starved_class() -> None:
    # Class 1 is always the runner-up: argmax never predicts it; a bias fixes that.
    y = np.array([0] * 50 + [1] * 50)
    p = np.column_stack([np.where(y == 0, 0.8, 0.55), np.where(y == 0, 0.2, 0.45)])
    bias, before, after = tune_bias(p, y)
    assert before < 0.5 and after == 1.0 and bias[1] - bias[0] > 0


def test_word_grams_mark_negation_before_or_after_accents_alike() -> None:
    # The lexicon and the model share unaccented tokens; marking negation on them must give
    # what marking the accented tokens then removing accents gives.
    for text in ["No está nada mal, pero jamás volveré", "Não gostei. I didn't like it, great view!"]:
        norm = normalize(text)
        old = [strip_accents(t) for t in mark_negation(clause_tokens(norm, normalized=True))]
        old = [t for t in old if t not in {".", ",", ";"}]
        assert word_grams(unaccented_tokens(norm)) == word_analyzer(text)
        assert word_analyzer(text)[: len(old)] == old


def test_multilabel(tmp_path: Path) -> None:
    texts = ["the food was great", "rude waiter", "food cold and waiter rude", "nice view",
             "pasta and pizza", "slow service", "tasty food, friendly staff", "great ambience"] * 6
    labels = [["food"], ["service"], ["food", "service"], ["ambience"], ["food"], ["service"],
              ["food", "service"], ["ambience"]] * 6
    clf = TextClassifier(multilabel=True).fit(texts, labels)
    assert clf.labels == ["ambience", "food", "service"]
    pred = clf.predict(["the food was cold and the waiter rude"])[0]
    assert set(pred) == {"food", "service"}
    again = TextClassifier.load(clf.save(tmp_path / "ml"))
    assert again.predict(["the food was cold and the waiter rude"]) == [pred]


def test_errors(tmp_path: Path) -> None:
    with pytest.raises(ModelError):
        TextClassifier().fit(["a", "b"], ["x"])
    with pytest.raises(ModelError):
        TextClassifier.load(tmp_path / "missing")


def test_train_from_csv_and_custom_labels(tmp_path: Path) -> None:
    csv_path = tmp_path / "labelled.csv"
    with csv_path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["text", "reason"])
        for t in POS * 4:
            w.writerow([t, "praise"])
        for t in NEG * 4:
            w.writerow([t, "complaint"])
        w.writerow(["", "complaint"])  # a bad row is reported and skipped, never the whole file
        w.writerow(["the staff never answered", ""])
    with pytest.raises(ValidationError):
        train(csv_path, "text", "nope", tmp_path / "x")
    n = 1 + 4 * (len(POS) + len(NEG))
    assert read_labelled_csv(csv_path, "text", "reason").skipped == [
        f"line {n + 1}: empty 'text'", f"line {n + 2}: empty 'reason'"
    ]
    path = train(csv_path, "text", "reason", tmp_path / "reason", model="lr_c4")
    clf = load_custom_model(path)
    assert "holdout_accuracy" in clf.meta["metrics"]
    assert clf.meta["n_train"] == n - 1 and clf.meta["skipped_rows"]["n"] == 2
    docs = [Doc(text="awful, the room was dirty"), Doc(text="")]
    create("custom_labels", model_path=str(path))(docs)
    assert docs[0].extras["labels"] == ["complaint"]
    assert docs[1].extras["labels"] == []


def test_sentence_stack_features_summarise_each_texts_sentences() -> None:
    from escucha.nlp.textclf import sentence_stack_features, split_texts

    flat, owner = split_texts(["Great room. Awful staff. Fine pool.", "just one"])
    assert flat == ["Great room.", "Awful staff.", "Fine pool.", "just one"]
    assert owner.tolist() == [0, 0, 0, 1]
    p_text = np.array([[0.2, 0.8], [0.6, 0.4]])
    p_sent = np.array([[0.1, 0.9], [0.7, 0.3], [0.4, 0.6], [0.6, 0.4]])
    f = sentence_stack_features(p_text, p_sent, owner, ends=False)
    assert f.shape == (2, 11)
    np.testing.assert_allclose(f[0], [0.2, 0.8, 0.4, 0.6, 0.7, 0.9, 0.1, 0.3, 1 / 3, 2 / 3, np.log(4)])
    np.testing.assert_allclose(f[1], [0.6, 0.4, 0.6, 0.4, 0.6, 0.4, 0.6, 0.4, 1.0, 0.0, np.log(2)])
    # with the ends: the first sentence (a title) and the last (the verdict) follow
    f = sentence_stack_features(p_text, p_sent, owner)
    assert f.shape == (2, 15)
    np.testing.assert_allclose(f[0, 11:], [0.1, 0.9, 0.4, 0.6])
    np.testing.assert_allclose(f[1, 11:], [0.6, 0.4, 0.6, 0.4])
    # a text with no sentence rows falls back on its own probabilities
    f = sentence_stack_features(p_text, p_sent[:3], owner[:3])
    np.testing.assert_allclose(f[1, 11:], [0.6, 0.4, 0.6, 0.4])


def _reviews(n: int, seed: int) -> tuple[list[str], list[str]]:
    """Reviews of four to six sentences; the label is what most of their sentences say."""
    rng = np.random.default_rng(seed)
    good = ["The room was lovely.", "Breakfast was great.", "Staff were kind.", "The pool was superb."]
    bad = ["The room was filthy.", "Breakfast was awful.", "Staff were rude.", "The pool was closed."]
    texts, labels = [], []
    for _ in range(n):
        k = int(rng.integers(4, 7))
        n_good = int(rng.integers(0, k + 1))
        if 2 * n_good == k:
            continue
        parts = list(rng.choice(good, n_good)) + list(rng.choice(bad, k - n_good))
        rng.shuffle(parts)
        texts.append(" ".join(parts))
        labels.append("positive" if 2 * n_good > k else "negative")
    return texts, labels


def test_sentence_stack_trains_records_its_choice_and_round_trips(tmp_path: Path) -> None:
    x, y = _reviews(400, 0)
    clf = TextClassifier(seed=0, sentences=True).fit(x, y)
    stack = clf.meta["sentence_stack"]
    assert set(stack) == {"cv_text_only", "cv_stacked", "cv_stacked_ends", "ends", "kept"}
    assert stack["cv_stacked"] == max(stack["cv_stacked_ends"].values())
    assert stack["kept"] == (stack["cv_stacked"] - stack["cv_text_only"] >= 0.003)
    tx, ty = _reviews(200, 1)
    pred = clf.predict(tx)
    assert np.mean([p == g for p, g in zip(pred, ty, strict=True)]) >= 0.9
    back = TextClassifier.load(clf.save(tmp_path / "m"))
    np.testing.assert_allclose(back.predict_proba(tx), clf.predict_proba(tx))
    assert back.sentences == stack["kept"]
    if back._stack is not None:
        assert back._stack.ends == stack["ends"]
