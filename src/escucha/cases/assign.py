"""Assignment: a case goes to a queue (by language and skill) and to one of its agents (round robin
or the least loaded). The round-robin turn is kept in the store (``case_assignment`` document)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from escucha.cases.model import Case

if TYPE_CHECKING:
    from escucha.store import Store

STATE = "case_assignment"


def pick_queue(cfg: dict[str, Any], case: Case) -> str | None:
    """The first queue whose languages and skills fit the case (a queue without a list takes any)."""
    queues: dict[str, Any] = cfg.get("queues") or {}
    fallback = None
    for name, q in queues.items():
        langs = [str(x) for x in q.get("languages") or []]
        skills = [str(x) for x in q.get("skills") or []]
        lang_ok = not langs or case.language is None or case.language in langs
        if lang_ok and skills and case.topic in skills:
            return str(name)
        if lang_ok and not skills and fallback is None:
            fallback = str(name)
    return fallback


def pick_agent(cfg: dict[str, Any], store: Store, queue: str | None, active: list[Case],
               state: dict[str, Any]) -> str | None:
    """The next agent of ``queue`` (updates the round-robin ``state`` in place)."""
    if queue is None:
        return None
    agents = [str(a) for a in (cfg.get("queues") or {}).get(queue, {}).get("agents") or []]
    if not agents:
        return None
    if cfg.get("assignment", "round_robin") == "least_loaded":
        load = {a: 0 for a in agents}
        for c in active:
            if c.assignee in load:
                load[c.assignee] += 1
        return min(agents, key=lambda a: (load[a], agents.index(a)))
    turn = int(state.get(queue, -1)) + 1
    state[queue] = turn
    return agents[turn % len(agents)]


def auto_assign(cfg: dict[str, Any], store: Store, cases: list[Case], active: list[Case],
                actor: str | None = "rules") -> None:
    """Queue and assign new cases that have no agent yet (in place; saves the round-robin turn)."""
    state = dict(store.get_docs(STATE).get("turns", {}))
    for case in cases:
        if case.assignee:
            continue
        case.queue = case.queue or pick_queue(cfg, case)
        agent = pick_agent(cfg, store, case.queue, active, state)
        if agent:
            case.assignee = agent
            case.status = "open" if case.status == "new" else case.status
            case.log("assigned", actor, to=agent, queue=case.queue)
    store.put_docs(STATE, {"turns": state})
