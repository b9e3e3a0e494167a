"""The dashboard's navigation registry: pages add themselves here (themes, journey, promises, plan…).

A feature adds a page by writing a module with a ``router`` (see ``escucha.web.WEB_PAGE_MODULES``)
that calls ``register_nav(NavItem(...))`` at import time; the entry shows for users whose role has
``permission`` and when ``available(ws)`` (if given) is true.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from escucha.http.auth import CUSTOMERS, READ

if TYPE_CHECKING:
    from escucha.http.auth import Principal


@dataclass(frozen=True)
class NavItem:
    key: str
    path: str
    labels: dict[str, str] = field(default_factory=dict)  # language → label
    permission: str = READ
    order: int = 100
    available: Callable[[Any], bool] | None = None

    def label(self, lang: str) -> str:
        return self.labels.get(lang) or self.labels.get("en") or self.key


NAV: list[NavItem] = []


def register_nav(item: NavItem) -> None:
    """Add (or replace, by key) a navigation entry."""
    NAV[:] = sorted([n for n in NAV if n.key != item.key] + [item], key=lambda n: (n.order, n.key))


def visible(principal: Principal | None, ws: Any) -> list[NavItem]:
    out = []
    for n in NAV:
        if principal is None or not principal.can(n.permission):
            continue
        try:
            if n.available is not None and not n.available(ws):
                continue
        except Exception:  # a broken feature hides its entry, never the dashboard
            continue
        out.append(n)
    return out


register_nav(NavItem("snapshot", "/", {"es": "Resumen", "en": "Snapshot"}, order=10))
register_nav(NavItem("explore", "/explore", {"es": "Explorar", "en": "Explore"}, order=20))
register_nav(NavItem("customers", "/customers", {"es": "Clientes", "en": "Customers"}, CUSTOMERS, order=30))
