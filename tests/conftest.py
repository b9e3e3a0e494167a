"""Shared fixtures: real data paths, fresh workspaces, and a small set of real voices."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED_DATA = Path(os.environ.get("ESCUCHA_SHARED_DATA", REPO.parent / "shared" / "data"))


@pytest.fixture(scope="session")
def shared_data() -> Path:
    if not SHARED_DATA.exists():
        pytest.skip("../shared/data is not present")
    return SHARED_DATA


@pytest.fixture
def ws(tmp_path: Path):
    import escucha

    return escucha.open(tmp_path / "ws")


VOICES = [
    {"id": "v1", "channel": "survey", "text": "El personal fue encantador y muy atento. ¡Gracias!", "nps": 10,
     "timestamp": "2024-03-04T10:00:00Z", "customer_id": "c1", "location": "Madrid"},
    {"id": "v2", "channel": "survey", "text": "El pedido llegó tarde y nadie respondía al teléfono. Me doy de baja.",
     "nps": 2, "timestamp": "2024-03-05T10:00:00Z", "customer_id": "c2", "location": "Sevilla"},
    {"id": "v3", "channel": "review", "text": "Great product, fast delivery, I love it!", "rating": 5,
     "timestamp": "2024-03-12T09:00:00Z", "customer_id": "c3", "location": "Madrid"},
    {"id": "v4", "channel": "review", "text": "Terrible customer service, they charged me twice.", "rating": 1,
     "timestamp": "2024-03-13T09:00:00Z", "customer_id": "c2", "location": "Sevilla"},
    {"id": "v5", "channel": "chat", "text": "Cliente: ¿Cómo puedo cambiar la dirección de entrega?", "csat": 4,
     "ces": 2, "timestamp": "2024-03-14T09:00:00Z", "customer_id": "c1", "location": "Madrid"},
    {"id": "v6", "channel": "social", "text": "Vergüenza de servicio, lo voy a subir a redes", "reach": 50000,
     "timestamp": "2024-03-15T09:00:00Z", "customer_id": "c4"},
]  # fmt: skip


@pytest.fixture
def voices() -> list[dict]:
    return [dict(v) for v in VOICES]


@pytest.fixture(scope="session")
def demo_ws(tmp_path_factory: pytest.TempPathFactory):
    """The analysed demo workspace (6k voices), built once per test process."""
    import escucha
    from escucha.demo.build import build_demo

    path = tmp_path_factory.getbasetemp() / "insights_demo"
    if not (path / "escucha.duckdb").exists():
        build_demo(path)
    return escucha.open(path)
