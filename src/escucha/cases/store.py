"""Reading and writing cases in the workspace store (``cases`` documents), one writer at a time."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from escucha.cases.model import CASES, Case
from escucha.errors import NotFoundError

if TYPE_CHECKING:
    from escucha.store import Store

LOCK = threading.RLock()
"""Guards every read-modify-write of cases in this process."""

_GENERATION = [0]


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


def save(store: Store, *cases: Case) -> None:
    if cases:
        store.put_docs(CASES, {c.id: c.to_doc() for c in cases})
        _GENERATION[0] += 1


def next_ids(existing: dict[str, Any] | list[Case], n: int = 1) -> list[str]:
    """``n`` new case ids after the highest one (``CASE-000001``, …)."""
    ids = existing.keys() if isinstance(existing, dict) else [c.id for c in existing]
    top = max((int(i.split("-")[-1]) for i in ids if i.startswith("CASE-") and i[5:].isdigit()), default=0)
    return [f"CASE-{top + k:06d}" for k in range(1, n + 1)]


@contextmanager
def editing(store: Store, case_id: str) -> Iterator[Case]:
    """Load one case, let the caller change it, save it (under the lock)."""
    with LOCK:
        case = load(store, case_id)
        yield case
        save(store, case)


def update(store: Store, case_id: str, change: Callable[[Case], Any]) -> Case:
    with editing(store, case_id) as case:
        change(case)
    return case
