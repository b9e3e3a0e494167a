"""Employee anonymity holds against the probes a curious analyst would try: differencing, one-second
windows, filters that point at a person, comments counted instead of people, over-suppression."""

from __future__ import annotations

import dataclasses
import itertools
from datetime import datetime, timedelta
from typing import Any

import pandas as pd
import pytest

pytest.importorskip("fastapi")
pytest.importorskip("argon2")

import escucha
from escucha.http import auth
from escucha.insights.protect import people, slices_of
from escucha.store import Filters
from test_api import PASSWORD, H, make_client

K = 5
SITES = {"Madrid": 9, "Sevilla": 6, "Bilbao": 2, "Vigo": 1}  # people per site
T0 = datetime(2024, 3, 4, 9)


def _employee_rows() -> list[dict[str, Any]]:
    rows = []
    for site, n in SITES.items():
        for p in range(n):
            for c in range(3):  # three comments each: comments are not people
                rows.append({"id": f"{site}-{p}-{c}", "channel": "employee", "customer_id": f"E-{site}-{p}",
                             "location": site, "text": "Los turnos cambian sin avisar", "nps": (p * 3 + c) % 11,
                             "timestamp": (T0 + timedelta(days=p, hours=c)).isoformat(),
                             "metadata": {"department": "Tiendas" if p % 2 else "Logística"}})  # fmt: skip
    rows += [{"id": f"anon-{i}", "channel": "employee", "location": "Madrid", "text": "Buen equipo", "nps": 9,
              "timestamp": (T0 + timedelta(days=i % 7)).isoformat()} for i in range(40)]  # fmt: skip
    rows += [{"id": f"c-{i}", "channel": "review", "customer_id": f"C{i}", "location": site, "nps": i % 11,
              "text": "Entrega rápida", "timestamp": (T0 + timedelta(days=i % 20)).isoformat()}
             for i, site in enumerate(itertools.islice(itertools.cycle(SITES), 80))]  # fmt: skip
    return rows


@pytest.fixture(scope="module")
def ws(tmp_path_factory: pytest.TempPathFactory) -> Any:
    w = escucha.open(tmp_path_factory.mktemp("anon") / "ws", employee_min_group=K)
    w.add(_employee_rows())
    w.analyze()
    return w


def _employee_people(ws: Any, dims: list[str], period: str | None, f: Filters) -> pd.DataFrame:
    emp = ws.store.stats(dims, period, dataclasses.replace(f, channel=["employee"]))
    return emp.assign(people=people(emp))


@pytest.mark.parametrize("dims", [[], ["location"], ["meta:department"], ["location", "meta:department"],
                                  ["channel"], ["product"]])
@pytest.mark.parametrize("period", [None, "week", "month"])
@pytest.mark.parametrize("channel", [None, ["employee"]])
def test_no_group_below_k_people_shows_and_nothing_can_be_subtracted(ws: Any, dims: list[str], period: str | None,
                                                                   channel: list[str] | None) -> None:
    for location in [None, *[[s] for s in SITES]]:
        f = Filters(channel=channel, location=location)
        df = ws.metrics(by=dims, period=period, filters=f)
        keys = [*dims, *([period] if period else [])]
        emp = _employee_people(ws, dims, period, f)
        merged = df.merge(emp[[*keys, "people"]], on=keys, how="left") if keys else df.assign(people=emp["people"].sum())
        merged["people"] = merged["people"].fillna(0)
        shown = merged[~merged["suppressed"].fillna(False).astype(bool)] if "suppressed" in merged else merged
        assert not shown["people"].between(1, K - 1).any(), (dims, period, f)
        assert shown[shown["people"].between(1, K - 1)].empty
        if "suppressed" in merged:
            hidden_mask = merged["suppressed"].fillna(False).astype(bool)
            assert merged.loc[hidden_mask, ["nps", "enps", "volume"]].isna().all().all()
            for d in keys:  # along each dimension, what is hidden holds k people, or nothing is shown
                others = [x for x in keys if x != d]
                slices = slices_of(merged, others)
                for idx in slices:
                    g = merged.loc[idx]
                    hidden = g.loc[hidden_mask.loc[idx], "people"].sum()
                    visible = g.loc[~hidden_mask.loc[idx], "people"].sum()
                    assert hidden == 0 or hidden >= K or visible == 0, (dims, period, f)


def test_people_not_comments_and_no_over_suppression(ws: Any) -> None:
    by_site = ws.metrics(by="location", filters=Filters(channel=["employee"])).set_index("location")
    assert bool(by_site.loc["Bilbao", "suppressed"])  # 6 comments, 2 people
    assert not bool(by_site.loc["Madrid", "suppressed"])  # 9 people with ids + 40 anonymous comments
    total = ws.metrics(filters=Filters(channel=["employee"])).iloc[0]
    assert not bool(total["suppressed"]) and total["n_enps"] == 3 * sum(SITES.values()) + 40


def test_one_second_windows_tell_nothing_apart(ws: Any) -> None:
    t = T0 + timedelta(days=1, hours=1)
    a = ws.metrics(by="location", filters=Filters(until=t))
    b = ws.metrics(by="location", filters=Filters(until=t + timedelta(seconds=1)))
    pd.testing.assert_frame_equal(a, b)


def test_employees_are_never_listed_by_author_or_from_few_people(ws: Any) -> None:
    auth.add_user(ws, "admin9", PASSWORD, "admin")
    _, token = auth.create_token(ws, "anon-admin", "admin")
    tokens = {"admin": token}
    c = make_client(ws)

    def listed(**params: Any) -> list[dict[str, Any]]:
        r = c.get("/api/v1/feedback", params={"limit": 500, **params}, headers=H(tokens, "admin"))
        assert r.status_code == 200, r.text
        return [v for v in r.json()["items"] if v["channel"] == "employee"]

    assert listed(customer_id="E-Madrid-0") == []
    assert listed(location="Bilbao", channel="employee") == []
    assert listed(location="Vigo") == []
    assert len(listed(location="Madrid", channel="employee")) == 9 * 3 + 40  # enough people: listed, anonymised
    assert all(v["customer_id"] is None for v in listed(location="Madrid"))
    assert c.get("/api/v1/customers/E-Madrid-0", headers=H(tokens, "admin")).status_code == 404
    csv = c.get("/api/v1/export.csv", params={"customer_id": "E-Sevilla-1"}, headers=H(tokens, "admin")).text
    assert "employee" not in csv
    csv = c.get("/api/v1/export.csv", params={"location": "Bilbao"}, headers=H(tokens, "admin")).text
    assert "employee" not in csv and "review" in csv
