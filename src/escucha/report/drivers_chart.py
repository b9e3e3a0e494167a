"""The key drivers' importance × performance chart (PNG)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd


def drivers_chart(df: pd.DataFrame, out: str | Path, title: str | None = None) -> Path:
    """Importance × performance matrix as a PNG (matplotlib Agg)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    out = Path(out)
    fig, ax = plt.subplots(figsize=(8, 6), dpi=110)
    colors = {"fix now": "#d62728", "keep up": "#2ca02c", "maintain": "#1f77b4",
              "low priority": "#7f7f7f"}
    if not df.empty:
        for q, g in df.groupby("quadrant"):
            ax.scatter(g["performance"], g["importance"], s=20 + 3 * np.sqrt(g["mentions"]) * 4,
                       c=colors.get(str(q), "#333"), alpha=0.75, label=str(q))
        for r in df.itertuples():
            ax.annotate(str(r.label)[:28], (r.performance, r.importance), fontsize=8,
                        xytext=(4, 4), textcoords="offset points")
        ax.axhline(df.attrs.get("importance_cut", df["importance"].median()), color="#999", lw=0.8,
                   ls="--")
        ax.axvline(df.attrs.get("performance_cut", df["performance"].median()), color="#999",
                   lw=0.8, ls="--")
        ax.legend(loc="best", fontsize=8)
        target = str(df["target"].iloc[0])
    else:
        target = "score"
    ax.set_xlabel(f"Performance ({target.upper() if target == 'nps' else target} among mentioners)")
    ax.set_ylabel("Importance (% of scale per signed mention)")
    ax.set_title(title or "Key drivers: importance vs performance")
    fig.tight_layout()
    fig.savefig(out, format="png")
    plt.close(fig)
    return out
