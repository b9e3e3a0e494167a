"""Reading and writing cases in the workspace store (``cases`` documents).

Every write is an atomic read-modify-write of the documents (``Store.update_docs``: across threads
and processes): a change is applied to the case as it is in the store at that moment, so an agent's
reply and the server's SLA check never overwrite each other, and new ids are taken from the ids
present when the cases are written. A change function must not touch the store itself.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from escucha.cases.model import CASES, Case
from escucha.errors import NotFoundError

if TYPE_CHECKING:
    from escucha.store import Store

LOCK = threading.RLock()
"""Keeps one process's case computations (rules, SLA checks) from running twice at once."""

_GENERATION = [0]
Edit = Callable[[Case], Any]


def generation() -> int:
    """A counter that moves with every case write in this process (caches key on it)."""
    return _GENERATION[0]


def load_all(store: Store) -> list[Case]:
    """Every case, oldest first."""
    docs = store.get_docs(CASES)
    return sorted((Case.from_doc(d) for d in docs.values()), key=lambda c: (c.opened_at, c.id))


def load(store: Store, case_id: str) -> Case:
    docs = store.get_docs(CASES)
    if case_id not in docs:
        raise NotFoundError(f"no case {case_id!r}", field="case_id", record=case_id)
    return Case.from_doc(docs[case_id])


def next_ids(existing: dict[str, Any] | list[Case], n: int = 1) -> list[str]:
    """``n`` new case ids after the highest one (``CASE-000001``, …)."""
    ids = existing.keys() if isinstance(existing, dict) else [c.id for c in existing]
    top = max((int(i.split("-")[-1]) for i in ids if i.startswith("CASE-") and i[5:].isdigit()), default=0)
    return [f"CASE-{top + k:06d}" for k in range(1, n + 1)]


def commit(store: Store, new: list[Case] | None = None, edits: dict[str, Edit] | None = None) -> dict[str, Case]:
    """Write ``new`` cases (their ids are given here, in order) and apply ``edits`` (case id →
    a change of the case) to the cases as stored now, in one transaction; returns the written cases."""
    new, edits = list(new or []), dict(edits or {})
    written: dict[str, Case] = {}

    def change(docs: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any] | None]:
        written.clear()
        for cid, edit in edits.items():
            if cid not in docs:
                raise NotFoundError(f"no case {cid!r}", field="case_id", record=cid)
            case = Case.from_doc(docs[cid])
            edit(case)
            written[cid] = case
        for case, cid in zip(new, next_ids(docs, len(new)), strict=True):
            case.id = cid
            written[cid] = case
        return {cid: c.to_doc() for cid, c in written.items()}

    if new or edits:
        store.update_docs(CASES, change, keys=None if new else list(edits))
        _GENERATION[0] += 1
    return written


def update(store: Store, case_id: str, edit: Edit) -> Case:
    """Apply ``edit`` to one case as stored now (atomically) and return it."""
    return commit(store, edits={case_id: edit})[case_id]


def update_all(store: Store, edit: Callable[[list[Case]], list[Case]]) -> list[Case]:
    """Give every case to ``edit``, which changes some in place and returns those; write them."""
    out: list[Case] = []

    def change(docs: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any] | None]:
        cases = sorted((Case.from_doc(d) for d in docs.values()), key=lambda c: (c.opened_at, c.id))
        out[:] = edit(cases)
        return {c.id: c.to_doc() for c in out}

    store.update_docs(CASES, change)
    if out:
        _GENERATION[0] += 1
    return out
