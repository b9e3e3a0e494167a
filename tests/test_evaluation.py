"""A smoke run of the evaluation harness on subsamples of the shared data."""

from __future__ import annotations

import pytest

from escucha.errors import ConfigError
from escucha.evaluation import default_data_dir, run_eval, summary_rows
from escucha.evaluation.metrics import multi_label, rating, single_label

needs_data = pytest.mark.skipif(not default_data_dir().exists(), reason="no ../shared/data")


def test_metrics() -> None:
    fig = single_label(["a", "b", "a"], ["a", "b", "b"], ["a", "b"])
    assert fig["n"] == 3 and fig["accuracy"] == pytest.approx(0.6667)
    assert fig["confusion"] == {"labels": ["a", "b"], "matrix": [[1, 1], [0, 1]]}
    assert rating([1, 5, 3], [2, 5, 3])["mae"] == pytest.approx(0.3333)
    ml = multi_label([["x"], ["x", "y"]], [["x"], ["y"]], ["x", "y"])
    assert ml["micro_f1"] == pytest.approx(0.8)


def test_unknown_task() -> None:
    with pytest.raises(ConfigError):
        run_eval(["nope"])


@pytest.mark.slow
@pytest.mark.shared_data
@needs_data
def test_smoke_subsample() -> None:
    res = run_eval(
        ["airline_sentiment", "hotel_rating_es", "semeval14_restaurant_category"],
        max_train=300,
        max_test=150,
    )
    air = res["airline_sentiment"]
    for key in ("n", "accuracy", "macro_f1", "per_class_f1", "confusion", "texts_per_s", "baselines"):
        assert key in air
    assert air["n"] == 150
    assert {"shipped", "adapted"} <= set(air["systems"]) and "tfidf_lr" in air["baselines"]
    assert 0.0 <= air["macro_f1"] <= 1.0
    assert "mae" in res["hotel_rating_es"]
    assert "micro_f1" in res["semeval14_restaurant_category"]
    assert any(r["task"] == "airline_sentiment" for r in summary_rows(res))


def test_merging_a_partial_run_keeps_the_systems_it_did_not_score() -> None:
    from escucha.evaluation import merge_results

    old = {
        "a": {"system": "finetuned", "macro_f1": 0.8, "primary": "macro_f1", "baselines": {},
              "systems": {"adapted": {"macro_f1": 0.5}, "finetuned": {"macro_f1": 0.8}},
              "notes": ["adapted: x", "finetuned: MiniLM, 2 epochs"]},
        "b": {"systems": {"adapted": {"macro_f1": 0.1}}, "notes": []},
    }
    new = {"a": {"system": "adapted", "macro_f1": 0.9, "primary": "macro_f1", "baselines": {},
                 "systems": {"adapted": {"macro_f1": 0.9}}, "notes": ["adapted: y"]}}
    out = merge_results(old, new)
    assert out["a"]["systems"] == {"adapted": {"macro_f1": 0.9}, "finetuned": {"macro_f1": 0.8}}
    assert out["a"]["notes"] == ["adapted: y", "finetuned: MiniLM, 2 epochs", "kept from the previous run: finetuned"]
    assert (out["a"]["system"], out["a"]["macro_f1"]) == ("adapted", 0.9)
    assert out["b"] == old["b"]
    # A kept system that is better than the new run's best becomes the headline again.
    new["a"]["systems"]["adapted"]["macro_f1"] = new["a"]["macro_f1"] = 0.6
    out = merge_results(old, new)
    assert (out["a"]["system"], out["a"]["macro_f1"]) == ("finetuned", 0.8)

def test_intents_task_scores_the_shipped_analyser_beside_two_baselines() -> None:
    fig = run_eval(["intents"])["intents"]
    base = fig["baselines"]
    assert set(base) == {"keywords", "tfidf_wc_lr_cv5"}
    for b in base.values():
        assert b["n"] == fig["n"] and {"micro_f1", "macro_f1", "per_class", "texts_per_s"} <= set(b)
    # The shipped intents (rules + sentiment + emotion) read far better than cue words.
    assert fig["micro_f1"] > base["keywords"]["micro_f1"] + 0.2


def test_keyword_baseline_reads_obvious_cues() -> None:
    from escucha.evaluation.tasks import _intent_baselines

    texts = ["¿Cuándo abren?", "Me doy de baja mañana", "Gracias, excelente servicio", "Lo voy a subir a redes"] * 5
    gold = [["question"], ["churn_threat"], ["praise"], ["public_threat"]] * 5
    labels = ["question", "churn_threat", "praise", "public_threat"]
    fig = _intent_baselines(texts, gold, labels, seed=0)["keywords"]
    assert fig["micro_f1"] == 1.0
