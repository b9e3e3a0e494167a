"""The demo data generator: deterministic, parseable, realistic, and its stories are in the data."""

from __future__ import annotations

import csv
import json
import re
import time
from collections import Counter
from datetime import date, datetime
from pathlib import Path

import pytest
import yaml

from escucha.demo import generate, stories
from escucha.demo.generator import DEFAULT_START, FILES

START = DEFAULT_START


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, Path], float]:
    out = tmp_path_factory.mktemp("demo")
    t0 = time.perf_counter()
    paths = generate(out)
    return paths, time.perf_counter() - t0


def _csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def _jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def _week(ts: str) -> int:
    d = datetime.fromisoformat(ts.replace("Z", "+00:00")).date()
    return (d - START).days // 7 + 1


def _all_voices(paths: dict[str, Path]) -> list[dict]:
    """(week, text, negative, customer_id, channel) for every customer voice."""
    out = []
    for r in _csv(paths["reviews"]):
        out.append({"w": _week(r["date"]), "text": r["text"], "neg": int(r["stars"]) <= 2,
                    "cust": r["customer_id"], "ch": "review"})
    for r in _csv(paths["nps_survey"]):
        out.append({"w": _week(r["date"]), "text": r["comment"], "neg": int(r["nps"]) <= 6,
                    "cust": r["customer_id"], "ch": "survey"})
    for r in _jsonl(paths["chats"]):
        said = " ".join(line for line in r["transcript"].splitlines()
                        if line.startswith(("Cliente:", "Customer:")))
        neg = (r["csat"] is not None and r["csat"] <= 2) or (r["ces"] is not None and r["ces"] <= 3)
        out.append({"w": _week(r["started_at"]), "text": said, "neg": neg,
                    "cust": r["customer_id"], "ch": r["type"]})
    for r in _jsonl(paths["social"]):
        out.append({"w": _week(r["created_at"]), "text": r["text"], "neg": None,
                    "cust": r["customer_id"], "ch": "social"})
    return out


def test_files_parse_and_scores_in_range(demo: tuple[dict[str, Path], float]) -> None:
    paths, _ = demo
    for name in FILES:
        assert paths[name].exists(), name
    reviews = _csv(paths["reviews"])
    assert {int(r["stars"]) for r in reviews} == {1, 2, 3, 4, 5}
    assert all(r["text"].strip() and r["language"] in ("es", "en") for r in reviews)
    nps = _csv(paths["nps_survey"])
    assert {int(r["nps"]) for r in nps} == set(range(11))
    chats = _jsonl(paths["chats"])
    assert {c["type"] for c in chats} == {"chat", "call"}
    assert all(c["csat"] is None or 1 <= c["csat"] <= 5 for c in chats)
    assert all(c["ces"] is None or 1 <= c["ces"] <= 7 for c in chats)
    assert sum(c["ces"] is not None for c in chats) < len(chats)  # CES only sometimes
    assert all(c["transcript"].startswith(("Agente: ", "Agent: ")) for c in chats)
    assert all(c["transcript"].count("\n") >= 4 for c in chats)
    social = _jsonl(paths["social"])
    ids = {s["post_id"] for s in social}
    assert all(s["parent_id"] is None or s["parent_id"] in ids for s in social)
    emp = _csv(paths["employees"])
    assert 200 <= len(emp) <= 600
    assert all(0 <= int(e["enps"]) <= 10 for e in emp)
    customers = {c["customer_id"]: c for c in _csv(paths["customers"])}
    assert {c["tier"] for c in customers.values()} == {"gold", "silver", "bronze"}
    used = {r["customer_id"] for r in reviews} | {r["customer_id"] for r in nps}
    assert used <= set(customers)
    total = len(reviews) + len(nps) + len(chats) + len(social) + len(emp)
    assert abs(total - 6000) <= 300


def test_company_yaml_and_mappings(demo: tuple[dict[str, Path], float]) -> None:
    paths, _ = demo
    cfg = yaml.safe_load(paths["company"].read_text(encoding="utf-8"))
    promises = {p["id"]: p for p in cfg["promises"]}
    assert promises["entrega_24h"]["promise"] == "Entrega en 24 horas"
    truth = {s["id"]: s for s in stories()}
    assert promises["entrega_24h"]["start"] == truth["broken_promise_24h"]["start"]
    stages = [s["id"] for s in cfg["journey"]["stages"]]
    assert stages[0] == "descubrimiento" and "entrega" in stages and "renovacion" in stages
    assert all(tp["keywords"] for s in cfg["journey"]["stages"] for tp in s["touchpoints"])
    from escucha.ingest import load_mapping

    for name in FILES:
        m = load_mapping(paths[f"mapping:{name}"])
        assert m.columns, name


def test_fast(demo: tuple[dict[str, Path], float]) -> None:
    assert demo[1] < 5.0


def test_deterministic_and_seed_sensitive(tmp_path: Path) -> None:
    a = generate(tmp_path / "a", seed=3, n=1500)
    b = generate(tmp_path / "b", seed=3, n=1500)
    c = generate(tmp_path / "c", seed=4, n=1500)
    for name in (*FILES, "company"):
        assert a[name].read_bytes() == b[name].read_bytes(), name
    assert a["reviews"].read_bytes() != c["reviews"].read_bytes()
    assert a["social"].read_bytes() != c["social"].read_bytes()


def test_language_mix_and_variety(demo: tuple[dict[str, Path], float]) -> None:
    paths, _ = demo
    voices = _all_voices(paths)
    reviews = _csv(paths["reviews"])
    en = sum(r["language"] == "en" for r in reviews) / len(reviews)
    assert 0.12 <= en <= 0.35
    texts = [v["text"] for v in voices]
    assert len(set(texts)) / len(texts) > 0.85  # not one template repeated
    lengths = sorted(len(t) for t in texts)
    assert lengths[len(lengths) // 10] < 60 and lengths[-len(lengths) // 20] > 200
    emoji = sum(bool(re.search("[\U0001F300-\U0001FAFF]", t)) for t in texts) / len(texts)
    assert 0.05 < emoji < 0.5
    mx = sum(bool(re.search(r"\b(padrísimo|celular|Profeco|Órale|neta)\b", t, re.I))
             for t in texts)
    assert mx > 20


def test_scores_agree_with_text_mostly(demo: tuple[dict[str, Path], float]) -> None:
    paths, _ = demo
    reviews = _csv(paths["reviews"])
    bad = re.compile(r"desastre|vergüenza|rot[oa]\b|nunca más|awful|broken|no vuelvo|fatal|"
                     r"lamentable|decepcionad|inaceptable|disappointed|terrible|nadie", re.I)
    good = re.compile(r"encantad|genial|maravilla|de diez|recomiendo|love it|amazing|great", re.I)
    low = [int(r["stars"]) <= 2 for r in reviews if bad.search(r["text"])
           and not good.search(r["text"])]
    high = [int(r["stars"]) >= 4 for r in reviews if good.search(r["text"])
            and not bad.search(r["text"])]
    assert len(low) > 50 and sum(low) / len(low) > 0.7
    assert len(high) > 200 and sum(high) / len(high) > 0.65


def test_story_collapse_week_spike(demo: tuple[dict[str, Path], float]) -> None:
    paths, _ = demo
    truth = next(s for s in stories() if s["id"] == "courier_collapse")
    wk = truth["week"]
    delivery = re.compile(r"pedido|paquete|entrega|repartidor|transportista|seguimiento|"
                          r"order|parcel|delivery|courier|tracking", re.I)
    per_week: Counter[int] = Counter(
        v["w"] for v in _all_voices(paths) if v["neg"] and delivery.search(v["text"])
    )
    others = [per_week[w] for w in range(1, 27) if w != wk]
    assert per_week[wk] >= 3 * sorted(others)[len(others) // 2]
    churn = re.compile(r"no vuelvo|me doy de baja|competencia|cancelo|never buying|cancel", re.I)
    angry_wk = sum(1 for v in _all_voices(paths) if v["w"] == wk and churn.search(v["text"]))
    assert angry_wk >= 20


def test_story_broken_promise(demo: tuple[dict[str, Path], float]) -> None:
    paths, _ = demo
    truth = next(s for s in stories() if s["id"] == "broken_promise_24h")
    wk = truth["week"]
    promise = re.compile(r"24 ?h|24 horas|24-hour|next.day|mañana en casa", re.I)
    slow = re.compile(r"días|semana|days|week|tard", re.I)
    hits = Counter(v["w"] for v in _all_voices(paths)
                   if promise.search(v["text"]) and slow.search(v["text"]) and v["neg"])
    before = sum(hits[w] for w in range(1, wk))
    after = sum(hits[w] for w in range(wk, 27))
    assert after >= 150 and before <= 0.05 * after


def test_story_idea_many_customers_one_first(demo: tuple[dict[str, Path], float]) -> None:
    paths, _ = demo
    truth = next(s for s in stories() if s["id"] == "idea_delivery_slot")
    idea = re.compile(r"franja|horario de entrega|hora de entrega|qu[ée] hora (llega|me viene)|"
                      r"tramo horario|horario del repartidor|mañana o de tarde|"
                      r"horas estoy en casa|traigan por la tarde|time slot|delivery window|"
                      r"delivery slot|morning or afternoon delivery|what time the courier", re.I)
    dated = []
    for r in _csv(paths["nps_survey"]):
        if idea.search(r["comment"]):
            dated.append((r["date"], r["customer_id"]))
    for r in _csv(paths["reviews"]):
        if idea.search(r["text"]):
            dated.append((r["date"], r["customer_id"]))
    for r in _jsonl(paths["chats"]):
        if idea.search(r["transcript"]):
            dated.append((r["started_at"][:19].replace("T", " "), r["customer_id"]))
    social = [s for s in _jsonl(paths["social"]) if idea.search(s["text"])]
    people = {c for _, c in dated} | {s["customer_id"] or s["author"] for s in social}
    assert len(people) >= truth["min_customers"]
    dated.sort()
    assert dated[0][1] == truth["first_customer"]
    first = date.fromisoformat(dated[0][0][:10])
    second = date.fromisoformat(dated[1][0][:10])
    assert (second - first).days >= 7
    texts = [r["comment"] for r in _csv(paths["nps_survey"]) if idea.search(r["comment"])]
    assert len(set(texts)) == len(texts)


def test_story_viral_influencer(demo: tuple[dict[str, Path], float]) -> None:
    paths, _ = demo
    truth = next(s for s in stories() if s["id"] == "viral_influencer")
    social = _jsonl(paths["social"])
    roots = [s for s in social if s["author_followers"] >= 50_000 and s["parent_id"] is None]
    assert len(roots) == 1
    root = roots[0]
    assert root["author"] == truth["handle"] and root["customer_id"] == truth["customer_id"]
    assert re.search(r"competencia|vídeo", root["text"])
    t0 = datetime.fromisoformat(root["created_at"].replace("Z", "+00:00"))
    thread = [s for s in social if s["thread_id"] == root["post_id"] and s is not root]
    fast = [s for s in thread
            if (datetime.fromisoformat(s["created_at"].replace("Z", "+00:00")) - t0).total_seconds()
            <= 6 * 3600]
    assert len(fast) >= 60
    assert len({s["author"] for s in fast}) >= 50
    # the same customer had complained before through the contact centre
    chats = [c for c in _jsonl(paths["chats"]) if c["customer_id"] == truth["customer_id"]]
    assert len(chats) >= 2


def test_background_stories(demo: tuple[dict[str, Path], float]) -> None:
    paths, _ = demo
    reviews = _csv(paths["reviews"])
    dirty = re.compile(r"sucia|baños|aseos|polvo|pegajoso|dirty|toilets|dust", re.I)

    def share(store: str) -> float:
        rs = [r for r in reviews if r["store"] == store]
        return sum(bool(dirty.search(r["text"])) for r in rs) / len(rs)

    assert share("Sevilla") > 3 * max(share("Madrid"), share("Barcelona"), share("Valencia"))
    named = [r for r in reviews if re.search(r"Lucía|Javier|Fernanda", r["text"])]
    assert len(named) >= 10
    assert sum(int(r["stars"]) >= 4 for r in named) / len(named) > 0.7
    emp = _csv(paths["employees"])
    sched = re.compile(r"cuadrante|turno|horario", re.I)
    group = [e for e in emp if e["department"] == "Logística" and e["location"] == "Valencia"]
    assert sum(bool(sched.search(e["text"])) for e in group) / len(group) > 0.6
    waves = Counter(_week(e["date"][:10]) for e in group)
    assert max(waves.values()) < 5  # below the anonymity threshold in any one wave


def test_rejects_too_small(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="n:"):
        generate(tmp_path, n=100)
    with pytest.raises(ValueError, match="weeks:"):
        generate(tmp_path, weeks=4)
