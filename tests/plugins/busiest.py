"""A toy insight, as a third-party package would write it: one module and one template."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from escucha.insights.base import Insight, InsightContext, InsightResult, titles


class Busiest(Insight):
    """Voices per channel, busiest first."""

    name = "busiest"
    title = titles(en="Busiest channels", es="Canales con más voces")
    templates = Path(__file__).parent / "templates"

    def compute(self, ctx: InsightContext, **params: Any) -> InsightResult[pd.DataFrame]:
        df = ctx.metrics(by="channel")[["channel", "volume"]]
        return InsightResult(df.sort_values(["volume", "channel"], ascending=[False, True]))
