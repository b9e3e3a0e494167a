"""Every example in docs/architecture.md runs as written (each in a scratch folder)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

DOC = Path(__file__).parent.parent / "docs" / "architecture.md"
EXAMPLES = {m.group(1): m.group(0) for m in re.finditer(r"# example: (\w+)\n.*?(?=```)", DOC.read_text(encoding="utf-8"), re.S)}


def test_the_guide_has_an_example_per_extension() -> None:
    assert set(EXAMPLES) == {"analyser", "insight", "store", "page", "channel"}


@pytest.mark.parametrize("name", sorted(EXAMPLES))
def test_example_runs(name: str, tmp_path: Path) -> None:
    from escucha.insights.base import INSIGHTS
    from escucha.pipeline import base
    from escucha.web.nav import NAV

    nav = list(NAV)
    namespace = {"workdir": str(tmp_path), "Path": Path, "__name__": f"docs_example_{name}"}
    try:
        exec(compile(EXAMPLES[name], f"docs/architecture.md ({name})", "exec"), namespace)
    finally:  # leave the registries (and the dashboard's navigation) as they were
        NAV[:] = nav
        INSIGHTS.unregister("busiest")
        base.ANALYZERS.unregister("shouting")
        if name == "store":
            from escucha.store import STORES

            STORES.unregister("scratch")
        if name == "channel":
            from escucha.notify import CHANNELS

            CHANNELS.unregister("pager")
